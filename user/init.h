// The container's first process, from clone() to execve(): everything in
// DESIGN.md's "Start, in order" that happens inside the new namespaces.
#pragma once

#include <sys/ioctl.h>

#include <string>
#include <vector>

#include "policy/config.h"

namespace uxc {

struct InitPlan {
  policy::Config config;
  std::string name;                 // the container's name (default host name)
  std::string rootfs;               // absolute host path
  std::vector<std::string> command; // empty: lxc.init.cmd or /sbin/init
  bool plain_output = false;        // no CR before LF (output is not a terminal)
  bool has_console_size = false;    // start -F on a terminal: its size,
  winsize console_size{};           // given to the console before the exec
  int go_fd = -1;                   // read end: "g" once the maps exist, "n" once the veths do
  int chan_fd = -1;                 // SOCK_SEQPACKET to the monitor
};

// The most fds one message carries: console, netlink and the ttys.
inline constexpr size_t kMaxTtys = 12;
inline constexpr size_t kMaxPassedFds = 2 + kMaxTtys;

// Never returns. Reports "fds" (with the console master, a netlink
// socket of the container's network namespace and the masters of
// /dev/tty1..N for lxc.tty.max) once /dev is ready, then
// "error MESSAGE" if anything fails; a successful execve closes chan_fd.
[[noreturn]] void container_init(const InitPlan& plan);

// lxc.cap.drop and lxc.cap.keep: removes the capabilities from the
// bounding and inheritable sets (and clears the ambient set). Shared by
// the container's init and `uxc attach`.
void drop_capabilities(const policy::Config& config);

// Monitor side of the fd passing.
bool send_fds(int sock, std::string_view message, const std::vector<int>& fds);
// Returns the message (empty on EOF); fills *fds with what came along.
std::string recv_message(int sock, std::vector<int>* fds);

}  // namespace uxc
