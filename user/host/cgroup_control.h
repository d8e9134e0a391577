// A running container's cgroups, as the user: freezing (`uxc freeze`,
// the FROZEN state) and reading or writing one file (`uxc cgroup`).
//
// Freezing uses cgroup v2's cgroup.freeze in the container's v2 cgroup;
// a container without one is frozen through the v1 freezer hierarchy's
// freezer.state, where the user has a freezer cgroup delegated
// (cgroup.h). Either way every process of the container stops where it
// is, and SIGKILL still ends them (v2), or ends them once thawed (v1:
// `uxc stop` thaws first).
#pragma once

#include <sys/types.h>

#include <string>

namespace uxc {

enum class FreezeState { kNoFreezer, kThawed, kFreezing, kFrozen };
FreezeState freeze_state(pid_t init, const std::string& name);

// Freezes or thaws the container and waits until the kernel says it is
// done (at most 10 seconds). Throws Error naming what is missing.
void set_frozen(pid_t init, const std::string& name, bool frozen);

// The file whose changes tell that the freeze state changed (v2
// cgroup.events); "" without one.
std::string freeze_events_file(pid_t init, const std::string& name);

// KEY is a cgroup file, CONTROLLER.FILE ("memory.max", "pids.current",
// "cgroup.freeze"); looked for in the container's v2 cgroup first, then
// in the v1 hierarchy of CONTROLLER. Throws Error.
std::string read_container_cgroup(pid_t init, const std::string& name, const std::string& key);
void write_container_cgroup(pid_t init, const std::string& name, const std::string& key, const std::string& value);

}  // namespace uxc
