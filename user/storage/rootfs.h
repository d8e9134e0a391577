// Root filesystems for new containers (uxc create's templates): the
// busybox template here; images and imported tarballs or directories in
// images.h (uxc-image).
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

}  // namespace uxc
