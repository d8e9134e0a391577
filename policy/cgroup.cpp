#include "policy/cgroup.h"

#include <algorithm>

#include "policy/text.h"

namespace uxc::policy {

namespace {

constexpr std::string_view kCgroupTop = "/sys/fs/cgroup";

// Mount options of a v1 cgroup superblock that are not controllers.
constexpr std::string_view kNotControllers[] = {"rw", "ro", "relatime", "noatime", "nosuid", "nodev", "noexec",
                                                "clone_children", "xattr", "noprefix", "cpuset_v2_mode",
                                                "favordynmods", "nsdelegate", "memory_recursiveprot"};

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

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::vector<Line> lines;
  std::string err;
  if (!split_lines(text, 65536, &lines, &err)) return out;
  out.reserve(lines.size());
  for (const auto& l : lines) out.push_back(l.text);
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

bool is_octal(char c) { return c >= '0' && c <= '7'; }

}  // namespace

std::string unescape_mount_path(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] <= '3' &&
        is_octal(text[i + 1]) && is_octal(text[i + 2]) && is_octal(text[i + 3])) {
      out += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0'));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo) {
  std::vector<CgroupMount> mounts;
  for (std::string_view line : lines_of(mountinfo)) {
    const size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    const auto before = split_fields(line.substr(0, dash));
    const auto after = split_fields(line.substr(dash + 3));
    if (before.size() < 6 || after.size() < 3) continue;
    CgroupMount m;
    if (after[0] == "cgroup2") m.version = 2;
    else if (after[0] == "cgroup") m.version = 1;
    else continue;
    m.root = unescape_mount_path(before[3]);
    m.point = unescape_mount_path(before[4]);
    if (m.root.empty() || m.root.front() != '/' || m.point.empty() || m.point.front() != '/') continue;
    if (m.version == 1) {
      for (auto& o : split_on(after[2], ',')) {
        if (o.empty() || o.rfind("release_agent=", 0) == 0) continue;
        if (std::find(std::begin(kNotControllers), std::end(kNotControllers), o) != std::end(kNotControllers)) continue;
        m.controllers.push_back(o);
      }
      if (m.controllers.empty()) continue;
      std::sort(m.controllers.begin(), m.controllers.end());
    }
    mounts.push_back(std::move(m));
  }
  return mounts;
}

std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text) {
  std::vector<CgroupMembership> out;
  for (std::string_view line : lines_of(text)) {
    const size_t c1 = line.find(':');
    const size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    CgroupMembership m;
    const std::string_view id = line.substr(0, c1);
    const std::string_view ctrls = line.substr(c1 + 1, c2 - c1 - 1);
    m.path = std::string(line.substr(c2 + 1));
    if (m.path.empty() || m.path.front() != '/') continue;
    uint32_t number = 0;
    if (!parse_u32(id, &number)) continue;
    if (number == 0 && ctrls.empty()) {
      m.version = 2;
    } else {
      if (number == 0 || ctrls.empty()) continue;
      m.controllers = split_on(ctrls, ',');
      std::sort(m.controllers.begin(), m.controllers.end());
    }
    out.push_back(std::move(m));
  }
  return out;
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
    if (m.version == 2 && m.point == kCgroupTop) {
      tree.mounts.push_back({"", 2, "", is_writable(m.point)});
      return tree;
    }
  }
  for (const CgroupMount& m : host) {
    if (m.point.size() <= kCgroupTop.size() + 1 || m.point.compare(0, kCgroupTop.size(), kCgroupTop) != 0 ||
        m.point[kCgroupTop.size()] != '/')
      continue;
    const std::string dir = m.point.substr(kCgroupTop.size() + 1);
    if (dir.find('/') != std::string::npos || dir == "." || dir == "..") continue;
    const std::string key = m.version == 2 ? "2" : join_with(m.controllers, ',');
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    if (std::any_of(tree.mounts.begin(), tree.mounts.end(), [&](const CgroupTreeMount& t) { return t.dir == dir; }))
      continue;
    seen.push_back(key);
    tree.mounts.push_back({dir, m.version, m.version == 2 ? "" : key, is_writable(m.point)});
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
