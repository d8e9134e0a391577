// uxc create and uxc destroy: the file work on a container's directory.
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "paths.h"  // generated: UXC_SYSCONFDIR
#include "policy/config.h"
#include "policy/text.h"
#include "user/cli.h"
#include "user/commands.h"
#include "user/container.h"
#include "user/helpers.h"
#include "user/userns.h"
#include "user/util.h"

namespace uxc {

namespace {

const char kInittab[] =
    "::sysinit:/etc/init.d/rcS\n"
    "console::respawn:/sbin/getty -L 115200 console vt100\n"
    // /dev/tty1 exists with the template's lxc.tty.max = 1 (uxc console -t 1).
    "tty1::respawn:/sbin/getty 38400 tty1\n"
    "::ctrlaltdel:/sbin/reboot\n"
    "::shutdown:/bin/sync\n";

// Interfaces with no static IPv4 address from lxc.net.N.ipv4.address get
// one by DHCP; udhcpc stays in the background to renew it.
const char kRcS[] =
    "#!/bin/sh\n"
    "mkdir -p /run /var/run /var/log /tmp\n"
    "for i in $(ip -o link show | sed -n 's/^[0-9]*: \\([^:@]*\\).*/\\1/p'); do\n"
    "  [ \"$i\" = lo ] && continue\n"
    "  ip link set \"$i\" up\n"
    "  if ! ip -4 addr show dev \"$i\" | grep -q ' inet '; then\n"
    "    udhcpc -f -i \"$i\" -s /etc/udhcpc/default.script -x hostname:\"$(hostname)\" >/dev/null 2>&1 &\n"
    "  fi\n"
    "done\n";

const char kDhcpScript[] =
    "#!/bin/sh\n"
    "case \"$1\" in\n"
    "  deconfig)\n"
    "    ip -4 addr flush dev \"$interface\"\n"
    "    ip link set \"$interface\" up ;;\n"
    "  bound|renew)\n"
    "    ip -4 addr flush dev \"$interface\"\n"
    "    ip addr add \"$ip/${mask:-24}\" dev \"$interface\"\n"
    "    if [ -n \"$router\" ]; then\n"
    "      ip route del default dev \"$interface\" 2>/dev/null\n"
    "      for r in $router; do ip route add default via \"$r\" dev \"$interface\"; break; done\n"
    "    fi\n"
    "    : > /etc/resolv.conf\n"
    "    for d in $dns; do echo \"nameserver $d\" >> /etc/resolv.conf; done ;;\n"
    "esac\n"
    "exit 0\n";

void write_new_file(const std::string& path, std::string_view data, mode_t mode) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd.valid() || !write_all(fd.get(), data) || fchmod(fd.get(), mode) != 0)
    throw_errno("cannot write " + path);
}

void make_dir(const std::string& path, mode_t mode) {
  if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) throw_errno("cannot create " + path);
  if (chmod(path.c_str(), mode) != 0) throw_errno("cannot chmod " + path);
}

void copy_file(const std::string& from, const std::string& to, mode_t mode) {
  std::string data;
  if (!read_file(from, &data, 64 << 20)) throw_errno("cannot read " + from);
  write_new_file(to, data, mode);
}

// `busybox --list-full`, read before entering the namespace.
std::vector<std::string> busybox_applets(const std::string& busybox) {
  auto [out_read, out_write] = make_pipe();
  const pid_t pid = fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    dup2(out_write.get(), 1);
    execl(busybox.c_str(), "busybox", "--list-full", static_cast<char*>(nullptr));
    _exit(127);
  }
  out_write.reset();
  std::string text;
  (void)read_all(out_read.get(), &text, 1 << 20);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(busybox + " --list-full failed: install Debian's busybox-static");
  std::vector<std::string> applets;
  std::vector<policy::Line> lines;
  std::string err;
  if (!policy::split_lines(text, 4096, &lines, &err)) throw Error(busybox + ": unexpected applet list");
  for (const auto& l : lines) {
    const std::string_view a = policy::trim_blanks(l.text);
    if (a.empty() || a.find("..") != std::string_view::npos || a.front() == '/') continue;
    applets.emplace_back(a);
  }
  return applets;
}

void build_busybox_rootfs(const std::string& rootfs, const std::string& busybox,
                          const std::vector<std::string>& applets) {
  make_dir(rootfs, 0755);
  for (const char* d : {"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "etc/init.d", "etc/udhcpc", "dev",
                        "proc", "sys", "run", "var", "var/log", "mnt", "home", "lib", "root", "tmp"})
    make_dir(rootfs + "/" + d, 0755);
  make_dir(rootfs + "/root", 0700);
  make_dir(rootfs + "/tmp", 01777);
  copy_file(busybox, rootfs + "/bin/busybox", 0755);
  for (const auto& a : applets) {
    if (a == "bin/busybox") continue;
    const std::string link = rootfs + "/" + a;
    if (symlink("/bin/busybox", link.c_str()) != 0 && errno != EEXIST) throw_errno("cannot create " + link);
  }
  write_new_file(rootfs + "/etc/inittab", kInittab, 0644);
  write_new_file(rootfs + "/etc/init.d/rcS", kRcS, 0755);
  write_new_file(rootfs + "/etc/udhcpc/default.script", kDhcpScript, 0755);
  // No password: as with LXC's templates, a root password is the user's
  // to set from inside.
  write_new_file(rootfs + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
  write_new_file(rootfs + "/etc/shadow", "root:*:0:0:99999:7:::\n", 0600);
  write_new_file(rootfs + "/etc/group", "root:x:0:root\ntty:x:5:\n", 0644);
  write_new_file(rootfs + "/etc/resolv.conf", "", 0644);
  write_new_file(rootfs + "/etc/fstab", "", 0644);
}

void run_program(const std::vector<std::string>& argv) {
  const pid_t pid = fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw Error(join(argv, " ") + " failed");
}

// Files that were the user's own on the host (`own_inside` in the
// namespace) become the container root's.
void give_own_files_to_root(const std::string& rootfs, uid_t own_uid, gid_t own_gid) {
  static uid_t s_uid;
  static gid_t s_gid;
  s_uid = own_uid;
  s_gid = own_gid;
  auto fix = [](const char* path, const struct stat* st, int, FTW*) -> int {
    if (st->st_uid == s_uid || st->st_gid == s_gid) {
      const uid_t u = st->st_uid == s_uid ? 0 : st->st_uid;
      const gid_t g = st->st_gid == s_gid ? 0 : st->st_gid;
      if (lchown(path, u, g) != 0) return -1;
    }
    return 0;
  };
  if (nftw(rootfs.c_str(), fix, 64, FTW_PHYS | FTW_MOUNT) != 0) throw_errno("cannot set owners under " + rootfs);
}

// A directory is copied with its owners (a rootfs already owned by the
// user's subordinate ids keeps them; the user's own files become root's);
// a tarball is unpacked with its numeric owners.
void build_local_rootfs(const std::string& rootfs, const std::string& source, uid_t own_uid, gid_t own_gid) {
  make_dir(rootfs, 0755);
  if (is_directory(source)) {
    run_program({"/bin/cp", "-a", "--", source + "/.", rootfs + "/"});
    give_own_files_to_root(rootfs, own_uid, own_gid);
  } else {
    run_program({"/bin/tar", "-x", "-p", "--numeric-owner", "-f", source, "-C", rootfs});
  }
}

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
       {'t', "template", "TEMPLATE", "busybox or local"},
       {'f', "config", "CONFIG", "start from this file instead of default.conf"}});
  const std::string name = require_name(args, "create");
  if (!args.has('t')) throw Error("-t TEMPLATE is required: use -t busybox, or -t local -- PATH");
  const std::string tmpl = args.get('t');
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
  if (path_exists(dir)) throw Error("container " + name + " already exists (" + dir + ")");

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
    if (errno == EEXIST) throw Error("container " + name + " already exists (" + dir + ")");
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

int cmd_destroy(int argc, char** argv) {
  const auto args = parse_args(argc, argv, "destroy", "-n NAME [-f]",
                               "Remove a stopped container: its config and its rootfs.",
                               {{'n', "name", "NAME", "the container"},
                                {'f', "force", nullptr, "stop it first if it is running"}});
  const std::string name = require_name(args, "destroy");
  const User user = current_user();
  const Paths paths = user_paths(user);
  require_container(paths, name);
  if (read_runtime_state(paths, name).state != RunState::kStopped) {
    if (!args.has('f')) throw Error(name + " is running");
    stop_container(paths, name, 0, true);
  }
  const std::string dir = container_dir(paths, name);
  const std::string rootfs = dir + "/rootfs";
  if (path_exists(rootfs)) {
    policy::Config config;
    std::vector<std::string> errors;
    std::string text;
    (void)read_file(dir + "/config", &text);
    // The id map must be readable to reach the files; a config broken by
    // hand still has its idmap lines, or the user's default ranges apply.
    (void)policy::parse_config(text, "config", &config, &errors, &config_includes());
    if (!errors.empty()) config = policy::Config{};
    run_as_container_root(file_work_idmap(config, user), [&] { remove_tree(rootfs); });
  }
  remove_tree(dir);
  // The runtime directory holds only the idle lock file by now.
  const std::string runtime = container_runtime(paths, name);
  unlink((runtime + "/lock").c_str());
  rmdir(runtime.c_str());
  std::printf("Destroyed container %s\n", name.c_str());
  return 0;
}

}  // namespace uxc
