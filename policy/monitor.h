// What a container's monitor reads and writes, as bytes: the requests on
// its socket, its answer to `info`, and the state file in the runtime
// directory (user/runtime/monitor.h describes the monitor).
//
// Requests, one line each, words separated by blanks:
//   info              the container's addresses
//   stop SECONDS      halt signal, SIGKILL after SECONDS (0: at once)
//   halt SECONDS      halt signal, never SIGKILL; an init not listening
//                     yet is asked again for up to SECONDS (0: as long as
//                     it runs)
//   reboot SECONDS    reboot signal, SIGKILL after SECONDS; started again
//   kill              SIGKILL at once (lxc.signal.stop where set)
//   console TTY       the console (0) or /dev/ttyTTY's pty master
// Only the user's own processes reach the socket (0700 directory, peer uid
// checked), but the parser is strict and fuzzed all the same
// (security/fuzz/monitor_fuzz.cpp): at most kMaxMonitorRequestBytes, one
// line, printable ASCII, every number decimal.
//
// The `info` answer: "ipv4 ADDR" and "ipv6 ADDR" lines, then EOF.
// The answer to stop, halt, reboot and kill: "accepted" at once (a
// client that does not wait, `stop -W`, leaves there), then "stopped",
// "rebooted" or "error WHY" once it is done; or only "error WHY".
// The state file: "monitor PID", "init PID" and "link IFNAME" lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

inline constexpr size_t kMaxMonitorRequestBytes = 255;

enum class MonitorOp { kInfo, kStop, kKill, kConsole, kReboot, kHalt };

struct MonitorRequest {
  MonitorOp op = MonitorOp::kInfo;
  uint32_t seconds = 0;  // stop, halt, reboot
  uint32_t tty = 0;      // console
};

// One request, with or without its final '\n'.
[[nodiscard]] bool parse_monitor_request(std::string_view text, MonitorRequest* out, std::string* why);
// The line parse_monitor_request reads back, without '\n'.
std::string format_monitor_request(const MonitorRequest& request);

struct MonitorAddresses {
  std::vector<std::string> ipv4;
  std::vector<std::string> ipv6;
};
// Each address must be one inet_pton reads in its family; a line that is
// not one of the two kinds makes the whole answer false.
[[nodiscard]] bool parse_info_answer(std::string_view text, MonitorAddresses* out, std::string* why);
std::string format_info_answer(const MonitorAddresses& addresses);

struct MonitorState {
  uint32_t monitor_pid = 0;  // 0: not (yet) written
  uint32_t init_pid = 0;
  std::vector<std::string> host_links;  // host ends of the veths
};
// Pids are decimal and non-zero, links are interface names; each of
// monitor and init at most once.
[[nodiscard]] bool parse_state_file(std::string_view text, MonitorState* out, std::string* why);
std::string format_state_file(const MonitorState& state);

}  // namespace uxc::policy
