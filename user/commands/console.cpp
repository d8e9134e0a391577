// uxc console: the container's console, through its monitor.
//
// The monitor owns the console pty for the container's whole life. A
// client asks it for the console and gets a copy of the pty's master; the
// monitor stops reading the console while that client's connection is
// open, and a second client is refused (two readers would each see a
// random half of the output). Detaching, or losing the terminal, only
// closes the client's copy: the monitor's stays open, so the session on
// the console (a logged-in shell, say) never sees a hangup and is there
// for the next client. The ttys of lxc.tty.max (/dev/tty1..N) work the
// same way, with -t N.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>

#include "policy/monitor.h"
#include "policy/text.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/settings.h"
#include "user/common/util.h"
#include "user/runtime/fdpass.h"
#include "user/runtime/monitor.h"
#include "user/storage/container.h"

namespace uxc {

namespace {

enum class Ended { kDetached, kInputClosed, kStopped, kHangup };

// Copies between this terminal and the console until the user detaches
// or either side goes away. Each direction has its own buffer, so a
// console that does not read (a paste into a busy getty) never keeps
// its output from being shown, nor the other way round.
Ended relay(int master, int monitor, char escape) {
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGWINCH, SIGHUP, SIGTERM, SIGINT}) sigaddset(&mask, sig);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  Fd sigfd(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd.valid()) throw_errno("signalfd");
  auto copy_size = [master] {
    winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
  };
  copy_size();
  bool after_escape = false;
  std::string to_console, to_terminal;
  for (;;) {
    pollfd fds[6] = {{sigfd.get(), POLLIN, 0},
                     {to_console.empty() ? 0 : -1, POLLIN, 0},
                     {to_terminal.empty() ? master : -1, POLLIN, 0},
                     {monitor, POLLIN, 0},
                     {to_console.empty() ? -1 : master, POLLOUT, 0},
                     {to_terminal.empty() ? -1 : 1, POLLOUT, 0}};
    if (poll(fds, 6, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si;
      while (read(sigfd.get(), &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGWINCH) copy_size();
        else return Ended::kHangup;
      }
    }
    char buf[16384];
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) to_terminal.append(buf, static_cast<size_t>(n));
      else if (n == 0 || (errno != EAGAIN && errno != EINTR)) return Ended::kStopped;
    }
    // The monitor never writes on this connection: readable means closed,
    // and the container is gone with it.
    if (fds[3].revents & (POLLIN | POLLHUP | POLLERR)) return Ended::kStopped;
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = read(0, buf, sizeof buf);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) return Ended::kInputClosed;
      for (ssize_t i = 0; i < n; ++i) {
        const char c = buf[i];
        if (after_escape) {
          after_escape = false;
          if (c == 'q') {
            // What was typed before goes out if the console takes it now;
            // detaching never waits for the container.
            (void)!write(master, to_console.data(), to_console.size());
            return Ended::kDetached;
          }
          if (c != escape) to_console += escape;
          to_console += c;
        } else if (c == escape) {
          after_escape = true;
        } else {
          to_console += c;
        }
      }
    }
    if (fds[4].revents & (POLLOUT | POLLHUP | POLLERR)) {
      const ssize_t n = write(master, to_console.data(), to_console.size());
      if (n < 0 && errno != EAGAIN && errno != EINTR) return Ended::kStopped;
      if (n > 0) to_console.erase(0, static_cast<size_t>(n));
    }
    if (fds[5].revents & (POLLOUT | POLLHUP | POLLERR)) {
      const ssize_t n = write(1, to_terminal.data(), to_terminal.size());
      if (n < 0 && errno != EAGAIN && errno != EINTR) return Ended::kHangup;
      if (n > 0) to_terminal.erase(0, static_cast<size_t>(n));
    }
  }
}

}  // namespace

int cmd_console(int argc, char** argv) {
  auto args = parse_args(
      argc, argv, "console", "[-n] NAME [-t TTY] [-e ESCAPE]",
      "Connect this terminal to a running container's console. Ctrl+a q detaches\n"
      "(Ctrl+a Ctrl+a sends Ctrl+a); the session on the console keeps running and\n"
      "is there at the next connection. One client at a time: a second is refused.",
      {{'n', "name", "NAME", "the container"},
       {'t', "tty", "TTY", "0: the console (default); 1..N: /dev/ttyN (lxc.tty.max)"},
       {'e', "escape", "ESCAPE", "escape letter instead of a (Ctrl+a; uxc.conf's [console] escape)"}});
  const std::string name = require_name(args, "console");
  no_more_operands(args);
  const uint32_t tty = number_option(args, 't', "TTY", 0);
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  // LXC's spelling: "a" or "^a" both mean Ctrl+a.
  char escape = load_user_settings(paths).console_escape;
  if (args.has('e') && !policy::parse_escape_key(args.get('e'), &escape))
    throw UsageError("-e ESCAPE takes a letter: -e a (or ^a) for Ctrl+a");
  require_container(paths, name);
  if (read_runtime_state(paths, name).state != RunState::kRunning)
    throw Error(name + " is not running: start it first (uxc start -n " + name + ")");

  Fd monitor = monitor_connect(container_runtime(paths, name) + "/sock");
  if (!write_all(monitor.get(), policy::format_monitor_request({policy::MonitorOp::kConsole, 0, tty}) + "\n"))
    throw_errno("cannot talk to the monitor");
  std::vector<int> fds;
  const std::string answer = recv_message(monitor.get(), &fds);
  Fd master(fds.size() == 1 ? fds[0] : -1);
  if (fds.size() > 1)
    for (int fd : fds) close(fd);
  if (answer.rfind("error ", 0) == 0) {
    std::string why = answer.substr(6);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw Error(why);
  }
  if (answer != "ok\n" || !master.valid()) throw Error("the monitor did not hand over the console");
  fcntl(master.get(), F_SETFL, fcntl(master.get(), F_GETFL) | O_NONBLOCK);

  const char letter = static_cast<char>('a' + escape - 1);
  if (!quiet()) std::fprintf(stderr, "\nConnected to tty %u\nType <Ctrl+%c q> to exit the console, <Ctrl+%c Ctrl+%c> to enter Ctrl+%c itself\n\n",
               tty, letter, letter, letter, letter);
  Ended ended;
  {
    TerminalRaw raw;
    raw.enter();
    ended = relay(master.get(), monitor.get(), escape);
  }
  if (ended == Ended::kStopped && !quiet()) std::fprintf(stderr, "\n%s stopped\n", name.c_str());
  else if (!quiet()) std::fprintf(stderr, "\n");
  return 0;
}

}  // namespace uxc
