// libFuzzer harness for uxc's settings files (policy/settings.h), read
// with inih: the user's uxc.conf and the administrator's, which the
// setuid uxc-idmap is to read.
//
// Input: one file's text; both parsers read it.
//
// Properties beyond "no crash":
// - a file that parses holds no NUL and no CR, and no line longer than
//   kMaxSettingsLineBytes;
// - every error names the file, and a line that exists (or none);
// - a failed parse leaves the settings untouched;
// - an administrator's file that parses sets setgroups to deny only if it
//   says "deny".
#include "policy/settings.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "policy/text.h"

namespace {

using namespace uxc::policy;

void check_error(std::string_view text, const std::string& error, std::string_view file) {
  if (error.rfind(std::string(file) + ":", 0) != 0) std::abort();
  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  uint32_t line = 0;
  const std::string_view rest = std::string_view(error).substr(file.size() + 1);
  const size_t colon = rest.find(':');
  if (colon != std::string_view::npos && parse_u32(rest.substr(0, colon), &line) && (line == 0 || line > lines))
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  UserSettings user;
  user.log_level = "untouched";
  std::string error;
  const bool user_ok = parse_user_settings(text, "u.conf", &user, &error);
  if (!user_ok) {
    check_error(text, error, "u.conf");
    if (user.log_level != "untouched") std::abort();
  }
  AdminSettings admin;
  const bool admin_ok = parse_admin_settings(text, "a.conf", &admin, &error);
  if (!admin_ok) {
    check_error(text, error, "a.conf");
    if (admin.setgroups != SetgroupsPolicy::kAuto) std::abort();
  } else if (admin.setgroups == SetgroupsPolicy::kDeny && text.find("deny") == std::string_view::npos) {
    std::abort();
  }
  if (user_ok || admin_ok) {
    if (text.find('\0') != std::string_view::npos || text.find('\r') != std::string_view::npos) std::abort();
    size_t start = 0;
    while (start <= text.size()) {
      const size_t end = std::min(text.find('\n', start), text.size());
      if (end - start > kMaxSettingsLineBytes) std::abort();
      start = end + 1;
    }
  }
  return 0;
}
