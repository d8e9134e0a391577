// The manager's cgroup arithmetic, as pure functions: where a process's
// cgroup lies under a hierarchy's mount, how a v2 limit is spelled on a
// v1 hierarchy, and the counters of cgroup statistics files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/config.h"

namespace uxc::policy {

// A cgroup `path` (from /proc/PID/cgroup) seen through a mount of its
// hierarchy whose root is `mount_root` (from mountinfo): *relative is the
// path below the mount point ("" for the mount point itself, else
// "/a/b"). False when the cgroup is not under that root ("/user.slice"
// is not under "/user", nor is "/" under "/user.slice").
[[nodiscard]] bool cgroup_path_below(std::string_view mount_root, std::string_view path, std::string* relative);

// The controller of a cgroup file: "memory" for "memory.max". False for
// a name that is not CONTROLLER.FILE (no '.', a '/', a leading '.').
[[nodiscard]] bool cgroup_file_controller(std::string_view file, std::string* controller);

// A v2 limit written for a v1 hierarchy: memory.max (memory.limit_in_bytes,
// "max" as -1), pids.max (the same file) and cpu.max ("QUOTA [PERIOD]" as
// cpu.cfs_quota_us and cpu.cfs_period_us, "max" as -1). False for any
// other key, or a cpu.max that is not one or two fields.
[[nodiscard]] bool cgroup_v1_equivalent(const CgroupSetting& setting,
                                        std::vector<std::pair<std::string, std::string>>* files);

// The sum of `key`'s counters in a statistics file: "KEY VALUE" lines
// (cpu.stat, memory.stat, blkio's "Total VALUE") and "KEY=VALUE" fields
// (io.stat's "8:0 rbytes=1 wbytes=2"). False when `key` appears nowhere;
// fields that are not numbers are not counted; the sum saturates rather
// than wrap.
[[nodiscard]] bool sum_cgroup_stat(std::string_view text, std::string_view key, uint64_t* sum);

}  // namespace uxc::policy
