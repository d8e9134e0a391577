#include "policy/config_doc.h"

namespace uxc::policy {

namespace {

constexpr ConfigKeyDoc kDocs[] = {
    {"lxc.include", "", "FILE", "", "read FILE here (absolute; LXC's common.conf and userns.conf are built in)"},
    {"lxc.rootfs.path", "lxc.rootfs", "[dir:]PATH|overlay:LOWER...:UPPER", "rootfs beside the config",
     "the root file system: a directory, or overlayfs layers (uxc copy -s, uxc snapshot)"},
    {"lxc.ephemeral", "", "0|1", "0", "destroyed when it stops (uxc copy -e)"},
    {"lxc.idmap", "lxc.id_map", "u|g|b INSIDE OUTSIDE COUNT", "your first ranges, 65536 ids",
     "map ids into the container, within /etc/subuid and /etc/subgid (a list)"},
    {"lxc.uts.name", "lxc.utsname", "HOSTNAME", "the name, or one derived from it", "the host name"},
    {"lxc.init.cmd", "lxc.init_cmd", "COMMAND [ARG...]", "/sbin/init", "what runs as the init"},
    {"lxc.init.cwd", "", "PATH", "/", "the init's working directory, inside the container"},
    {"lxc.init.uid", "", "UID", "0", "the init's user id, inside the container"},
    {"lxc.init.gid", "", "GID", "0", "the init's group id (and only group), inside the container"},
    {"lxc.environment", "", "NAME=VALUE", "", "a variable of the init's environment (a list)"},
    {"lxc.arch", "", "ARCH", "the host's", "LXC's architecture names; 32-bit x86 runs as i686"},
    {"lxc.autodev", "", "0|1", "1", "accepted: uxc always makes a fresh /dev"},
    {"lxc.signal.halt", "lxc.haltsignal", "SIGNAL", "SIGPWR", "what uxc stop sends to halt"},
    {"lxc.signal.reboot", "lxc.rebootsignal", "SIGNAL", "SIGINT", "what a reboot sends"},
    {"lxc.signal.stop", "lxc.stopsignal", "SIGNAL", "SIGKILL", "what uxc stop -k sends"},
    {"lxc.cap.drop", "", "CAP...", "", "capabilities the container's root does not get (a list)"},
    {"lxc.cap.keep", "", "CAP...|none", "", "the only capabilities it keeps (a list)"},
    {"lxc.mount.entry", "", "SOURCE TARGET FSTYPE OPTIONS [DUMP [PASS]]", "",
     "an fstab line inside the container (bind, rbind, ro, create=dir|file, optional; a list)"},
    {"lxc.net", "lxc.network", "(empty)", "", "clear every interface so far"},
    {"lxc.net.N.type", "lxc.network.type", "veth|empty", "", "interface N's kind (the legacy key starts a new one)"},
    {"lxc.net.N.link", "lxc.network.link", "BRIDGE", "", "the host bridge of a veth (from /etc/uxc/usernet)"},
    {"lxc.net.N.flags", "lxc.network.flags", "up", "", "bring it up"},
    {"lxc.net.N.hwaddr", "lxc.network.hwaddr", "MAC (x: random)", "the kernel's", "its MAC address"},
    {"lxc.net.N.name", "lxc.network.name", "NAME", "ethN", "its name inside"},
    {"lxc.net.N.mtu", "lxc.network.mtu", "MTU", "the kernel's", "its MTU"},
    {"lxc.net.N.ipv4.address", "lxc.network.ipv4", "ADDRESS/LENGTH", "none: DHCP inside", "a static address (a list)"},
    {"lxc.net.N.ipv4.gateway", "lxc.network.ipv4.gateway", "ADDRESS", "", "its default route"},
    {"lxc.net.N.ipv6.address", "lxc.network.ipv6", "ADDRESS/LENGTH", "", "a static address (a list)"},
    {"lxc.net.N.ipv6.gateway", "lxc.network.ipv6.gateway", "ADDRESS", "", "its default route"},
    {"lxc.console.path", "lxc.console", "none", "a pty", "no console"},
    {"lxc.console.logfile", "", "PATH", "", "accepted and stored"},
    {"lxc.console.buffer.size", "", "auto|SIZE", "", "accepted and stored"},
    {"lxc.tty.max", "lxc.tty", "N", "0", "/dev/tty1..N for uxc console -t (at most 12)"},
    {"lxc.pty.max", "lxc.pts", "N", "", "accepted: devpts is not limited"},
    {"lxc.cgroup2.CONTROLLER.FILE", "", "VALUE", "", "a file of the container's v2 cgroup (empty lxc.cgroup2 clears)"},
    {"lxc.cgroup.CONTROLLER.FILE", "", "VALUE", "", "a file of its cgroup in the v1 hierarchy (empty lxc.cgroup clears)"},
    {"lxc.start.auto", "", "0|1", "0", "started by uxc autostart"},
    {"lxc.start.delay", "", "SECONDS", "0", "wait after starting it"},
    {"lxc.start.order", "", "N", "0", "lower first"},
    {"lxc.group", "", "GROUP", "", "for autostart -g and ls -g (a list)"},
    {"lxc.apparmor.profile", "lxc.aa_profile", "generated|unconfined", "", "accepted: uxc loads no AppArmor profile"},
    {"lxc.apparmor.allow_nesting", "", "0|1", "", "ignored, with a warning"},
    {"lxc.apparmor.allow_incomplete", "lxc.aa_allow_incomplete", "0|1", "", "ignored, with a warning"},
    {"lxc.seccomp.profile", "lxc.seccomp", "PATH", "", "ignored, with a warning"},
    {"lxc.mount.auto", "", "...", "", "ignored, with a warning: proc and sys are always mounted"},
    {"lxc.tty.dir", "lxc.devttydir", "DIR", "", "ignored, with a warning"},
    {"uxc.image.FIELD", "", "VALUE", "", "dist, release, arch, variant, build, server: where the rootfs came from"},
};

}  // namespace

std::span<const ConfigKeyDoc> config_key_docs() { return kDocs; }

}  // namespace uxc::policy
