// Root filesystems for new containers (uxc create's templates). Image
// downloads and their cache go next to this, in storage/.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace uxc {

// `busybox --list-full`, read before entering the namespace: the
// applets' paths, relative to the root.
std::vector<std::string> busybox_applets(const std::string& busybox);

// The busybox template: `busybox` copied in, a link for each applet, an
// inittab, rcS and a DHCP script. Run as the container's root.
void build_busybox_rootfs(const std::string& rootfs, const std::string& busybox,
                          const std::vector<std::string>& applets);

// The local template: a directory is copied with its owners (files of
// `own_uid`/`own_gid`, the user's own ids inside the namespace, become
// root's), a tarball unpacked with its numeric owners. Run as the
// container's root.
void build_local_rootfs(const std::string& rootfs, const std::string& source, uid_t own_uid, gid_t own_gid);

}  // namespace uxc
