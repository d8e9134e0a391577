// Files of /proc and /sys the manager reads, as bytes: /proc/PID/cgroup
// lines, fields of /proc/PID/status, and one-value files (sysctls, sysfs
// attributes, cgroup files). The kernel writes them, but a container
// chooses part of what is in them (the name of its init in status, the
// names of cgroups it creates below its own in cgroup), so the parsers
// accept exactly the kernel's shape and are fuzzed
// (security/fuzz/proc_fuzz.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

// One line of /proc/PID/cgroup: "ID:CONTROLLERS:PATH".
//   12:memory:/user.slice          a v1 hierarchy (controllers sorted here)
//   1:name=systemd:/user.slice     a named v1 hierarchy
//   0::/user.slice/user-1000.slice the v2 hierarchy (ID 0, no controllers)
// PATH is the rest of the line (a cgroup's name may hold ':'), and must be
// absolute. The kernel does not escape it: a cgroup named with a newline
// would start a line of its own, which is why callers use these lines
// only to find the caller's own cgroups and check what they find.
struct ProcCgroup {
  uint32_t id = 0;
  int version = 1;                       // 2: "0::PATH"
  std::vector<std::string> controllers;  // sorted; empty for v2
  std::string path;
};
[[nodiscard]] bool parse_proc_cgroup_line(std::string_view line, ProcCgroup* out, std::string* why);

// The decimal value of `field` in /proc/PID/status text ("PPid:\t1234").
// Exactly one line may carry the field: a second one (which only a
// forged line could add) makes the answer unknown.
[[nodiscard]] bool parse_status_u32(std::string_view status, std::string_view field, uint32_t* out);

// A file that holds one value and a newline: "1\n" (a sysctl, a cgroup
// counter) or "0x1003\n" (a sysfs flags attribute).
[[nodiscard]] bool parse_value_u64(std::string_view text, uint64_t* out);
[[nodiscard]] bool parse_value_hex32(std::string_view text, uint32_t* out);

}  // namespace uxc::policy
