// uxc config: the paths and settings uxc uses for this user, as
// lxc-config shows LXC's (`uxc config uxc.lxcpath`, or LXC's own name
// `lxc.lxcpath`), all of them as KEY = VALUE lines, or their names (-l).
#include <cstdio>

#include "paths.h"  // generated: UXC_SYSCONFDIR
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/settings.h"
#include "user/common/util.h"
#include "user/host/cgroup.h"
#include "user/host/helpers.h"

namespace uxc {

namespace {

struct Item {
  std::string key;
  std::string lxc_key;  // lxc-config's name for the same, or ""
  std::string value;
};

std::vector<Item> items(const Paths& paths) {
  const std::string mine = paths.config_dir + "/default.conf";
  const std::string system = std::string(UXC_SYSCONFDIR) + "/uxc/default.conf";
  const policy::UserSettings user = load_user_settings(paths);
  const policy::AdminSettings admin = load_admin_settings();
  std::string escape = "^";
  escape += static_cast<char>('a' + user.console_escape - 1);
  std::string server = user.image_server;
  if (!user.image_server_given && !admin.image_server.empty()) server = admin.image_server;
  return {
      {"uxc.lxcpath", "lxc.lxcpath", paths.data_dir},
      {"uxc.default_config", "lxc.default_config", path_exists(mine) ? mine : path_exists(system) ? system : "none"},
      {"uxc.config_dir", "", paths.config_dir},
      {"uxc.runtime_dir", "", is_directory(paths.runtime_dir) ? paths.runtime_dir : "none yet (made at the first start)"},
      {"uxc.settings", "", user_settings_path(paths)},
      {"uxc.admin_settings", "", admin_settings_path()},
      {"uxc.helper.idmap", "", helper_path("uxc-idmap")},
      {"uxc.helper.nic", "", helper_path("uxc-nic")},
      {"uxc.subuid", "", std::string(UXC_SYSCONFDIR) + "/subuid"},
      {"uxc.subgid", "", std::string(UXC_SYSCONFDIR) + "/subgid"},
      {"uxc.usernet", "", std::string(UXC_SYSCONFDIR) + "/uxc/usernet"},
      {"uxc.cgroup", "lxc.cgroup.use", describe_cgroup_delegation().summary},
      {"create.template", "", user.default_template.empty() ? "none (-t is required)" : user.default_template},
      {"images.server", "", server},
      {"console.escape", "", escape},
      {"log.level", "", user.log_level},
  };
}

}  // namespace

int cmd_config(int argc, char** argv) {
  auto args = parse_args(argc, argv, "config", "[-l | KEY]",
                         "Show the paths and settings uxc uses for you, as lxc-config shows LXC's: every\n"
                         "KEY = VALUE, the value of one KEY (uxc's name, or LXC's: lxc.lxcpath,\n"
                         "lxc.default_config), or the keys (-l). The settings come from uxc.conf(5).",
                         {{'l', "list", nullptr, "only the keys"}});
  if (args.rest.size() > 1) throw UsageError("unexpected argument '" + args.rest[1] + "'");
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  const std::vector<Item> all = items(paths);
  if (args.has('l')) {
    if (!args.rest.empty()) throw UsageError("-l and KEY exclude each other");
    for (const Item& i : all) std::printf("%s\n", i.key.c_str());
    return 0;
  }
  if (!args.rest.empty()) {
    for (const Item& i : all)
      if (args.rest[0] == i.key || (!i.lxc_key.empty() && args.rest[0] == i.lxc_key)) {
        std::printf("%s\n", i.value.c_str());
        return 0;
      }
    throw UsageError("unknown key '" + args.rest[0] + "': 'uxc config -l' lists them");
  }
  for (const Item& i : all) std::printf("%s = %s\n", i.key.c_str(), i.value.c_str());
  return 0;
}

}  // namespace uxc
