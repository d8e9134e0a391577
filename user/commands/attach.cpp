// uxc attach: runs a command inside a running container
// (runtime/attach.h) and relays its stdin, stdout and stderr.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/runtime/attach.h"
#include "user/runtime/fdpass.h"
#include "user/common/park.h"
#include "user/storage/container.h"

namespace uxc {

namespace {

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
  auto args = parse_args(
      argc, argv, "attach", "[-n] NAME [[--] COMMAND...]",
      "Run COMMAND (default: the user's shell from the container's /etc/passwd) in a\n"
      "running container, as its root (or -u UID, -g GID), in all its namespaces and\n"
      "cgroups, in / (or --cwd DIR), with a clean environment: PATH, HOME, TERM, then\n"
      "--keep-var and -v. When stdin and stdout are a terminal the command gets a new\n"
      "pty of the container's own; otherwise its stdin, stdout and stderr are pipes.\n"
      "The exit status is the command's.",
      {{'n', "name", "NAME", "the container"},
       {'u', "uid", "UID", "run as this uid of the container (no capabilities unless 0)"},
       {'g', "gid", "GID", "run as this gid of the container"},
       {'v', "set-var", "VAR=VALUE", "set this variable (repeatable)"},
       {0, "keep-var", "VAR", "keep this variable of the caller's (repeatable)"},
       {0, "keep-env", nullptr, "keep the caller's whole environment (leaks it into the container)"},
       {0, "clear-env", nullptr, "a clean environment (the default)"},
       {0, "cwd", "DIR", "start in DIR of the container instead of /"},
       {'e', "elevated-privileges", nullptr, "keep what lxc.cap.drop and lxc.cap.keep take away"}});
  const std::string name = require_name(args, "attach");
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  require_container(paths, name);
  const RuntimeState st = read_runtime_state(paths, name);
  if (st.state != RunState::kRunning)
    throw Error(name + " is not running: start it first (uxc start -n " + name + ")");
  AttachPlan plan;
  plan.name = name;
  plan.init_pid = st.init_pid;
  plan.config = load_config(container_config(paths, name));
  plan.command = args.rest;
  // Long-only options carry their index + 1 as their code.
  const char kKeepVar = 5, kKeepEnv = 6, kClearEnv = 7, kCwd = 8;
  if (args.has(kKeepEnv) && args.has(kClearEnv)) throw UsageError("--keep-env and --clear-env exclude each other");
  plan.uid = number_option(args, 'u', "UID", 0);
  plan.gid = number_option(args, 'g', "GID", 0);
  plan.keep_env = args.has(kKeepEnv);
  plan.elevated = args.has('e');
  if (args.has(kCwd)) plan.cwd = args.get(kCwd);
  if (plan.cwd.empty() || plan.cwd[0] != '/') throw UsageError("--cwd takes an absolute path in the container");
  for (const auto& [flag, value] : args.given) {
    const size_t eq = value.find('=');
    if (flag == 'v' && (eq == std::string::npos || eq == 0))
      throw UsageError("-v takes VAR=VALUE, not '" + value + "'");
    if (flag == 'v') plan.set_vars.push_back(value);
    if (flag == kKeepVar) {
      if (value.empty() || eq != std::string::npos) throw UsageError("--keep-var takes a variable's name, not '" + value + "'");
      plan.keep_vars.push_back(value);
    }
  }
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
      if (!release(chan.get(), 'g')) break;
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
