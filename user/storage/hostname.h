// The container's name in its rootfs's /etc/hostname, which a
// distribution's init applies at boot (systemd's hostname setup,
// sysvinit's hostname.sh) over the name uxc gave the container.
#pragma once

#include <string>

namespace uxc {

// A rootfs made elsewhere (mmdebstrap copies the building machine's
// /etc/hostname in) would name every container after that machine:
// when its /etc/hostname holds this machine's name, `name` is written
// there instead. Anything else the image chose is kept. Run as the
// container's root; the path is resolved inside the rootfs only.
void name_rootfs_after_container(const std::string& rootfs, const std::string& name);

}  // namespace uxc
