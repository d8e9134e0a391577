// uxc destroy: removes a stopped container's files (as the container's
// root): its rootfs or layers, snapshots and config, and its runtime
// directory; with -s the containers cloned from it first; with -f one
// whose config is missing or broken.
#include <unistd.h>

#include <cstdio>

#include "policy/config.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/helpers.h"
#include "user/host/userns.h"
#include "user/storage/container.h"
#include "user/storage/store.h"

namespace uxc {

namespace {

// destroy -s: the clones first, each with its own clones (-s again),
// which may include others on the list: asked again after each.
void destroy_dependants(const Paths& paths, const ParsedArgs& args, const std::string& name) {
  for (std::vector<std::string> left = dependants(paths, name); !left.empty(); left = dependants(paths, name)) {
    std::string dependant = left.front();
    std::vector<std::string> words = {"destroy", "-n", dependant, "-s"};
    if (args.has('f')) words.emplace_back("-f");
    if (args.has('q')) words.emplace_back("-q");
    if (args.has('P')) words.insert(words.end(), {"-P", args.get('P')});
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    if (cmd_destroy(static_cast<int>(words.size()), argv.data()) != 0)
      throw Error("cannot destroy " + dependant + ", which is cloned from " + name);
  }
}

}  // namespace

int cmd_destroy(int argc, char** argv) {
  auto args = parse_args(argc, argv, "destroy", "[-n] NAME [-f] [-s]",
                         "Remove a stopped container: its config, its rootfs and its snapshots. A\n"
                         "container that others are cloned from (uxc copy -s) is refused unless -s\n"
                         "destroys those too. -f also removes a directory whose config is missing\n"
                         "or broken (uxc ls shows it as BROKEN).",
                         {{'n', "name", "NAME", "the container"},
                          {'f', "force", nullptr, "stop it first if it is running; remove it if broken"},
                          {'s', "snapshots", nullptr, "also destroy the containers cloned from it"}});
  const std::string name = require_name(args, "destroy");
  no_more_operands(args);
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  if (args.has('s')) destroy_dependants(paths, args, name);
  if (!path_exists(container_config(paths, name)) && is_directory(container_dir(paths, name))) {
    if (!args.has('f'))
      throw Error(name + " is broken (" + container_problem(paths, name) + "): uxc destroy -f -n " + name + " removes it");
    destroy_broken_container(paths, user, name, container_root(file_work_idmap(idmap_config(paths, name), user)));
    if (!quiet()) std::printf("Destroyed container %s\n", name.c_str());
    return 0;
  }
  require_container(paths, name);
  (void)check_dependants(paths, name, false);  // before stopping it
  if (read_runtime_state(paths, name).state != RunState::kStopped) {
    if (!args.has('f')) throw Error(name + " is running");
    stop_container(paths, name, 0, true);
  }
  // Once stopped (an ephemeral one's monitor takes this lock to remove
  // it), and again under it: no clone can be made from it meanwhile.
  const Fd store = lock_store(paths);
  (void)check_dependants(paths, name, false);
  const std::string dir = container_dir(paths, name);
  // The id map must be readable to reach the files; a config broken by
  // hand still has its idmap lines, or the user's default ranges apply.
  // The whole tree (an overlay container's layers and snapshots too) is
  // checked before anything goes: a rootfs with one entry the container's
  // root cannot remove (a directory of another uid's, say) would
  // otherwise be left half removed, its /etc gone and the rest stuck
  // until root cleans up.
  run_as_container_root(file_work_idmap(idmap_config(paths, name), user), [&] {
    const std::string problem = find_unremovable(dir);
    if (!problem.empty())
      throw Error("cannot destroy " + name + ": " + problem + ". Nothing was removed: ask an administrator to remove it (or give it to one of your subordinate ids), then run uxc destroy -n " + name + " again");
    remove_tree(dir);
  });
  // The runtime directory holds only the idle lock file by now.
  const std::string runtime = container_runtime(paths, name);
  unlink((runtime + "/lock").c_str());
  rmdir(runtime.c_str());
  if (!quiet()) std::printf("Destroyed container %s\n", name.c_str());
  return 0;
}

}  // namespace uxc
