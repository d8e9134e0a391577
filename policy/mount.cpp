#include "policy/mount.h"

#include <sys/mount.h>

#include <algorithm>

#include "policy/text.h"

namespace uxc::policy {

namespace {

// Fields separated by exactly one space: the kernel never writes two in a
// row, so an empty field means the line is not one of its.
bool split_single_spaces(std::string_view line, std::vector<std::string_view>* out) {
  out->clear();
  size_t start = 0;
  for (;;) {
    const size_t end = line.find(' ', start);
    const std::string_view field = line.substr(start, end == std::string_view::npos ? end : end - start);
    if (field.empty()) return false;
    out->push_back(field);
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

// Bytes the kernel escapes never appear raw in a field; any other control
// byte is refused too (the kernel's fields are printable apart from
// those escapes, and a stray one would reach a message or a path).
bool is_field_text(std::string_view field) {
  return std::all_of(field.begin(), field.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f;
  });
}

bool parse_device(std::string_view text, uint32_t* major, uint32_t* minor) {
  const size_t colon = text.find(':');
  return colon != std::string_view::npos && parse_u32(text.substr(0, colon), major) &&
         parse_u32(text.substr(colon + 1), minor);
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string unescape_mount_field(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto octal = [](char c) { return c >= '0' && c <= '7'; };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && s.size() - i >= 4 && s[i + 1] <= '3' && octal(s[i + 1]) && octal(s[i + 2]) &&
        octal(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool parse_mountinfo_line(std::string_view line, MountInfo* out, std::string* why) {
  std::vector<std::string_view> f;
  if (!split_single_spaces(line, &f)) {
    *why = "empty field (two spaces in a row, or a space at either end)";
    return false;
  }
  for (std::string_view field : f) {
    if (!is_field_text(field)) {
      *why = "control byte in a field";
      return false;
    }
  }
  // The separator is the first lone "-" after the six fixed fields (a
  // root or mount point is absolute, so never "-", but the search starts
  // after them anyway).
  size_t dash = 6;
  while (dash < f.size() && f[dash] != "-") ++dash;
  if (f.size() < 7 || dash >= f.size()) {
    *why = "no ' - ' separator after the six fixed fields";
    return false;
  }
  if (f.size() - dash - 1 != 3) {
    *why = "expected FSTYPE SOURCE SUPER-OPTIONS after ' - '";
    return false;
  }
  MountInfo m;
  if (!parse_u32(f[0], &m.mount_id) || !parse_u32(f[1], &m.parent_id)) {
    *why = "mount ids must be decimal numbers";
    return false;
  }
  if (!parse_device(f[2], &m.major, &m.minor)) {
    *why = "expected MAJOR:MINOR, got '" + std::string(f[2]) + "'";
    return false;
  }
  m.root = unescape_mount_field(f[3]);
  m.mount_point = unescape_mount_field(f[4]);
  if (m.root.front() != '/' || m.mount_point.front() != '/') {
    *why = "root and mount point must be absolute paths";
    return false;
  }
  m.options = std::string(f[5]);
  for (size_t i = 6; i < dash; ++i) m.optional_fields.emplace_back(f[i]);
  m.fstype = std::string(f[dash + 1]);
  m.source = unescape_mount_field(f[dash + 2]);
  m.super_options = std::string(f[dash + 3]);
  *out = std::move(m);
  return true;
}

bool cgroup_mount_of(const MountInfo& mount, CgroupMount* out) {
  // Options of a v1 cgroup mount that are not controllers.
  static constexpr std::string_view kNotControllers[] = {
      "rw", "ro", "relatime", "noatime", "nosuid", "nodev", "noexec",
      "clone_children", "xattr", "noprefix", "cpuset_v2_mode"};
  CgroupMount c;
  if (mount.fstype == "cgroup2") c.version = 2;
  else if (mount.fstype == "cgroup") c.version = 1;
  else return false;
  c.root = mount.root;
  c.mount_point = mount.mount_point;
  if (c.version == 1) {
    for (auto& o : split_commas(mount.super_options)) {
      if (o.empty() || o.rfind("release_agent=", 0) == 0) continue;
      if (std::find(std::begin(kNotControllers), std::end(kNotControllers), o) != std::end(kNotControllers))
        continue;
      c.controllers.push_back(std::move(o));
    }
    std::sort(c.controllers.begin(), c.controllers.end());
  }
  *out = std::move(c);
  return true;
}

bool parse_mount_options(std::string_view text, MountOptions* out, std::string* why) {
  struct Flag {
    std::string_view name;
    unsigned long set;
  };
  static constexpr Flag kFlags[] = {
      {"ro", MS_RDONLY},         {"nosuid", MS_NOSUID},         {"nodev", MS_NODEV},
      {"noexec", MS_NOEXEC},     {"noatime", MS_NOATIME},       {"nodiratime", MS_NODIRATIME},
      {"relatime", MS_RELATIME}, {"strictatime", MS_STRICTATIME}};
  MountOptions o;
  for (const std::string& opt : split_commas(text)) {
    if (opt.empty() || opt == "defaults" || opt == "rw") continue;
    if (opt == "bind" || opt == "rbind") {
      o.bind = true;
      if (opt == "rbind") o.flags |= MS_REC;
      continue;
    }
    if (opt == "optional") {
      o.optional = true;
      continue;
    }
    if (opt.rfind("create=", 0) == 0) {
      if (opt == "create=dir") o.create = MountOptions::Create::kDir;
      else if (opt == "create=file") o.create = MountOptions::Create::kFile;
      else {
        *why = "'" + opt + "': create= takes dir or file";
        return false;
      }
      continue;
    }
    const auto flag = std::find_if(std::begin(kFlags), std::end(kFlags),
                                   [&](const Flag& f) { return f.name == opt; });
    if (flag != std::end(kFlags)) {
      o.flags |= flag->set;
      continue;
    }
    if (!o.data.empty()) o.data += ',';
    o.data += opt;
  }
  if (o.bind && !o.data.empty()) {
    *why = "'" + o.data + "' on a bind mount: the kernel ignores filesystem options there";
    return false;
  }
  *out = std::move(o);
  return true;
}

}  // namespace uxc::policy
