// The monitor: one small process per running container. It owns the
// console pty, answers `info` and `stop` on a unix socket in the runtime
// directory (0700, and the peer's uid is checked), reaps the container's
// init and cleans up.
//
// Socket requests, one line each:
//   info            -> "ipv4 ADDR" / "ipv6 ADDR" lines, then EOF
//   stop SECONDS    -> halt signal, SIGKILL after SECONDS; "stopped" once reaped
//   kill            -> SIGKILL at once; "stopped" once reaped
//   console TTY     -> "ok" with the console pty's master attached
//                      (SCM_RIGHTS), or "error WHY"; the monitor then
//                      leaves that pty to this client until the
//                      connection closes. TTY 0 is the console, 1..N
//                      /dev/ttyN (lxc.tty.max); one client per pty.
#pragma once

#include <string>

#include "user/util.h"

namespace uxc {

Fd monitor_connect(const std::string& socket_path);

std::string monitor_request(const std::string& socket_path, const std::string& request, int timeout_seconds);

}  // namespace uxc
