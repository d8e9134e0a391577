// `uxc execute`: the command runs under a minimal init, as under
// lxc-execute's init.lxc. The container's pid 1 is this process (still
// the uxc image, made non-dumpable, so nothing in the container can open
// it through /proc/1/exe): it forks the command, passes the signals it
// gets on to it, turns the halt signal into SIGTERM to every process,
// reaps orphans, and when the command ends kills what is left and exits
// with the command's status (128+N for signal N).
#pragma once

namespace uxc {

// Returns only if the command could not be executed, with its errno;
// otherwise becomes the init and never returns. `chan` is the monitor's
// channel, closed once the command's exec succeeded.
int exec_under_minimal_init(char* const argv[], char* const envp[], int chan, int halt_signal);

}  // namespace uxc
