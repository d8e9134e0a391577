// uxc check: a doctor for a user's set-up. Each check prints one line,
// and a problem gets a second line with its fix. The exit status is 0
// only when everything the default configuration needs is in place; what
// it merely could use (cgroup delegation without limits in the config)
// is a warning.
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "paths.h"  // generated: UXC_SYSCONFDIR
#include "policy/acl.h"
#include "policy/json.h"
#include "policy/proc.h"
#include "policy/text.h"
#include "policy/usernet.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/settings.h"
#include "user/common/util.h"
#include "user/host/cgroup.h"
#include "user/host/helpers.h"
#include "user/storage/container.h"

namespace uxc {

namespace {

// Each check's result, printed at the end as text or as JSON.
class Report {
 public:
  void ok(const std::string& what) { entries_.push_back({"ok", what, ""}); }
  void fixed(const std::string& what) { entries_.push_back({"fixed", what, ""}); }
  void warn(const std::string& what, const std::string& fix) { entries_.push_back({"warn", what, fix}); }
  void fail(const std::string& what, const std::string& fix) {
    entries_.push_back({"fail", what, fix});
    ++failures;
  }
  // -q: only the problems.
  void print_text() const {
    for (const Entry& e : entries_) {
      if (e.status == "ok") {
        if (!quiet()) std::printf("ok    %s\n", e.what.c_str());
      } else if (e.status == "fixed") {
        std::printf("fixed %s\n", e.what.c_str());
      } else {
        std::printf("%s  %s\n      fix: %s\n", e.status == "fail" ? "FAIL" : "warn", e.what.c_str(), e.fix.c_str());
      }
    }
  }
  // docs/json.md, "uxc check".
  void print_json() const {
    std::string checks;
    for (size_t i = 0; i < entries_.size(); ++i) {
      const Entry& e = entries_[i];
      checks += std::string(i ? "," : "") + "{\"status\":" + policy::json_quote(e.status) +
                ",\"what\":" + policy::json_quote(e.what) +
                ",\"fix\":" + (e.fix.empty() ? std::string("null") : policy::json_quote(e.fix)) + "}";
    }
    std::printf("{\"ok\":%s,\"problems\":%d,\"checks\":[%s]}\n", failures == 0 ? "true" : "false", failures,
                checks.c_str());
  }
  int failures = 0;

 private:
  struct Entry {
    std::string status, what, fix;
  };
  std::vector<Entry> entries_;
};

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

void check_helper(Report& r, const std::string& name, bool needed) {
  const std::string path = helper_path(name);
  struct stat st;
  auto problem = [&](const std::string& what, const std::string& fix) {
    if (needed) r.fail(what, fix);
    else r.warn(what + " (the default configuration does not need it)", fix);
  };
  if (stat(path.c_str(), &st) != 0) {
    problem(name + " is not installed at " + path, "ask your administrator to install uxc: make install (as root)");
    return;
  }
  if (st.st_uid != 0 || (st.st_mode & S_ISUID) == 0 || (st.st_mode & S_IXOTH) == 0) {
    problem(name + " at " + path + " is not setuid root (owner " + std::to_string(st.st_uid) + ", mode " +
                octal_mode(st.st_mode) + ")",
            "ask your administrator to run: chown root:root " + path + " && chmod 4755 " + path);
    return;
  }
  struct statvfs sv;
  if (statvfs(path.c_str(), &sv) == 0 && (sv.f_flag & ST_NOSUID)) {
    problem(name + " at " + path + " is on a filesystem mounted nosuid, so it runs without privilege",
            "ask your administrator to install uxc on a filesystem without nosuid");
    return;
  }
  r.ok(name + ": " + path + " is setuid root");
}

// The default configuration, read as create reads it.
policy::Config default_config(Report& r, const Paths& paths, bool* usable) {
  policy::Config config;
  *usable = true;
  for (const std::string& file : {paths.config_dir + "/default.conf", std::string(UXC_SYSCONFDIR) + "/uxc/default.conf"}) {
    std::string text;
    if (!read_file(file, &text, policy::kMaxConfigBytes + 1)) {
      if (errno == ENOENT) continue;
      r.fail("cannot read " + file + ": " + errno_text(errno), "make the file readable, or remove it");
      *usable = false;
      return config;
    }
    std::vector<std::string> errors;
    if (!policy::parse_config(text, file, &config, &errors, &config_includes()) || !policy::validate_config(config, file, &errors)) {
      r.fail("the default configuration " + file + " has errors: " + join(errors, "; "), "fix these lines");
      *usable = false;
      return config;
    }
    r.ok("default configuration: " + file);
    return config;
  }
  r.ok("default configuration: none (containers get no network and your first subordinate ids)");
  return config;
}

void check_network(Report& r, const policy::Config& config, const User& user) {
  const std::string usernet = std::string(UXC_SYSCONFDIR) + "/uxc/usernet";
  std::vector<std::string> links;
  for (const auto& nic : config.nics)
    if (nic.type == "veth" && std::find(links.begin(), links.end(), nic.link) == links.end()) links.push_back(nic.link);
  if (links.empty()) {
    r.ok("network: the default configuration has no veth, so no usernet line or bridge is needed");
    return;
  }
  std::string text;
  policy::UsernetFile policy_file;
  const bool readable = read_file(usernet, &text, policy::kMaxUsernetFileBytes + 1);
  if (readable) policy_file = policy::parse_usernet_file(text);
  if (readable && !policy_file.ok())
    r.fail(usernet + " is unusable: " + join(policy_file.errors, "; "), "ask your administrator to fix those lines (uxc-admin lint)");
  const auto groups = user_group_names(user);
  for (const auto& link : links) {
    if (readable && policy_file.ok()) {
      const auto d = policy::decide_nic(policy_file, user.name, groups, "veth", link, {});
      if (d.verdict == policy::NicVerdict::kAllow)
        r.ok("usernet: " + user.name + " may put " + std::to_string(d.allowed) + " veth(s) on " + link + " (" + usernet + ")");
      else if (d.verdict == policy::NicVerdict::kQuotaFull)
        r.fail("usernet: the lines of " + usernet + " for " + user.name + " on " + link + " allow 0 veths",
               "ask your administrator to raise the count, e.g. '" + user.name + " veth " + link + " 10'");
      else
        r.fail("usernet: no line of " + usernet + " lets " + user.name + " put a veth on " + link,
               "ask your administrator to add '" + user.name + " veth " + link + " 10' to " + usernet);
    } else if (!readable) {
      r.fail("usernet: cannot read " + usernet + " (" + errno_text(errno) + "), so no veth on " + link + " is allowed",
             "ask your administrator to add '" + user.name + " veth " + link + " 10' to " + usernet);
    }
    const std::string sys = "/sys/class/net/" + link;
    std::string flags_text;
    uint32_t flags = 0;
    if (!is_directory(sys)) {
      r.fail("bridge " + link + " does not exist", "ask your administrator to create it (ip link add " + link +
                                                      " type bridge; ip link set " + link +
                                                      " up; plus an address and DHCP, as lxc-net does), or change lxc.net.N.link");
    } else if (!is_directory(sys + "/bridge")) {
      r.fail(link + " is not a bridge", "use a bridge in lxc.net.N.link (ip -d link show type bridge lists them)");
    } else if (!read_file(sys + "/flags", &flags_text) || !policy::parse_value_hex32(flags_text, &flags) ||
               (flags & IFF_UP) == 0) {
      r.fail("bridge " + link + " is down", "ask your administrator to run: ip link set " + link + " up");
    } else {
      r.ok("bridge " + link + " exists and is up");
    }
  }
}

// Returns -1 when the sysctl does not exist on this kernel.
long read_sysctl(const std::string& name) {
  std::string path = "/proc/sys/" + name;
  std::replace(path.begin() + 10, path.end(), '.', '/');
  std::string text;
  if (!read_file(path, &text, 256)) return -1;
  uint64_t v = 0;
  if (!policy::parse_value_u64(text, &v)) return -1;
  return static_cast<long>(v);
}

// ------------------------------------------------------------- engines
// Which helpers the engines on this PATH would run. RootlessKit (and so
// dockerd-rootless.sh and rootless containerd) and podman look up
// newuidmap and newgidmap on PATH; RootlessKit's --net=lxc-user-nic runs
// --lxc-user-nic-binary, by default LXC's path, not a PATH lookup.
constexpr char kRootlessKitNicDefault[] = "/usr/libexec/lxc/lxc-user-nic";
constexpr char kDebianDockerdRootless[] = "/usr/share/docker.io/contrib/dockerd-rootless.sh";

// The first executable regular file NAME in $PATH's directories, as the
// engines' lookup (Go's exec.LookPath) finds it; "" if none. Empty and
// relative entries are skipped: a doctor does not guess a directory.
std::string find_on_path(const std::string& name) {
  const char* env = std::getenv("PATH");
  const std::string path = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find(':', start), path.size());
    const std::string dir = path.substr(start, end - start);
    start = end + 1;
    if (dir.empty() || dir.front() != '/') continue;
    const std::string candidate = dir + "/" + name;
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return {};
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return !a.empty() && stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

// "PATH (uxc-idmap)", "PATH (not uxc's)" or "not found".
std::string whose(const std::string& path, const std::string& helper, const std::string& helper_name) {
  if (path.empty()) return "not found";
  return path + (same_file(path, helper) ? " (" + helper_name + ")" : " (not uxc's)");
}

void check_engines(Report& r) {
  const std::string idmap = helper_path("uxc-idmap"), nic = helper_path("uxc-nic");
  const std::string uidmap = find_on_path("newuidmap"), gidmap = find_on_path("newgidmap");
  const bool maps_ours = same_file(uidmap, idmap) && same_file(gidmap, idmap);
  const bool nic_ours = same_file(kRootlessKitNicDefault, nic);
  const std::string maps = "newuidmap " + whose(uidmap, idmap, "uxc-idmap") + ", newgidmap " +
                           whose(gidmap, idmap, "uxc-idmap");
  const std::string veth = std::string("--net=lxc-user-nic runs ") +
                           (access(kRootlessKitNicDefault, F_OK) == 0 ? whose(kRootlessKitNicDefault, nic, "uxc-nic")
                                                                      : std::string(kRootlessKitNicDefault) + " (not there)");
  const std::string path_nic = find_on_path("lxc-user-nic");
  const std::string our_nic = same_file(path_nic, nic) ? path_nic : std::string(UXC_LIBEXECDIR) + "/compat/lxc-user-nic";
  const std::string maps_fix =
      "put uxc's newuidmap and newgidmap first on PATH: ask your administrator for 'uxc-admin compat install' "
      "(links in /usr/local/bin) or '--divert' (in place of shadow's)";
  std::string dockerd = find_on_path("dockerd-rootless.sh");
  if (dockerd.empty() && access(kDebianDockerdRootless, X_OK) == 0) dockerd = kDebianDockerdRootless;
  const std::pair<std::string, std::string> rootlesskit_engines[] = {
      {"rootlesskit", find_on_path("rootlesskit")}, {"dockerd-rootless.sh", dockerd}};
  for (const auto& [name, where] : rootlesskit_engines) {
    if (where.empty()) {
      r.ok(name + ": not installed here");
    } else if (maps_ours && nic_ours) {
      r.ok(name + " (" + where + ") would use uxc's helpers: " + maps + "; " + veth);
    } else {
      std::string fix = maps_ours ? "" : maps_fix;
      if (!nic_ours)
        fix += std::string(fix.empty() ? "" : "; and ") + "give RootlessKit --lxc-user-nic-binary=" + our_nic +
               (name == "rootlesskit" ? "" : " (in DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS)") +
               ", or ask for 'uxc-admin compat install --divert'";
      r.fail(name + " (" + where + ") would not use uxc's helpers: " + maps + "; " + veth, fix);
    }
  }
  const std::string podman = find_on_path("podman");
  if (podman.empty())
    r.ok("podman: not installed here");
  else if (maps_ours)
    r.ok("podman (" + podman + ") would use uxc-idmap: " + maps + " (its network is slirp4netns or pasta, no veth helper)");
  else
    r.fail("podman (" + podman + ") would not use uxc-idmap: " + maps, maps_fix);
}

void check_user_namespaces(Report& r) {
  bool flagged = false;
  if (read_sysctl("kernel.unprivileged_userns_clone") == 0) {
    r.fail("unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)",
           "ask your administrator to run: sysctl -w kernel.unprivileged_userns_clone=1 (and set it in /etc/sysctl.d/)");
    flagged = true;
  }
  if (read_sysctl("user.max_user_namespaces") == 0) {
    r.fail("user namespaces are limited to none (user.max_user_namespaces = 0)",
           "ask your administrator to run: sysctl -w user.max_user_namespaces=15000 (and set it in /etc/sysctl.d/)");
    flagged = true;
  }
  if (read_sysctl("kernel.apparmor_restrict_unprivileged_userns") == 1) {
    r.fail("AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1)",
           "ask your administrator to install an AppArmor profile for uxc with the 'userns,' rule, or run: sysctl -w "
           "kernel.apparmor_restrict_unprivileged_userns=0");
    flagged = true;
  }
  // Whatever the sysctls say, try it.
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  const bool works = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (works && !flagged) r.ok("unprivileged user namespaces work");
  else if (!works && !flagged)
    r.fail("cannot create a user namespace: " + errno_text(pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : errno),
           "ask your administrator to enable unprivileged user namespaces (kernel, sysctls, security modules)");
}

bool in_ranges(const std::vector<policy::IdExtent>& map, uint32_t id) {
  for (const auto& e : map)
    if (id >= e.outside && id - e.outside < e.count) return true;
  return false;
}

// uxc creates and removes rootfs files as the container's root, a host
// uid the user does not otherwise own. It maps the user's own ids too, so
// a directory whose owner and group are both mapped is reachable through
// the namespace's capabilities; any other directory on the way must let
// that uid search it (LXC's "grant it x access" trap). The fix offered is
// an ACL entry for that one uid, not "chmod o+x", which would let every
// user of the host through too.
// Can host uid root_uid (group root_gid) search directory `dir`? Its
// access ACL decides when it has one, else the mode bits.
bool root_can_search(const std::string& dir, const struct stat& st, uint32_t root_uid, uint32_t root_gid) {
  char acl[4096];
  const ssize_t n = getxattr(dir.c_str(), "system.posix_acl_access", acl, sizeof acl);
  const uint32_t groups[] = {root_gid};
  if (n > 0) {
    const auto verdict = policy::acl_permits(std::string_view(acl, static_cast<size_t>(n)), st.st_uid, st.st_gid,
                                             root_uid, groups, policy::kAclExecute);
    if (verdict != policy::AclVerdict::kMalformed) return verdict == policy::AclVerdict::kAllow;
  }
  if (st.st_uid == root_uid) return (st.st_mode & S_IXUSR) != 0;
  if (st.st_gid == root_gid) return (st.st_mode & S_IXGRP) != 0;
  return (st.st_mode & S_IXOTH) != 0;
}

void check_paths(Report& r, const policy::Config& config, const User& user, const Paths& paths,
                 const policy::IdmapRequest& maps) {
  uint32_t root_uid = 0, root_gid = 0;
  for (const auto& e : maps.uid_map)
    if (e.inside == 0) root_uid = e.outside;
  for (const auto& e : maps.gid_map)
    if (e.inside == 0) root_gid = e.outside;
  std::vector<policy::IdExtent> uids = maps.uid_map, gids = maps.gid_map;
  uids.push_back({0, user.uid, 1});
  gids.push_back({0, user.gid, 1});
  std::vector<std::string> targets = {paths.data_dir};
  if (!config.rootfs.empty()) targets.push_back(config.rootfs);
  bool all_ok = true;
  for (const auto& target : targets) {
    std::string dir;
    size_t pos = 0;
    while (pos != std::string::npos) {
      pos = target.find('/', pos + 1);
      dir = target.substr(0, pos);
      if (dir.empty()) dir = "/";
      struct stat st;
      if (stat(dir.c_str(), &st) != 0) break;  // created later, by the user
      if (!S_ISDIR(st.st_mode)) break;
      const bool mapped = in_ranges(uids, st.st_uid) && in_ranges(gids, st.st_gid);
      if (mapped || root_can_search(dir, st, root_uid, root_gid)) continue;
      r.fail("the container's root (host uid " + std::to_string(root_uid) + ") cannot reach " + dir + " (owner " +
                 std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid) + ", mode " + octal_mode(st.st_mode) +
                 "), so uxc cannot create or remove rootfs files under " + target,
             "grant that uid alone x access: setfacl -m u:" + std::to_string(root_uid) + ":x " + dir +
                 " (package acl)" + (st.st_uid == user.uid ? ", or chgrp it to your own group" : ""));
      all_ok = false;
      break;
    }
  }
  if (all_ok) r.ok("paths: the container's root (host uid " + std::to_string(root_uid) + ") can reach " + join(targets, " and "));
}

// Containers made by an older uxc (0755 directories, 0644 configs) can be
// read by every user of the host, and a running one's /tmp reached.
void check_private_containers(Report& r, const Paths& paths) {
  std::vector<std::string> open_to_others;
  for (const auto& name : list_containers(paths)) {
    struct stat dir_st, config_st;
    const std::string dir = container_dir(paths, name);
    if (lstat(dir.c_str(), &dir_st) == 0 && (dir_st.st_mode & 077) != 0) open_to_others.push_back(dir);
    else if (lstat(container_config(paths, name).c_str(), &config_st) == 0 && (config_st.st_mode & 077) != 0)
      open_to_others.push_back(container_config(paths, name));
  }
  if (open_to_others.empty()) return;
  std::string fix;
  for (const auto& path : open_to_others)
    fix += std::string(fix.empty() ? "" : "; ") + "chmod go= " + path + (path.ends_with("/config") ? "" : " " + path + "/config");
  r.warn("containers open to other users (made by an older uxc): " + join(open_to_others, ", "), fix);
}

void check_cgroups(Report& r, const policy::Config& config) {
  const CgroupReport c = describe_cgroup_delegation();
  const bool needed = !config.cgroup.empty();
  // Distribution images with systemd as their init cannot start without
  // it: a warning, since busybox and commands run regardless.
  if (c.systemd_problem.empty()) r.ok("cgroups: containers whose init is systemd can start");
  else r.warn("cgroups: containers whose init is systemd cannot start: " + c.systemd_problem, c.fix);
  if (c.delegated) {
    r.ok("cgroups: " + c.summary);
    if (needed && !c.missing_for_limits.empty())
      r.fail("cgroups: the default configuration sets limits that need " + c.missing_for_limits, c.fix);
    return;
  }
  if (needed) r.fail("cgroups: " + c.summary + ", but the default configuration sets lxc.cgroup limits", c.fix);
  else r.warn("cgroups: " + c.summary + "; containers run without limits or CPU and memory accounting", c.fix);
}

// uxc's own settings files: the user's must parse; the administrator's
// must parse and be root's alone, or the helpers refuse to work.
void check_settings(Report& r, const Paths& paths) {
  const std::string user_file = user_settings_path(paths);
  std::string text;
  std::string error;
  policy::UserSettings user_settings;
  if (!read_file(user_file, &text, policy::kMaxSettingsBytes + 1)) {
    if (errno == ENOENT) r.ok("your settings: " + user_file + " does not exist (defaults)");
    else r.fail("cannot read " + user_file + ": " + errno_text(errno), "make the file readable, or remove it");
  } else if (!policy::parse_user_settings(text, user_file, &user_settings, &error)) {
    r.fail("your settings: " + error, "fix or remove that line (uxc.conf(5) lists the settings)");
  } else {
    r.ok("your settings: " + user_file);
  }
  const std::string admin_file = admin_settings_path();
  struct stat st;
  policy::AdminSettings admin_settings;
  if (stat(admin_file.c_str(), &st) != 0) {
    if (errno == ENOENT) r.ok("host settings: " + admin_file + " does not exist (defaults)");
    else r.fail("cannot inspect " + admin_file + ": " + errno_text(errno), "ask your administrator to make it readable (0644)");
  } else if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0) {
    r.fail("host settings: " + admin_file + " is not a regular file that only root can write (owner " +
               std::to_string(st.st_uid) + ", mode " + octal_mode(st.st_mode) + ")",
           "ask your administrator to run: chown root:root " + admin_file + " && chmod 0644 " + admin_file);
  } else if (!read_file(admin_file, &text, policy::kMaxSettingsBytes + 1)) {
    r.fail("cannot read " + admin_file + ": " + errno_text(errno), "ask your administrator to make it readable (0644)");
  } else if (!policy::parse_admin_settings(text, admin_file, &admin_settings, &error)) {
    r.fail("host settings: " + error, "ask your administrator to fix that line (uxc.conf(5) lists the settings)");
  } else {
    r.ok("host settings: " + admin_file + " (setgroups " +
         (admin_settings.setgroups == policy::SetgroupsPolicy::kDeny ? "deny" : "auto") + ")");
  }
}

// --fix: what the user can fix alone, before the checks look. A user
// without a default.conf gets one with their own id map (and a bridge
// the usernet file lets them use); a default.conf whose map is not the
// user's gets the right lines in place of the wrong ones, the old file
// kept as default.conf.old. The administrator's /etc/uxc/default.conf
// is never written: a fixed copy becomes the user's own.
void fix_default_conf(Report& r, const Paths& paths, const User& user) {
  const std::string mine = paths.config_dir + "/default.conf";
  const std::string system = std::string(UXC_SYSCONFDIR) + "/uxc/default.conf";
  const std::string source = path_exists(mine) ? mine : path_exists(system) ? system : "";
  if (source.empty()) {
    std::string text = "# Written by 'uxc check --fix': your ranges of /etc/subuid and /etc/subgid";
    const auto bridges = usable_bridge_list(user);
    if (!bridges.empty())
      text += ", and a bridge /etc/uxc/usernet lets you use.\nlxc.net.0.type = veth\nlxc.net.0.link = " + bridges.front().link +
              "\nlxc.net.0.flags = up\nlxc.net.0.hwaddr = 00:16:3e:xx:xx:xx\n";
    else
      text += ".\n";
    std::vector<std::string> lines;
    try {
      lines = idmap_lines_for(user, "lxc.idmap");
    } catch (const Error& e) {
      r.warn(std::string("--fix: no default.conf written: ") + e.what(), "ask your administrator, as below");
      return;
    }
    text += join(lines, "\n") + "\n";
    make_dirs(paths.config_dir, 0755);
    write_file_atomic(mine, text, 0644);
    r.fixed("wrote " + mine + ": " + join(lines, ", ") +
            (bridges.empty() ? " (no network: /etc/uxc/usernet gives you no bridge here)" : ", a veth on " + bridges.front().link));
    return;
  }
  std::string text;
  if (!read_file(source, &text, policy::kMaxConfigBytes + 1)) return;  // the checks say why
  policy::Config config;
  std::vector<std::string> errors;
  if (!policy::parse_config(text, source, &config, &errors, &config_includes())) return;
  try {
    (void)container_idmap(config, user);
    return;
  } catch (const IdmapLineError& e) {
    if (e.file != source) {
      r.warn("--fix: the wrong map is in " + e.file + ", which --fix does not change", "write " + join(e.lines, " and ") + " there");
      return;
    }
    std::vector<size_t> lines;
    for (const auto& m : config.idmap)
      if (m.file == source) lines.push_back(m.line);
    const std::string fixed = policy::replace_config_lines(text, lines, join(e.lines, "\n") + "\n");
    make_dirs(paths.config_dir, 0755);
    if (source == mine) {
      write_file_atomic(mine + ".old", text, 0644);
      write_file_atomic(mine, fixed, 0644);
      r.fixed("rewrote the id map of " + mine + ": " + join(e.lines, ", ") + " (the old file is " + mine + ".old)");
    } else {
      write_file_atomic(mine, fixed, 0644);
      r.fixed("wrote " + mine + ": a copy of " + system + " with your id map: " + join(e.lines, ", "));
    }
  } catch (const Error&) {
    // Not the user's to fix (no subordinate ids): the checks say so.
  }
}

}  // namespace

int cmd_check(int argc, char** argv) {
  const auto args = parse_args(argc, argv, "check", "[--fix] [--format json]",
                   "Check what your containers need from this host, and say how to fix what is\n"
                   "missing: the setuid helpers, subordinate ids for lxc.idmap, a usernet line\n"
                   "and a bridge for each veth of the default configuration, unprivileged user\n"
                   "namespaces, paths the container's root must reach, cgroup delegation, and\n"
                   "uxc's settings files (uxc.conf).\n"
                   "Exit status 0 only when the default configuration can start. --format json\n"
                   "prints the same checks as one JSON object (docs/json.md). --fix first writes\n"
                   "what you can fix alone: a default.conf with your own id map.\n"
                   "--engines checks something else: whether the engines on your PATH\n"
                   "(rootlesskit, dockerd-rootless.sh, podman) would run uxc's helpers, which\n"
                   "newuidmap, newgidmap and lxc-user-nic they would find instead, and how to\n"
                   "change that (docs/engines.md); exit status 0 only when every one found would.",
                   {{0, "format", "FORMAT", "json: the checks as one JSON object"},
                    {0, "fix", nullptr, "write a default.conf with your own id map when yours is missing or wrong"},
                    {0, "engines", nullptr, "check the engines on PATH instead (RootlessKit, rootless Docker, podman)"}});
  const bool json = args.has(1);
  if (json && args.get(1) != "json") throw UsageError("--format takes only 'json'");
  no_more_operands(args);
  Report r;
  if (args.has(3)) {
    if (args.has(2)) throw UsageError("--fix and --engines exclude each other");
    check_engines(r);
    if (json) r.print_json();
    else r.print_text();
    if (!json && !quiet())
      std::printf("uxc check: %s\n", r.failures == 0 ? "every engine found would run uxc's helpers"
                                                     : "some engines would not run uxc's helpers");
    return r.failures == 0 ? 0 : 1;
  }
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  if (args.has(2)) fix_default_conf(r, paths, user);
  check_settings(r, paths);
  bool usable = false;
  const policy::Config config = default_config(r, paths, &usable);
  bool has_veth = false;
  for (const auto& nic : config.nics) has_veth = has_veth || nic.type == "veth";
  check_helper(r, "uxc-idmap", true);
  check_helper(r, "uxc-nic", has_veth);
  // Not setuid, and only `create -t download` and `-t local` need it.
  const std::string image_tool = helper_path("uxc-image");
  if (access(image_tool.c_str(), X_OK) == 0)
    r.ok("uxc-image: " + image_tool + " (create -t download and -t local)");
  else
    r.warn("uxc-image is not installed at " + image_tool + ": create -t download and -t local need it",
           "ask your administrator to install uxc: make install (as root)");
  if (usable) {
    try {
      const policy::IdmapRequest maps = container_idmap(config, user);
      std::string text;
      for (const auto& e : maps.uid_map)
        text += " u " + std::to_string(e.inside) + " " + std::to_string(e.outside) + " " + std::to_string(e.count);
      for (const auto& e : maps.gid_map)
        text += " g " + std::to_string(e.inside) + " " + std::to_string(e.outside) + " " + std::to_string(e.count);
      r.ok("id map:" + text + " is within your ranges in /etc/subuid and /etc/subgid");
      check_paths(r, config, user, paths, maps);
    } catch (const IdmapLineError& e) {
      r.fail("id map: " + e.finding, "write " + join(e.lines, " and ") + " instead (uxc check --fix does it)");
    } catch (const Error& e) {
      // The message names the file and what to add or change.
      const std::string msg = e.what();
      const size_t ask = msg.find(": ask your administrator");
      if (ask != std::string::npos) r.fail("id map: " + msg.substr(0, ask), msg.substr(ask + 2));
      else r.fail("id map: " + msg, "use ranges you have in /etc/subuid and /etc/subgid in lxc.idmap of the default configuration");
    }
    check_network(r, config, user);
  }
  check_user_namespaces(r);
  check_cgroups(r, config);
  check_private_containers(r, paths);
  if (json) {
    r.print_json();
    return r.failures == 0 ? 0 : 1;
  }
  r.print_text();
  if (r.failures == 0) {
    if (!quiet()) std::printf("uxc check: everything the default configuration needs is in place\n");
    return 0;
  }
  std::printf("uxc check: %d problem%s to fix\n", r.failures, r.failures == 1 ? "" : "s");
  return 1;
}

}  // namespace uxc
