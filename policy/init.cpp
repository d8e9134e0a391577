#include "policy/init.h"

#include <signal.h>

#include <cstring>

namespace uxc::policy {

namespace {

std::string_view base_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

const char* init_system_name(InitSystem init) {
  switch (init) {
    case InitSystem::kSystemd: return "systemd";
    case InitSystem::kSysvinit: return "sysvinit";
    case InitSystem::kOpenrc: return "OpenRC";
    case InitSystem::kBusybox: return "busybox";
    case InitSystem::kOther: break;
  }
  return "other";
}

InitSystem classify_init(std::string_view invoked, std::string_view resolved, std::string_view content) {
  const std::string_view name = base_name(resolved);
  const std::string_view applet = base_name(invoked);
  if (name == "systemd") return InitSystem::kSystemd;
  if (name == "openrc-init") return InitSystem::kOpenrc;
  // busybox, by its own name or a hard link (a copy) under another one.
  if (name == "busybox" || contains(content, "BusyBox v"))
    return applet == "init" || applet == "linuxrc" ? InitSystem::kBusybox : InitSystem::kOther;
  // sysvinit puts INIT_VERSION=sysvinit-N in its children's environment.
  if (name == "init" && contains(content, "INIT_VERSION=sysvinit")) return InitSystem::kSysvinit;
  return InitSystem::kOther;
}

InitDefaults init_defaults(InitSystem init) {
  InitDefaults d;
  switch (init) {
    case InitSystem::kSystemd:
      // systemd(1): SIGRTMIN+3 starts halt.target; SIGINT is
      // ctrl-alt-del.target, a reboot.
      d.halt_signal = SIGRTMIN + 3;
      d.reboot_signal = SIGINT;
      d.tty_max = 4;
      d.full_system = true;
      break;
    case InitSystem::kSysvinit:
      // SIGPWR runs inittab's powerwait entries, which Debian points at an
      // /etc/init.d/powerfail it no longer ships: runlevel 0 through
      // /run/initctl (what `telinit 0` does) is the halt that works on an
      // unmodified inittab. SIGINT runs its ctrlaltdel entry (shutdown -r).
      d.halt_signal = SIGPWR;
      d.halt_by_runlevel = true;
      d.reboot_signal = SIGINT;
      d.tty_max = 4;
      d.full_system = true;
      break;
    case InitSystem::kOpenrc:
      d.halt_signal = SIGPWR;
      d.reboot_signal = SIGINT;
      d.tty_max = 4;
      d.full_system = true;
      break;
    case InitSystem::kBusybox:
      // busybox init: SIGUSR1 halt, SIGUSR2 poweroff, SIGTERM reboot.
      d.halt_signal = SIGUSR1;
      d.reboot_signal = SIGTERM;
      break;
    case InitSystem::kOther:
      // LXC's defaults.
      d.halt_signal = SIGPWR;
      d.reboot_signal = SIGINT;
      break;
  }
  return d;
}

void sysvinit_runlevel_request(char runlevel, char (&out)[kInitRequestBytes]) {
  std::memset(out, 0, sizeof out);
  // struct init_request { int magic; int cmd; int runlevel; int sleeptime; ... }
  const int fields[4] = {0x03091969, 1, runlevel, 0};
  std::memcpy(out, fields, sizeof fields);
}

}  // namespace uxc::policy
