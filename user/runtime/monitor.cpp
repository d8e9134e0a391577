// The monitor: the container's host-side process (monitor.h). It serves
// the socket, relays the console in the foreground, keeps the ptys
// drained and logged, halts or reboots the container on request and,
// once the init is reaped, removes its veths and cgroup; after a reboot
// it starts the container again.
#include "user/runtime/monitor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
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
#include <optional>

#include "policy/monitor.h"
#include "policy/text.h"
#include "user/common/log.h"
#include "user/host/netconf.h"
#include "user/runtime/fdpass.h"
#include "user/runtime/launch.h"
#include "user/runtime/shutdown.h"
#include "user/runtime/startup_code.h"
#include "user/runtime/teardown.h"
#include "user/storage/container.h"
#include "user/storage/store.h"

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

timespec now_plus_ms(long ms) {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += (ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec += 1;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

// A client's connection may be gone by the time it is answered (a
// `uxc stop -W`, an interrupted `uxc stop`): that is EPIPE, never a
// SIGPIPE that would end the monitor.
bool answer_client(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

long ms_until(const timespec& t) {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (t.tv_sec - now.tv_sec) * 1000L + (t.tv_nsec - now.tv_nsec) / 1000000L;
}

// How much of a pty's output is kept for the next client: enough for
// the last line, which is the prompt a getty or shell left there.
constexpr size_t kTailBytes = 1024;
// A pty whose slave nobody has open (EIO: the init closed the console,
// a getty hung it up) is looked at again this often.
constexpr long kRestMs = 100;
// A halt or reboot request the init cannot take yet is tried this often;
// an init this long past its exec gets the signal regardless, again every
// kResendRequestMs until it takes it (shutdown.h).
constexpr long kRetryRequestMs = 10;
constexpr long kSettleMs = 500;
constexpr long kResendRequestMs = 500;

// One of the container's ptys: the console (index 0) or /dev/ttyN.
struct Pty {
  Fd master;
  Fd hold;     // a slave of our own: the pty never sees "no slave open" for long
  Fd client;   // the `uxc console` connected now; the monitor does not read meanwhile
  std::string tail;
  bool resting = false;
  timespec retry_at{};

  // The text after the last line break: what a newly connected client
  // sees first, e.g. "web login: ".
  std::string last_line() const {
    const size_t nl = tail.find_last_of('\n');
    return nl == std::string::npos ? tail : tail.substr(nl + 1);
  }
  void keep(std::string_view data) {
    tail.append(data);
    if (tail.size() > kTailBytes) tail.erase(0, tail.size() - kTailBytes);
  }
};

// lxc.console.logfile: everything the console prints, appended. With
// lxc.console.buffer.size the file is a ring: the last SIZE bytes are
// also kept in memory, and once the file has grown to twice that it is
// rewritten from them.
class ConsoleLog {
 public:
  void open_file(const std::string& path, uint64_t ring, Log& log) {
    if (path.empty()) return;
    fd_.reset(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd_.valid()) {
      log.error("cannot open the console log " + path + ": " + errno_text(errno));
      return;
    }
    // At least a page, as LXC rounds it.
    ring_ = ring == 0 ? 0 : std::max<uint64_t>(ring, 4096);
    struct stat st;
    size_ = fstat(fd_.get(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }
  void write(std::string_view data) {
    if (!fd_.valid()) return;
    if (ring_ != 0) {
      kept_.append(data);
      if (kept_.size() > ring_) kept_.erase(0, kept_.size() - ring_);
    }
    (void)write_all(fd_.get(), data);
    size_ += data.size();
    if (ring_ != 0 && size_ >= 2 * ring_ && ftruncate(fd_.get(), 0) == 0) {
      (void)write_all(fd_.get(), kept_);
      size_ = kept_.size();
    }
  }

 private:
  Fd fd_;
  uint64_t ring_ = 0;
  uint64_t size_ = 0;
  std::string kept_;
};

class Monitor {
 public:
  Monitor(const StartRequest& req, Running run, Fd listener, std::string runtime, int lock_fd, Log& log)
      : req_(req), run_(std::move(run)), listener_(std::move(listener)), runtime_(std::move(runtime)), lock_fd_(lock_fd), log_(log) {
    console_log_.open_file(req.config.console_logfile, req.config.console_buffer_size, log);
  }

  // Serves until the init has been reaped and not restarted; returns its
  // exit status.
  int serve();
  // The runtime lock went to a `uxc stop` (hand_over): nothing in the
  // runtime directory is this process's any more.
  bool handed_over() const { return handed_over_; }

 private:
  void take_ptys();
  int run_until_reaped();
  void handle_client(int fd);
  void connect_console(int fd, Fd client, uint32_t tty);
  void on_pty_output(size_t index);
  void on_stdin();
  void shut_down(int seconds, char how);
  void halt_without_kill(int seconds);
  void deliver_request();
  void drain_ptys();
  void close_ptys(bool reboot);
  void tear_down(bool reboot);
  bool hand_over();
  void answer_waiters(std::vector<int>* waiters, const std::string& answer);
  // The container's console gets the size of the terminal it is shown on.
  void copy_window_size() {
    winsize ws;
    if (req_.foreground && !ptys_.empty() && ptys_[0].master.valid() && ioctl(0, TIOCGWINSZ, &ws) == 0)
      ioctl(ptys_[0].master.get(), TIOCSWINSZ, &ws);
  }

  const StartRequest& req_;
  std::optional<Running> run_;
  Fd listener_;
  std::string runtime_;
  int lock_fd_;  // the runtime lock, to hand over; -1: not this process's to give
  bool handed_over_ = false;
  Log& log_;
  Fd sigfd_;
  std::vector<Pty> ptys_;  // [0] the console, then /dev/tty1..N
  ConsoleLog console_log_;
  std::vector<int> stop_waiters_;
  std::vector<int> reboot_waiters_;
  bool stopping_ = false;          // a stop was asked for: no reboot after it
  // `uxc stop` asked for a halt, and nothing had to be killed: start -F
  // then exits 0, whatever status the halt left (a busybox init that
  // powers off dies of SIGINT, reboot(2)'s way in a pid namespace).
  bool halt_requested_ = false;
  bool killed_ = false;
  bool reboot_requested_ = false;  // `stop -r`: start again whatever the init's end
  timespec kill_at_{};
  bool kill_pending_ = false;
  char request_pending_ = 0;  // 'h' or 'r' not yet delivered: the init is not listening yet
  timespec retry_request_at_{};
  // A halt without SIGKILL (`stop --nokill`, `-W`) is asked again only
  // until then; a halt with a SIGKILL, until the kill.
  bool request_bounded_ = false;
  timespec request_until_{};
  bool request_logged_ = false;
  timespec settled_at_{};     // the init has had time to set up its signal handling (shutdown.h)
  timespec release_at_{};  // when the start-up code's pages go (release_startup_code)
  bool startup_code_released_ = false;
  bool stdin_open_ = true;
};

void Monitor::take_ptys() {
  settled_at_ = now_plus_ms(kSettleMs);
  Running& run = *run_;
  ptys_.clear();
  ptys_.resize(1 + run.ttys.size());
  ptys_[0].master = std::move(run.console);
  ptys_[0].hold = std::move(run.console_hold);
  for (size_t i = 0; i < run.ttys.size(); ++i) {
    ptys_[i + 1].master = std::move(run.ttys[i]);
    if (i < run.tty_holds.size()) ptys_[i + 1].hold = std::move(run.tty_holds[i]);
  }
  run.ttys.clear();
  run.tty_holds.clear();
  for (auto& p : ptys_)
    if (p.master.valid()) fcntl(p.master.get(), F_SETFL, O_NONBLOCK);
  copy_window_size();
}

// "halt" (h), "reboot" (r) or "kill" (k). After `seconds` (5 for a kill:
// a custom lxc.signal.stop may be ignored) comes SIGKILL. A halt or
// reboot the init does not listen for yet is tried again (deliver_request).
void Monitor::shut_down(int seconds, char how) {
  if (how == 'k') {
    killed_ = true;
    kill(run_->init, req_.config.signal_stop != 0 ? req_.config.signal_stop : SIGKILL);
    seconds = 5;
    request_pending_ = 0;
  } else {
    if (how == 'h') halt_requested_ = true;
    request_pending_ = how;
    request_bounded_ = false;
    request_logged_ = false;
    deliver_request();
  }
  kill_at_ = now_plus_ms(seconds * 1000L);
  kill_pending_ = true;
}

// The halt request alone: the container stops when its init halts, or
// runs on. An init that does not listen yet is asked again for `seconds`
// (0: as long as it runs). A SIGKILL already scheduled by an earlier
// `uxc stop` stays.
void Monitor::halt_without_kill(int seconds) {
  halt_requested_ = true;
  if (request_pending_ != 0 && !request_bounded_) return;  // an earlier stop's request, until its kill
  request_pending_ = 'h';
  request_bounded_ = seconds > 0;
  if (request_bounded_) request_until_ = now_plus_ms(seconds * 1000L);
  request_logged_ = false;
  deliver_request();
}

void Monitor::deliver_request() {
  std::string how;
  const bool settled = ms_until(settled_at_) <= 0;
  const Delivery d = request_pending_ == 'r' ? try_request_reboot(run_->init, req_.config, req_.defaults, settled)
                                             : try_request_halt(run_->init, req_.config, req_.defaults, settled, &how);
  if (d != Delivery::kNotYet && !request_logged_) {
    log_.info((request_pending_ == 'r' ? std::string("reboot requested") : "halting with " + how) +
              (d == Delivery::kUnconfirmed ? " (the init shows no handler for it: sent again until it takes it)" : ""));
    request_logged_ = true;
  }
  if (d != Delivery::kDelivered) {
    retry_request_at_ = now_plus_ms(settled ? kResendRequestMs : kRetryRequestMs);
    return;
  }
  request_pending_ = 0;
}

void Monitor::connect_console(int fd, Fd client, uint32_t tty) {
  const std::string which = tty == 0 ? "the console" : "tty " + std::to_string(tty);
  if (tty >= ptys_.size()) {
    (void)answer_client(fd, "error " + req_.name + " has no tty " + std::to_string(tty) +
                            (tty == 0 ? "" : " (lxc.tty.max = " + std::to_string(ptys_.size() - 1) + ")") + "\n");
    return;
  }
  Pty& p = ptys_[tty];
  // One client at a time: two readers of one pty would each get a
  // random half of the output.
  if (tty == 0 && req_.foreground) {
    (void)answer_client(fd, "error the console of " + req_.name + " is on the terminal of 'uxc start -F'\n");
  } else if (p.client.valid()) {
    (void)answer_client(fd, "error " + std::string(tty == 0 ? "the console" : "tty " + std::to_string(tty)) + " of " +
                            req_.name + " is in use by another 'uxc console'\n");
  } else if (!p.master.valid()) {
    (void)answer_client(fd, "error " + req_.name + " has no " + (tty == 0 ? "console" : "tty " + std::to_string(tty)) + "\n");
  } else if (send_fds(fd, "ok\n" + p.last_line(), {p.master.get()})) {
    log_.info("console client connected to " + which);
    p.client = std::move(client);
  }
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
    (void)answer_client(fd, "error " + why + "\n");
    return;
  }
  switch (request.op) {
    case policy::MonitorOp::kInfo: {
      policy::MonitorAddresses addresses;
      if (run_->netlink.valid())
        for (const auto& a : list_addresses(run_->netlink.get()))
          (a.family == AF_INET ? addresses.ipv4 : addresses.ipv6).push_back(a.text);
      (void)answer_client(fd, policy::format_info_answer(addresses));
      return;
    }
    case policy::MonitorOp::kConsole:
      connect_console(fd, std::move(client), request.tty);
      return;
    case policy::MonitorOp::kStop:
    case policy::MonitorOp::kKill:
    case policy::MonitorOp::kHalt:
      log_.info(request.op == policy::MonitorOp::kHalt ? "halt requested, with no kill to follow" : "stop requested");
      stopping_ = true;
      if (!answer_client(fd, "accepted\n")) return;
      if (request.op == policy::MonitorOp::kHalt)
        halt_without_kill(static_cast<int>(request.seconds));
      else
        shut_down(static_cast<int>(request.seconds),
                  request.op == policy::MonitorOp::kKill || request.seconds == 0 ? 'k' : 'h');
      stop_waiters_.push_back(client.release());
      return;
    case policy::MonitorOp::kReboot:
      if (stopping_) {
        (void)answer_client(fd, "error " + req_.name + " is stopping\n");
        return;
      }
      if (!answer_client(fd, "accepted\n")) return;
      reboot_requested_ = true;
      shut_down(static_cast<int>(request.seconds), request.seconds == 0 ? 'k' : 'r');
      reboot_waiters_.push_back(client.release());
      return;
  }
}

void Monitor::on_pty_output(size_t index) {
  Pty& p = ptys_[index];
  char buf[8192];
  const ssize_t n = read(p.master.get(), buf, sizeof buf);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    // EIO: no slave is open just now (sysvinit closes the console
    // between messages; a getty hangs its tty up before it opens it
    // again). The pty stays; it is looked at again in a moment.
    p.resting = true;
    p.retry_at = now_plus_ms(kRestMs);
    return;
  }
  const std::string_view data(buf, static_cast<size_t>(n));
  p.keep(data);
  if (index == 0) {
    console_log_.write(data);
    if (req_.foreground) (void)write_all(1, data);
  }
}

void Monitor::on_stdin() {
  char buf[4096];
  const ssize_t n = read(0, buf, sizeof buf);
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return;
    stdin_open_ = false;
    return;
  }
  if (!ptys_.empty() && ptys_[0].master.valid())
    (void)write_all(ptys_[0].master.get(), std::string_view(buf, static_cast<size_t>(n)));
}

// Polls until the init is reaped; returns its wait status.
int Monitor::run_until_reaped() {
  int status = 0;
  // The init may already have exited before the mask was set.
  if (waitpid(run_->init, &status, WNOHANG) == run_->init) return status;
  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({sigfd_.get(), POLLIN, 0});
    fds.push_back({listener_.get(), POLLIN, 0});
    fds.push_back({stdin_open_ ? 0 : -1, POLLIN, 0});
    int timeout = -1;
    const auto sooner = [&timeout](long ms) {
      if (ms < 0) ms = 0;
      if (timeout < 0 || ms < timeout) timeout = static_cast<int>(ms);
    };
    // Each pty: its master while nobody is connected (drained, kept,
    // logged) and not resting; its client's connection otherwise.
    for (auto& p : ptys_) {
      if (p.resting && ms_until(p.retry_at) <= 0) p.resting = false;
      if (p.resting && !p.client.valid()) sooner(ms_until(p.retry_at));
      const bool read_master = p.master.valid() && !p.client.valid() && !p.resting;
      fds.push_back({read_master ? p.master.get() : -1, POLLIN, 0});
      fds.push_back({p.client.valid() ? p.client.get() : -1, POLLIN, 0});
    }
    if (!startup_code_released_) {
      // A container that ends within its first moments (start -F -- CMD)
      // is not worth the page faults that releasing the code costs.
      const long ms = ms_until(release_at_);
      if (ms <= 0) {
        release_startup_code();
        startup_code_released_ = true;
      } else {
        sooner(ms);
      }
    }
    if (request_pending_ != 0 && request_bounded_ && ms_until(request_until_) <= 0) {
      log_.info("the init did not take the halt request in time; it runs on (no SIGKILL was asked for)");
      request_pending_ = 0;
    }
    if (request_pending_ != 0) {
      if (ms_until(retry_request_at_) <= 0) deliver_request();
      if (request_pending_ != 0) sooner(ms_until(retry_request_at_));
    }
    if (kill_pending_) {
      const long ms = ms_until(kill_at_);
      if (ms <= 0) {
        log_.info(request_pending_ != 0 ? "the init never listened for the request, sending SIGKILL"
                                        : "halt timed out, sending SIGKILL");
        kill(run_->init, SIGKILL);
        killed_ = true;
        kill_pending_ = false;
        request_pending_ = 0;
      } else {
        sooner(ms);
      }
    }
    const int r = poll(fds.data(), fds.size(), timeout);
    if (r < 0 && errno != EINTR) throw_errno("poll");
    if (r <= 0) continue;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si;
      bool reaped = false;
      while (read(sigfd_.get(), &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD) {
          if (waitpid(run_->init, &status, WNOHANG) == run_->init) reaped = true;
        } else if (si.ssi_signo == SIGWINCH) {
          copy_window_size();
        } else {
          log_.info("monitor got signal " + std::to_string(si.ssi_signo) + ", stopping the container");
          stopping_ = true;
          kill(run_->init, SIGKILL);
          killed_ = true;
        }
      }
      if (reaped) return status;
    }
    if (fds[1].revents & POLLIN) {
      const int c = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) handle_client(c);
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) on_stdin();
    for (size_t i = 0; i < ptys_.size(); ++i) {
      if (fds[3 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) on_pty_output(i);
      // A console client sends nothing on its connection; anything, or
      // its end, means it is gone.
      if (fds[4 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) {
        log_.info(i == 0 ? std::string("console client detached") : "console client of tty " + std::to_string(i) + " detached");
        ptys_[i].client.reset();
      }
    }
  }
}

// What the init wrote just before it exited is still in the pty.
void Monitor::drain_ptys() {
  for (size_t i = 0; i < ptys_.size(); ++i) {
    while (ptys_[i].master.valid() && !ptys_[i].client.valid()) {
      pollfd p{ptys_[i].master.get(), POLLIN, 0};
      if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) break;
      const size_t before = ptys_[i].tail.size();
      on_pty_output(i);
      if (ptys_[i].resting || ptys_[i].tail.size() == before) break;
    }
  }
}

// The ptys go, and their `uxc console` clients are told why.
void Monitor::close_ptys(bool reboot) {
  for (auto& p : ptys_)
    if (p.client.valid()) (void)answer_client(p.client.get(), reboot ? "reboot\n" : "stopped\n");
  ptys_.clear();
}

// Everything of the init that ended goes: its veths (before "stopped"
// or a new start), its ptys and their clients, its cgroup.
void Monitor::tear_down(bool reboot) {
  drain_ptys();
  Running& run = *run_;
  run.init = -1;
  remove_links(run.netlink.get(), run.peers, run.host_links);
  if (!run.host_links.empty()) log_.debug("veths removed: " + join(run.host_links, " "));
  // The netlink socket pins the container's network namespace.
  run.netlink.reset();
  close_ptys(reboot);
  for (const auto& dir : run.cgroup.dirs()) log_.debug("cgroup removed: " + dir);
  run.cgroup.remove();
}

// The end of a stop that `uxc stop` waits for. The kernel takes a
// deleted veth off the host within a millisecond, but answers the
// deletion only tens of milliseconds later (teardown.cpp); rather than
// have a new process send it (which a busy machine may not run for
// milliseconds), this one does, once everything else is gone, and the
// client waits for the veths: with "stopped" and their names ("link
// IFNAME" lines) it gets the runtime lock (SCM_RIGHTS) and holds it, so
// that the container is not "stopped" for anyone before the veths are
// gone; then it removes the runtime files and lets the lock go
// (stop.cpp), while this one waits for the kernel's answer. If no
// client takes the answer after all, the veths go as in tear_down.
// False, with nothing done, where that cannot be: the lock is not this
// process's (`start -F`, whose caller waits for this process), or the
// container is removed when it stops (lxc.ephemeral: its files go under
// the lock, after this).
bool Monitor::hand_over() {
  if (lock_fd_ < 0 || stop_waiters_.empty()) return false;
  policy::Config config;
  if (ephemeral_config(req_.paths, req_.name, &config)) return false;
  drain_ptys();
  Running& run = *run_;
  run.init = -1;
  close_ptys(false);
  for (const auto& dir : run.cgroup.dirs()) log_.debug("cgroup removed: " + dir);
  run.cgroup.remove();
  const std::string answer = "stopped\n" + policy::format_state_file({0, 0, run.host_links});
  bool taken = false;
  for (int fd : stop_waiters_) taken = send_fds(fd, answer, {lock_fd_}) || taken;
  if (!taken) {  // the clients are gone: the end as without them
    for (int fd : stop_waiters_) close(fd);
    stop_waiters_.clear();
    remove_links(run.netlink.get(), run.peers, run.host_links);
    if (!run.host_links.empty()) log_.debug("veths removed: " + join(run.host_links, " "));
    run.netlink.reset();
    return true;
  }
  if (!run.host_links.empty()) log_.debug("veths removed, 'uxc stop' waits for them: " + join(run.host_links, " "));
  // The lock in the messages keeps it held; ours goes before the
  // connections close, so that a client that has read to their end holds
  // the only one. From here on nothing of the runtime directory is ours:
  // a new start of the container may begin once the client lets it go.
  close(lock_fd_);
  lock_fd_ = -1;
  handed_over_ = true;
  if (!req_.pidfile.empty()) unlink(req_.pidfile.c_str());
  for (int fd : stop_waiters_) close(fd);
  stop_waiters_.clear();
  listener_.reset();
  sigfd_.reset();
  // What tests and tools know as the process that waits for the
  // kernel's answer (teardown.cpp).
  prctl(PR_SET_NAME, "uxc-veth-del");
  for (uint32_t ifindex : run.peers) (void)delete_link(run.netlink.get(), ifindex);
  run.netlink.reset();
  return true;
}

void Monitor::answer_waiters(std::vector<int>* waiters, const std::string& answer) {
  for (int fd : *waiters) {
    (void)answer_client(fd, answer);
    close(fd);
  }
  waiters->clear();
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
  release_at_ = now_plus_ms(200);
  sigfd_.reset(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd_.valid()) throw_errno("signalfd");
  stdin_open_ = req_.foreground;
  take_ptys();
  for (;;) {
    const int status = run_until_reaped();
    kill_pending_ = false;
    request_pending_ = 0;
    // reboot(2) in a pid namespace ends its init as if by SIGHUP
    // (restart) or SIGINT (halt, power-off).
    const bool rebooting = !stopping_ && (reboot_requested_ || (WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP));
    log_.info("init exited with status " + std::to_string(exit_code(status)) + (rebooting ? ", rebooting" : ""));
    if (!rebooting) {
      answer_waiters(&reboot_waiters_, "error " + req_.name + " stopped instead of rebooting\n");
      if (!hand_over()) {
        tear_down(false);
        answer_waiters(&stop_waiters_, "stopped\n");
      }
      // A distribution's init ends by SIGINT when it halted or powered
      // off: that is a clean end, as is any end of a halt that was asked
      // for and needed no kill.
      if (req_.defaults.full_system && WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) return 0;
      return halt_requested_ && !killed_ ? 0 : exit_code(status);
    }
    tear_down(true);
    reboot_requested_ = false;
    killed_ = false;
    run_.reset();
    try {
      run_.emplace(launch(req_, log_));
      write_file_atomic(runtime_ + "/state", state_file_text(getpid(), run_->init, run_->host_links), 0600);
    } catch (const Error& e) {
      log_.error(std::string("cannot start ") + req_.name + " again: " + e.what());
      answer_waiters(&reboot_waiters_, "error cannot start " + req_.name + " again: " + e.what() + "\n");
      answer_waiters(&stop_waiters_, "stopped\n");
      return 1;
    }
    log_.info("container " + req_.name + " is RUNNING again, init pid " + std::to_string(run_->init));
    take_ptys();
    answer_waiters(&reboot_waiters_, "rebooted\n");
  }
}

}  // namespace

// Runs the container as this process (the monitor) until it exits.
// `status_fd` (detached start) gets "ok" once the container runs, or the
// error; -1 in the foreground.
int run_monitor(const StartRequest& req, int status_fd, Log& log, int lock_fd, bool* handed_over) {
  const std::string runtime = container_runtime(req.paths, req.name);
  bool gone = false;  // the lock went to a `uxc stop`, which removes the files
  if (handed_over != nullptr) *handed_over = false;
  Defer cleanup([&] {
    if (gone) return;
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
    Monitor monitor(req, std::move(run), std::move(listener), runtime, req.foreground ? -1 : lock_fd, log);
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
    gone = monitor.handed_over();
    if (handed_over != nullptr) *handed_over = gone;
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
