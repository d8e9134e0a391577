// The cgroups of cgroup.h. Longer than the manager's other files: it
// still parses /proc/PID/cgroup and /proc/self/mountinfo itself; those
// parsers are to move to policy/ as pure, table-tested code.
#include "user/host/cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "policy/text.h"
#include "user/common/util.h"

namespace uxc {

namespace {

// v1 controllers uxc uses; cpuset is left alone (a new cpuset cgroup has
// no cpus, so no process could join it).
constexpr const char* kV1Controllers[] = {"memory", "pids", "cpu", "cpuacct", "blkio", "freezer"};

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

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(sep, start), text.size());
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<std::string_view> lines_of(const std::string& text) {
  std::vector<std::string_view> out;
  std::vector<policy::Line> lines;
  std::string err;
  if (!policy::split_lines(text, 65536, &lines, &err)) return out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

// "\040" and friends in /proc/self/mountinfo.
std::string unescape_mount_path(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto octal = [&](size_t k) { return s[k] >= '0' && s[k] <= '7'; };
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] <= '3' && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Mount {
  int version;
  std::string root;  // within the hierarchy
  std::string point;
  std::vector<std::string> controllers;  // v1, sorted
};

std::vector<Mount> cgroup_mounts() {
  std::vector<Mount> mounts;
  std::string text;
  if (!read_file("/proc/self/mountinfo", &text, 4 << 20)) return mounts;
  static const char* const kNotControllers[] = {"rw", "ro", "relatime", "noatime", "nosuid", "nodev", "noexec",
                                                "clone_children", "xattr", "noprefix", "cpuset_v2_mode"};
  for (std::string_view line : lines_of(text)) {
    const size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    const auto before = policy::split_fields(line.substr(0, dash));
    const auto after = policy::split_fields(line.substr(dash + 3));
    if (before.size() < 6 || after.size() < 3) continue;
    Mount m;
    if (after[0] == "cgroup2") m.version = 2;
    else if (after[0] == "cgroup") m.version = 1;
    else continue;
    m.root = unescape_mount_path(before[3]);
    m.point = unescape_mount_path(before[4]);
    if (m.version == 1) {
      for (auto& o : split(after[2], ',')) {
        if (o.rfind("release_agent=", 0) == 0) continue;
        if (std::find(std::begin(kNotControllers), std::end(kNotControllers), o) != std::end(kNotControllers)) continue;
        m.controllers.push_back(o);
      }
      std::sort(m.controllers.begin(), m.controllers.end());
    }
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
    const size_t c1 = line.find(':');
    const size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    const std::string_view id = line.substr(0, c1);
    std::vector<std::string> ctrls = split(line.substr(c1 + 1, c2 - c1 - 1), ',');
    std::sort(ctrls.begin(), ctrls.end());
    const std::string path(line.substr(c2 + 1));
    const int version = id == "0" && ctrls.size() == 1 && ctrls[0].empty() ? 2 : 1;
    for (const Mount& m : mounts) {
      if (m.version != version || (version == 1 && m.controllers != ctrls)) continue;
      if (path.compare(0, m.root.size(), m.root) != 0) continue;
      std::string rel = m.root == "/" ? path : path.substr(m.root.size());
      if (!rel.empty() && rel.front() != '/') continue;
      Hierarchy h;
      h.version = version;
      h.mount = m.point;
      h.own = m.point + (rel == "/" ? "" : rel);
      if (version == 1) h.controllers = ctrls;
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
    } else if (h.version == 2) {
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

// The v1 spelling of a v2 limit.
bool v1_equivalent(const policy::CgroupSetting& s, std::vector<std::pair<std::string, std::string>>* out) {
  if (s.key == "memory.max") {
    out->push_back({"memory.limit_in_bytes", s.value == "max" ? "-1" : s.value});
    return true;
  }
  if (s.key == "pids.max") {
    out->push_back({"pids.max", s.value});
    return true;
  }
  if (s.key == "cpu.max") {
    const auto f = policy::split_fields(s.value);
    if (f.empty() || f.size() > 2) return false;
    if (f.size() == 2) out->push_back({"cpu.cfs_period_us", std::string(f[1])});
    out->push_back({"cpu.cfs_quota_us", f[0] == "max" ? "-1" : std::string(f[0])});
    return true;
  }
  return false;
}

const std::string kFix =
    "with systemd, run uxc inside your user manager, where memory, pids and cpu are delegated "
    "(systemctl --user start uxc-autostart, or systemd-run --user --scope -p Delegate=yes uxc start ...); "
    "on cgroup v1, ask your administrator to create /sys/fs/cgroup/CONTROLLER/USER for memory, pids, cpu, "
    "cpuacct and blkio, chown -R it to you, and start your sessions in it (as LXC's test suite does)";

}  // namespace

std::string container_cgroup_name(const std::string& name) { return "uxc.payload." + name; }

ContainerCgroup ContainerCgroup::create(const std::string& name, const policy::Config& config) {
  const std::vector<Hierarchy> all = delegated_hierarchies(getuid());
  std::vector<const Hierarchy*> used;
  for (const auto& h : all)
    if (!h.base.empty()) used.push_back(&h);

  // Where every limit goes, decided before anything is created.
  std::vector<Write> writes;
  std::vector<std::string> v2_needed;
  for (const auto& s : config.cgroup) {
    const size_t dot = s.key.find('.');
    if (dot == 0 || dot == std::string::npos || s.key.find('/') != std::string::npos)
      throw Error(setting_name(s) + ": not a controller file");
    const std::string controller = s.key.substr(0, dot);
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
    } else if (s.version == 2 && v1 != nullptr && v1_equivalent(s, &v1_files)) {
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
      if (rmdir(dir.c_str()) != 0 && errno != EBUSY && errno != ENOENT) throw_errno("cannot remove the old cgroup " + dir);
      usleep(10000);
    }
    if (!made) throw Error("the cgroup " + dir + " still holds processes of an earlier run");
    cg.dirs_.push_back(dir);
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
  for (const auto& dir : dirs_) {
    int err = 0;
    if (!write_value(dir + "/cgroup.procs", std::to_string(pid), &err))
      throw Error("cannot move the container into the cgroup " + dir + ": " + errno_text(err));
  }
}

void ContainerCgroup::remove() {
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    // The kernel empties a cgroup a moment after the last process died.
    for (int i = 0; i < 300; ++i) {
      if (rmdir(it->c_str()) == 0 || errno != EBUSY) break;
      usleep(10000);
    }
  }
  dirs_.clear();
}

void join_container_cgroups(pid_t init, const std::string& name) {
  const std::string leaf = "/" + container_cgroup_name(name);
  for (const Hierarchy& h : hierarchies_of(init)) {
    if (h.own.size() < leaf.size() || h.own.compare(h.own.size() - leaf.size(), leaf.size(), leaf) != 0) continue;
    int err = 0;
    if (!write_value(h.own + "/cgroup.procs", std::to_string(getpid()), &err))
      throw Error("cannot join the container's cgroup " + h.own + ": " + errno_text(err));
  }
}

std::vector<CgroupDir> container_cgroup_dirs(pid_t init, const std::string& name) {
  // The init may sit below the container's cgroup (a systemd inside
  // makes its own): the directory ends at the container's component.
  const std::string leaf = "/" + container_cgroup_name(name);
  std::vector<CgroupDir> out;
  for (const Hierarchy& h : hierarchies_of(init)) {
    size_t at = h.own.find(leaf + "/");
    if (at == std::string::npos && h.own.size() >= leaf.size() &&
        h.own.compare(h.own.size() - leaf.size(), leaf.size(), leaf) == 0)
      at = h.own.size() - leaf.size();
    if (at == std::string::npos || at < h.mount.size()) continue;
    CgroupDir d{h.version, h.controllers, h.own.substr(0, at + leaf.size())};
    if (h.version == 2) out.insert(out.begin(), std::move(d));
    else out.push_back(std::move(d));
  }
  return out;
}

CgroupUsage cgroup_usage(pid_t pid, const std::string& name) {
  CgroupUsage u;
  const std::string leaf = "/" + container_cgroup_name(name);
  auto number = [](const std::string& path, uint64_t* out) {
    std::string text;
    return read_file(path, &text, 4096) && policy::parse_u64(value_of(text), out);
  };
  // "KEY VALUE" lines (cpu.stat, memory.stat) or "... KEY=VALUE" fields (io.stat).
  auto keyed = [](const std::string& path, std::string_view key, uint64_t* sum) {
    std::string text;
    if (!read_file(path, &text, 1 << 20)) return false;
    bool found = false;
    for (std::string_view line : lines_of(text)) {
      const auto f = policy::split_fields(line);
      for (size_t i = 0; i < f.size(); ++i) {
        uint64_t v = 0;
        if (f.size() == 2 && i == 0 && f[0] == key && policy::parse_u64(f[1], &v)) {
          *sum += v;
          found = true;
        }
        if (f[i].size() > key.size() && f[i].substr(0, key.size()) == key && f[i][key.size()] == '=' &&
            policy::parse_u64(f[i].substr(key.size() + 1), &v)) {
          *sum += v;
          found = true;
        }
      }
    }
    return found;
  };
  for (const Hierarchy& h : hierarchies_of(pid)) {
    if (h.own.size() < leaf.size() || h.own.compare(h.own.size() - leaf.size(), leaf.size(), leaf) != 0) continue;
    const std::string& d = h.own;
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
  return r;
}

}  // namespace uxc
