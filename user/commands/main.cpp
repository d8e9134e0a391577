// uxc: run Linux containers as a regular user. One binary, LXC's
// subcommands and flags (`uxc start -n NAME -d` for `lxc-start -n NAME -d`).
#include <cstdio>
#include <string>

#include "user/commands/commands.h"
#include "user/common/util.h"

int main(int argc, char** argv) {
  // `uxc help keys` (`uxc help` alone is the list of commands).
  if (argc >= 3 && std::string(argv[1]) == "help") {
    try {
      return uxc::cmd_help(argc - 1, argv + 1);
    } catch (const uxc::Error& e) {
      std::fprintf(stderr, "uxc help: %s\n", e.what());
      return 2;
    }
  }
  return uxc::run_subcommand(
      "uxc", "Run Linux containers as a regular user. 'uxc help keys' lists the keys of a\n"
             "container's configuration.",
      {
          {"create", uxc::cmd_create, "create a container from a template"},
          {"start", uxc::cmd_start, "start a container (-d in the background, -F in the foreground)"},
          {"stop", uxc::cmd_stop, "stop a running container"},
          {"info", uxc::cmd_info, "show a container's state, pid, addresses and traffic"},
          {"ls", uxc::cmd_ls, "list containers"},
          {"destroy", uxc::cmd_destroy, "remove a stopped container and its files"},
          {"attach", uxc::cmd_attach, "run a command (default: a shell) inside a running container"},
          {"console", uxc::cmd_console, "connect to a running container's console (Ctrl+a q detaches)"},
          {"autostart", uxc::cmd_autostart, "start, stop or reboot the containers with lxc.start.auto, in order"},
          {"check", uxc::cmd_check, "check this host's set-up for your containers, and say how to fix it"},
          {"execute", uxc::cmd_execute, "run a command in a container under a minimal init (lxc-execute)"},
          {"wait", uxc::cmd_wait, "wait until a container is in one of the given states"},
          {"monitor", uxc::cmd_monitor, "print the containers' state changes as they happen"},
          {"freeze", uxc::cmd_freeze, "freeze every process of a running container"},
          {"unfreeze", uxc::cmd_unfreeze, "thaw a frozen container"},
          {"cgroup", uxc::cmd_cgroup, "read or set a cgroup file of a running container"},
          {"config", uxc::cmd_config, "show the paths and settings uxc uses (lxc-config)"},
          {"image", uxc::cmd_image, "list (ls) or remove (rm) the distribution images uxc keeps"},
          {"copy", uxc::cmd_copy, "copy or clone a container (-s: an overlay clone; -e: ephemeral)"},
          {"snapshot", uxc::cmd_snapshot, "take, list, restore or destroy a container's snapshots"},
          {"unshare", uxc::cmd_unshare, "run a command as root of a container's user namespace, on its files"},
      },
      argc, argv);
}
