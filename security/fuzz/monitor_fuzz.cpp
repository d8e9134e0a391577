// libFuzzer harness for what a container's monitor reads and writes
// (policy/monitor.h): socket requests, the `info` answer and the state
// file.
//
// Input: REQUEST 0xff INFO-ANSWER 0xff STATE-FILE.
//
// Properties beyond "no crash":
// - an accepted request is one line of at most kMaxMonitorRequestBytes,
//   and formatting it gives a request that reads back the same;
// - an accepted info answer or state file formats to text that reads
//   back the same, and a state file's pids are non-zero;
// - a refusal always says why.
#include "policy/monitor.h"

#include <cstdlib>
#include <string>

#include "security/fuzz/fuzz_input.h"

namespace {

using namespace uxc::policy;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = uxc::fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size), 3);
  std::string why;
  MonitorRequest r;
  if (parse_monitor_request(parts[0], &r, &why)) {
    std::string_view text = parts[0];
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (parts[0].size() > kMaxMonitorRequestBytes || text.find('\n') != std::string_view::npos) std::abort();
    MonitorRequest back;
    if (!parse_monitor_request(format_monitor_request(r), &back, &why) || back.op != r.op ||
        back.seconds != r.seconds || back.tty != r.tty)
      std::abort();
  } else if (why.empty()) {
    std::abort();
  }
  MonitorAddresses a;
  if (parse_info_answer(parts[1], &a, &why)) {
    MonitorAddresses back;
    if (!parse_info_answer(format_info_answer(a), &back, &why) || back.ipv4 != a.ipv4 || back.ipv6 != a.ipv6)
      std::abort();
  } else if (why.empty()) {
    std::abort();
  }
  MonitorState s;
  if (parse_state_file(parts[2], &s, &why)) {
    MonitorState back;
    if (!parse_state_file(format_state_file(s), &back, &why) || back.monitor_pid != s.monitor_pid ||
        back.init_pid != s.init_pid || back.host_links != s.host_links)
      std::abort();
  } else if (why.empty()) {
    std::abort();
  }
  return 0;
}
