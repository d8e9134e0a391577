// The container's first process, from clone() to execve(): everything in
// DESIGN.md's "Start, in order" that happens inside the new namespaces.
#pragma once

#include <sys/ioctl.h>

#include <string>
#include <vector>

#include "policy/config.h"
#include "user/runtime/fdpass.h"

namespace uxc {

struct InitPlan {
  policy::Config config;
  std::string name;                 // the container's name (default host name)
  std::string rootfs;               // absolute host path
  std::vector<std::string> command; // empty: lxc.init.cmd or /sbin/init
  bool execute = false;             // `uxc execute`: the command under a minimal init (execute.h)
  bool plain_output = false;        // no CR before LF (output is not a terminal)
  bool has_console_size = false;    // start -F on a terminal: its size,
  winsize console_size{};           // given to the console before the exec
  int go_fd = -1;                   // parked on (park.h): "g" once the maps exist, "n" once the veths do
  int chan_fd = -1;                 // SOCK_SEQPACKET to the monitor
};

// The most ttys a container gets (lxc.tty.max): the init passes the
// monitor one master each, with the console and a netlink socket.
inline constexpr size_t kMaxTtys = 12;
static_assert(2 + kMaxTtys <= kMaxPassedFds);

// Never returns. Reports "fds" (with the console master, a netlink
// socket of the container's network namespace and the masters of
// /dev/tty1..N for lxc.tty.max) once /dev is ready, then
// "error MESSAGE" if anything fails; a successful execve closes chan_fd.
[[noreturn]] void container_init(const InitPlan& plan);

}  // namespace uxc
