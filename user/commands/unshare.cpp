// uxc unshare: a command as root of a user namespace with a container's
// id map and the user's own ids, to look at, repair or remove files that
// belong to the container's ids (LXC's lxc-usernsexec).
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/helpers.h"
#include "user/host/userns.h"
#include "user/storage/store.h"

namespace uxc {

int cmd_unshare(int argc, char** argv) {
  auto args = parse_args(
      argc, argv, "unshare", "[[-n] NAME] [-- COMMAND [ARG...]]",
      "Run COMMAND (default: your $SHELL) as root of a new user namespace that maps the\n"
      "container's ids (-n NAME: its lxc.idmap; without -n: default.conf's, else your first\n"
      "subordinate ids) and, above them, your own uid and gid, as lxc-usernsexec does.\n"
      "There you can read, repair or remove a rootfs whose files belong to the container's\n"
      "ids, and still reach your own files. A container whose config is missing gets your\n"
      "default map (a broken one, its lxc.idmap lines if they can be read). Nothing is\n"
      "mounted. The exit status is COMMAND's.",
      {{'n', "name", "NAME", "use this container's id map"}});
  std::string name;
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  if (args.has('n') || args.operands > 0) {
    name = require_name(args, "unshare");
    if (args.operands > 0) throw UsageError("unexpected argument '" + args.rest.front() + "': the command goes after --");
    if (!is_directory(container_dir(paths, name))) throw Error(name + " doesn't exist");
  }
  std::vector<std::string> command = args.rest;
  if (command.empty()) {
    const char* shell = getenv("SHELL");
    command = {shell != nullptr && shell[0] == '/' ? shell : "/bin/sh"};
  }
  const policy::IdmapRequest maps = file_work_idmap(idmap_config(paths, name), user);
  const mode_t mask = umask(022);
  umask(mask);
  // ^C and ^\ are the command's: this process waits for it, as a shell
  // waits for its foreground job.
  struct sigaction ignore {}, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  const int status = run_as_container_root_status(maps, [&] {
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    umask(mask);
    std::vector<char*> argv_exec;
    for (auto& a : command) argv_exec.push_back(a.data());
    argv_exec.push_back(nullptr);
    execvp(argv_exec[0], argv_exec.data());
    throw_errno("cannot run " + command[0]);
  });
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  return status;
}

}  // namespace uxc
