#include "policy/proc.h"

#include <algorithm>

#include "policy/text.h"

namespace uxc::policy {

namespace {

// The file's one line, without its newline; false for more than one.
bool single_line(std::string_view text, std::string_view* line) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.find('\n') != std::string_view::npos) return false;
  *line = text;
  return true;
}

}  // namespace

bool parse_proc_cgroup_line(std::string_view line, ProcCgroup* out, std::string* why) {
  const size_t c1 = line.find(':');
  const size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
  if (c2 == std::string_view::npos) {
    *why = "expected ID:CONTROLLERS:PATH";
    return false;
  }
  ProcCgroup c;
  if (!parse_u32(line.substr(0, c1), &c.id)) {
    *why = "the hierarchy ID must be a decimal number";
    return false;
  }
  const std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
  c.path = std::string(line.substr(c2 + 1));
  if (c.path.empty() || c.path.front() != '/') {
    *why = "the cgroup path must be absolute";
    return false;
  }
  if (c.path.find('\0') != std::string::npos) {
    *why = "NUL byte in the path";
    return false;
  }
  if (controllers.empty()) {
    if (c.id != 0) {
      *why = "a hierarchy without controllers must be the v2 one, ID 0";
      return false;
    }
    c.version = 2;
  } else {
    size_t start = 0;
    while (start <= controllers.size()) {
      const size_t end = std::min(controllers.find(',', start), controllers.size());
      const std::string_view name = controllers.substr(start, end - start);
      const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
               ch == '=' || ch == '.' || ch == '-';
      });
      if (!ok) {
        *why = "'" + std::string(controllers) + "' is not a list of controllers";
        return false;
      }
      c.controllers.emplace_back(name);
      start = end + 1;
    }
    std::sort(c.controllers.begin(), c.controllers.end());
  }
  *out = std::move(c);
  return true;
}

namespace {

// The value of the one line "FIELD:\tVALUE" of a status file, blanks
// trimmed; false when there is no such line or more than one.
bool status_field(std::string_view status, std::string_view field, std::string_view* value) {
  bool found = false;
  size_t start = 0;
  while (start < status.size()) {
    const size_t end = std::min(status.find('\n', start), status.size());
    const std::string_view line = status.substr(start, end - start);
    start = end + 1;
    if (line.size() <= field.size() || line.substr(0, field.size()) != field || line[field.size()] != ':')
      continue;
    if (found) return false;
    *value = trim_blanks(line.substr(field.size() + 1));
    found = true;
  }
  return found;
}

}  // namespace

bool parse_status_u32(std::string_view status, std::string_view field, uint32_t* out) {
  std::string_view text;
  uint32_t value = 0;
  if (!status_field(status, field, &text) || !parse_u32(text, &value)) return false;
  *out = value;
  return true;
}

bool parse_status_mask(std::string_view status, std::string_view field, uint64_t* out) {
  std::string_view digits;
  if (!status_field(status, field, &digits) || digits.size() != 16) return false;
  uint64_t value = 0;
  for (char c : digits) {
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    value = value << 4 | static_cast<uint64_t>(d);
  }
  *out = value;
  return true;
}

bool parse_value_u64(std::string_view text, uint64_t* out) {
  std::string_view line;
  return single_line(text, &line) && parse_u64(trim_blanks(line), out);
}

bool parse_value_hex32(std::string_view text, uint32_t* out) {
  std::string_view line;
  if (!single_line(text, &line)) return false;
  line = trim_blanks(line);
  if (line.size() < 3 || line.size() > 10 || line.substr(0, 2) != "0x") return false;
  uint32_t v = 0;
  for (char c : line.substr(2)) {
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v * 16 + static_cast<uint32_t>(d);
  }
  *out = v;
  return true;
}

}  // namespace uxc::policy
