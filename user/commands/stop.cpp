// uxc stop: asks the container's monitor to halt it and waits until it
// is gone.
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "policy/monitor.h"
#include "policy/text.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/cgroup_control.h"
#include "user/runtime/monitor.h"
#include "user/storage/container.h"

namespace uxc {

void stop_container(const Paths& paths, const std::string& name, int timeout_seconds, bool kill_now) {
  // A frozen container could not handle its halt signal (nor, on cgroup
  // v1, die of SIGKILL): thaw it first, as lxc-stop does.
  const RuntimeState st = read_runtime_state(paths, name);
  if (st.state == RunState::kRunning && freeze_state(st.init_pid, name) != FreezeState::kNoFreezer &&
      freeze_state(st.init_pid, name) != FreezeState::kThawed)
    set_frozen(st.init_pid, name, false);
  // The monitor answers just before it exits, and a stopped container is
  // one whose monitor has gone (its lock with it): its exit is waited for
  // on a pidfd, taken while it still runs.
  Fd monitor_exit;
  const RuntimeState& before = st;
  if (before.monitor_pid > 0) {
    monitor_exit.reset(static_cast<int>(syscall(SYS_pidfd_open, before.monitor_pid, 0)));
    // A pid read from a monitor that ended just then may name another process by now.
    if (read_runtime_state(paths, name).monitor_pid != before.monitor_pid) monitor_exit.reset();
  }
  const std::string request = policy::format_monitor_request(
      {kill_now ? policy::MonitorOp::kKill : policy::MonitorOp::kStop, static_cast<uint32_t>(timeout_seconds), 0});
  const std::string answer =
      monitor_request(container_runtime(paths, name) + "/sock", request, timeout_seconds + 30);
  if (answer.rfind("stopped", 0) != 0)
    throw Error("the monitor did not confirm the stop" + (answer.empty() ? std::string() : ": " + answer));
  if (monitor_exit.valid()) {
    pollfd p{monitor_exit.get(), POLLIN, 0};
    while (poll(&p, 1, 5000) < 0 && errno == EINTR) {
    }
  }
  for (int i = 0; i < 5000 && read_runtime_state(paths, name).state != RunState::kStopped; ++i) usleep(1000);
}

// `stop -r`: the container starts again with new namespaces, as LXC's
// lxc-stop -r; returns once it runs.
void reboot_container(const Paths& paths, const std::string& name, int timeout_seconds) {
  const RuntimeState st = read_runtime_state(paths, name);
  if (st.state == RunState::kRunning && freeze_state(st.init_pid, name) != FreezeState::kNoFreezer &&
      freeze_state(st.init_pid, name) != FreezeState::kThawed)
    set_frozen(st.init_pid, name, false);
  const std::string answer =
      monitor_request(container_runtime(paths, name) + "/sock",
                      policy::format_monitor_request({policy::MonitorOp::kReboot, static_cast<uint32_t>(timeout_seconds), 0}),
                      timeout_seconds + 60);
  if (answer.rfind("rebooted", 0) == 0) return;
  std::string why = answer.rfind("error ", 0) == 0 ? answer.substr(6) : answer;
  while (!why.empty() && why.back() == '\n') why.pop_back();
  throw Error(why.empty() ? "the monitor did not confirm the reboot" : why);
}

int cmd_stop(int argc, char** argv) {
  auto args = parse_args(argc, argv, "stop", "[-n] NAME [-r|-k] [-t TIMEOUT]",
                               "Stop a container: ask its init to halt (lxc.signal.halt, else the init's own\n"
                               "way: SIGRTMIN+3 for systemd, runlevel 0 for sysvinit, SIGUSR1 for busybox,\n"
                               "SIGPWR otherwise), then SIGKILL after TIMEOUT seconds (default 60). With -r,\n"
                               "reboot it instead (lxc.signal.reboot, else the init's reboot signal) and\n"
                               "return once it runs again.",
                               {{'n', "name", "NAME", "the container"},
                                {'r', "reboot", nullptr, "reboot it"},
                                {'k', "kill", nullptr, "kill it at once"},
                                {'t', "timeout", "TIMEOUT", "seconds to wait before SIGKILL"}});
  const std::string name = require_name(args, "stop");
  if (args.has('r') && args.has('k')) throw UsageError("-r and -k exclude each other");
  no_more_operands(args);
  const uint32_t timeout = number_option(args, 't', "TIMEOUT", 60);
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  require_container(paths, name);
  if (read_runtime_state(paths, name).state == RunState::kStopped) throw Error(name + " is not running");
  if (args.has('r')) reboot_container(paths, name, static_cast<int>(timeout));
  else stop_container(paths, name, static_cast<int>(timeout), args.has('k'));
  return 0;
}

}  // namespace uxc
