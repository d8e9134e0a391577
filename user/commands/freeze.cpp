// uxc freeze, uxc unfreeze: stop every process of a running container
// where it is, and let them go on, as lxc-freeze and lxc-unfreeze do
// (host/cgroup_control.h says how).
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/cgroup_control.h"
#include "user/storage/container.h"

namespace uxc {

namespace {

int freeze_command(int argc, char** argv, bool frozen) {
  const char* command = frozen ? "freeze" : "unfreeze";
  auto args = parse_args(argc, argv, command, "[-n] NAME",
                         frozen ? "Freeze a running container: every process in it stops where it is, until\n"
                                  "'uxc unfreeze'. Needs a delegated cgroup (v2, or a v1 freezer); see uxc check."
                                : "Thaw a frozen container: its processes go on where they stopped.",
                         {{'n', "name", "NAME", "the container"}});
  const std::string name = require_name(args, command);
  no_more_operands(args);
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  require_container(paths, name);
  const RuntimeState st = read_runtime_state(paths, name);
  if (st.state != RunState::kRunning) throw Error(name + " is not running");
  set_frozen(st.init_pid, name, frozen);
  return 0;
}

}  // namespace

int cmd_freeze(int argc, char** argv) { return freeze_command(argc, argv, true); }
int cmd_unfreeze(int argc, char** argv) { return freeze_command(argc, argv, false); }

}  // namespace uxc
