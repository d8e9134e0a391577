// nic_kill_sweep N USER PROGRAM [ARG...]: runs PROGRAM as USER (uid, gid
// and groups from the passwd and group databases) under ptrace and
// SIGKILLs it at its Nth system-call stop: N = 1 is the entry of its first
// system call after exec, N = 2 that call's exit, and so on. fds 0-3 and
// everything else are inherited as they are.
//
// Exits 0 if PROGRAM was killed there, or 3 if it ended before its Nth
// stop (the sweep is then complete); 2 on a usage or set-up error. Says
// which on stderr; stdout is PROGRAM's alone.
//
// Run as root: a root tracer keeps a setuid PROGRAM setuid, so the sweep
// hits the real helper at every instant between two system calls.
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

int usage() {
  std::fprintf(stderr, "usage: nic_kill_sweep N USER PROGRAM [ARG...]\n");
  return 2;
}

// PTRACE_TRACEME records the credentials of the process that calls it as
// the tracer's: it must come while the child is still root, or the kernel
// ignores the setuid bit at exec.
[[noreturn]] void run_child(const passwd& pw, char** argv) {
  if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0 || initgroups(pw.pw_name, pw.pw_gid) != 0 ||
      setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid) != 0 ||
      setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) != 0) {
    std::perror("nic_kill_sweep: child set-up");
    _exit(2);
  }
  execv(argv[0], argv);
  std::perror("nic_kill_sweep: exec");
  _exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return usage();
  char* end = nullptr;
  const long target = std::strtol(argv[1], &end, 10);
  if (*end != '\0' || target < 1) return usage();
  const passwd* found = getpwnam(argv[2]);
  if (found == nullptr) return usage();
  const passwd pw = *found;

  const pid_t child = fork();
  if (child < 0) return 2;
  if (child == 0) run_child(pw, argv + 3);

  int status = 0;
  // The first stop is the SIGTRAP that ends a traced execve.
  if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) {
    std::fprintf(stderr, "nic_kill_sweep: child did not reach exec\n");
    return 2;
  }
  ptrace(PTRACE_SETOPTIONS, child, nullptr,
         reinterpret_cast<void*>(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL));
  long stops = 0;
  int deliver = 0;
  for (;;) {
    if (ptrace(PTRACE_SYSCALL, child, nullptr, reinterpret_cast<void*>(static_cast<long>(deliver))) != 0)
      return 2;
    deliver = 0;
    if (waitpid(child, &status, 0) != child) return 2;
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      std::fprintf(stderr, "nic_kill_sweep: finished with status %d\n",
                   WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
      return 3;
    }
    if (!WIFSTOPPED(status)) continue;
    if (WSTOPSIG(status) != (SIGTRAP | 0x80)) {
      deliver = WSTOPSIG(status);  // a real signal: pass it on
      continue;
    }
    if (++stops < target) continue;
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    std::fprintf(stderr, "nic_kill_sweep: killed at stop %ld\n", stops);
    return 0;
  }
}
