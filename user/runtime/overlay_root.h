// An overlay rootfs (lxc.rootfs.path = overlay:...) at start. The init
// opens the layers while it still has the user's own uid, which reaches
// them through the user's directories, and mounts them once it is the
// container's root: overlayfs does its later work (copy-up, whiteouts)
// with the credentials of the process that mounted it, and those must be
// the container root's, whose ids own the layers' files.
#pragma once

#include <string>
#include <vector>

#include "policy/rootfs.h"
#include "user/common/util.h"

namespace uxc {

struct OverlayRoot {
  std::vector<Fd> lowers;  // top first
  Fd upper, work;
  Fd target;  // the directory the mount is attached over: the upper layer's parent
};

// O_PATH fds of every layer, of olwork, and of the mount target.
OverlayRoot open_overlay_root(const policy::RootfsPath& rootfs);

// Mounts the overlay, attaches it and makes its root the current
// directory (the init then pivots into it).
void enter_overlay_root(const OverlayRoot& root);

}  // namespace uxc
