#include "policy/cgroup.h"

#include <algorithm>

#include "policy/text.h"

namespace uxc::policy {

namespace {

void add_saturating(uint64_t* sum, uint64_t v) { *sum = v > UINT64_MAX - *sum ? UINT64_MAX : *sum + v; }

constexpr std::string_view kCgroupTop = "/sys/fs/cgroup";

std::vector<std::string> split_on(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(sep, start), text.size());
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string join_with(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

}  // namespace

bool cgroup_path_below(std::string_view mount_root, std::string_view path, std::string* relative) {
  if (mount_root.empty() || mount_root.front() != '/' || path.empty() || path.front() != '/') return false;
  if (mount_root == "/") {
    *relative = path == "/" ? "" : std::string(path);
    return true;
  }
  if (path.substr(0, mount_root.size()) != mount_root) return false;
  const std::string_view rest = path.substr(mount_root.size());
  if (!rest.empty() && rest.front() != '/') return false;
  *relative = rest == "/" ? "" : std::string(rest);
  return true;
}

bool cgroup_file_controller(std::string_view file, std::string* controller) {
  const size_t dot = file.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == file.size() ||
      file.find('/') != std::string_view::npos)
    return false;
  *controller = std::string(file.substr(0, dot));
  return true;
}

bool cgroup_v1_equivalent(const CgroupSetting& s, std::vector<std::pair<std::string, std::string>>* out) {
  if (s.key == "memory.max") {
    out->push_back({"memory.limit_in_bytes", s.value == "max" ? "-1" : s.value});
    return true;
  }
  if (s.key == "pids.max") {
    out->push_back({"pids.max", s.value});
    return true;
  }
  if (s.key == "cpu.max") {
    const auto f = split_fields(s.value);
    if (f.empty() || f.size() > 2) return false;
    if (f.size() == 2) out->push_back({"cpu.cfs_period_us", std::string(f[1])});
    out->push_back({"cpu.cfs_quota_us", f[0] == "max" ? "-1" : std::string(f[0])});
    return true;
  }
  return false;
}

bool sum_cgroup_stat(std::string_view text, std::string_view key, uint64_t* sum) {
  if (key.empty()) return false;
  bool found = false;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const auto f = split_fields(text.substr(start, end - start));
    start = end + 1;
    uint64_t v = 0;
    if (f.size() == 2 && f[0] == key && parse_u64(f[1], &v)) {
      add_saturating(sum, v);
      found = true;
      continue;
    }
    for (std::string_view field : f) {
      if (field.size() > key.size() && field.substr(0, key.size()) == key && field[key.size()] == '=' &&
          parse_u64(field.substr(key.size() + 1), &v)) {
        add_saturating(sum, v);
        found = true;
      }
    }
  }
  return found;
}

size_t cgroup_component_end(std::string_view path, std::string_view leaf) {
  if (leaf.empty()) return std::string_view::npos;
  size_t pos = 0;
  while ((pos = path.find(leaf, pos)) != std::string_view::npos) {
    const size_t end = pos + leaf.size();
    if (pos > 0 && path[pos - 1] == '/' && (end == path.size() || path[end] == '/')) return end;
    pos = end;
  }
  return std::string_view::npos;
}

CgroupTree container_cgroup_tree(const std::vector<CgroupMount>& host, const std::vector<std::string>& writable) {
  CgroupTree tree;
  std::vector<std::string> seen;  // hierarchies already placed ("2" or the v1 controllers)
  const auto is_writable = [&](const std::string& point) {
    return std::find(writable.begin(), writable.end(), point) != writable.end();
  };
  // cgroup2 right on /sys/fs/cgroup: a unified host.
  for (const CgroupMount& m : host) {
    if (m.version == 2 && m.mount_point == kCgroupTop) {
      tree.mounts.push_back({"", 2, "", is_writable(m.mount_point)});
      return tree;
    }
  }
  for (const CgroupMount& m : host) {
    if (m.mount_point.size() <= kCgroupTop.size() + 1 || m.mount_point.compare(0, kCgroupTop.size(), kCgroupTop) != 0 ||
        m.mount_point[kCgroupTop.size()] != '/')
      continue;
    const std::string dir = m.mount_point.substr(kCgroupTop.size() + 1);
    if (dir.find('/') != std::string::npos || dir == "." || dir == "..") continue;
    const std::string key = m.version == 2 ? "2" : join_with(m.controllers, ',');
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    if (std::any_of(tree.mounts.begin(), tree.mounts.end(), [&](const CgroupTreeMount& t) { return t.dir == dir; }))
      continue;
    seen.push_back(key);
    tree.mounts.push_back({dir, m.version, m.version == 2 ? "" : key, is_writable(m.mount_point)});
  }
  tree.tmpfs = !tree.mounts.empty();
  // systemd finds co-mounted controllers by their own names.
  for (const CgroupTreeMount& t : tree.mounts) {
    if (t.version != 1 || t.dir.find(',') == std::string::npos) continue;
    for (const auto& c : split_on(t.dir, ',')) {
      if (c.empty() || c == t.dir) continue;
      const bool taken =
          std::any_of(tree.mounts.begin(), tree.mounts.end(), [&](const CgroupTreeMount& o) { return o.dir == c; }) ||
          std::any_of(tree.symlinks.begin(), tree.symlinks.end(), [&](const auto& l) { return l.first == c; });
      if (!taken) tree.symlinks.emplace_back(c, t.dir);
    }
  }
  return tree;
}

}  // namespace uxc::policy
