// The subcommands; each takes its own argv (argv[0] is the command name)
// and returns the process exit status. Errors are thrown as uxc::Error.
#pragma once

#include <string>

#include "user/common/dirs.h"

namespace uxc {

int cmd_create(int argc, char** argv);
int cmd_start(int argc, char** argv);
int cmd_stop(int argc, char** argv);
int cmd_info(int argc, char** argv);
int cmd_ls(int argc, char** argv);
int cmd_destroy(int argc, char** argv);
int cmd_attach(int argc, char** argv);
int cmd_console(int argc, char** argv);
int cmd_check(int argc, char** argv);
int cmd_autostart(int argc, char** argv);
int cmd_execute(int argc, char** argv);
int cmd_wait(int argc, char** argv);
int cmd_monitor(int argc, char** argv);
int cmd_freeze(int argc, char** argv);
int cmd_unfreeze(int argc, char** argv);
int cmd_cgroup(int argc, char** argv);
int cmd_config(int argc, char** argv);
int cmd_help(int argc, char** argv);
int cmd_image(int argc, char** argv);
int cmd_unshare(int argc, char** argv);
int cmd_copy(int argc, char** argv);
int cmd_snapshot(int argc, char** argv);

// After the monitor of an lxc.ephemeral container is done: removes it
// (storage/store.h). A failure is reported on stderr; the container is
// then left, stopped.
void remove_if_ephemeral(const Paths& paths, const User& user, const std::string& name);

// Asks the container's monitor to stop it: the halt signal, then SIGKILL
// after `timeout_seconds` (0: at once if `kill_now`). Returns when the
// container is gone.
void stop_container(const Paths& paths, const std::string& name, int timeout_seconds, bool kill_now);

// How `uxc stop` ends a container, as LXC's lxc-stop: the halt request
// then SIGKILL after the timeout; SIGKILL (lxc.signal.stop) at once; or
// the halt request alone (--nokill, -W, -t -1).
enum class StopMode { kHaltThenKill, kKill, kHaltOnly };
struct StopHow {
  StopMode mode = StopMode::kHaltThenKill;
  int timeout_seconds = 60;  // -1: for ever
  bool wait = true;          // false: return once the monitor took the request
};
// False only for kHaltOnly when the container still ran after the timeout.
[[nodiscard]] bool stop_container(const Paths& paths, const std::string& name, const StopHow& how);

}  // namespace uxc
