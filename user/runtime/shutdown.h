// Asking a container's init to halt or reboot, the way that init listens
// (policy/init.h): a signal, or for sysvinit a runlevel on /run/initctl.
#pragma once

#include <sys/types.h>

#include "policy/config.h"
#include "policy/init.h"

namespace uxc {

// lxc.signal.halt, else the init's own way. Returns what was done, for
// the log.
const char* request_halt(pid_t init, const policy::Config& config, const policy::InitDefaults& defaults);

// lxc.signal.reboot, else the init's reboot signal.
void request_reboot(pid_t init, const policy::Config& config, const policy::InitDefaults& defaults);

// Writes a runlevel request to the container's /run/initctl, from a
// child in the container's user namespace (the FIFO is its root's) that
// resolves the path inside the container's root only. False if there is
// no init listening there.
bool request_runlevel(pid_t init, char runlevel);

}  // namespace uxc
