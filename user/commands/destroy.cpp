// uxc destroy: removes a stopped container's rootfs (as the container's
// root), its config and its runtime directory.
#include <unistd.h>

#include <cstdio>

#include "policy/config.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/helpers.h"
#include "user/host/userns.h"
#include "user/storage/container.h"

namespace uxc {

int cmd_destroy(int argc, char** argv) {
  auto args = parse_args(argc, argv, "destroy", "[-n] NAME [-f]",
                               "Remove a stopped container: its config and its rootfs.",
                               {{'n', "name", "NAME", "the container"},
                                {'f', "force", nullptr, "stop it first if it is running"}});
  const std::string name = require_name(args, "destroy");
  no_more_operands(args);
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  require_container(paths, name);
  if (read_runtime_state(paths, name).state != RunState::kStopped) {
    if (!args.has('f')) throw Error(name + " is running");
    stop_container(paths, name, 0, true);
  }
  const std::string dir = container_dir(paths, name);
  const std::string rootfs = dir + "/rootfs";
  if (path_exists(rootfs)) {
    policy::Config config;
    std::vector<std::string> errors;
    std::string text;
    (void)read_file(dir + "/config", &text);
    // The id map must be readable to reach the files; a config broken by
    // hand still has its idmap lines, or the user's default ranges apply.
    (void)policy::parse_config(text, "config", &config, &errors, &config_includes());
    if (!errors.empty()) config = policy::Config{};
    // The whole tree is checked before anything goes: a rootfs with one
    // entry the container's root cannot remove (a directory of another
    // uid's, say) would otherwise be left half removed, its /etc gone and
    // the rest stuck until root cleans up.
    run_as_container_root(file_work_idmap(config, user), [&] {
      const std::string problem = find_unremovable(rootfs);
      if (!problem.empty())
        throw Error("cannot destroy " + name + ": " + problem + ". Nothing was removed: ask an administrator to remove it (or give it to one of your subordinate ids), then run uxc destroy -n " + name + " again");
      remove_tree(rootfs);
    });
  }
  remove_tree(dir);
  // The runtime directory holds only the idle lock file by now.
  const std::string runtime = container_runtime(paths, name);
  unlink((runtime + "/lock").c_str());
  rmdir(runtime.c_str());
  if (!quiet()) std::printf("Destroyed container %s\n", name.c_str());
  return 0;
}

}  // namespace uxc
