#include "user/runtime/shutdown.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>

#include "policy/proc.h"
#include "user/common/util.h"

namespace uxc {

bool request_runlevel(pid_t init, char runlevel) {
  const std::string proc = "/proc/" + std::to_string(init);
  Fd userns(open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
  Fd root(open((proc + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!userns.valid() || !root.valid()) return false;
  char request[policy::kInitRequestBytes];
  policy::sysvinit_runlevel_request(runlevel, request);
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) return false;
  if (child == 0) {
    // In the container's user namespace this process could be traced by
    // the container's root: it is not dumpable, and keeps nothing of the
    // monitor's but the two fds it needs.
    prctl(PR_SET_DUMPABLE, 0);
    const unsigned low = static_cast<unsigned>(std::min(userns.get(), root.get()));
    const unsigned high = static_cast<unsigned>(std::max(userns.get(), root.get()));
    if (low > 3) syscall(SYS_close_range, 3u, low - 1, 0u);
    if (high > low + 1) syscall(SYS_close_range, low + 1, high - 1, 0u);
    syscall(SYS_close_range, high + 1, ~0u, 0u);
    if (setns(userns.get(), CLONE_NEWUSER) != 0) _exit(1);
    open_how how{};
    how.flags = O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const int fifo = static_cast<int>(syscall(SYS_openat2, root.get(), "run/initctl", &how, sizeof how));
    if (fifo < 0) _exit(1);
    _exit(write(fifo, request, sizeof request) == static_cast<ssize_t>(sizeof request) ? 0 : 1);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

namespace {

// Delivered once `sig` has gone to an init that takes it: it has a
// handler for it, or blocks it to read it from a signalfd or
// sigtimedwait (systemd, busybox): the kernel never drops a blocked
// signal. SIGKILL needs neither. An init waiting in sigtimedwait shows
// the signals it waits for as unblocked, so one that has run for a while
// (`settled`) gets the signal regardless, unconfirmed: it is sent again
// a moment later until the init takes it or ends.
Delivery signal_if_taken(pid_t init, int sig, bool settled) {
  if (sig == SIGKILL) return kill(init, sig) == 0 ? Delivery::kDelivered : Delivery::kNotYet;
  std::string status;
  uint64_t caught = 0, blocked = 0;
  const bool taken = sig >= 1 && sig <= 64 && read_file("/proc/" + std::to_string(init) + "/status", &status, 65536) &&
                     policy::parse_status_mask(status, "SigCgt", &caught) &&
                     policy::parse_status_mask(status, "SigBlk", &blocked) &&
                     ((caught | blocked) & (uint64_t{1} << (sig - 1))) != 0;
  if (!taken && !settled) return Delivery::kNotYet;
  if (kill(init, sig) != 0) return Delivery::kNotYet;
  return taken ? Delivery::kDelivered : Delivery::kUnconfirmed;
}

}  // namespace

Delivery try_request_halt(pid_t init, const policy::Config& config, const policy::InitDefaults& defaults, bool settled,
                          std::string* how) {
  if (config.signal_halt != 0) {
    *how = "lxc.signal.halt";
    return signal_if_taken(init, config.signal_halt, settled);
  }
  if (defaults.halt_by_runlevel) {
    *how = "runlevel 0 on /run/initctl";
    return request_runlevel(init, '0') ? Delivery::kDelivered : Delivery::kNotYet;
  }
  *how = "the init's halt signal";
  return signal_if_taken(init, defaults.halt_signal, settled);
}

Delivery try_request_reboot(pid_t init, const policy::Config& config, const policy::InitDefaults& defaults, bool settled) {
  return signal_if_taken(init, config.signal_reboot != 0 ? config.signal_reboot : defaults.reboot_signal, settled);
}

}  // namespace uxc
