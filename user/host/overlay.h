// overlayfs mounts made as a container's root, in its user namespace:
// the container's rootfs at start (runtime/init) and the read-only view a
// full copy reads (storage/store).
#pragma once

#include <vector>

#include "user/common/util.h"

namespace uxc {

// A detached overlayfs mount (fsopen/fsmount) of directories given as
// open fds, so no path is looked up as the container's root, which may
// not traverse the user's home: `lowers` top first; `upper` and `work`
// both -1 for an overlay of lowers only. `read_only` makes the mount
// read-only (a copy reads a stopped container's layers through one). Always `userxattr`: in a user
// namespace overlayfs keeps its whiteouts and opaque markers in
// user.overlay.* attributes. The caller must have CAP_SYS_ADMIN in the
// user namespace that owns its mount namespace. Errors carry the
// kernel's own message.
Fd mount_overlay(const std::vector<int>& lowers, int upper, int work, bool read_only);

}  // namespace uxc
