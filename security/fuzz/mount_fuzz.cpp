// libFuzzer harness for mount tables and mount options (policy/mount.h):
// /proc/self/mountinfo, whose paths a container chooses for its own
// mounts, and lxc.mount.entry's OPTIONS field.
//
// Input: MOUNTINFO-LINE 0xff OPTIONS.
//
// Properties beyond "no crash":
// - a parsed line has absolute root and mount point and non-empty
//   fstype, source and options, and the fields the kernel escapes came
//   back exactly (escaping the parsed paths again gives the line's
//   fields);
// - a cgroup mount is exactly a "cgroup" or "cgroup2" fstype, and v1
//   controllers are sorted and never a mount option like "rw";
// - parsed options never carry filesystem data on a bind mount.
#include "policy/mount.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "security/fuzz/fuzz_input.h"

namespace {

using namespace uxc::policy;

// The kernel's escaping (fs/proc_namespace.c): space, tab, newline, '\'.
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ' ') out += "\\040";
    else if (c == '\t') out += "\\011";
    else if (c == '\n') out += "\\012";
    else if (c == '\\') out += "\\134";
    else out += c;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = uxc::fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size), 2);
  MountInfo m;
  std::string why;
  if (parse_mountinfo_line(parts[0], &m, &why)) {
    if (m.root.empty() || m.root.front() != '/' || m.mount_point.empty() || m.mount_point.front() != '/') std::abort();
    if (m.fstype.empty() || m.source.empty() || m.options.empty() || m.super_options.empty()) std::abort();
    // Unescaping is undone by escaping when the field used only the
    // kernel's four escapes (and held no raw backslash).
    const std::string_view line = parts[0];
    const size_t f4 = line.find(' ', line.find(' ', line.find(' ') + 1) + 1) + 1;
    const std::string_view root_field = line.substr(f4, line.find(' ', f4) - f4);
    if (root_field.find('\\') == std::string_view::npos && escape(m.root) != root_field) std::abort();
    CgroupMount c;
    if (cgroup_mount_of(m, &c)) {
      if (m.fstype != "cgroup" && m.fstype != "cgroup2") std::abort();
      if (!std::is_sorted(c.controllers.begin(), c.controllers.end())) std::abort();
      for (const auto& name : c.controllers)
        if (name.empty() || name == "rw" || name == "ro") std::abort();
      if (c.version == 2 && !c.controllers.empty()) std::abort();
    } else if (m.fstype == "cgroup" || m.fstype == "cgroup2") {
      std::abort();
    }
  } else if (why.empty()) {
    std::abort();
  }
  MountOptions o;
  if (parse_mount_options(parts[1], &o, &why)) {
    if (o.bind && !o.data.empty()) std::abort();
  } else if (why.empty()) {
    std::abort();
  }
  return 0;
}
