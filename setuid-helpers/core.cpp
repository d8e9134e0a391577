#include "setuid-helpers/core.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace uxc::core {

namespace {

// The dynamic loader calls an executable's .preinit_array before it
// initialises any library linked in (libnl's constructors read NLDBG and
// NLCB; a shared libnl-route opened $NLSYSCONFDIR/classid as root), so the
// environment is emptied here, before anything else can read it.
void empty_environment(int, char**, char** envp) {
  if (envp != nullptr) envp[0] = nullptr;
}
[[gnu::section(".preinit_array"), gnu::used]] void (*const kEmptyEnvironment)(int, char**, char**) =
    empty_environment;

// The capabilities a verification tries to take back: those either helper
// ever holds, and the two that would make any other check moot.
constexpr cap_value_t kRegainAttempts[] = {CAP_SETUID,    CAP_SETGID,   CAP_SETFCAP,
                                           CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_DAC_OVERRIDE};

// drop_to_caller's and narrow_caps's proof (core.h).
bool verify_dropped(const Caller& caller, CapSet keep) {
  uid_t u[3];
  gid_t g[3];
  if (getresuid(&u[0], &u[1], &u[2]) != 0 || getresgid(&g[0], &g[1], &g[2]) != 0) return false;
  for (int i = 0; i < 3; ++i)
    if (u[i] != caller.uid || g[i] != caller.gid) return false;
  if (getgroups(0, nullptr) != 0 || prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) return false;
  if (caller.uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) return false;
  if (caller.gid != 0 && (setgid(0) == 0 || setegid(0) == 0)) return false;
  for (cap_value_t cap : kRegainAttempts)
    if ((keep & cap_bit(cap)) == 0 && set_caps(cap_bit(cap), cap_bit(cap))) return false;
  return true;
}

bool stdio_usable() {
  const int in = fcntl(0, F_GETFL), out = fcntl(1, F_GETFL), err = fcntl(2, F_GETFL);
  return in != -1 && out != -1 && err != -1 && (in & O_ACCMODE) != O_WRONLY &&
         (out & O_ACCMODE) != O_RDONLY && (err & O_ACCMODE) != O_RDONLY;
}

// A front end exits 1 on any failure, as the program it stands in for.
int exit_status(const Form& form, int step) { return form.pipe ? step : 1; }

}  // namespace

bool enter_clean_state(Form* form) {
  if (!stdio_usable()) return false;
  if (form->keep_fd >= 0 && fcntl(form->keep_fd, F_GETFD) == -1) form->keep_fd = -1;
  const unsigned keep = form->keep_fd < 0 ? ~0U : static_cast<unsigned>(form->keep_fd);
  if (keep > 3 && close_range(3, keep - 1, 0) != 0) return false;
  if (keep != ~0U && close_range(keep + 1, ~0U, 0) != 0) return false;
  if (clearenv() != 0) return false;
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return false;
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, nullptr) != 0) return false;
  // The raw call: glibc's sigaction refuses the two signals it reserves
  // (32, 33), which a caller can still leave ignored. A zeroed kernel
  // sigaction is SIG_DFL with no flags on every architecture; KILL and
  // STOP refuse.
  const unsigned long dfl[8] = {};
  for (int sig = 1; sig < NSIG; ++sig) (void)syscall(SYS_rt_sigaction, sig, dfl, nullptr, NSIG / 8);
  // A closed answer pipe is an error to report, not a death half-way.
  if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) return false;
  umask(077);
  // Soft limits rise to the hard ones, which needs no privilege. A hard
  // limit stays the caller's: all it can do is stop the helper, which the
  // caller can do anyway with SIGKILL (security/AUDIT.md).
  for (auto resource : {RLIMIT_NOFILE, RLIMIT_FSIZE, RLIMIT_AS, RLIMIT_DATA, RLIMIT_CPU}) {
    rlimit limit;
    if (getrlimit(resource, &limit) != 0) return false;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(resource, &limit) != 0) return false;
  }
  const rlimit no_core{0, 0};
  return setrlimit(RLIMIT_CORE, &no_core) == 0 && chdir("/") == 0;
}

bool open_root_owned(const char* path, int flags, Fd* out) {
  *out = Fd(open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600));
  struct stat st;
  if (!out->valid()) return errno == ENOENT && (flags & O_CREAT) == 0;
  *out = Fd(fcntl(out->get(), F_DUPFD_CLOEXEC, protocol::kFirstOwnFd));  // the low number closes
  return out->valid() && fstat(out->get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
         (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool read_capped(int fd, size_t max_bytes, std::string* out) {
  char buffer[4096];
  while (out->size() <= max_bytes) {
    const ssize_t n = read(fd, buffer, std::min(sizeof buffer, max_bytes + 1 - out->size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n == 0;
    out->append(buffer, static_cast<size_t>(n));
  }
  return true;
}

bool read_pipe_request(std::span<const std::string_view> args, std::string* text,
                       std::string* why) {
  *why = "takes no arguments: the request comes on fd 0";
  if (!args.empty()) return false;
  *why = "cannot read the request";
  return read_capped(protocol::kRequestFd, protocol::kMaxRequestBytes, text);
}

bool drop_to_caller(const Caller& caller, CapSet keep) {
  // KEEPCAPS holds the permitted set across setresuid; the kernel empties
  // the effective set there, and set_caps cuts the rest.
  return setgroups(0, nullptr) == 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0 &&
         setresgid(caller.gid, caller.gid, caller.gid) == 0 &&
         setresuid(caller.uid, caller.uid, caller.uid) == 0 &&
         prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == 0 && set_caps(keep, 0) &&
         prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && verify_dropped(caller, keep);
}

bool narrow_caps(const Caller& caller, CapSet keep) {
  return set_caps(keep, 0) && verify_dropped(caller, keep);
}

// Built up from nothing: a cap_set_flag that fails leaves a capability
// out, which can only make the call that needs it fail (or a verification
// refuse), never grant more. capset(2) sets exactly what it is given, or
// nothing.
bool set_caps(CapSet permitted, CapSet effective) {
  cap_t caps = cap_init();
  for (cap_value_t cap = 0; caps != nullptr && cap <= CAP_LAST_CAP; ++cap) {
    if ((permitted & cap_bit(cap)) != 0) (void)cap_set_flag(caps, CAP_PERMITTED, 1, &cap, CAP_SET);
    if ((effective & cap_bit(cap)) != 0) (void)cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_SET);
  }
  const bool ok = caps != nullptr && cap_set_proc(caps) == 0;
  cap_free(caps);
  return ok;
}

bool name_caller(Caller* caller) {
  const passwd* pw = getpwuid(caller->uid);
  if (pw == nullptr || pw->pw_name == nullptr || pw->pw_name[0] == '\0') return false;
  caller->name = pw->pw_name;
  caller->login_gid = pw->pw_gid;
  return true;
}

int refuse(const Form& form, int step, protocol::ErrorCode code, std::string_view why) {
  if (!set_caps(0, 0)) return exit_status(form, step);
  (void)write_all(STDERR_FILENO, std::string(form.prog) + ": " + std::string(why) + "\n");
  if (form.pipe) (void)write_all(STDOUT_FILENO, protocol::encode_error(code, why));
  return exit_status(form, step);
}

int answer(const Form& form, int step, std::string_view text) {
  return write_all(STDOUT_FILENO, text) ? 0 : exit_status(form, step);
}

}  // namespace uxc::core
