#include "user/runtime/overlay_root.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "user/host/overlay.h"

namespace uxc {

namespace {

Fd open_layer(const std::string& path) {
  Fd fd(open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) throw_errno("cannot open the layer " + path);
  return fd;
}

}  // namespace

OverlayRoot open_overlay_root(const policy::RootfsPath& rootfs) {
  OverlayRoot root;
  for (const auto& l : rootfs.lowers) root.lowers.push_back(open_layer(l));
  root.upper = open_layer(rootfs.upper);
  root.work = open_layer(policy::overlay_work_dir(rootfs.upper));
  root.target = open_layer(rootfs.upper.substr(0, rootfs.upper.rfind('/')).empty()
                               ? "/"
                               : rootfs.upper.substr(0, rootfs.upper.rfind('/')));
  return root;
}

void enter_overlay_root(const OverlayRoot& root) {
  std::vector<int> lowers;
  for (const auto& l : root.lowers) lowers.push_back(l.get());
  const Fd mnt = mount_overlay(lowers, root.upper.get(), root.work.get(), false);
  // Attached in this private mount namespace only: pivot_root needs its
  // new root to be a mount in the tree.
  if (move_mount(mnt.get(), "", root.target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    throw_errno("cannot attach the overlay rootfs");
  if (fchdir(mnt.get()) != 0) throw_errno("cannot enter the overlay rootfs");
}

}  // namespace uxc
