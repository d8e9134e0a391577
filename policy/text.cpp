#include "policy/text.h"

#include <cstdio>
#include <limits>

namespace uxc::policy {

namespace {

bool parse_decimal(std::string_view text, uint64_t max, uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  if (text.size() > 1 && text[0] == '0') return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool parse_u32(std::string_view text, uint32_t* out) {
  uint64_t value = 0;
  if (!parse_decimal(text, std::numeric_limits<uint32_t>::max(), &value))
    return false;
  *out = static_cast<uint32_t>(value);
  return true;
}

bool parse_u64(std::string_view text, uint64_t* out) {
  return parse_decimal(text, std::numeric_limits<uint64_t>::max(), out);
}

bool split_lines(std::string_view text, size_t max_line_bytes,
                 std::vector<Line>* lines, std::string* err) {
  lines->clear();
  size_t number = 0;
  size_t start = 0;
  while (start < text.size()) {
    ++number;
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    if (line.find('\0') != std::string_view::npos) {
      *err = "line " + std::to_string(number) + ": NUL byte";
      return false;
    }
    if (line.size() > max_line_bytes) {
      *err = "line " + std::to_string(number) + ": longer than " +
             std::to_string(max_line_bytes) + " bytes";
      return false;
    }
    lines->push_back(Line{number, line});
    start = end + 1;
  }
  return true;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    const size_t begin = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > begin) fields.push_back(line.substr(begin, i - begin));
  }
  return fields;
}

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

bool is_blank_or_comment(std::string_view line) {
  const std::string_view t = trim_blanks(line);
  return t.empty() || t.front() == '#';
}

bool is_valid_account_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9');
    if (alnum || c == '_' || c == '.') continue;
    if (c == '-' && i > 0) continue;
    if (c == '$' && i == name.size() - 1 && i > 0) continue;
    return false;
  }
  return true;
}

std::string quote_arg(std::string_view arg, size_t max_bytes) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < arg.size() && i < max_bytes; ++i) {
    const auto c = static_cast<unsigned char>(arg[i]);
    if (c == '"' || c == '\\') out += '\\';
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  if (arg.size() > max_bytes) out += "...";
  return out + "\"";
}

std::string format_size(uint64_t n, int decimals, std::string_view bytes_word) {
  if (n < 1024) return std::to_string(n) + " " + std::string(bytes_word);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n) / 1024.0;
  int u = 0;
  while (v >= 1024.0 && u < 3) {
    v /= 1024.0;
    ++u;
  }
  char buf[64];
  (void)std::snprintf(buf, sizeof buf, "%.*f %s", decimals < 0 || decimals > 3 ? 1 : decimals, v, units[u]);
  return buf;
}

}  // namespace uxc::policy
