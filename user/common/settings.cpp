#include "user/common/settings.h"

#include <cerrno>

#include "paths.h"  // generated: UXC_SYSCONFDIR
#include "user/common/util.h"

namespace uxc {

namespace {

// The file's text, or "" when it does not exist.
std::string settings_text(const std::string& path) {
  std::string text;
  if (!read_file(path, &text, policy::kMaxSettingsBytes + 1)) {
    if (errno == ENOENT) return "";
    throw_errno("cannot read " + path);
  }
  return text;
}

}  // namespace

std::string user_settings_path(const Paths& paths) { return paths.config_dir + "/uxc.conf"; }
std::string admin_settings_path() { return std::string(UXC_SYSCONFDIR) + "/uxc/uxc.conf"; }

policy::UserSettings load_user_settings(const Paths& paths) {
  const std::string path = user_settings_path(paths);
  policy::UserSettings settings;
  std::string error;
  if (!policy::parse_user_settings(settings_text(path), path, &settings, &error))
    throw Error(error + " (uxc.conf(5) lists the settings)");
  return settings;
}

policy::AdminSettings load_admin_settings() {
  const std::string path = admin_settings_path();
  policy::AdminSettings settings;
  std::string error;
  if (!policy::parse_admin_settings(settings_text(path), path, &settings, &error))
    throw Error(error + ": ask your administrator to fix the file (uxc.conf(5) lists the settings)");
  return settings;
}

}  // namespace uxc
