// The cgroups of cgroup.h. What it reads (/proc/PID/cgroup,
// /proc/self/mountinfo, statistics files) is parsed by policy/proc,
// policy/mount and policy/cgroup; this file finds the user's delegation
// and acts on it.
#include "user/host/cgroup.h"

#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "policy/cgroup.h"
#include "policy/mount.h"
#include "policy/proc.h"
#include "policy/text.h"
#include "user/common/util.h"
#include "user/host/userns.h"

namespace uxc {

namespace {

// v1 controllers uxc uses; cpuset is left alone (a new cpuset cgroup has
// no cpus, so no process could join it). name=systemd is the named
// hierarchy systemd tracks its processes in on v1 and hybrid hosts.
constexpr const char* kV1Controllers[] = {"memory", "pids", "cpu", "cpuacct", "blkio", "freezer", "name=systemd"};

// The files that hand a cgroup over to whoever owns them (the kernel's
// /sys/kernel/cgroup/delegate, and v1's equivalents). Limits are not
// among them.
constexpr const char* kDelegateFiles[] = {"cgroup.procs", "cgroup.threads", "cgroup.subtree_control",
                                          "tasks", "cgroup.clone_children", "notify_on_release"};

struct Hierarchy {
  int version = 2;
  std::vector<std::string> controllers;  // v1: the mount's; v2: the delegation root's
  std::string mount;                     // mount point
  std::string own;                       // the process's cgroup directory
  std::string base;                      // the delegation root; empty: none
  bool has(std::string_view c) const {
    return std::find(controllers.begin(), controllers.end(), c) != controllers.end();
  }
  std::string label() const { return version == 2 ? "v2" : "v1 " + join(controllers, ","); }
};

std::vector<std::string_view> lines_of(const std::string& text) {
  std::vector<std::string_view> out;
  std::vector<policy::Line> lines;
  std::string err;
  if (!policy::split_lines(text, 65536, &lines, &err)) return out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

// The cgroup hierarchies mounted in this mount namespace.
std::vector<policy::CgroupMount> cgroup_mounts() {
  std::vector<policy::CgroupMount> mounts;
  std::string text;
  if (!read_file("/proc/self/mountinfo", &text, 4 << 20)) return mounts;
  for (std::string_view line : lines_of(text)) {
    policy::MountInfo info;
    policy::CgroupMount m;
    std::string why;
    if (policy::parse_mountinfo_line(line, &info, &why) && policy::cgroup_mount_of(info, &m))
      mounts.push_back(std::move(m));
  }
  return mounts;
}

// A one-value file's text without its newline.
std::string_view value_of(const std::string& text) {
  std::string_view v = text;
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  return v;
}

bool owned_dir(const std::string& path, uid_t uid) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid;
}

// The hierarchies `pid` is in, with the directory of its cgroup in each.
// Paths are as this process sees them (its cgroup namespace).
std::vector<Hierarchy> hierarchies_of(pid_t pid) {
  std::vector<Hierarchy> out;
  std::string text;
  const std::string file = pid == 0 ? "/proc/self/cgroup" : "/proc/" + std::to_string(pid) + "/cgroup";
  if (!read_file(file, &text, 65536)) return out;
  const auto mounts = cgroup_mounts();
  for (std::string_view line : lines_of(text)) {
    policy::ProcCgroup cg;
    std::string why;
    if (!policy::parse_proc_cgroup_line(line, &cg, &why)) continue;
    for (const policy::CgroupMount& m : mounts) {
      if (m.version != cg.version || (cg.version == 1 && m.controllers != cg.controllers)) continue;
      std::string rel;
      if (!policy::cgroup_path_below(m.root, cg.path, &rel)) continue;
      Hierarchy h;
      h.version = cg.version;
      h.mount = m.mount_point;
      h.own = m.mount_point + rel;
      if (cg.version == 1) h.controllers = cg.controllers;
      out.push_back(std::move(h));
      break;
    }
  }
  return out;
}

bool relevant(const Hierarchy& h) {
  if (h.version == 2) return true;
  if (h.has("cpuset")) return false;
  for (const char* c : kV1Controllers)
    if (h.has(c)) return true;
  return false;
}

// This process's hierarchies that uxc uses, each with its delegation
// root found (or not).
std::vector<Hierarchy> delegated_hierarchies(uid_t uid) {
  std::vector<Hierarchy> out;
  for (Hierarchy h : hierarchies_of(0)) {
    if (!relevant(h)) continue;
    if (owned_dir(h.own, uid)) {
      h.base = h.own;
      for (;;) {
        const size_t slash = h.base.rfind('/');
        if (slash == std::string::npos || slash < h.mount.size()) break;
        const std::string parent = h.base.substr(0, slash);
        if (!owned_dir(parent, uid)) break;
        h.base = parent;
      }
    } else if (h.version == 2 || h.has("name=systemd")) {
      const std::string u = std::to_string(uid);
      const std::string systemd = h.mount + "/user.slice/user-" + u + ".slice/user@" + u + ".service";
      if (owned_dir(systemd, uid)) h.base = systemd;
    }
    if (h.version == 2 && !h.base.empty()) {
      std::string text;
      if (read_file(h.base + "/cgroup.controllers", &text, 4096)) {
        for (auto f : policy::split_fields(value_of(text))) h.controllers.emplace_back(f);
      }
    }
    out.push_back(std::move(h));
  }
  return out;
}

bool write_value(const std::string& path, const std::string& value, int* err) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid() || write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    *err = errno;
    return false;
  }
  return true;
}

struct Write {
  const Hierarchy* where;
  std::string file;
  std::string value;
};

std::string setting_name(const policy::CgroupSetting& s) {
  return std::string(s.version == 2 ? "lxc.cgroup2." : "lxc.cgroup.") + s.key + " (config line " + std::to_string(s.line) + ")";
}

const std::string kFix =
    "with systemd, run uxc inside your user manager, where memory, pids and cpu are delegated "
    "(systemctl --user start uxc-autostart, or systemd-run --user --scope -p Delegate=yes uxc start ...); "
    "on cgroup v1 or a hybrid host without systemd, ask your administrator to create /sys/fs/cgroup/H/USER "
    "in the hierarchies memory, pids, cpu, cpuacct, blkio and systemd (name=systemd), and unified on a hybrid host, "
    "chown -R them to you, and start your sessions in them (as LXC's test suite does)";

// The container's cgroups that hold something below them: the
// container's own cgroup and its descendants, deepest first.
std::vector<std::string> subtree_dirs(const std::string& top) {
  static std::vector<std::string>* s_out;
  std::vector<std::string> out;
  s_out = &out;
  auto collect = [](const char* path, const struct stat*, int type, FTW*) -> int {
    if (type == FTW_DP) s_out->emplace_back(path);
    return 0;
  };
  (void)nftw(top.c_str(), collect, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  s_out = nullptr;
  return out;
}

// rmdir that waits for the kernel to let the last processes go.
bool remove_cgroup_dir(const std::string& dir) {
  for (int i = 0; i < 300; ++i) {
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return true;
    if (errno != EBUSY) return false;
    usleep(10000);
  }
  return false;
}

}  // namespace

namespace {
std::string g_cgroup_prefix = "uxc.payload.";
}  // namespace

void name_cgroups_for(const std::string& lxcpath_tag) {
  // "/.lxcpath-HASH" (user/common/dirs.h) or "" for the default path.
  g_cgroup_prefix = lxcpath_tag.empty() ? "uxc.payload." : "uxc." + lxcpath_tag.substr(2) + ".";
}

std::string container_cgroup_name(const std::string& name) { return g_cgroup_prefix + name; }

ContainerCgroup ContainerCgroup::create(const std::string& name, const policy::Config& config, bool for_root) {
  const std::vector<Hierarchy> all = delegated_hierarchies(getuid());
  std::vector<const Hierarchy*> used;
  for (const auto& h : all)
    if (!h.base.empty()) used.push_back(&h);

  // Where every limit goes, decided before anything is created.
  std::vector<Write> writes;
  std::vector<std::string> v2_needed;
  for (const auto& s : config.cgroup) {
    std::string controller;
    if (!policy::cgroup_file_controller(s.key, &controller)) throw Error(setting_name(s) + ": not a controller file");
    const Hierarchy* v2 = nullptr;
    const Hierarchy* v1 = nullptr;
    for (const Hierarchy* h : used) {
      if (h->version == 2 && h->has(controller)) v2 = h;
      if (h->version == 1 && h->has(controller)) v1 = h;
    }
    std::vector<std::pair<std::string, std::string>> v1_files;
    if (s.version == 2 && v2 != nullptr) {
      writes.push_back({v2, s.key, s.value});
      if (std::find(v2_needed.begin(), v2_needed.end(), controller) == v2_needed.end()) v2_needed.push_back(controller);
    } else if (s.version == 2 && v1 != nullptr && policy::cgroup_v1_equivalent(s, &v1_files)) {
      for (auto& [file, value] : v1_files) writes.push_back({v1, file, value});
    } else if (s.version == 1 && v1 != nullptr) {
      writes.push_back({v1, s.key, s.value});
    } else if (s.version == 2 && v1 != nullptr) {
      throw Error(setting_name(s) + " cannot be applied: the " + controller +
                  " controller is on cgroup v1 here, where uxc knows no equivalent of " + s.key +
                  ": write it as lxc.cgroup.FILE with the v1 file instead");
    } else {
      throw Error(setting_name(s) + " cannot be applied: no cgroup with the " + controller +
                  " controller is delegated to you: remove the line, or see 'uxc check' for how to get one");
    }
  }
  ContainerCgroup cg;
  cg.for_root_ = for_root;
  if (used.empty()) return cg;

  const std::string leaf = container_cgroup_name(name);
  for (const Hierarchy* h : used) {
    if (h->version == 2) {
      // Controllers reach the container's cgroup only through the
      // delegation root's subtree_control. Those the limits need must
      // be there; the others only feed info's accounting.
      std::vector<std::string> wanted = v2_needed;
      for (const char* c : {"memory", "pids", "cpu", "io"})
        if (h->has(c) && std::find(wanted.begin(), wanted.end(), c) == wanted.end()) wanted.push_back(c);
      for (const auto& c : wanted) {
        int err = 0;
        const bool needed = std::find(v2_needed.begin(), v2_needed.end(), c) != v2_needed.end();
        if (!write_value(h->base + "/cgroup.subtree_control", "+" + c, &err) && needed)
          throw Error("cannot enable the " + c + " controller in " + h->base + "/cgroup.subtree_control: " +
                      errno_text(err) +
                      (err == EBUSY ? " (processes in that cgroup itself keep it from handing controllers down; run uxc from a cgroup below it)" : ""));
      }
    }
    const std::string dir = h->base + "/" + leaf;
    // A cgroup left by an earlier run empties as its processes finish.
    bool made = false;
    for (int i = 0; i < 200 && !made; ++i) {
      if (mkdir(dir.c_str(), 0755) == 0) {
        made = true;
        break;
      }
      if (errno != EEXIST) throw_errno("cannot create the cgroup " + dir);
      if (rmdir(dir.c_str()) != 0 && errno != EBUSY && errno != ENOENT) {
        if (errno == EACCES || errno == EPERM || errno == ENOTEMPTY)
          throw Error("the cgroup " + dir + " is left from an earlier run of the container and holds cgroups " +
                      "that are not yours to remove: ask your administrator to remove it");
        throw_errno("cannot remove the old cgroup " + dir);
      }
      usleep(10000);
    }
    if (!made) throw Error("the cgroup " + dir + " still holds processes of an earlier run");
    cg.dirs_.push_back({dir, h->mount, h->version});
  }
  for (const Write& w : writes) {
    const std::string dir = w.where->base + "/" + leaf;
    int err = 0;
    if (!write_value(dir + "/" + w.file, w.value, &err))
      throw Error("cannot apply the cgroup limit " + w.file + " = " + w.value + " (" + w.where->label() +
                  " cgroup " + dir + "): " + errno_text(err));
  }
  return cg;
}

void ContainerCgroup::add_process(pid_t pid) const {
  for (const auto& d : dirs_) {
    int err = 0;
    if (!write_value(d.path + "/cgroup.procs", std::to_string(pid), &err))
      throw Error("cannot move the container into the cgroup " + d.path + ": " + errno_text(err));
  }
}

void ContainerCgroup::give_to_container_root(const policy::IdmapRequest& file_maps, Fd userns) {
  if (!for_root_ || dirs_.empty()) return;
  userns_ = std::move(userns);
  std::vector<std::string> paths;
  for (const auto& d : dirs_) {
    paths.push_back(d.path);
    for (const char* f : kDelegateFiles) paths.push_back(d.path + "/" + f);
  }
  // From here on, removing the cgroups needs the container's namespace.
  given_ = true;
  // uid and gid 0 of the file-work namespace are the container's root.
  run_as_container_root(file_maps, [&paths] {
    for (const auto& p : paths)
      if (lchown(p.c_str(), 0, 0) != 0 && errno != ENOENT)
        throw_errno("cannot give the cgroup " + p + " to the container's root");
  });
}

void ContainerCgroup::remove() {
  if (dirs_.empty()) return;
  if (given_ && userns_.valid()) {
    // What the container's init made below its cgroup belongs to the
    // container's root: removed by a child in the container's user
    // namespace (the user owns it, so may enter it), where the
    // container's root's directories are its own.
    std::fflush(nullptr);
    const pid_t child = fork();
    if (child == 0) {
      prctl(PR_SET_NAME, "uxc-cgroup-rm");
      if (setns(userns_.get(), CLONE_NEWUSER) != 0) _exit(1);
      bool ok = true;
      for (const auto& d : dirs_)
        for (const auto& sub : subtree_dirs(d.path))
          if (sub != d.path && !remove_cgroup_dir(sub)) ok = false;
      _exit(ok ? 0 : 1);
    }
    if (child > 0)
      while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
      }
  }
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) (void)remove_cgroup_dir(it->path);
  dirs_.clear();
  userns_.reset();
  given_ = false;
}

std::vector<std::string> ContainerCgroup::dirs() const {
  std::vector<std::string> out;
  for (const auto& d : dirs_) out.push_back(d.path);
  return out;
}

policy::CgroupTree ContainerCgroup::tree() const {
  std::vector<std::string> writable;
  if (for_root_)
    for (const auto& d : dirs_) writable.push_back(d.mount);
  return policy::container_cgroup_tree(cgroup_mounts(), writable);
}

void join_container_cgroups(pid_t init, const std::string& name) {
  const std::string leaf = container_cgroup_name(name);
  for (const Hierarchy& h : hierarchies_of(init)) {
    // The init's own cgroup, wherever it is in the container's: a leaf
    // (cgroup v2 admits processes only there), and one the container's
    // init will not remove while it is in it.
    if (policy::cgroup_component_end(h.own, leaf) == std::string::npos) continue;
    const std::string& dir = h.own;
    int err = 0;
    if (!write_value(dir + "/cgroup.procs", std::to_string(getpid()), &err))
      throw Error("cannot join the container's cgroup " + dir + ": " + errno_text(err));
  }
}

std::vector<CgroupDir> container_cgroup_dirs(pid_t init, const std::string& name) {
  // The init may sit below the container's cgroup (a systemd inside
  // makes its own): the directory ends at the container's component.
  const std::string leaf = container_cgroup_name(name);
  std::vector<CgroupDir> out;
  for (const Hierarchy& h : hierarchies_of(init)) {
    const size_t end = policy::cgroup_component_end(h.own, leaf);
    if (end == std::string::npos || end <= h.mount.size()) continue;
    CgroupDir d{h.version, h.controllers, h.own.substr(0, end)};
    if (h.version == 2) out.insert(out.begin(), std::move(d));
    else out.push_back(std::move(d));
  }
  return out;
}

CgroupUsage cgroup_usage(pid_t pid, const std::string& name) {
  CgroupUsage u;
  const std::string leaf = container_cgroup_name(name);
  auto number = [](const std::string& path, uint64_t* out) {
    std::string text;
    return read_file(path, &text, 4096) && policy::parse_value_u64(text, out);
  };
  auto keyed = [](const std::string& path, std::string_view key, uint64_t* sum) {
    std::string text;
    return read_file(path, &text, 1 << 20) && policy::sum_cgroup_stat(text, key, sum);
  };
  for (const Hierarchy& h : hierarchies_of(pid)) {
    // The init may be below the container's cgroup (systemd's init.scope).
    const size_t end = policy::cgroup_component_end(h.own, leaf);
    if (end == std::string::npos) continue;
    const std::string d = h.own.substr(0, end);
    uint64_t v = 0;
    if (h.version == 1) {
      if (h.has("cpuacct") && number(d + "/cpuacct.usage", &v)) u.has_cpu = true, u.cpu_ns = v;
      if (h.has("memory") && number(d + "/memory.usage_in_bytes", &v)) u.has_memory = true, u.memory_bytes = v;
      if (h.has("memory") && number(d + "/memory.kmem.usage_in_bytes", &v)) u.has_kmem = true, u.kmem_bytes = v;
      uint64_t total = 0;
      if (h.has("blkio") && keyed(d + "/blkio.throttle.io_service_bytes", "Total", &total))
        u.has_blkio = true, u.blkio_bytes = total;
      continue;
    }
    uint64_t usec = 0;
    if (!u.has_cpu && keyed(d + "/cpu.stat", "usage_usec", &usec)) u.has_cpu = true, u.cpu_ns = usec * 1000;
    if (!u.has_memory && number(d + "/memory.current", &v)) u.has_memory = true, u.memory_bytes = v;
    uint64_t kernel = 0;
    if (!u.has_kmem && keyed(d + "/memory.stat", "kernel", &kernel)) u.has_kmem = true, u.kmem_bytes = kernel;
    uint64_t io = 0;
    if (!u.has_blkio && path_exists(d + "/io.stat")) {
      (void)keyed(d + "/io.stat", "rbytes", &io);
      (void)keyed(d + "/io.stat", "wbytes", &io);
      u.has_blkio = true, u.blkio_bytes = io;
    }
  }
  return u;
}

std::string systemd_cgroup_problem() {
  bool unified = false;
  for (const auto& m : cgroup_mounts())
    if (m.version == 2 && m.mount_point == "/sys/fs/cgroup") unified = true;
  for (const Hierarchy& h : delegated_hierarchies(getuid())) {
    if (h.base.empty()) continue;
    if (unified ? h.version == 2 : h.has("name=systemd")) return "";
  }
  if (unified)
    return "systemd in a container needs a cgroup v2 subtree delegated to you, and none is: ask your "
           "administrator to let your systemd user manager delegate cgroups (Delegate=yes in "
           "user@.service, the default), and run uxc inside it (systemd-run --user --scope uxc start ...); "
           "see 'uxc check'";
  return "systemd in a container needs the name=systemd cgroup hierarchy delegated to you, and it is not: ask "
         "your administrator to create a cgroup for you in /sys/fs/cgroup/systemd (and in unified, memory, pids, "
         "cpu, cpuacct and blkio), chown -R it to you and start your sessions in it; see 'uxc check'";
}

CgroupReport describe_cgroup_delegation() {
  CgroupReport r;
  std::vector<std::string> where;
  std::vector<std::string> missing;
  const auto all = delegated_hierarchies(getuid());
  for (const auto& h : all)
    if (!h.base.empty())
      where.push_back(h.label() + (h.version == 2 ? " (controllers: " + (h.controllers.empty() ? std::string("none") : join(h.controllers, " ")) + ")" : "") +
                      " at " + h.base);
  for (const char* c : {"memory", "pids", "cpu"}) {
    bool found = false;
    for (const auto& h : all) found = found || (!h.base.empty() && h.has(c));
    if (!found) missing.push_back(c);
  }
  r.delegated = !where.empty();
  r.summary = r.delegated ? "delegated to you: " + join(where, "; ") : "no cgroup is delegated to you";
  if (!missing.empty()) r.missing_for_limits = "the " + join(missing, ", ") + " controller(s), which are not delegated to you";
  r.fix = kFix;
  r.systemd_problem = systemd_cgroup_problem();
  return r;
}

}  // namespace uxc
