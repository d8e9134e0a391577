// The monitor: one small process per running container. It owns the
// console pty and the ttys for the container's whole life (whatever the
// init does with them), logs the console (lxc.console.logfile), answers
// `info`, `stop` and `console` on a unix socket in the runtime
// directory (0700, and the peer's uid is checked), reaps the container's
// init and cleans up. Its server is monitor.cpp; the clients' side of the
// socket (console, stop, info, ls) is monitor_client.cpp.
//
// Socket requests, one line each:
//   info            -> "ipv4 ADDR" / "ipv6 ADDR" lines, then EOF
//   stop SECONDS    -> halt (runtime/shutdown.h), SIGKILL after SECONDS;
//                      "stopped" once reaped and cleaned up (see below)
//   halt SECONDS    -> halt, never SIGKILL (`stop --nokill`, `-W`): an
//                      init not listening yet is asked again for up to
//                      SECONDS (0: as long as it runs); "stopped" once
//                      it has ended, whenever that is
//   kill            -> SIGKILL at once; "stopped" once reaped
//   reboot SECONDS  -> reboot signal, SIGKILL after SECONDS; the container
//                      is started again, with new namespaces, whatever the
//                      init's end; "rebooted" once it runs again
//   Each of these four is answered "accepted" at once first (`stop -W`
//   returns there), or only "error WHY". A detached monitor may send
//   "stopped" before its veths are gone: then "link IFNAME" lines follow
//   it (the state file's format) and the runtime lock comes along
//   (SCM_RIGHTS). The client holds the lock until those links are gone
//   from the host, removes `sock` and `state` from the runtime directory
//   and closes it: then the container is stopped, for everyone. A
//   "stopped" without the lock means all is gone once this process is.
//   console TTY     -> "ok\n" followed by the pty's last line of output
//                      (a getty's prompt), with the pty's master attached
//                      (SCM_RIGHTS), or "error WHY"; the monitor then
//                      leaves that pty to this client until the
//                      connection closes, and writes "stopped" or
//                      "reboot" on it when the container ends. TTY 0 is
//                      the console, 1..N /dev/ttyN (lxc.tty.max); one
//                      client per pty.
//
// The init's own reboot (reboot(2) in its pid namespace ends it as if by
// SIGHUP) starts the container again too; its halt or power-off (SIGINT)
// stops it.
#pragma once

#include <string>
#include <vector>

#include "user/common/dirs.h"
#include "user/common/util.h"

namespace uxc {

class Log;
struct StartRequest;

// Runs the container as this process (the monitor) until it exits:
// listens on RUNTIME/sock, launches it (launch.h), writes RUNTIME/state,
// then serves. `status_fd` (detached start) gets "ok" once the container
// runs, or the error; -1 in the foreground. `lock_fd` is the runtime
// lock this process holds, which a detached monitor may hand to the
// `uxc stop` that waits for the end (above); it is closed then, and
// *handed_over set: the runtime directory is no longer this process's
// (nothing more to remove there). Returns the init's exit status (128 +
// signal), or 1 if the start failed.
int run_monitor(const StartRequest& req, int status_fd, Log& log, int lock_fd = -1, bool* handed_over = nullptr);

Fd monitor_connect(const std::string& socket_path);

std::string monitor_request(const std::string& socket_path, const std::string& request, int timeout_seconds);

// The running container's addresses ("info"); none if its monitor does
// not answer.
struct Addresses {
  std::vector<std::string> ipv4;
  std::vector<std::string> ipv6;
};
Addresses ask_addresses(const Paths& paths, const std::string& name);

}  // namespace uxc
