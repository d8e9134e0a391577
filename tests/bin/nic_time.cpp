// nic_time USER PROGRAM [ARG...]: runs PROGRAM as USER (uid, gid and
// groups from the passwd and group databases) with every fd inherited, the
// way a manager or LXC runs a helper, and reports the wall-clock time from
// fork to PROGRAM's exit. Run as root (bench/nic.sh does).
//
// PROGRAM's stdout and stderr are its own; the last line on stderr is
// "nic_time US STATUS CPU_US": wall-clock time, exit status, and the CPU
// time PROGRAM used (user + system, from wait4), which a loaded machine
// moves much less than the wall-clock time. Exits 2 on a usage or set-up
// error, else 0.
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: nic_time USER PROGRAM [ARG...]\n");
    return 2;
  }
  const passwd* found = getpwnam(argv[1]);
  if (found == nullptr) return 2;
  const passwd pw = *found;
  // Look up the groups before the clock starts: a real caller already runs
  // as the user and pays nothing for this.
  if (initgroups(pw.pw_name, pw.pw_gid) != 0) return 2;

  const auto start = std::chrono::steady_clock::now();
  const pid_t child = fork();
  if (child < 0) return 2;
  if (child == 0) {
    if (setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid) != 0 ||
        setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) != 0)
      _exit(126);
    execv(argv[2], argv + 2);
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(child, &status, 0, &usage) != child) return 2;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  const long long cpu_us = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL +
                           usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
  std::fprintf(stderr, "nic_time %lld %d %lld\n", static_cast<long long>(us.count()),
               WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), cpu_us);
  return 0;
}
