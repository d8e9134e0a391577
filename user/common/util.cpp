#include "user/common/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace uxc {

namespace {
bool quiet_mode = false;
}

void set_quiet(bool on) { quiet_mode = on; }
bool quiet() { return quiet_mode; }

std::string errno_text(int err) { return std::strerror(err); }

void throw_errno(const std::string& what) {
  throw Error(what + ": " + errno_text(errno));
}

void Fd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

bool read_all(int fd, std::string* out, size_t max_bytes) {
  out->clear();
  char buf[8192];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    if (out->size() + static_cast<size_t>(n) > max_bytes) {
      errno = EFBIG;
      return false;
    }
    out->append(buf, static_cast<size_t>(n));
  }
}

bool read_file(const std::string& path, std::string* out, size_t max_bytes) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return false;
  return read_all(fd.get(), out, max_bytes);
}

std::string read_file_or_throw(const std::string& path) {
  std::string text;
  if (!read_file(path, &text)) throw_errno("cannot read " + path);
  return text;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool write_all_waiting(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) return false;
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, -1) < 0 && errno != EINTR) return false;
      continue;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
  const std::string tmp = path + ".tmp";
  Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd.valid()) throw_errno("cannot write " + tmp);
  if (!write_all(fd.get(), data) || fsync(fd.get()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    errno = err;
    throw_errno("cannot write " + tmp);
  }
  fd.reset();
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    errno = err;
    throw_errno("cannot rename " + tmp);
  }
}

void make_dirs(const std::string& path, mode_t mode) {
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (prefix.empty()) continue;
    if (mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST)
      throw_errno("cannot create directory " + prefix);
  }
  if (!is_directory(path)) throw Error(path + " exists and is not a directory");
}

bool path_exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<uint8_t> random_bytes(size_t count) {
  std::vector<uint8_t> out(count);
  size_t done = 0;
  while (done < count) {
    const ssize_t n = getrandom(out.data() + done, count - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("getrandom");
    }
    done += static_cast<size_t>(n);
  }
  return out;
}

int exit_code(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

void reset_signal_dispositions() {
  // A zeroed kernel sigaction is SIG_DFL with no flags on every
  // architecture; SIGKILL and SIGSTOP refuse, as they should.
  const unsigned long dfl[8] = {};
  for (int sig = 1; sig < NSIG; ++sig) (void)syscall(SYS_rt_sigaction, sig, dfl, nullptr, NSIG / 8);
}

bool read_dir_names(int dirfd, std::vector<std::string>* names) {
  names->clear();
  Fd dup_fd(fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
  DIR* dir = dup_fd.valid() ? fdopendir(dup_fd.get()) : nullptr;
  if (dir == nullptr) return false;
  dup_fd.release();
  rewinddir(dir);
  errno = 0;
  while (const dirent* e = readdir(dir)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") names->push_back(n);
  }
  const int err = errno;
  closedir(dir);
  std::sort(names->begin(), names->end());
  errno = err;
  return err == 0;
}

std::vector<std::string> dir_names(const std::string& path) {
  std::vector<std::string> names;
  Fd fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || !read_dir_names(fd.get(), &names)) names.clear();
  return names;
}

std::pair<Fd, Fd> make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe");
  return {Fd(fds[0]), Fd(fds[1])};
}

std::string join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) out += sep;
    out += words[i];
  }
  return out;
}

void TerminalRaw::enter() {
  if (active_ || !isatty(0) || tcgetattr(0, &saved_) != 0) return;
  termios raw = saved_;
  cfmakeraw(&raw);
  if (tcsetattr(0, TCSANOW, &raw) == 0) active_ = true;
}

TerminalRaw::~TerminalRaw() {
  if (active_) tcsetattr(0, TCSADRAIN, &saved_);
}

namespace {

void subcommand_usage(FILE* out, const char* program, const std::string& about,
                      const std::vector<Subcommand>& commands) {
  std::fprintf(out, "Usage: %s COMMAND [OPTIONS]\n\n%s\n\nCommands:\n", program, about.c_str());
  for (const Subcommand& c : commands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'%s COMMAND --help' describes a command's options.\n", program);
}

}  // namespace

int run_subcommand(const char* program, const std::string& about, const std::vector<Subcommand>& commands,
                   int argc, char** argv) {
  if (argc < 2) {
    subcommand_usage(stderr, program, about, commands);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    subcommand_usage(stdout, program, about, commands);
    return 0;
  }
  if (command == "--version") {
    std::printf("%s 0.1\n", program);
    return 0;
  }
  for (const Subcommand& c : commands) {
    if (command != c.name) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const UsageError& e) {
      std::fprintf(stderr, "%s %s: %s (try '%s %s --help')\n", program, c.name, e.what(), program, c.name);
      return 2;
    } catch (const Error& e) {
      std::fprintf(stderr, "%s %s: %s\n", program, c.name, e.what());
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s %s: internal error: %s\n", program, c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "%s: unknown command '%s' (try '%s --help')\n", program, command.c_str(), program);
  return 2;
}

}  // namespace uxc
