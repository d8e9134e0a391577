// The privileged core of both setuid helpers (uxc-idmap here, uxc-nic in
// net-helper/): everything about privilege that is not one helper's own
// job, written once, so that each property is proved once.
//
// What it promises (security/AUDIT.md, "The privileged core"):
// - Before any library initialiser runs, the environment is empty.
// - hygiene: fds 0-2 open in their directions; no other fd but the one
//   the form names; no environment; not dumpable; no_new_privs; default
//   signal dispositions (SIGPIPE ignored) and an empty mask; umask 077;
//   cwd /; soft rlimits at their hard limits; no core file.
// - The drop: no supplementary group, every uid and gid the caller's, only
//   the helper's capabilities permitted and none effective, not dumpable;
//   then it tries to regain root and each capability and fails if it can.
// - A capability is effective only inside call_with_caps_raised, around
//   one call, and lowered before anything else happens.
// - A refusal clears every capability before it writes anything, and is a
//   return value: main() returns the refusing step's exit status.
//
// Each helper's main() is a checklist of the steps below, in DESIGN.md's
// order, one exit status each (a refusal exits with its step's):
//   10 hygiene     fds 0-2 usable; nothing of the caller's process state left
//   11 root files  the files only root may open, opened as root
//   12 drop        the caller's ids; the helper's capabilities permitted only
//   13 caller      the caller named from passwd
//   14 request     read and decoded
//   15 target      the kernel object the caller passed is the caller's
//   16 policy      the administrator's files allow the request
// and from 17 (kFirstOwnStep) the helper's own: its acts, its final drop
// and its answer.
#pragma once

#include <sys/capability.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "policy/protocol.h"

namespace uxc::core {

enum Step : int {
  kStepHygiene = 10, kStepRootFiles, kStepDrop, kStepCaller, kStepRequest, kStepTarget,
  kStepPolicy, kFirstOwnStep,
};

// How a run is asked and answers. The pipe form takes its request on fd 0,
// answers in the protocol on fd 1 and exits with the step's status. A
// front end (newuidmap, lxc-user-nic) takes argv and answers as the
// program it stands in for: its output on fd 1 on success only, a line on
// fd 2 and exit status 1 on any failure.
struct Form {
  const char* prog = "";  // names the helper on fd 2
  bool pipe = true;
  int keep_fd = -1;  // the target fd above 2 that hygiene keeps, or -1
};

// The one owner of a descriptor: closes it when it goes out of scope.
// Move-only (declaring the moves deletes the copies); a moved-to Fd hands
// its old descriptor to the moved-from one, which closes it.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Fd() { if (fd_ >= 0) close(fd_); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// The caller: the real ids, then the name passwd gives them.
struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;     // never from getlogin(), which read utmp (CVE-2016-6251)
  gid_t login_gid = 0;  // the passwd entry's group, for the group database
};

using CapSet = uint64_t;
constexpr CapSet cap_bit(cap_value_t cap) { return CapSet{1} << cap; }

// ------------------------------------------------------------- hygiene
// First fd 0 readable, fds 1 and 2 writable, before anything is opened: a
// closed one would be reused by the next open() and an answer could land
// in that file. For a setuid program glibc reopens a closed fd 0
// write-only (/dev/full) and a closed 1 or 2 read-only (/dev/null): the
// wrong direction is how a closed descriptor shows (and a refusal's
// writes to them go nowhere). Then the clean state (core.h's header);
// form->keep_fd, the target, stays if the caller passed it, else becomes
// -1, so that no file the helper opens later is taken for it.
[[nodiscard]] bool enter_clean_state(Form* form);
// Opens a file only root may change: a regular file owned by root and not
// writable by group or others, else refused (a list others can edit
// grants nothing). O_NONBLOCK, so no FIFO can block the open. A missing
// file is no error: *out stays empty (without O_CREAT). The descriptor is
// moved to protocol::kFirstOwnFd or above, clear of the protocol's fds:
// a number the caller left closed stays closed.
[[nodiscard]] bool open_root_owned(const char* path, int flags, Fd* out);

// --------------------------------------------------------------- input
[[nodiscard]] bool write_all(int fd, std::string_view text);
// Reads to end of file, but at most max_bytes + 1 bytes: one more than the
// parser accepts, so an over-long input still reads as too long and the
// parser says so.
[[nodiscard]] bool read_capped(int fd, size_t max_bytes, std::string* out);
// The pipe form's request: no argument at all, then fd 0, capped at the
// protocol's limit.
[[nodiscard]] bool read_pipe_request(std::span<const std::string_view> args, std::string* text,
                                     std::string* why);

// ----------------------------------------------------------- privilege
// setgroups(0), every uid and gid the caller's (the real ones, read before
// the call) with only `keep` permitted (nothing effective, inheritable or
// ambient), dumpable off again (the id change may have turned it on).
// Trusted only after trying to undo it: ids and groups as dropped, not
// dumpable, and setuid(0), setgid(0) and raising any capability outside
// `keep` all fail. (capset(2) sets exactly what it is given, or fails.)
[[nodiscard]] bool drop_to_caller(const Caller& caller, CapSet keep);
// Cuts the permitted set to `keep` and verifies it the same way; keep 0 is
// the final drop.
[[nodiscard]] bool narrow_caps(const Caller& caller, CapSet keep);
// Exactly these permitted and effective sets, nothing inheritable (which
// empties the ambient set too). libcap.
[[nodiscard]] bool set_caps(CapSet permitted, CapSet effective);
[[nodiscard]] bool name_caller(Caller* caller);

// Runs call() with `raised` effective (of `permitted`), and lowers it
// before anything else happens. False if call() failed, or if raising or
// lowering did: either way the step refuses, and refuse() then clears
// every capability or exits without a word.
template <typename Call>
[[nodiscard]] bool call_with_caps_raised(CapSet permitted, CapSet raised, const Call& call) {
  if (!set_caps(permitted, raised)) return false;
  const bool done = call();
  const int saved_errno = errno;
  const bool lowered = set_caps(permitted, 0);
  errno = saved_errno;
  return done && lowered;
}

// -------------------------------------------------------------- answer
// Every refusal: clears every capability (nothing privileged happens after
// a refusal, and what follows writes to fds the caller chose), one line
// for a person on fd 2, the protocol's error on fd 1 (pipe form), and
// the step's status.
[[nodiscard]] int refuse(const Form& form, int step, protocol::ErrorCode code,
                         std::string_view why);
// The last step: `text` on fd 1, whole; 0, or `step` if it cannot be written.
[[nodiscard]] int answer(const Form& form, int step, std::string_view text);

}  // namespace uxc::core
