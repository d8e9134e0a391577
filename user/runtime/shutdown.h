// Asking a container's init to halt or reboot, the way that init listens
// (policy/init.h): a signal, or for sysvinit a runlevel on /run/initctl.
//
// An init that has not yet set itself up (a container stopped right
// after `start -d` returned) would lose the request: a pid namespace's
// init ignores a signal it has no handler for, and sysvinit makes
// /run/initctl only once it runs. So a request is delivered only once
// the init listens for it (/proc/PID/status shows a handler for the
// signal in SigCgt, or the signal blocked in SigBlk, to be read from a
// signalfd; the FIFO takes the request); until then the monitor tries
// again, up to the stop timeout: every few milliseconds at first, and
// once the init has run long enough to have set itself up (`settled`) it
// sends the signal anyway every half second (an init waiting in
// sigtimedwait shows the signals it waits for as unblocked).
#pragma once

#include <sys/types.h>

#include <string>

#include "policy/config.h"
#include "policy/init.h"

namespace uxc {

// What one attempt did.
enum class Delivery {
  kNotYet,       // the init is not listening yet: nothing sent
  kUnconfirmed,  // sent to a settled init that shows no handler: sent again later
  kDelivered,
};

// One attempt to deliver lxc.signal.halt, else the init's own halt
// request (*how says which, for the log).
Delivery try_request_halt(pid_t init, const policy::Config& config, const policy::InitDefaults& defaults, bool settled,
                          std::string* how);

// The same for lxc.signal.reboot, else the init's reboot signal.
Delivery try_request_reboot(pid_t init, const policy::Config& config, const policy::InitDefaults& defaults, bool settled);

// Writes a runlevel request to the container's /run/initctl, from a
// child in the container's user namespace (the FIFO is its root's) that
// resolves the path inside the container's root only. False if there is
// no init listening there.
bool request_runlevel(pid_t init, char runlevel);

}  // namespace uxc
