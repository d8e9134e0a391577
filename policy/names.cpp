#include "policy/names.h"

#include <signal.h>
#include <string.h>
#include <sys/capability.h>

#include <algorithm>

#include "policy/text.h"

namespace uxc::policy {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool is_template_digit(char c) { return c == 'x' || c == 'X'; }

bool is_valid_hwaddr_template(std::string_view text) {
  if (text.size() != 17) return false;
  for (size_t i = 0; i < 17; ++i) {
    const char c = text[i];
    if (i % 3 == 2) {
      if (c != ':') return false;
    } else if (!is_hex(c) && !is_template_digit(c)) {
      return false;
    }
  }
  // The first octet's low bit marks a multicast address, which no
  // interface may carry.
  if (is_hex(text[1]) && (hex_value(text[1]) & 1) != 0) return false;
  bool all_zero = true;
  for (size_t i = 0; i < 17; ++i)
    if (i % 3 != 2 && text[i] != '0') all_zero = false;
  return !all_zero;
}

std::string fill_hwaddr_template(std::string_view text, std::span<const uint8_t> random) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(text);
  size_t r = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!is_template_digit(out[i])) continue;
    unsigned nibble = r < random.size() ? random[r] & 0xfu : 0u;
    ++r;
    if (i == 1) nibble &= 0xeu;  // unicast
    out[i] = kDigits[nibble];
  }
  return out;
}

bool parse_signal(std::string_view text, int* out) {
  uint32_t n = 0;
  if (parse_u32(text, &n)) {
    if (n < 1 || n > static_cast<uint32_t>(SIGRTMAX)) return false;
    *out = static_cast<int>(n);
    return true;
  }
  if (text.size() > 16) return false;
  std::string name;
  for (char c : text) name += to_upper(c);
  if (starts_with(name, "SIG")) name.erase(0, 3);
  // glibc names the classic signals; these are the other names kill(1)
  // and LXC accept for three of them.
  if (name == "IOT") name = "ABRT";
  if (name == "IO") name = "POLL";
  if (name == "CLD") name = "CHLD";
  for (int sig = 1; sig < SIGRTMIN; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev != nullptr && name == abbrev) {
      *out = sig;
      return true;
    }
  }
  // SIGRTMIN+N and SIGRTMAX-N, as LXC and kill(1) write them.
  const std::string_view rt = name;
  const bool plus = starts_with(rt, "RTMIN+");
  const bool minus = starts_with(rt, "RTMAX-");
  if (rt == "RTMIN" || rt == "RTMAX" || plus || minus) {
    uint32_t offset = 0;
    if ((plus || minus) && !parse_u32(rt.substr(6), &offset)) return false;
    if (offset > static_cast<uint32_t>(SIGRTMAX - SIGRTMIN)) return false;
    const int base = starts_with(rt, "RTMIN") ? SIGRTMIN : SIGRTMAX;
    *out = minus ? base - static_cast<int>(offset) : base + static_cast<int>(offset);
    return true;
  }
  return false;
}

std::string signal_name(int signal) {
  if (signal >= SIGRTMIN && signal <= SIGRTMAX)
    return signal == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(signal - SIGRTMIN);
  const char* abbrev = signal > 0 ? sigabbrev_np(signal) : nullptr;
  return abbrev == nullptr ? std::string() : "SIG" + std::string(abbrev);
}

bool parse_capability(std::string_view text, int* out) {
  uint32_t number = 0;
  if (parse_u32(text, &number)) {
    if (number > 63) return false;
    *out = static_cast<int>(number);
    return true;
  }
  if (text.empty() || text.size() > 40) return false;
  std::string name;
  for (char c : text) name += to_lower(c);
  if (!starts_with(name, "cap_")) name.insert(0, "cap_");
  if (!std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }))
    return false;
  cap_value_t value = 0;
  if (cap_from_name(name.c_str(), &value) != 0) return false;
  // libcap reads a name up to the first byte that cannot continue it;
  // only the exact name counts.
  char* back = cap_to_name(value);
  const bool exact = back != nullptr && name == back;
  cap_free(back);
  if (!exact) return false;
  *out = value;
  return true;
}

std::string capability_name(int capability) {
  char* name = cap_to_name(static_cast<cap_value_t>(capability));
  if (name == nullptr) return std::to_string(capability);
  std::string out(name);
  cap_free(name);
  if (starts_with(out, "cap_")) out.erase(0, 4);
  return out;
}

bool is_valid_hostname(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '-' || name.front() == '.')
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.';
  });
}

std::string container_name_problem(std::string_view name) {
  if (name.empty()) return "a name must not be empty";
  if (name.size() > 64) return "a name has at most 64 bytes";
  if (name.front() == '.') return "a name must not start with '.'";
  for (char c : name) {
    if (c == '/') return "a name must not hold '/' (it is one directory)";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "a name must not hold control characters";
    if (static_cast<unsigned char>(c) >= 0x80)
      return "a name must be printable ASCII (its config, which holds its paths, is)";
  }
  return "";
}

bool is_valid_container_name(std::string_view name) { return container_name_problem(name).empty(); }

std::string hostname_for_container(std::string_view name, std::string* changed) {
  if (changed != nullptr) changed->clear();
  if (is_valid_hostname(name)) return std::string(name);
  std::string host, dropped;
  bool gap = false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (ok) {
      if (gap && !host.empty()) host += '-';
      gap = false;
      host += c;
    } else {
      gap = true;
      const std::string shown = static_cast<unsigned char>(c) >= 0x80 ? "non-ASCII letters" : "'" + std::string(1, c) + "'";
      if (dropped.find(shown) == std::string::npos) dropped += (dropped.empty() ? "" : ", ") + shown;
    }
  }
  while (!host.empty() && (host.front() == '-' || host.front() == '.')) {
    if (dropped.find("a leading") == std::string::npos) dropped += (dropped.empty() ? "" : ", ") + std::string("a leading '") + host.front() + "'";
    host.erase(0, 1);
  }
  if (host.size() > 64) {
    host.resize(64);
    dropped += (dropped.empty() ? "" : ", ") + std::string("more than 64 bytes");
  }
  while (!host.empty() && host.back() == '-') host.pop_back();
  if (!is_valid_hostname(host)) host.clear();
  if (changed != nullptr) *changed = dropped;
  return host;
}

}  // namespace uxc::policy
