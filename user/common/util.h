// Small building blocks of the manager: an owning fd, errors that carry
// a message for a person, and whole-file I/O.
#pragma once

#include <sys/types.h>
#include <termios.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uxc {

// Every failure a person sees is one of these, caught once in main(): the
// message says what failed and, where it can, what to do about it.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// A mistake on the command line: run_subcommand prints it with a pointer
// to the command's --help and exits 2.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(what) {}
};

// A program of subcommands, `PROGRAM COMMAND [OPTIONS]` (uxc, uxc-admin).
struct Subcommand {
  const char* name;
  int (*run)(int argc, char** argv);
  const char* summary;
};

// Runs the subcommand argv[1] names with argv[1..]; answers --help (-h,
// help; `about` is the paragraph under the usage line) and --version.
// An Error thrown by the command is one line "PROGRAM COMMAND: what" and
// exit 1 (UsageError: exit 2); no or an unknown command exits 2.
int run_subcommand(const char* program, const std::string& about, const std::vector<Subcommand>& commands,
                   int argc, char** argv);

// -q: commands print no progress, confirmation or warning lines, only
// their data and errors.
void set_quiet(bool on);
bool quiet();

// "WHAT: strerror(errno)".
[[noreturn]] void throw_errno(const std::string& what);
std::string errno_text(int err);

// Move-only owner of a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// Runs a callable when the scope ends, unless dismissed.
template <typename F>
class Defer {
 public:
  explicit Defer(F f) : f_(std::move(f)) {}
  ~Defer() {
    if (armed_) f_();
  }
  void dismiss() { armed_ = false; }
  Defer(const Defer&) = delete;
  Defer& operator=(const Defer&) = delete;

 private:
  F f_;
  bool armed_ = true;
};

// Reads a whole file; returns false (errno set) if it cannot be opened.
bool read_file(const std::string& path, std::string* out, size_t max_bytes = 16 << 20);
std::string read_file_or_throw(const std::string& path);
// Writes via a temporary file and rename, mode `mode`.
void write_file_atomic(const std::string& path, std::string_view data, mode_t mode = 0644);

bool write_all(int fd, std::string_view data);
// The same for a non-blocking fd (a pty master that is also read from):
// waits for room rather than dropping what was typed.
bool write_all_waiting(int fd, std::string_view data);
// Reads until EOF or max_bytes.
bool read_all(int fd, std::string* out, size_t max_bytes);

void make_dirs(const std::string& path, mode_t mode);
bool path_exists(const std::string& path);
bool is_directory(const std::string& path);

std::vector<uint8_t> random_bytes(size_t count);

// The status a shell reports for a waitpid() status: the exit code, or
// 128 + the signal that killed the process.
int exit_code(int wait_status);

// Every signal's disposition back to SIG_DFL, glibc's reserved 32 and 33
// included (the raw rt_sigaction: glibc refuses those two). An ignored
// signal survives execve: without this a container's init would inherit
// what the user's shell ignores (nohup's SIGHUP, a runner's SIGTERM).
void reset_signal_dispositions();

// The names in the directory open at `dirfd` (read through a duplicate,
// from its start), "." and ".." left out, sorted. False, errno set, if
// it cannot be read.
bool read_dir_names(int dirfd, std::vector<std::string>* names);

// The same for a path: an empty list if it cannot be opened or read.
std::vector<std::string> dir_names(const std::string& path);

// Pipe with O_CLOEXEC on both ends: [0] read, [1] write.
std::pair<Fd, Fd> make_pipe();

std::string join(const std::vector<std::string>& words, std::string_view sep);

// Puts the terminal on fd 0, if it is one, in raw mode for as long as
// this lives, so every key reaches the container; restores it after
// pending output is written.
class TerminalRaw {
 public:
  TerminalRaw() = default;
  TerminalRaw(const TerminalRaw&) = delete;
  TerminalRaw& operator=(const TerminalRaw&) = delete;
  ~TerminalRaw();
  void enter();

 private:
  termios saved_{};
  bool active_ = false;
};

}  // namespace uxc
