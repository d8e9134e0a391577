// uxc create: a new container's config, from default.conf and the
// template, and its rootfs (storage/rootfs.h), written as the
// container's root.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "paths.h"  // generated: UXC_SYSCONFDIR
#include "policy/config.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/settings.h"
#include "user/common/util.h"
#include "user/host/helpers.h"
#include "user/host/userns.h"
#include "user/storage/container.h"
#include "user/storage/rootfs.h"
#include "user/storage/store.h"

namespace uxc {

namespace {

std::string default_config_text(const Paths& paths, const std::string& override_path, std::string* source) {
  std::string text;
  const std::vector<std::string> candidates =
      override_path.empty()
          ? std::vector<std::string>{paths.config_dir + "/default.conf", std::string(UXC_SYSCONFDIR) + "/uxc/default.conf"}
          : std::vector<std::string>{override_path};
  for (const auto& c : candidates) {
    if (read_file(c, &text, policy::kMaxConfigBytes + 1)) {
      *source = c;
      return text;
    }
    if (errno != ENOENT || !override_path.empty()) throw_errno("cannot read " + c);
  }
  *source = "(built-in defaults)";
  return "";
}

}  // namespace

int cmd_create(int argc, char** argv) {
  const auto args = parse_args(
      argc, argv, "create", "-n NAME -t TEMPLATE [-f CONFIG] [-- TEMPLATE-ARGS]",
      "Create a container from a template. Templates:\n"
      "  busybox   a small system from Debian's busybox-static: init, getty on the\n"
      "            console, DHCP on interfaces without a static address\n"
      "  local     a root filesystem from a tarball or directory: -- PATH\n"
      "The new config starts from ~/.config/uxc/default.conf (or -f CONFIG), with each\n"
      "'xx' of an hwaddr template replaced by random hex digits.",
      {{'n', "name", "NAME", "name of the new container"},
       {'t', "template", "TEMPLATE", "busybox or local (default: uxc.conf's [create] template)"},
       {'f', "config", "CONFIG", "start from this file instead of default.conf"}});
  const std::string name = require_name(args, "create");
  const std::string tmpl = args.has('t') ? args.get('t') : load_user_settings(user_paths(current_user())).default_template;
  if (tmpl.empty()) throw Error("-t TEMPLATE is required: use -t busybox, or -t local -- PATH");
  if (tmpl != "busybox" && tmpl != "local")
    throw Error("unknown template '" + tmpl + "': use busybox, or local -- PATH");
  std::string local_source;
  if (tmpl == "local") {
    if (args.rest.size() != 1) throw Error("-t local needs the rootfs as one argument: uxc create -n NAME -t local -- PATH");
    local_source = args.rest[0];
    if (!path_exists(local_source)) throw Error(local_source + " does not exist");
    if (local_source[0] != '/') {
      char cwd[4096];
      if (getcwd(cwd, sizeof cwd) == nullptr) throw_errno("getcwd");
      local_source = std::string(cwd) + "/" + local_source;
    }
  } else if (!args.rest.empty()) {
    throw Error("the busybox template takes no arguments");
  }
  const std::string busybox = "/bin/busybox";
  if (tmpl == "busybox" && access(busybox.c_str(), X_OK) != 0)
    throw Error(busybox + " not found: ask your administrator to install busybox-static");

  const User user = current_user();
  const Paths paths = user_paths(user);
  const std::string dir = container_dir(paths, name);
  if (path_exists(dir)) throw Error(name_taken_message(paths, name));

  std::string source;
  const std::string defaults = default_config_text(paths, args.get('f'), &source);
  {
    policy::Config check;
    std::vector<std::string> errors;
    if (!policy::parse_config(defaults, source, &check, &errors, &config_includes()))
      throw Error("bad configuration, fix these lines:\n  " + join(errors, "\n  "));
  }
  const std::string rootfs = dir + "/rootfs";
  std::string text = "# Container " + name + ", created by 'uxc create -t " + tmpl + "' from " + source + "\n";
  text += "lxc.rootfs.path = dir:" + rootfs + "\n";
  text += "lxc.uts.name = " + name + "\n";
  if (tmpl == "busybox") text += "# busybox's init halts on SIGUSR1\nlxc.signal.halt = SIGUSR1\nlxc.tty.max = 1\n";
  text += "\n" + policy::instantiate_hwaddrs(defaults, random_bytes(12 * 64));

  // Parse the result as start will, and check the id map before any file
  // is written.
  policy::Config config;
  std::vector<std::string> errors;
  if (!policy::parse_config(text, source, &config, &errors, &config_includes()) || !policy::validate_config(config, source, &errors))
    throw Error("bad configuration, fix these lines:\n  " + join(errors, "\n  "));
  const policy::IdmapRequest maps = file_work_idmap(config, user);
  const std::vector<std::string> applets = tmpl == "busybox" ? busybox_applets(busybox) : std::vector<std::string>{};

  make_dirs(paths.data_dir, 0755);
  if (mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST) throw Error(name_taken_message(paths, name));
    throw_errno("cannot create " + dir);
  }
  // From here on a failure removes everything created.
  Defer undo([&] {
    try {
      if (path_exists(rootfs)) run_as_container_root(maps, [&] { remove_tree(rootfs); });
    } catch (const Error&) {
    }
    unlink((dir + "/config").c_str());
    rmdir(dir.c_str());
  });
  write_file_atomic(dir + "/config", text, 0644);
  run_as_container_root(maps, [&] {
    if (tmpl == "busybox") build_busybox_rootfs(rootfs, busybox, applets);
    else build_local_rootfs(rootfs, local_source, maps.uid_map.back().inside, maps.gid_map.back().inside);
  });
  undo.dismiss();
  std::printf("Created container %s\n", name.c_str());
  return 0;
}

}  // namespace uxc
