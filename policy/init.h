// Which init a container runs, and what that init expects of the
// container around it: the signals that halt and reboot it, its ttys,
// and whether it is a distribution's init that wants a whole system
// (its own cgroup subtree, /run, a cgroup tree in /sys/fs/cgroup).
//
// The manager resolves the init program inside the rootfs (symlinks
// followed inside it, as the container will see them) and hands this
// file the resolved path and the start of the file; everything here is
// pure, so the decisions are table-tested.
#pragma once

#include <cstdint>
#include <string_view>

namespace uxc::policy {

enum class InitSystem {
  kOther,     // a command (start -- CMD, lxc.init.cmd) or an init not known here
  kSystemd,   // systemd (Debian's systemd-sysv: /sbin/init -> /lib/systemd/systemd)
  kSysvinit,  // sysvinit (Debian's sysvinit-core), inittab and /run/initctl
  kOpenrc,    // openrc-init
  kBusybox,   // busybox init (Alpine, uxc's busybox template)
};

const char* init_system_name(InitSystem init);

// How many bytes of the init program classify_init looks at.
inline constexpr size_t kInitProbeBytes = 4 << 20;

// `invoked` is the program the container runs (/sbin/init, or what
// lxc.init.cmd or `start -- CMD` names), `resolved` where it leads inside
// the rootfs once symlinks are followed (e.g. "/usr/lib/systemd/systemd"),
// and `content` the first bytes of that file (up to kInitProbeBytes;
// empty if unreadable or not needed). The resolved file's name decides
// where it is unambiguous; a program called "init" is told apart by the
// strings each implementation carries. busybox is an init only when
// invoked as one: it picks its applet from the name it was run by.
InitSystem classify_init(std::string_view invoked, std::string_view resolved, std::string_view content);

struct InitDefaults {
  int halt_signal = 0;         // what `uxc stop` sends without lxc.signal.halt
  int reboot_signal = 0;       // what `uxc stop -r` sends without lxc.signal.reboot
  bool halt_by_runlevel = false;  // sysvinit: ask for runlevel 0 on /run/initctl instead
  uint32_t tty_max = 0;        // ttys when the config does not say (lxc.tty.max)
  bool full_system = false;    // a distribution's init (see above)
};

InitDefaults init_defaults(InitSystem init);

// The request sysvinit reads from /run/initctl (its initreq.h): 384
// bytes, magic 0x03091969, command 1 (runlevel), the runlevel as a
// character. Writes exactly kInitRequestBytes into `out`.
inline constexpr size_t kInitRequestBytes = 384;
void sysvinit_runlevel_request(char runlevel, char (&out)[kInitRequestBytes]);

}  // namespace uxc::policy
