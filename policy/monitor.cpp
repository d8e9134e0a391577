#include "policy/monitor.h"

#include <arpa/inet.h>

#include <algorithm>

#include "policy/nic.h"
#include "policy/text.h"

namespace uxc::policy {

namespace {

bool is_printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; });
}

// The text's lines, each printable; a final line needs no '\n'.
bool printable_lines(std::string_view text, size_t max_line, std::vector<Line>* lines, std::string* why) {
  if (!split_lines(text, max_line, lines, why)) return false;
  for (const Line& l : *lines) {
    if (!is_printable_ascii(l.text)) {
      *why = "line " + std::to_string(l.number) + ": not printable ASCII";
      return false;
    }
  }
  return true;
}

bool is_address(std::string_view text, int family) {
  if (text.size() >= INET6_ADDRSTRLEN) return false;
  const std::string addr(text);
  unsigned char buf[16];
  return inet_pton(family, addr.c_str(), buf) == 1;
}

}  // namespace

bool parse_monitor_request(std::string_view text, MonitorRequest* out, std::string* why) {
  if (text.size() > kMaxMonitorRequestBytes) {
    *why = "longer than " + std::to_string(kMaxMonitorRequestBytes) + " bytes";
    return false;
  }
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!is_printable_ascii(text)) {
    *why = "not one line of printable ASCII";
    return false;
  }
  const auto w = split_fields(text);
  MonitorRequest r;
  if (w.size() == 1 && w[0] == "info") {
    r.op = MonitorOp::kInfo;
  } else if (w.size() == 1 && w[0] == "kill") {
    r.op = MonitorOp::kKill;
  } else if (w.size() == 2 && w[0] == "stop") {
    r.op = MonitorOp::kStop;
    if (!parse_u32(w[1], &r.seconds)) {
      *why = "stop takes a number of seconds";
      return false;
    }
  } else if (w.size() == 2 && w[0] == "halt") {
    r.op = MonitorOp::kHalt;
    if (!parse_u32(w[1], &r.seconds)) {
      *why = "halt takes a number of seconds";
      return false;
    }
  } else if (w.size() == 2 && w[0] == "reboot") {
    r.op = MonitorOp::kReboot;
    if (!parse_u32(w[1], &r.seconds)) {
      *why = "reboot takes a number of seconds";
      return false;
    }
  } else if (w.size() == 2 && w[0] == "console") {
    r.op = MonitorOp::kConsole;
    if (!parse_u32(w[1], &r.tty)) {
      *why = "console takes a tty number";
      return false;
    }
  } else {
    *why = "unknown request";
    return false;
  }
  *out = r;
  return true;
}

std::string format_monitor_request(const MonitorRequest& r) {
  switch (r.op) {
    case MonitorOp::kInfo: return "info";
    case MonitorOp::kKill: return "kill";
    case MonitorOp::kStop: return "stop " + std::to_string(r.seconds);
    case MonitorOp::kHalt: return "halt " + std::to_string(r.seconds);
    case MonitorOp::kReboot: return "reboot " + std::to_string(r.seconds);
    case MonitorOp::kConsole: return "console " + std::to_string(r.tty);
  }
  return "";
}

bool parse_info_answer(std::string_view text, MonitorAddresses* out, std::string* why) {
  std::vector<Line> lines;
  if (!printable_lines(text, 256, &lines, why)) return false;
  MonitorAddresses a;
  for (const Line& l : lines) {
    const auto f = split_fields(l.text);
    const bool v4 = f.size() == 2 && f[0] == "ipv4" && is_address(f[1], AF_INET);
    const bool v6 = f.size() == 2 && f[0] == "ipv6" && is_address(f[1], AF_INET6);
    if (!v4 && !v6) {
      *why = "line " + std::to_string(l.number) + ": expected 'ipv4 ADDRESS' or 'ipv6 ADDRESS'";
      return false;
    }
    (v4 ? a.ipv4 : a.ipv6).emplace_back(f[1]);
  }
  *out = std::move(a);
  return true;
}

std::string format_info_answer(const MonitorAddresses& a) {
  std::string out;
  for (const auto& addr : a.ipv4) out += "ipv4 " + addr + "\n";
  for (const auto& addr : a.ipv6) out += "ipv6 " + addr + "\n";
  return out;
}

bool parse_state_file(std::string_view text, MonitorState* out, std::string* why) {
  std::vector<Line> lines;
  if (!printable_lines(text, 256, &lines, why)) return false;
  MonitorState s;
  for (const Line& l : lines) {
    const auto f = split_fields(l.text);
    const std::string at = "line " + std::to_string(l.number) + ": ";
    if (f.size() == 2 && (f[0] == "monitor" || f[0] == "init")) {
      uint32_t& pid = f[0] == "monitor" ? s.monitor_pid : s.init_pid;
      if (pid != 0) {
        *why = at + std::string(f[0]) + " twice";
        return false;
      }
      if (!parse_u32(f[1], &pid) || pid == 0) {
        *why = at + "a pid must be a non-zero decimal number";
        return false;
      }
    } else if (f.size() == 2 && f[0] == "link" && is_valid_ifname(f[1])) {
      s.host_links.emplace_back(f[1]);
    } else {
      *why = at + "expected 'monitor PID', 'init PID' or 'link IFNAME'";
      return false;
    }
  }
  *out = std::move(s);
  return true;
}

std::string format_state_file(const MonitorState& s) {
  std::string text;
  if (s.monitor_pid != 0) text += "monitor " + std::to_string(s.monitor_pid) + "\n";
  if (s.init_pid != 0) text += "init " + std::to_string(s.init_pid) + "\n";
  for (const auto& l : s.host_links) text += "link " + l + "\n";
  return text;
}

}  // namespace uxc::policy
