#include "user/runtime/execute.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "user/common/util.h"

namespace uxc {

int exec_under_minimal_init(char* const argv[], char* const envp[], int chan, int halt_signal) {
  // Every signal waits in the queue from here on, so none reaches the
  // command before it can be passed on.
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  // Before the command exists: nothing in the container may see this
  // process's image (/proc/1/exe) or a name that is not an init's.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  prctl(PR_SET_NAME, "init.uxc");
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return errno;
  const pid_t child = fork();
  if (child < 0) return errno;
  if (child == 0) {
    close(report[0]);
    // Its own process group, the console's foreground one: a Ctrl+C on
    // the console reaches the command once, not through the init too.
    setpgid(0, 0);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    execvpe(argv[0], argv, envp);
    const int err = errno;
    (void)!write(report[1], &err, sizeof err);
    _exit(err == ENOENT ? 127 : 126);
  }
  close(report[1]);
  setpgid(child, child);
  (void)tcsetpgrp(0, child);  // SIGTTOU is blocked here, so a background init may
  int err = 0;
  ssize_t n;
  while ((n = read(report[0], &err, sizeof err)) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof err)) {
    while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
    return err;
  }
  // The exec happened: the monitor's channel and every other fd but the
  // console go.
  (void)chan;
  syscall(SYS_close_range, 3u, ~0u, 0u);
  for (;;) {
    siginfo_t info;
    const int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig == SIGCHLD) {
      int status = 0;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid != child) continue;
        kill(-1, SIGKILL);  // what the command left behind
        _exit(exit_code(status));
      }
    } else if (sig == halt_signal) {
      kill(-1, SIGTERM);
    } else {
      kill(child, sig);
    }
  }
}

}  // namespace uxc
