// The monitor: the container's host-side process (monitor.h). It serves
// the socket, relays the console in the foreground, keeps the ttys
// drained, halts the container on request and, once the init is reaped,
// removes its veths and cgroup.
#include "user/runtime/monitor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "policy/monitor.h"
#include "policy/text.h"
#include "user/common/log.h"
#include "user/host/netconf.h"
#include "user/runtime/fdpass.h"
#include "user/runtime/launch.h"
#include "user/runtime/startup_code.h"
#include "user/storage/container.h"

namespace uxc {

namespace {

Fd listen_socket(const std::string& path) {
  Fd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!sock.valid()) throw_errno("socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw Error("runtime path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  unlink(path.c_str());
  const mode_t old = umask(077);
  const int rc = bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  umask(old);
  if (rc != 0) throw_errno("cannot create " + path);
  if (listen(sock.get(), 8) != 0) throw_errno("listen");
  return sock;
}

class Monitor {
 public:
  Monitor(const StartRequest& req, Running run, Fd listener, std::string runtime, Log& log)
      : req_(req), run_(std::move(run)), listener_(std::move(listener)), runtime_(std::move(runtime)), log_(log) {}

  // Serves until the init has been reaped; returns its exit status.
  int serve();

 private:
  void handle_client(int fd);
  void on_console_output();
  void on_stdin();
  void finish_stop_requests();
  void halt(int seconds, bool now);
  // The container's console gets the size of the terminal it is shown on.
  void copy_window_size() {
    winsize ws;
    if (req_.foreground && run_.console.valid() && ioctl(0, TIOCGWINSZ, &ws) == 0)
      ioctl(run_.console.get(), TIOCSWINSZ, &ws);
  }

  const StartRequest& req_;
  Running run_;
  Fd listener_;
  std::string runtime_;
  Log& log_;
  std::vector<int> stop_waiters_;
  // The one `uxc console` client connected now: it holds a copy of the
  // console's master, and the monitor stops reading the console until
  // the client's connection closes.
  Fd console_client_;
  std::vector<Fd> tty_clients_;  // the same for /dev/tty1..N
  timespec kill_at_{};
  bool kill_pending_ = false;
  // `uxc stop` asked for a halt, and nothing had to be killed: start -F
  // then exits 0, whatever status the halt left (a busybox init that
  // powers off dies of SIGINT, reboot(2)'s way in a pid namespace).
  bool halt_requested_ = false;
  bool killed_ = false;
  timespec release_at_{};  // when the start-up code's pages go (release_startup_code)
  bool startup_code_released_ = false;
  bool stdin_open_ = true;
};

void Monitor::halt(int seconds, bool now) {
  if (now) {
    killed_ = true;
    kill(run_.init, req_.config.signal_stop != 0 ? req_.config.signal_stop : SIGKILL);
    clock_gettime(CLOCK_MONOTONIC, &kill_at_);
    kill_at_.tv_sec += 5;  // a custom lxc.signal.stop may be ignored
    kill_pending_ = true;
    return;
  }
  // A pid namespace's init ignores signals it has no handler for; the
  // SIGKILL after the timeout always lands.
  const int sig = req_.config.signal_halt != 0 ? req_.config.signal_halt : SIGPWR;
  kill(run_.init, sig);
  halt_requested_ = true;
  clock_gettime(CLOCK_MONOTONIC, &kill_at_);
  kill_at_.tv_sec += seconds;
  kill_pending_ = true;
}

void Monitor::handle_client(int fd) {
  Fd client(fd);
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != getuid()) return;
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[policy::kMaxMonitorRequestBytes + 1];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n <= 0) return;
  policy::MonitorRequest request;
  std::string why;
  if (!policy::parse_monitor_request(std::string_view(buf, static_cast<size_t>(n)), &request, &why)) {
    (void)write_all(fd, "error " + why + "\n");
    return;
  }
  if (request.op == policy::MonitorOp::kInfo) {
    policy::MonitorAddresses addresses;
    if (run_.netlink.valid())
      for (const auto& a : list_addresses(run_.netlink.get()))
        (a.family == AF_INET ? addresses.ipv4 : addresses.ipv6).push_back(a.text);
    (void)write_all(fd, policy::format_info_answer(addresses));
    return;
  }
  const uint32_t tty = request.tty;
  if (request.op == policy::MonitorOp::kConsole && tty > 0) {
    tty_clients_.resize(run_.ttys.size());
    if (tty > run_.ttys.size()) {
      (void)write_all(fd, "error " + req_.name + " has no tty " + std::to_string(tty) + " (lxc.tty.max = " +
                              std::to_string(run_.ttys.size()) + ")\n");
    } else if (tty_clients_[tty - 1].valid()) {
      (void)write_all(fd, "error tty " + std::to_string(tty) + " of " + req_.name + " is in use by another 'uxc console'\n");
    } else if (send_fds(fd, "ok\n", {run_.ttys[tty - 1].get()})) {
      log_.info("console client connected to tty " + std::to_string(tty));
      tty_clients_[tty - 1] = std::move(client);
    }
    return;
  }
  if (request.op == policy::MonitorOp::kConsole) {
    // One client at a time: two readers of one pty would each get a
    // random half of the output.
    if (req_.foreground) {
      (void)write_all(fd, "error the console of " + req_.name + " is on the terminal of 'uxc start -F'\n");
    } else if (console_client_.valid()) {
      (void)write_all(fd, "error the console of " + req_.name + " is in use by another 'uxc console'\n");
    } else if (!run_.console.valid()) {
      (void)write_all(fd, "error " + req_.name + " has no console\n");
    } else if (send_fds(fd, "ok\n", {run_.console.get()})) {
      log_.info("console client connected");
      console_client_ = std::move(client);
    }
    return;
  }
  // stop or kill
  log_.info("stop requested");
  halt(static_cast<int>(request.seconds), request.op == policy::MonitorOp::kKill || request.seconds == 0);
  stop_waiters_.push_back(client.release());
}

void Monitor::on_console_output() {
  char buf[8192];
  const ssize_t n = read(run_.console.get(), buf, sizeof buf);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    run_.console.reset();  // EIO: no slave open any more
    return;
  }
  if (req_.foreground) (void)write_all(1, std::string_view(buf, static_cast<size_t>(n)));
}

void Monitor::on_stdin() {
  char buf[4096];
  const ssize_t n = read(0, buf, sizeof buf);
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return;
    stdin_open_ = false;
    return;
  }
  if (run_.console.valid()) (void)write_all(run_.console.get(), std::string_view(buf, static_cast<size_t>(n)));
}

int Monitor::serve() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGWINCH);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  copy_window_size();
  clock_gettime(CLOCK_MONOTONIC, &release_at_);
  release_at_.tv_nsec += 200 * 1000000L;
  if (release_at_.tv_nsec >= 1000000000L) {
    release_at_.tv_sec += 1;
    release_at_.tv_nsec -= 1000000000L;
  }
  Fd sigfd(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd.valid()) throw_errno("signalfd");
  // The init may already have exited before the mask was set.
  int status = 0;
  bool reaped = waitpid(run_.init, &status, WNOHANG) == run_.init;
  if (run_.console.valid()) fcntl(run_.console.get(), F_SETFL, O_NONBLOCK);
  for (auto& t : run_.ttys) fcntl(t.get(), F_SETFL, O_NONBLOCK);
  stdin_open_ = req_.foreground;

  while (!reaped) {
    std::vector<pollfd> fds;
    fds.push_back({sigfd.get(), POLLIN, 0});
    fds.push_back({listener_.get(), POLLIN, 0});
    fds.push_back({run_.console.valid() && !console_client_.valid() ? run_.console.get() : -1, POLLIN, 0});
    fds.push_back({stdin_open_ ? 0 : -1, POLLIN, 0});
    fds.push_back({console_client_.valid() ? console_client_.get() : -1, POLLIN, 0});
    // The ttys: drained while nobody is connected, as the console is.
    tty_clients_.resize(run_.ttys.size());
    for (size_t i = 0; i < run_.ttys.size(); ++i) {
      fds.push_back({run_.ttys[i].valid() && !tty_clients_[i].valid() ? run_.ttys[i].get() : -1, POLLIN, 0});
      fds.push_back({tty_clients_[i].valid() ? tty_clients_[i].get() : -1, POLLIN, 0});
    }
    int timeout = -1;
    if (!startup_code_released_) {
      // A container that ends within its first moments (start -F -- CMD)
      // is not worth the page faults that releasing the code costs.
      timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      const long ms = (release_at_.tv_sec - now.tv_sec) * 1000L + (release_at_.tv_nsec - now.tv_nsec) / 1000000L;
      if (ms <= 0) {
        release_startup_code();
        startup_code_released_ = true;
      } else {
        timeout = static_cast<int>(ms);
      }
    }
    if (kill_pending_) {
      timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      const long ms = (kill_at_.tv_sec - now.tv_sec) * 1000L + (kill_at_.tv_nsec - now.tv_nsec) / 1000000L;
      if (ms <= 0) {
        log_.info("halt timed out, sending SIGKILL");
        kill(run_.init, SIGKILL);
        killed_ = true;
        kill_pending_ = false;
      } else if (timeout < 0 || ms < timeout) {
        timeout = static_cast<int>(ms);
      }
    }
    const int r = poll(fds.data(), fds.size(), timeout);
    if (r < 0 && errno != EINTR) throw_errno("poll");
    if (r <= 0) continue;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si;
      while (read(sigfd.get(), &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD) {
          if (waitpid(run_.init, &status, WNOHANG) == run_.init) reaped = true;
        } else if (si.ssi_signo == SIGWINCH) {
          copy_window_size();
        } else {
          log_.info("monitor got signal " + std::to_string(si.ssi_signo) + ", stopping the container");
          kill(run_.init, SIGKILL);
          killed_ = true;
        }
      }
    }
    if (fds[1].revents & POLLIN) {
      const int c = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) handle_client(c);
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) on_console_output();
    if (fds[3].revents & (POLLIN | POLLHUP | POLLERR)) on_stdin();
    // A console client sends nothing on its connection; anything, or its
    // end, means it is gone.
    if (fds[4].revents & (POLLIN | POLLHUP | POLLERR)) {
      log_.info("console client detached");
      console_client_.reset();
    }
    for (size_t i = 0; i < run_.ttys.size(); ++i) {
      if (fds[5 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[4096];
        const ssize_t n = read(run_.ttys[i].get(), buf, sizeof buf);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) run_.ttys[i].reset();
      }
      if (fds[6 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) {
        log_.info("console client of tty " + std::to_string(i + 1) + " detached");
        tty_clients_[i].reset();
      }
    }
  }
  // What the init wrote just before it exited is still in the pty.
  while (run_.console.valid()) {
    pollfd p{run_.console.get(), POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) break;
    on_console_output();
  }
  log_.info("init exited with status " + std::to_string(exit_code(status)));
  run_.init = -1;
  remove_links(run_.netlink.get(), run_.peers, run_.host_links);
  if (!run_.host_links.empty()) log_.debug("veths removed: " + join(run_.host_links, " "));
  // The netlink socket pins the container's network namespace.
  run_.netlink.reset();
  run_.console.reset();
  console_client_.reset();
  run_.ttys.clear();
  run_.tty_holds.clear();
  tty_clients_.clear();
  for (const auto& dir : run_.cgroup.dirs()) log_.debug("cgroup removed: " + dir);
  run_.cgroup.remove();
  finish_stop_requests();
  return halt_requested_ && !killed_ ? 0 : exit_code(status);
}

void Monitor::finish_stop_requests() {
  for (int fd : stop_waiters_) {
    (void)write_all(fd, "stopped\n");
    close(fd);
  }
  stop_waiters_.clear();
}

}  // namespace

// Runs the container as this process (the monitor) until it exits.
// `status_fd` (detached start) gets "ok" once the container runs, or the
// error; -1 in the foreground.
int run_monitor(const StartRequest& req, int status_fd, Log& log) {
  const std::string runtime = container_runtime(req.paths, req.name);
  Defer cleanup([&] {
    unlink((runtime + "/sock").c_str());
    unlink((runtime + "/state").c_str());
    if (!req.pidfile.empty()) unlink(req.pidfile.c_str());
  });
  std::string error;
  int rc = 1;
  try {
    Fd listener = listen_socket(runtime + "/sock");
    Running run = launch(req, log);
    write_file_atomic(runtime + "/state", state_file_text(getpid(), run.init, run.host_links), 0600);
    if (!req.pidfile.empty()) write_file_atomic(req.pidfile, std::to_string(getpid()) + "\n", 0644);
    log.info("container " + req.name + " is RUNNING");
    Monitor monitor(req, std::move(run), std::move(listener), runtime, log);
    if (status_fd >= 0) {
      (void)write_all(status_fd, "ok");
      close(status_fd);
      status_fd = -1;
      log.end_stderr();
      const int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
      if (devnull >= 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
        close(devnull);
      }
    }
    TerminalRaw raw;
    if (req.foreground && !req.foreground_note.empty()) std::fprintf(stderr, "%s\n", req.foreground_note.c_str());
    if (req.foreground) raw.enter();
    rc = monitor.serve();
  } catch (const Error& e) {
    error = e.what();
  }
  if (!error.empty()) {
    log.error(error);
    if (status_fd >= 0) (void)write_all(status_fd, error);
    else std::fprintf(stderr, "uxc start: %s\n", error.c_str());
    return 1;
  }
  return rc;
}

}  // namespace uxc
