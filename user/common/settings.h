// uxc's own settings files (schemas in policy/settings.h and uxc.conf(5)):
// the user's ~/.config/uxc/uxc.conf and the administrator's
// SYSCONFDIR/uxc/uxc.conf. A missing file means every default; one that
// cannot be read or does not parse is an Error naming the file and line.
#pragma once

#include <string>

#include "policy/settings.h"
#include "user/common/dirs.h"

namespace uxc {

std::string user_settings_path(const Paths& paths);
std::string admin_settings_path();

policy::UserSettings load_user_settings(const Paths& paths);
policy::AdminSettings load_admin_settings();

}  // namespace uxc
