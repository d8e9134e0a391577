// uxc stop: asks the container's monitor to halt it and waits until it
// is gone.
#include <unistd.h>

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
  const std::string request = policy::format_monitor_request(
      {kill_now ? policy::MonitorOp::kKill : policy::MonitorOp::kStop, static_cast<uint32_t>(timeout_seconds), 0});
  const std::string answer =
      monitor_request(container_runtime(paths, name) + "/sock", request, timeout_seconds + 30);
  if (answer.rfind("stopped", 0) != 0)
    throw Error("the monitor did not confirm the stop" + (answer.empty() ? std::string() : ": " + answer));
  // The monitor answers just before it exits; wait for its lock to go.
  for (int i = 0; i < 500 && read_runtime_state(paths, name).state != RunState::kStopped; ++i) usleep(10000);
}

int cmd_stop(int argc, char** argv) {
  auto args = parse_args(argc, argv, "stop", "[-n] NAME [-k] [-t TIMEOUT]",
                               "Stop a container: its halt signal (lxc.signal.halt, default SIGPWR), then\n"
                               "SIGKILL after TIMEOUT seconds (default 60).",
                               {{'n', "name", "NAME", "the container"},
                                {'k', "kill", nullptr, "kill it at once"},
                                {'t', "timeout", "TIMEOUT", "seconds to wait before SIGKILL"}});
  const std::string name = require_name(args, "stop");
  no_more_operands(args);
  const uint32_t timeout = number_option(args, 't', "TIMEOUT", 60);
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  require_container(paths, name);
  if (read_runtime_state(paths, name).state == RunState::kStopped) throw Error(name + " is not running");
  stop_container(paths, name, static_cast<int>(timeout), args.has('k'));
  return 0;
}

}  // namespace uxc
