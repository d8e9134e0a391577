#include "policy/passwd.h"

#include <algorithm>
#include <vector>

#include "policy/text.h"

namespace uxc::policy {

namespace {

bool is_usable_path(std::string_view path) {
  return !path.empty() && path.front() == '/' && path.size() <= 4096 &&
         std::all_of(path.begin(), path.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

bool parse_passwd_line(std::string_view line, PasswdEntry* out, std::string* why) {
  std::vector<std::string_view> f;
  size_t start = 0;
  for (;;) {
    const size_t colon = line.find(':', start);
    f.push_back(line.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (f.size() != 7) {
    *why = "expected 7 fields separated by ':', got " + std::to_string(f.size());
    return false;
  }
  if (line.find('\0') != std::string_view::npos || line.find('\n') != std::string_view::npos) {
    *why = "NUL or newline in a line";
    return false;
  }
  PasswdEntry e;
  if (f[0].empty()) {
    *why = "empty user name";
    return false;
  }
  if (!parse_u32(f[2], &e.uid) || !parse_u32(f[3], &e.gid)) {
    *why = "UID and GID must be decimal numbers";
    return false;
  }
  e.name = std::string(f[0]);
  e.gecos = std::string(f[4]);
  e.home = std::string(f[5]);
  e.shell = std::string(f[6]);
  *out = std::move(e);
  return true;
}

bool passwd_home_and_shell(std::string_view text, uint32_t uid, std::string* home, std::string* shell) {
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    PasswdEntry e;
    std::string why;
    if (!parse_passwd_line(line, &e, &why) || e.uid != uid) continue;
    if (is_usable_path(e.home)) *home = e.home;
    if (is_usable_path(e.shell)) *shell = e.shell;
    return true;
  }
  return false;
}

}  // namespace uxc::policy
