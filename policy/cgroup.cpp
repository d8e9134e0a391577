#include "policy/cgroup.h"

#include <algorithm>

#include "policy/text.h"

namespace uxc::policy {

namespace {

void add_saturating(uint64_t* sum, uint64_t v) { *sum = v > UINT64_MAX - *sum ? UINT64_MAX : *sum + v; }

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

}  // namespace uxc::policy
