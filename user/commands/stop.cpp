// uxc stop: asks the container's monitor to halt it and waits until it
// is gone.
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <cerrno>

#include "policy/monitor.h"
#include "policy/text.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/cgroup_control.h"
#include "user/host/netconf.h"
#include "user/runtime/fdpass.h"
#include "user/runtime/monitor.h"
#include "user/storage/container.h"

namespace uxc {

namespace {

// A frozen container could not handle its halt signal (nor, on cgroup
// v1, die of SIGKILL): thaw it first, as lxc-stop does.
void thaw_for_stop(const RuntimeState& st, const std::string& name) {
  if (st.state != RunState::kRunning) return;
  const FreezeState f = freeze_state(st.init_pid, name);
  if (f != FreezeState::kNoFreezer && f != FreezeState::kThawed) set_frozen(st.init_pid, name, false);
}

// Reads from the monitor's connection up to the end of one line (or the
// end of the connection; with `to_end`, up to the end in any case),
// waiting at most `wait_ms` (< 0: for ever). Fds that come along (the
// runtime lock, monitor.h) go to *fds. False when the time ran out first.
bool read_answer_line(int sock, std::string* buffer, long wait_ms, std::vector<Fd>* fds, bool to_end = false) {
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (!to_end && buffer->find('\n') != std::string::npos) return true;
    long left = -1;
    if (wait_ms >= 0) {
      timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      left = wait_ms - ((now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L);
      if (left <= 0) return false;
    }
    pollfd p{sock, POLLIN, 0};
    const int r = poll(&p, 1, left < 0 ? -1 : static_cast<int>(std::min<long>(left, 1 << 30)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    std::vector<int> got;
    const std::string data = recv_message(sock, &got);
    for (int fd : got) fds->emplace_back(fd);
    if (data.empty() || buffer->size() > 4096) return true;
    buffer->append(data);
  }
}

std::string take_line(std::string* buffer) {
  const size_t nl = buffer->find('\n');
  std::string line = buffer->substr(0, nl);
  buffer->erase(0, nl == std::string::npos ? buffer->size() : nl + 1);
  return line;
}

// The monitor's "error WHY", as an error of ours.
[[noreturn]] void throw_monitor_error(const std::string& line, const std::string& what) {
  if (line.rfind("error ", 0) == 0) throw Error(line.substr(6));
  throw Error("the monitor did not confirm the " + what + (line.empty() ? std::string() : ": " + line));
}

// With the runtime lock handed over (monitor.h): waits until the links
// named after "stopped" are gone, then removes the runtime files and
// lets the lock go. False if the answer did not come with the lock (a
// monitor that does all of it itself).
bool finish_handed_over(int sock, const Paths& paths, const std::string& name, std::string* rest, std::vector<Fd>* fds) {
  // The monitor sends all of it at once and closes the connection.
  (void)read_answer_line(sock, rest, 5000, fds, true);
  if (fds->size() != 1) {
    fds->clear();
    return false;
  }
  policy::MonitorState links;
  std::string why;
  if (!policy::parse_state_file(*rest, &links, &why))
    throw Error("the monitor's answer to the stop is not understood: " + why);
  // At most as long as the monitor would wait for them itself (teardown.cpp).
  (void)wait_links_gone(links.host_links, 5000);
  const std::string runtime = container_runtime(paths, name);
  unlink((runtime + "/sock").c_str());
  unlink((runtime + "/state").c_str());
  fds->clear();  // the lock: stopped
  return true;
}

// Waits until the monitor has gone: it answers just before it exits, and
// a stopped container is one whose monitor has gone (its lock with it).
void wait_monitor_gone(const Paths& paths, const std::string& name, const Fd& monitor_exit) {
  if (monitor_exit.valid()) {
    pollfd p{monitor_exit.get(), POLLIN, 0};
    while (poll(&p, 1, 5000) < 0 && errno == EINTR) {
    }
  }
  for (int i = 0; i < 5000 && read_runtime_state(paths, name).state != RunState::kStopped; ++i) usleep(1000);
}

}  // namespace

bool stop_container(const Paths& paths, const std::string& name, const StopHow& how) {
  const RuntimeState st = read_runtime_state(paths, name);
  thaw_for_stop(st, name);
  // The monitor's exit is waited for on a pidfd, taken while it still runs.
  Fd monitor_exit;
  if (st.monitor_pid > 0) {
    monitor_exit.reset(static_cast<int>(syscall(SYS_pidfd_open, st.monitor_pid, 0)));
    // A pid read from a monitor that ended just then may name another process by now.
    if (read_runtime_state(paths, name).monitor_pid != st.monitor_pid) monitor_exit.reset();
  }
  policy::MonitorRequest request;
  long wait_ms = -1;  // for the final answer
  const uint32_t seconds = how.timeout_seconds < 0 ? 0 : static_cast<uint32_t>(how.timeout_seconds);
  switch (how.mode) {
    case StopMode::kKill:
      request = {policy::MonitorOp::kKill, 0, 0};
      wait_ms = 30 * 1000L;
      break;
    case StopMode::kHaltThenKill:
      request = {policy::MonitorOp::kStop, seconds, 0};
      wait_ms = (seconds + 30L) * 1000L;
      break;
    case StopMode::kHaltOnly:
      request = {policy::MonitorOp::kHalt, seconds, 0};
      wait_ms = how.timeout_seconds < 0 ? -1 : how.timeout_seconds * 1000L;
      break;
  }
  Fd sock = monitor_connect(container_runtime(paths, name) + "/sock");
  if (!write_all(sock.get(), policy::format_monitor_request(request) + "\n")) throw_errno("cannot talk to the monitor");
  std::string buffer;
  std::vector<Fd> fds;
  if (!read_answer_line(sock.get(), &buffer, 30 * 1000L, &fds)) throw Error("the monitor did not answer in time");
  std::string line = take_line(&buffer);
  if (line == "accepted") {
    if (!how.wait) return true;
    if (!read_answer_line(sock.get(), &buffer, wait_ms, &fds)) {
      if (how.mode == StopMode::kHaltOnly) return false;
      throw Error("the monitor did not answer in time");
    }
    line = take_line(&buffer);
  }
  if (line != "stopped") throw_monitor_error(line, "stop");
  if (!finish_handed_over(sock.get(), paths, name, &buffer, &fds)) wait_monitor_gone(paths, name, monitor_exit);
  return true;
}

void stop_container(const Paths& paths, const std::string& name, int timeout_seconds, bool kill_now) {
  (void)stop_container(paths, name, {kill_now ? StopMode::kKill : StopMode::kHaltThenKill, timeout_seconds, true});
}

// `stop -r`: the container starts again with new namespaces, as LXC's
// lxc-stop -r; returns once it runs.
void reboot_container(const Paths& paths, const std::string& name, int timeout_seconds, bool wait) {
  thaw_for_stop(read_runtime_state(paths, name), name);
  Fd sock = monitor_connect(container_runtime(paths, name) + "/sock");
  const std::string request =
      policy::format_monitor_request({policy::MonitorOp::kReboot, static_cast<uint32_t>(timeout_seconds), 0});
  if (!write_all(sock.get(), request + "\n")) throw_errno("cannot talk to the monitor");
  std::string buffer;
  std::vector<Fd> fds;
  if (!read_answer_line(sock.get(), &buffer, 30 * 1000L, &fds)) throw Error("the monitor did not answer in time");
  std::string line = take_line(&buffer);
  if (line == "accepted") {
    if (!wait) return;
    if (!read_answer_line(sock.get(), &buffer, (timeout_seconds + 60L) * 1000L, &fds))
      throw Error("the monitor did not answer in time");
    line = take_line(&buffer);
  }
  if (line != "rebooted") throw_monitor_error(line, "reboot");
}

int cmd_stop(int argc, char** argv) {
  const char kNoKill = 6;  // long only: its place in the list below, plus one
  auto args = parse_args(
      argc, argv, "stop", "[-n] NAME [-r|-k|--nokill] [-W] [-t TIMEOUT]",
      "Stop a container: ask its init to halt (lxc.signal.halt, else the init's own\n"
      "way: SIGRTMIN+3 for systemd, runlevel 0 for sysvinit, SIGUSR1 for busybox,\n"
      "SIGPWR otherwise), then SIGKILL after TIMEOUT seconds (default 60; -1: wait\n"
      "for ever, never kill). With --nokill, never SIGKILL: if the container still\n"
      "runs after TIMEOUT, exit 1 and leave it running. With -W, return as soon as\n"
      "the request is made, without waiting (no SIGKILL follows a halt). With -r,\n"
      "reboot it instead (lxc.signal.reboot, else the init's reboot signal) and\n"
      "return once it runs again.",
      {{'n', "name", "NAME", "the container"},
       {'r', "reboot", nullptr, "reboot it"},
       {'k', "kill", nullptr, "kill it at once"},
       {'t', "timeout", "TIMEOUT", "seconds to wait before SIGKILL (-1: for ever)"},
       {'W', "nowait", nullptr, "make the request and return, without waiting"},
       {0, "nokill", nullptr, "only ask the init to halt, never SIGKILL"}});
  const std::string name = require_name(args, "stop");
  if (args.has('r') && args.has('k')) throw UsageError("-r and -k exclude each other");
  if (args.has(kNoKill) && args.has('k')) throw UsageError("-k and --nokill exclude each other");
  if (args.has(kNoKill) && args.has('r')) throw UsageError("--nokill is for a halt, not for -r (a reboot that times out is killed)");
  no_more_operands(args);
  // LXC's -t -1: wait for as long as the halt takes, and never kill.
  const bool forever = args.get('t') == "-1";
  if (forever && args.has('r')) throw UsageError("-r takes a TIMEOUT of 0 or more seconds (a reboot that times out is killed)");
  uint32_t timeout = 60;
  if (args.has('t') && !forever && !policy::parse_u32(args.get('t'), &timeout))
    throw UsageError("-t TIMEOUT must be a number of seconds, or -1, not '" + args.get('t') + "'");
  if (forever) timeout = 0;
  if (timeout > 24u * 3600u * 365u) throw UsageError("-t TIMEOUT is more than a year; use -1 to wait for ever");
  const bool wait = !args.has('W');
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  require_container(paths, name);
  if (read_runtime_state(paths, name).state == RunState::kStopped) throw Error(name + " is not running");
  if (args.has('r')) {
    reboot_container(paths, name, static_cast<int>(timeout), wait);
    return 0;
  }
  StopHow how;
  how.timeout_seconds = forever ? -1 : static_cast<int>(timeout);
  how.wait = wait;
  // -W alone is LXC's: the halt is asked for and nothing is killed.
  how.mode = args.has('k') ? StopMode::kKill
             : args.has(kNoKill) || forever || !wait ? StopMode::kHaltOnly
                                                     : StopMode::kHaltThenKill;
  if (stop_container(paths, name, how)) return 0;
  throw Error(name + " did not halt within " + std::to_string(timeout) +
              " s and still runs (--nokill: nothing was killed); wait longer with -t, or kill it with 'uxc stop -k " +
              name + "'");
}

}  // namespace uxc
