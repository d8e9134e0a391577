// uxc start: parse the config, become the monitor, clone the container's
// init into new namespaces, have the helpers map its ids and give it its
// veths, release it, then serve it until it exits.
#include <fcntl.h>
#include <link.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "policy/text.h"
#include "user/cli.h"
#include "user/commands.h"
#include "user/cgroup.h"
#include "user/container.h"
#include "user/helpers.h"
#include "user/init.h"
#include "user/log.h"
#include "user/netconf.h"
#include "user/util.h"

namespace uxc {

namespace {

struct StartRequest {
  std::string name;
  std::string config_path;
  policy::Config config;
  std::string rootfs;
  std::vector<std::string> command;
  bool foreground = false;
  User user;
  Paths paths;
};

void kill_and_reap(pid_t pid);
void release_startup_code();
void remove_links(int netlink_fd, const std::vector<uint32_t>& peers, const std::vector<std::string>& host_links);

// Everything a started container holds on the host side. Whoever holds
// it last and has not reaped the init kills it: no path out of the
// manager leaves a container without its monitor.
struct Running {
  pid_t init = -1;  // -1 once reaped
  Fd console;       // pty master
  Fd netlink;       // NETLINK_ROUTE socket in the container's namespace
  std::vector<std::string> host_links;
  std::vector<uint32_t> peers;  // the container ends' ifindexes, in its namespace
  std::vector<Fd> ttys;    // masters of /dev/tty1..N
  std::vector<Fd> tty_holds;  // a slave of each: no hangup while no getty has it open
  ContainerCgroup cgroup;  // removed after the init is gone (members go last)

  Running() = default;
  Running(Running&& other) noexcept
      : init(std::exchange(other.init, -1)),
        console(std::move(other.console)),
        netlink(std::move(other.netlink)),
        host_links(std::move(other.host_links)),
        peers(std::move(other.peers)),
        ttys(std::move(other.ttys)),
        tty_holds(std::move(other.tty_holds)),
        cgroup(std::move(other.cgroup)) {}
  Running& operator=(Running&&) = delete;
  ~Running() {
    if (init <= 0) return;
    kill_and_reap(init);
    remove_links(netlink.get(), peers, host_links);
  }
};

pid_t clone_init(const StartRequest& req, int go_read, int chan_child) {
  InitPlan plan;
  plan.config = req.config;
  plan.name = req.name;
  plan.rootfs = req.rootfs;
  plan.command = req.command;
  // Output to a file or pipe gets no CR before each LF.
  plan.plain_output = req.foreground && !isatty(1);
  // The command may ask for its terminal's size at once: it must not
  // wait for the monitor to copy it.
  plan.has_console_size = req.foreground && ioctl(0, TIOCGWINSZ, &plan.console_size) == 0;
  plan.go_fd = go_read;
  plan.chan_fd = chan_child;
  // No CLONE_NEWCGROUP: the init unshares its cgroup namespace once it
  // is in its own cgroup, so that cgroup is its namespace's root.
  const unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
                              CLONE_NEWNET | SIGCHLD;
  std::fflush(nullptr);
  const long pid = syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) throw_errno("cannot create the container's namespaces");
  if (pid == 0) container_init(plan);
  return static_cast<pid_t>(pid);
}

void kill_and_reap(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Once the init is gone, its veths go: "stopped" leaves no interface
// behind and frees the quota slots for the next start. Deleting the
// container end over the netlink socket the container opened removes
// both ends (the user owns the namespace). The kernel takes the names
// off its list within a millisecond but answers only after RCU grace
// periods, 15 to 30 ms later, so a child process (named "uxc-veth-del")
// sends the request, waits for that answer and exits by itself, while
// this one waits only for the names to go. Without a socket (the container never got that far), or if the container moved
// its end away, the kernel removes the veths when it dismantles the dead
// namespace, which takes longer. Either way the names are checked every
// 100 us, for at most five seconds.
void remove_links(int netlink_fd, const std::vector<uint32_t>& peers, const std::vector<std::string>& host_links) {
  if (netlink_fd >= 0 && !peers.empty()) {
    std::fflush(nullptr);
    const pid_t child = fork();
    if (child == 0) {
      prctl(PR_SET_NAME, "uxc-veth-del");
      // Nothing else outlives this process through the child: not the
      // runtime lock ("running"), not the caller's pipes on fds 0-2.
      const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
      for (int fd = 0; fd < 3; ++fd) null >= 0 ? dup2(null, fd) : close(fd);
      if (netlink_fd > 3) close_range(3, static_cast<unsigned>(netlink_fd) - 1, 0);
      close_range(static_cast<unsigned>(netlink_fd) + 1, ~0U, 0);
      for (uint32_t ifindex : peers) (void)delete_link(netlink_fd, ifindex);
      _exit(0);
    }
    if (child < 0)
      for (uint32_t ifindex : peers) (void)delete_link(netlink_fd, ifindex);
  }
  for (int i = 0; i < 50000; ++i) {
    bool any = false;
    for (const auto& l : host_links)
      if (if_nametoindex(l.c_str()) != 0) any = true;
    if (!any) return;
    usleep(100);
  }
}

// Writes one release byte to the init. An init that failed and exited
// closed its end: that is EPIPE, not a SIGPIPE that would kill this
// process without a word; the reason is then on the channel.
void release_init(int go_fd, int chan, char step) {
  sigset_t pipe_signal, old;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
  const bool written = write(go_fd, &step, 1) == 1;
  const timespec now{0, 0};
  while (sigtimedwait(&pipe_signal, nullptr, &now) == SIGPIPE) {
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (written) return;
  std::vector<int> fds;
  const std::string msg = recv_message(chan, &fds);
  for (int fd : fds) close(fd);
  if (msg.rfind("error ", 0) == 0) throw Error(msg.substr(6));
  throw Error("the container's init died before it was released");
}

// Steps 3-6 of DESIGN.md's start: clone, map, nics, release. On any
// failure the init is killed; its namespaces, and with them the veths,
// go with it.
Running launch(const StartRequest& req, Log& log) {
  const policy::IdmapRequest maps = container_idmap(req.config, req.user);
  auto [go_read, go_write] = make_pipe();
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) throw_errno("socketpair");
  Fd chan(pair[0]), chan_child(pair[1]);

  Running run;
  // Limits are in place before the container's first instruction.
  run.cgroup = ContainerCgroup::create(req.name, req.config);
  for (const auto& dir : run.cgroup.dirs()) log.info("cgroup " + dir);
  run.init = clone_init(req, go_read.get(), chan_child.get());
  go_read.reset();
  chan_child.reset();
  log.info("init is pid " + std::to_string(run.init) + " on the host");

  // uxc-idmap and uxc-nic run at the same time. Every helper is waited
  // for before the first refusal is raised, so each veth made is known.
  // The init is released in two steps: once its ids are mapped it sets up
  // its root ("g"), and once its veths exist it configures them ("n");
  // a refusal after the first kills it like any other failure.
  std::vector<const policy::Nic*> veths;
  for (const auto& nic : req.config.nics)
    if (nic.type == "veth") veths.push_back(&nic);
  // uxc-nic goes first: it takes the longer. A helper that cannot be
  // started (not installed, a bad hwaddr) stops the starting, but those
  // already running are still finished, so their veths are known.
  std::string first_error;
  const auto note = [&](const Error& e) {
    if (first_error.empty()) first_error = e.what();
  };
  std::vector<HelperRun> nics;
  std::optional<HelperRun> idmap;
  try {
    for (const policy::Nic* nic : veths) nics.push_back(start_create_veth(run.init, *nic, peer_name(*nic)));
    idmap.emplace(start_map_user_namespace(run.init, maps));
  } catch (const Error& e) {
    note(e);
  }
  if (idmap) {
    try {
      finish_map_user_namespace(*idmap);
      log.info("uid and gid maps written by uxc-idmap");
      run.cgroup.add_process(run.init);
      release_init(go_write.get(), chan.get(), 'g');
    } catch (const Error& e) {
      note(e);
    }
  }
  for (size_t i = 0; i < nics.size(); ++i) {
    try {
      const policy::NicAnswer a = finish_create_veth(nics[i], *veths[i], req.user);
      run.host_links.push_back(a.host);
      run.peers.push_back(a.peer_ifindex);
      log.info("veth " + a.host + " on " + veths[i]->link + " <-> " + a.peer + " in the container");
    } catch (const Error& e) {
      note(e);
    }
  }
  if (!first_error.empty()) throw Error(first_error);
  release_init(go_write.get(), chan.get(), 'n');
  go_write.reset();

  std::vector<int> fds;
  std::string msg = recv_message(chan.get(), &fds);
  if (msg == "fds" && fds.size() == 2 + req.config.tty_max) {
    run.console.reset(fds[0]);
    run.netlink.reset(fds[1]);
    for (size_t i = 2; i < fds.size(); ++i) {
      run.ttys.emplace_back(fds[i]);
      run.tty_holds.emplace_back(ioctl(fds[i], TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    }
    fds.clear();
    msg = recv_message(chan.get(), &fds);  // EOF: the exec happened
  }
  for (int fd : fds) close(fd);
  if (msg.rfind("error ", 0) == 0) throw Error(msg.substr(6));
  if (!msg.empty() || !run.console.valid()) throw Error("the container's init died during set-up");
  return run;
}

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

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
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
  timespec release_at_{};  // when the start-up code's pages go (release_startup_code)
  bool startup_code_released_ = false;
  bool stdin_open_ = true;
};

void Monitor::halt(int seconds, bool now) {
  if (now) {
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
  char buf[256];
  const ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n <= 0) return;
  std::string line(buf, static_cast<size_t>(n));
  while (!line.empty() && line.back() == '\n') line.pop_back();
  const auto words = policy::split_fields(line);
  if (words.empty()) return;
  if (words[0] == "info") {
    std::string out;
    if (run_.netlink.valid())
      for (const auto& a : list_addresses(run_.netlink.get()))
        out += (a.family == AF_INET ? "ipv4 " : "ipv6 ") + a.text + "\n";
    (void)write_all(fd, out);
    return;
  }
  uint32_t tty = 0;
  if (words[0] == "console" && words.size() == 2 && policy::parse_u32(words[1], &tty) && tty > 0) {
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
  if (words[0] == "console" && words.size() == 2) {
    // One client at a time: two readers of one pty would each get a
    // random half of the output.
    if (words[1] != "0") {
      (void)write_all(fd, "error " + req_.name + " has no tty " + std::string(words[1]) + "\n");
    } else if (req_.foreground) {
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
  uint32_t seconds = 0;
  if ((words[0] == "stop" && words.size() == 2 && policy::parse_u32(words[1], &seconds)) || words[0] == "kill") {
    log_.info("stop requested");
    halt(static_cast<int>(seconds), words[0] == "kill" || seconds == 0);
    stop_waiters_.push_back(client.release());
    return;
  }
  (void)write_all(fd, "error unknown request\n");
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
  // The netlink socket pins the container's network namespace.
  run_.netlink.reset();
  run_.console.reset();
  console_client_.reset();
  run_.ttys.clear();
  run_.tty_holds.clear();
  tty_clients_.clear();
  run_.cgroup.remove();
  finish_stop_requests();
  return exit_code(status);
}

void Monitor::finish_stop_requests() {
  for (int fd : stop_waiters_) {
    (void)write_all(fd, "stopped\n");
    close(fd);
  }
  stop_waiters_.clear();
}

// The monitor is the start command's process, and its page tables still
// map every page of code that parsing, checking and launching ran: about
// 700 KiB that no other process shares while one container runs. It
// needs little of that code again, so 200 ms into its container's life
// it lets go of the mappings of the program's read-only segments (code,
// constants); pages it does use again come back from the page cache on
// first use. Only segments that are never written are dropped, so
// nothing can be lost.
void release_startup_code() {
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void*) {
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W) != 0) continue;
          const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
          const uintptr_t start = (info->dlpi_addr + ph.p_vaddr + page - 1) & ~(page - 1);
          const uintptr_t end = (info->dlpi_addr + ph.p_vaddr + ph.p_memsz) & ~(page - 1);
          if (end > start) madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
        }
        return 1;  // the first object is the program itself; libc is shared anyway
      },
      nullptr);
}

// Runs the container as this process (the monitor) until it exits.
// `status_fd` (detached start) gets "ok" once the container runs, or the
// error; -1 in the foreground.
int run_monitor(const StartRequest& req, int status_fd, Log& log) {
  const std::string runtime = container_runtime(req.paths, req.name);
  Defer cleanup([&] {
    unlink((runtime + "/sock").c_str());
    unlink((runtime + "/state").c_str());
  });
  std::string error;
  int rc = 1;
  try {
    Fd listener = listen_socket(runtime + "/sock");
    Running run = launch(req, log);
    write_file_atomic(runtime + "/state", state_file_text(getpid(), run.init, run.host_links), 0600);
    log.info("container " + req.name + " is RUNNING");
    Monitor monitor(req, std::move(run), std::move(listener), runtime, log);
    if (status_fd >= 0) {
      (void)write_all(status_fd, "ok");
      close(status_fd);
      status_fd = -1;
      const int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
      if (devnull >= 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
        close(devnull);
      }
    }
    TerminalRaw raw;
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

}  // namespace

int cmd_start(int argc, char** argv) {
  const auto args = parse_args(
      argc, argv, "start", "-n NAME [-d|-F] [-f CONFIG] [-l LEVEL -o LOGFILE] [-- COMMAND...]",
      "Start a container. Without -F it runs in the background (-d) and this command\n"
      "returns once it is RUNNING; with -F the console stays on this terminal and the\n"
      "exit status is the container init's. COMMAND replaces the container's init.",
      {{'n', "name", "NAME", "the container"},
       {'d', "daemon", nullptr, "run in the background (the default)"},
       {'F', "foreground", nullptr, "run in the foreground, console on this terminal"},
       {'f', "rcfile", "CONFIG", "use this config file instead of the container's"},
       {'l', "logpriority", "LEVEL", "log level: TRACE DEBUG INFO NOTICE WARN ERROR CRIT ALERT FATAL"},
       {'o', "logfile", "LOGFILE", "write a log of the start to LOGFILE"}});
  StartRequest req;
  req.name = require_name(args, "start");
  if (args.has('d') && args.has('F')) throw Error("-d and -F exclude each other");
  req.foreground = args.has('F');
  req.command = args.rest;
  req.user = current_user();
  req.paths = user_paths(req.user);
  if (!args.has('f')) require_container(req.paths, req.name);
  req.config_path = args.has('f') ? args.get('f') : container_config(req.paths, req.name);
  Log log(args.get('o'), args.get('l', "ERROR"), req.name);
  req.config = load_config(req.config_path);
  warn_ignored(req.config, req.config_path);
  req.rootfs = req.config.rootfs.empty() ? container_dir(req.paths, req.name) + "/rootfs" : req.config.rootfs;
  if (!is_directory(req.rootfs))
    throw Error("rootfs " + req.rootfs + " does not exist: fix lxc.rootfs.path in " + req.config_path +
                " or recreate the container (uxc destroy, uxc create)");
  // Checked here so a refusal comes before anything is created.
  (void)container_idmap(req.config, req.user);
  if (req.config.tty_max > kMaxTtys)
    throw Error(req.config_path + ": lxc.tty.max = " + std::to_string(req.config.tty_max) + ": uxc gives a container at most " +
                std::to_string(kMaxTtys) + " ttys");

  // A private runtime directory; its lock says "running" for as long as
  // the monitor lives.
  make_runtime_dir(&req.paths, req.user);
  const std::string runtime = container_runtime(req.paths, req.name);
  make_private_dir(runtime, req.user.uid);
  Fd lock(open((runtime + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock.valid()) throw_errno("cannot open " + runtime + "/lock");
  if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) throw Error(req.name + " is already running");
  log.info("starting " + req.name + " from " + req.config_path);

  if (req.foreground) {
    return run_monitor(req, -1, log);
  }

  auto [status_read, status_write] = make_pipe();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    status_read.reset();
    setsid();
    prctl(PR_SET_NAME, "uxc monitor");
    const int rc = run_monitor(req, status_write.release(), log);
    std::fflush(nullptr);
    _exit(rc);
  }
  status_write.reset();
  lock.reset();  // the monitor holds it now
  std::string status;
  (void)read_all(status_read.get(), &status, 65536);
  if (status == "ok") return 0;
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  throw Error(status.empty() ? "the monitor died during start-up" : status);
}

}  // namespace uxc
