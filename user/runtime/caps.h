// The container's capabilities: what lxc.cap.drop and lxc.cap.keep take
// away from its processes. Shared by the container's init and `uxc
// attach`'s command, the two places a process of the container starts.
#pragma once

#include "policy/config.h"

namespace uxc {

// lxc.cap.drop and lxc.cap.keep: removes the capabilities from the
// bounding and inheritable sets (and clears the ambient set).
void drop_capabilities(const policy::Config& config);

}  // namespace uxc
