// uxc attach: run a command inside a running container.
//
// Three processes, so that nothing of the host reaches the container:
//
//   relay (this process, host namespaces)
//     └─ joiner: joins the container's cgroups, then setns() into every
//        namespace of the container's init (user first, in one call);
//        stays outside its pid namespace
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
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "policy/text.h"
#include "user/cgroup.h"
#include "user/cli.h"
#include "user/commands.h"
#include "user/container.h"
#include "user/init.h"
#include "user/util.h"

namespace uxc {

namespace {

constexpr const char kContainerPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr unsigned long kAllNamespaces =
    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// The init's pid, held as a pidfd so that a recycled pid can never be
// entered: it is checked to be the child of the container's monitor after
// the pidfd exists, and the pidfd is checked to be alive after that.
Fd open_container_init(const RuntimeState& st, const std::string& name) {
  Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, st.init_pid, 0)));
  if (!pidfd.valid()) throw Error(name + " is not running");
  std::string status;
  if (!read_file("/proc/" + std::to_string(st.init_pid) + "/status", &status, 65536))
    throw Error(name + " is not running");
  const size_t at = status.find("\nPPid:");
  uint32_t ppid = 0;
  if (at == std::string::npos ||
      !policy::parse_u32(policy::trim_blanks(std::string_view(status).substr(at + 6, status.find('\n', at + 1) - at - 6)),
                         &ppid) ||
      static_cast<pid_t>(ppid) != st.monitor_pid)
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

struct Account {
  std::string home = "/root";
  std::string shell = "/bin/sh";
};

// Root's entry in the container's /etc/passwd (already inside its root).
Account container_root_account() {
  Account a;
  // The container's file: a FIFO or device there must not hang or feed
  // the attach, so only a regular file is read.
  Fd fd(open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  struct stat st;
  std::string text;
  if (!fd.valid() || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || !read_all(fd.get(), &text, 1 << 20)) return a;
  std::vector<policy::Line> lines;
  std::string err;
  if (!policy::split_lines(text, 4096, &lines, &err)) return a;
  for (const auto& l : lines) {
    std::vector<std::string_view> f;
    size_t start = 0;
    for (;;) {
      const size_t colon = l.text.find(':', start);
      f.push_back(l.text.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
    if (f.size() != 7 || f[2] != "0") continue;
    if (!f[5].empty() && f[5].front() == '/') a.home = std::string(f[5]);
    if (!f[6].empty() && f[6].front() == '/') a.shell = std::string(f[6]);
    break;
  }
  return a;
}

[[noreturn]] void report_and_exit(int chan, const std::string& message, int code) {
  (void)send_fds(chan, "error " + message, {});
  _exit(code);
}

struct AttachPlan {
  std::string name;
  pid_t init_pid = 0;
  policy::Config config;
  std::vector<std::string> command;  // empty: root's shell
  bool pty = false;
  std::string term;
  int chan = -1;                // SOCK_SEQPACKET to the relay
  int stdio[3] = {-1, -1, -1};  // without a pty: the pipe ends
};

// The command process: in the container's namespaces and pid namespace,
// still the host's uxc image, non-dumpable. Never returns.
[[noreturn]] void run_command(const AttachPlan& plan) {
  const int chan = plan.chan;
  try {
    if (setgroups(0, nullptr) != 0 && errno != EPERM) throw_errno("setgroups");
    if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) throw_errno("cannot become the container's root");
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
      char go = 0;
      if (read(chan, &go, 1) != 1) _exit(1);  // the relay gave up
      if (dup2(slave.get(), 0) < 0 || dup2(slave.get(), 1) < 0 || dup2(slave.get(), 2) < 0) throw_errno("dup2");
      if (ioctl(0, TIOCSCTTY, 0) != 0) throw_errno("cannot make the pty the controlling terminal");
    } else {
      for (int i = 0; i < 3; ++i)
        if (dup2(plan.stdio[i], i) < 0) throw_errno("dup2");
    }
    drop_capabilities(plan.config);

    const Account root = container_root_account();
    std::vector<std::string> argv = plan.command;
    if (argv.empty()) argv = {root.shell};
    std::vector<std::string> env = {std::string("PATH=") + kContainerPath, "HOME=" + root.home, "TERM=" + plan.term};
    std::vector<char*> args, envp;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    // Nothing but 0-2 crosses the exec; the channel closing tells the
    // relay that the exec happened.
    if (syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) throw_errno("close_range");
    clearenv();
    setenv("PATH", kContainerPath, 1);  // execvpe searches the caller's PATH
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

// The joiner: enters the container, forks the command into its pid
// namespace, and exits with the command's status. Never returns.
[[noreturn]] void run_joiner(int pidfd, const AttachPlan& plan) {
  const int chan = plan.chan;
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Into the container's cgroups first, while the host's cgroup
  // filesystems are still in view: the command is limited and accounted
  // as part of the container. The kernel refuses the move when the
  // caller's cgroup is outside the delegated subtree (a login session
  // next to systemd's user@.service): the user's own command then runs
  // unlimited, as anything else the user runs, and is told so.
  try {
    join_container_cgroups(plan.init_pid, plan.name);
  } catch (const Error& e) {
    std::fprintf(stderr, "uxc attach: warning: %s; the command runs outside the container's limits\n", e.what());
  }
  // User namespace first, then the others, atomically: the caps gained
  // in the container's user namespace are what allow joining the rest.
  if (setns(pidfd, kAllNamespaces) != 0) report_and_exit(chan, "cannot enter the container's namespaces: " + errno_text(errno), 1);
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

// One direction of the relay. What is read from `from` waits in
// `pending` until `to` takes it, so a side that does not read never
// stalls the other direction (a paste into a command that is busy
// writing, say).
struct Stream {
  Stream(int from_fd, int to_fd) : from(from_fd), to(to_fd) {}
  int from;
  int to;
  bool open = true;  // `from` is not at its end
  std::string pending;
  bool done() const { return !open && pending.empty(); }
};

// Reads what `from` has now; false at its end (EOF, or EIO from a pty
// master whose slave is gone).
bool fill(Stream* s) {
  char buf[16384];
  const ssize_t n = read(s->from, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  if (n <= 0) return false;
  s->pending.append(buf, static_cast<size_t>(n));
  return true;
}

// Writes what `to` takes now; false when `to` is gone.
bool drain(Stream* s) {
  const ssize_t n = write(s->to, s->pending.data(), s->pending.size());
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  s->pending.erase(0, static_cast<size_t>(n));
  return true;
}

}  // namespace

int cmd_attach(int argc, char** argv) {
  const auto args = parse_args(
      argc, argv, "attach", "-n NAME [-- COMMAND...]",
      "Run COMMAND (default: root's shell from the container's /etc/passwd) in a running\n"
      "container, as its root, in all its namespaces, with a clean environment (PATH,\n"
      "HOME, TERM). When stdin and stdout are a terminal the command gets a new pty of\n"
      "the container's own; otherwise its stdin, stdout and stderr are pipes. The exit\n"
      "status is the command's.",
      {{'n', "name", "NAME", "the container"}});
  const std::string name = require_name(args, "attach");
  const User user = current_user();
  const Paths paths = user_paths(user);
  require_container(paths, name);
  const RuntimeState st = read_runtime_state(paths, name);
  if (st.state != RunState::kRunning)
    throw Error(name + " is not running: start it first (uxc start -n " + name + ")");
  AttachPlan plan;
  plan.name = name;
  plan.init_pid = st.init_pid;
  plan.config = load_config(container_config(paths, name));
  plan.command = args.rest;
  // A pty only for a person at a terminal: with output going to a file
  // or pipe, the command writes through pipes (no CR before each LF).
  plan.pty = isatty(0) == 1 && isatty(1) == 1;
  plan.term = terminal_name(plan.pty);
  Fd pidfd = open_container_init(st, name);

  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) throw_errno("socketpair");
  Fd chan(pair[0]), chan_child(pair[1]);
  plan.chan = chan_child.get();
  Fd stdio_child[3], stdio_ours[3];
  if (!plan.pty) {
    for (int i = 0; i < 3; ++i) {
      auto [r, w] = make_pipe();
      stdio_child[i] = std::move(i == 0 ? r : w);
      stdio_ours[i] = std::move(i == 0 ? w : r);
      plan.stdio[i] = stdio_child[i].get();
    }
  }

  // Signals arrive on a signalfd; SIGPIPE must not kill the relay.
  sigset_t mask, old_mask;
  sigemptyset(&mask);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH}) sigaddset(&mask, sig);
  sigprocmask(SIG_BLOCK, &mask, &old_mask);
  signal(SIGPIPE, SIG_IGN);
  std::fflush(nullptr);
  const pid_t joiner = fork();
  if (joiner < 0) throw_errno("fork");
  if (joiner == 0) {
    chan.reset();
    for (auto& fd : stdio_ours) fd.reset();
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    signal(SIGPIPE, SIG_DFL);
    run_joiner(pidfd.get(), plan);
  }
  pidfd.reset();
  chan_child.reset();
  for (auto& fd : stdio_child) fd.reset();
  Fd sigfd(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd.valid()) throw_errno("signalfd");

  // Set-up messages: the pty's master, an error, or the end of the
  // channel (the exec happened, or everything died).
  std::string error;
  Fd master;
  TerminalRaw raw;
  for (;;) {
    std::vector<int> fds;
    const std::string msg = recv_message(chan.get(), &fds);
    if (msg == "pty" && fds.size() == 1 && !master.valid()) {
      master.reset(fds[0]);
      // It came from the container's /dev/ptmx: take nothing but a pty
      // master from there.
      struct stat master_st;
      unsigned int pty_number = 0;
      if (fstat(master.get(), &master_st) != 0 || !S_ISCHR(master_st.st_mode) ||
          ioctl(master.get(), TIOCGPTN, &pty_number) != 0) {
        error = "the container's /dev/ptmx did not give a pty: check /dev/ptmx in the container";
        break;
      }
      winsize ws;
      if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master.get(), TIOCSWINSZ, &ws);
      raw.enter();
      if (!write_all(chan.get(), "g")) break;
      continue;
    }
    for (int fd : fds) close(fd);
    if (msg.rfind("error ", 0) == 0) error = msg.substr(6);
    if (msg.empty() || !error.empty()) break;
  }
  chan.reset();

  // Our own 0-2 stay as the caller set them (they may be shared with a
  // terminal); only the command's ends become non-blocking.
  std::vector<Stream> streams;
  if (master.valid()) {
    fcntl(master.get(), F_SETFL, fcntl(master.get(), F_GETFL) | O_NONBLOCK);
    streams.emplace_back(0, master.get());
    streams.emplace_back(master.get(), 1);
  } else if (stdio_ours[0].valid()) {
    for (int i = 0; i < 3; ++i) fcntl(stdio_ours[i].get(), F_SETFL, O_NONBLOCK);
    streams.emplace_back(0, stdio_ours[0].get());
    streams.emplace_back(stdio_ours[1].get(), 1);
    streams.emplace_back(stdio_ours[2].get(), 2);
  }
  if (!error.empty()) streams.clear();
  int status = 0;
  bool reaped = false;
  while (!reaped) {
    std::vector<pollfd> fds = {{sigfd.get(), POLLIN, 0}};
    for (const auto& s : streams) {
      fds.push_back({s.open && s.pending.empty() ? s.from : -1, POLLIN, 0});
      fds.push_back({s.pending.empty() ? -1 : s.to, POLLOUT, 0});
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si;
      while (read(sigfd.get(), &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD) {
          if (waitpid(joiner, &status, WNOHANG) == joiner) reaped = true;
        } else if (si.ssi_signo == SIGWINCH) {
          winsize ws;
          if (master.valid() && ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master.get(), TIOCSWINSZ, &ws);
        } else {
          kill(joiner, static_cast<int>(si.ssi_signo));
        }
      }
    }
    for (size_t i = 0; i < streams.size(); ++i) {
      Stream& s = streams[i];
      if ((fds[1 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) && !fill(&s)) s.open = false;
      if ((fds[2 + 2 * i].revents & (POLLOUT | POLLHUP | POLLERR)) && !drain(&s)) {
        s.open = false;  // nobody takes it any more
        s.pending.clear();
      }
      // The command sees the end of its input.
      if (s.from == 0 && s.done() && !master.valid()) stdio_ours[0].reset();
    }
  }
  // What the command wrote just before it exited is still buffered.
  for (auto& s : streams) {
    if (s.from == 0) continue;
    for (int i = 0; i < 4096 && s.open; ++i) {
      pollfd p{s.from, POLLIN, 0};
      if (poll(&p, 1, 0) <= 0 || !fill(&s)) break;
    }
    (void)write_all_waiting(s.to, s.pending);
  }
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  if (!error.empty()) {
    const int code = exit_code(status);
    if (code == 126 || code == 127) {
      std::fprintf(stderr, "uxc attach: %s\n", error.c_str());
      return code;
    }
    throw Error(error);
  }
  return exit_code(status);
}

}  // namespace uxc
