// uxc cgroup: read or set one cgroup file of a running container, as
// lxc-cgroup does (`uxc cgroup web memory.max 512M`).
#include <cstdio>

#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/cgroup_control.h"
#include "user/storage/container.h"

namespace uxc {

int cmd_cgroup(int argc, char** argv) {
  auto args = parse_args(argc, argv, "cgroup", "[-n] NAME KEY [VALUE]",
                         "Print the cgroup file KEY (CONTROLLER.FILE: memory.max, pids.current, ...) of a\n"
                         "running container, or write VALUE to it: the container's cgroup v2 first, else\n"
                         "the v1 hierarchy of CONTROLLER. For this run only; lxc.cgroup2.KEY in the\n"
                         "config sets it at every start.",
                         {{'n', "name", "NAME", "the container"}});
  const std::string name = require_name(args, "cgroup");
  if (args.rest.empty()) throw UsageError("a cgroup KEY is required: uxc cgroup NAME KEY [VALUE]");
  if (args.rest.size() > 2) throw UsageError("unexpected argument '" + args.rest[2] + "'");
  const std::string key = args.rest[0];
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  require_container(paths, name);
  const RuntimeState st = read_runtime_state(paths, name);
  if (st.state != RunState::kRunning) throw Error(name + " is not running");
  if (args.rest.size() == 2) {
    write_container_cgroup(st.init_pid, name, key, args.rest[1]);
    return 0;
  }
  std::fputs(read_container_cgroup(st.init_pid, name, key).c_str(), stdout);
  return 0;
}

}  // namespace uxc
