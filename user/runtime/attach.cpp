// uxc attach: run a command inside a running container.
//
// Three processes, so that nothing of the host reaches the container:
//
//   relay (this process, host namespaces)
//     └─ joiner: setns() into the container's user namespace, joins the
//        container's cgroups (the caps it has there open its root's
//        cgroups to it), then setns() into every other namespace of the
//        container's init; stays outside its pid namespace
//          └─ command: forked into the container's pid namespace, becomes
//             the container's root, execs the container's own binary
//
// - The command's stdin, stdout and stderr are a fresh pty from the
//   container's own devpts when stdin and stdout are a terminal, else
//   three pipes; the caller's terminal is never passed in (TIOCSTI,
//   CVE-2017-5226), and the command starts a new session, so /dev/tty
//   cannot reach it either.
// - Every other fd is closed at exec (CVE-2016-8649); the working
//   directory is the container's root, never a host directory
//   (CVE-2024-21626).
// - Joiner and command are non-dumpable until the exec: a process of the
//   container can neither ptrace them nor open /proc/PID/exe or
//   /proc/PID/fd of them. After the exec the process image is the
//   container's own file, so no host binary is ever reachable through
//   /proc/PID/exe (CVE-2019-5736). The relay, which is the uxc binary,
//   is not in the container's pid namespace at all.
// - /etc/passwd of the container is parsed here as text; no NSS module
//   of the container is ever loaded into a host process.
#include "user/runtime/attach.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "policy/passwd.h"
#include "policy/proc.h"
#include "policy/text.h"
#include "user/common/util.h"
#include "user/host/cgroup.h"
#include "user/runtime/caps.h"
#include "user/runtime/fdpass.h"
#include "user/common/park.h"

namespace uxc {

namespace {

constexpr const char kContainerPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr unsigned long kAllNamespaces =
    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;

struct Account {
  std::string home = "/root";
  std::string shell = "/bin/sh";
};

// The entry of `uid` in the container's /etc/passwd (already inside its
// root); root's defaults without one.
Account container_account(uid_t uid) {
  Account a;
  if (uid != 0) a.home = "/";
  // The container's file: a FIFO or device there must not hang or feed
  // the attach, so only a regular file is read.
  Fd fd(open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  struct stat st;
  std::string text;
  if (!fd.valid() || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || !read_all(fd.get(), &text, 1 << 20)) return a;
  (void)policy::passwd_home_and_shell(text, uid, &a.home, &a.shell);
  return a;
}

[[noreturn]] void report_and_exit(int chan, const std::string& message, int code) {
  (void)send_fds(chan, "error " + message, {});
  _exit(code);
}

// The command process: in the container's namespaces and pid namespace,
// still the host's uxc image, non-dumpable. Never returns.
[[noreturn]] void run_command(const AttachPlan& plan) {
  const int chan = plan.chan;
  try {
    if (setgroups(0, nullptr) != 0 && errno != EPERM) throw_errno("setgroups");
    if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) throw_errno("cannot become the container's root");
    const Account account = container_account(plan.uid);
    // A credential change may restore dumpability (fs.suid_dumpable) and
    // clears the parent-death signal: set both again.
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (chdir("/") != 0) throw_errno("cannot enter the container's root");
    if (setsid() < 0) throw_errno("setsid");

    if (plan.pty) {
      // A pty of the container's own devpts: the command's terminal is
      // the container's, and the relay holds only its master.
      Fd master(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
      if (!master.valid()) throw_errno("cannot open the container's /dev/ptmx");
      int unlock = 0;
      if (ioctl(master.get(), TIOCSPTLCK, &unlock) != 0) throw_errno("cannot unlock a pty");
      Fd slave(ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
      if (!slave.valid()) throw_errno("cannot open a pty");
      if (!send_fds(chan, "pty", {master.get()})) _exit(1);
      master.reset();
      (void)park(chan);  // the relay has the master
      if (dup2(slave.get(), 0) < 0 || dup2(slave.get(), 1) < 0 || dup2(slave.get(), 2) < 0) throw_errno("dup2");
      if (ioctl(0, TIOCSCTTY, 0) != 0) throw_errno("cannot make the pty the controlling terminal");
    } else {
      for (int i = 0; i < 3; ++i)
        if (dup2(plan.stdio[i], i) < 0) throw_errno("dup2");
    }
    if (!plan.elevated) drop_capabilities(plan.config);
    // -g, -u: a credential change away from root leaves no capability.
    if (plan.gid != 0 && setresgid(plan.gid, plan.gid, plan.gid) != 0)
      throw_errno("cannot become gid " + std::to_string(plan.gid) + " in the container");
    if (plan.uid != 0 && setresuid(plan.uid, plan.uid, plan.uid) != 0)
      throw_errno("cannot become uid " + std::to_string(plan.uid) + " in the container");
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (chdir(plan.cwd.c_str()) != 0) throw_errno("cannot change to " + plan.cwd + " in the container");

    std::vector<std::string> argv = plan.command;
    if (argv.empty()) argv = {account.shell};
    std::vector<std::string> env;
    auto set = [&env](const std::string& assignment) {
      const std::string name = assignment.substr(0, assignment.find('=') + 1);
      std::erase_if(env, [&](const std::string& e) { return e.compare(0, name.size(), name) == 0; });
      env.push_back(assignment);
    };
    if (plan.keep_env) {
      for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
    } else {
      env = {std::string("PATH=") + kContainerPath, "HOME=" + account.home, "TERM=" + plan.term};
      for (const auto& name : plan.keep_vars)
        if (const char* value = getenv(name.c_str())) set(name + "=" + value);
    }
    for (const auto& assignment : plan.set_vars) set(assignment);
    std::string path = kContainerPath;
    for (const auto& e : env)
      if (e.compare(0, 5, "PATH=") == 0) path = e.substr(5);
    std::vector<char*> args, envp;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    // Nothing but 0-2 crosses the exec; the channel closing tells the
    // relay that the exec happened.
    if (syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) throw_errno("close_range");
    clearenv();
    setenv("PATH", path.c_str(), 1);  // execvpe searches the caller's PATH
    execvpe(args[0], args.data(), envp.data());
    const int err = errno;
    report_and_exit(chan, "cannot run " + argv[0] + " in the container: " + errno_text(err),
                    err == ENOENT ? 127 : 126);
  } catch (const std::exception& e) {
    report_and_exit(chan, e.what(), 1);
  }
}

pid_t g_command_pid = -1;
void forward_signal(int sig) {
  if (g_command_pid > 0) kill(g_command_pid, sig);
}

}  // namespace

// The init's pid, held as a pidfd so that a recycled pid can never be
// entered: it is checked to be the child of the container's monitor after
// the pidfd exists, and the pidfd is checked to be alive after that.
Fd open_container_init(const RuntimeState& st, const std::string& name) {
  Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, st.init_pid, 0)));
  if (!pidfd.valid()) throw Error(name + " is not running");
  std::string status;
  if (!read_file("/proc/" + std::to_string(st.init_pid) + "/status", &status, 65536))
    throw Error(name + " is not running");
  uint32_t ppid = 0;
  if (!policy::parse_status_u32(status, "PPid", &ppid) || static_cast<pid_t>(ppid) != st.monitor_pid)
    throw Error(name + " is not running");
  if (syscall(SYS_pidfd_send_signal, pidfd.get(), 0, nullptr, 0) != 0) throw Error(name + " is not running");
  return pidfd;
}

// TERM is passed on only when it is a plain terminal name.
std::string terminal_name(bool have_pty) {
  if (!have_pty) return "dumb";
  const char* term = getenv("TERM");
  if (term == nullptr || term[0] == '\0' || std::strlen(term) > 64) return "linux";
  for (const char* c = term; *c; ++c)
    if (!(std::isalnum(static_cast<unsigned char>(*c)) || *c == '-' || *c == '_' || *c == '.' || *c == '+'))
      return "linux";
  return term;
}

// The joiner: enters the container, forks the command into its pid
// namespace, and exits with the command's status. Never returns.
[[noreturn]] void run_joiner(int pidfd, const AttachPlan& plan) {
  const int chan = plan.chan;
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // User namespace first: the caps gained there are what allow joining
  // the rest, and a cgroup of the container's root. Then into the
  // container's cgroups, while the host's cgroup filesystems are still
  // in view: the command is limited and accounted as part of the
  // container. The kernel refuses the move when the caller's cgroup is
  // outside the delegated subtree (a login session next to systemd's
  // user@.service): the user's own command then runs unlimited, as
  // anything else the user runs, and is told so.
  if (setns(pidfd, CLONE_NEWUSER) != 0) report_and_exit(chan, "cannot enter the container's namespaces: " + errno_text(errno), 1);
  try {
    join_container_cgroups(plan.init_pid, plan.name);
  } catch (const Error& e) {
    std::fprintf(stderr, "uxc attach: warning: %s; the command runs outside the container's limits\n", e.what());
  }
  if (setns(pidfd, kAllNamespaces & ~static_cast<unsigned long>(CLONE_NEWUSER)) != 0)
    report_and_exit(chan, "cannot enter the container's namespaces: " + errno_text(errno), 1);
  close(pidfd);
  // Only the command may be killed by these; the joiner passes them on.
  struct sigaction sa{};
  sa.sa_handler = forward_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH}) sigaction(sig, &sa, nullptr);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) report_and_exit(chan, "fork: " + errno_text(errno), 1);
  if (pid == 0) {
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH}) signal(sig, SIG_DFL);
    run_command(plan);
  }
  g_command_pid = pid;
  close(chan);
  for (int fd : plan.stdio)
    if (fd >= 0) close(fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) _exit(1);
  }
  _exit(exit_code(status));
}

}  // namespace uxc
