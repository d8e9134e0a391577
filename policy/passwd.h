// passwd(5) lines, as bytes: `uxc attach` reads the container's
// /etc/passwd for root's home and shell without loading the container's
// NSS modules into a host process. The file is the container's, so the
// parser takes what it can prove and is fuzzed (security/fuzz/proc_fuzz.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace uxc::policy {

// NAME:PASSWORD:UID:GID:GECOS:HOME:SHELL, exactly seven fields.
struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string gecos;
  std::string home;
  std::string shell;
};
[[nodiscard]] bool parse_passwd_line(std::string_view line, PasswdEntry* out, std::string* why);

// The home and shell of the first line of `text` for `uid` (the passwd
// file's own rule: the first entry wins). Lines that do not parse are
// skipped, as the C library does. A field that is not an absolute path
// of printable bytes (an empty shell, say) keeps the default given in
// *home or *shell. False when no line is for `uid`.
bool passwd_home_and_shell(std::string_view text, uint32_t uid, std::string* home, std::string* shell);

}  // namespace uxc::policy
