// The manager's cgroup arithmetic, as pure functions: where a process's
// cgroup lies under a hierarchy's mount, where a container's cgroup is in
// a path below it, how a v2 limit is spelled on a v1 hierarchy, the
// counters of cgroup statistics files, and the /sys/fs/cgroup a
// container gets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/config.h"
#include "policy/mount.h"

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

// The end of the component `leaf` in `path` ("/u/uxc.payload.web/init.scope"
// and "uxc.payload.web": the length of "/u/uxc.payload.web"); npos if no
// whole component is `leaf`. A container's init (systemd) moves into
// cgroups below its container's, and so does what it starts.
size_t cgroup_component_end(std::string_view path, std::string_view leaf);

// The container's /sys/fs/cgroup, laid out as the host's is, so that its
// systemd finds the layout it would find on the host: cgroup2 on
// /sys/fs/cgroup itself (unified), or a tmpfs holding one mount per v1
// hierarchy and, on a hybrid host, cgroup2 on `unified`. Each mount shows
// the container's cgroup namespace, whose root is the container's own
// cgroup where it has one.
struct CgroupTreeMount {
  std::string dir;      // below /sys/fs/cgroup; "" for /sys/fs/cgroup itself
  int version = 1;
  std::string options;  // v1: the controllers, "cpu,cpuacct" or "name=systemd"
  bool writable = false;
};
struct CgroupTree {
  bool tmpfs = false;  // a tmpfs on /sys/fs/cgroup holds the mounts
  std::vector<CgroupTreeMount> mounts;
  std::vector<std::pair<std::string, std::string>> symlinks;  // name -> co-mounted dir ("cpu" -> "cpu,cpuacct")
};

// `host` are the host's cgroup mounts; only those on /sys/fs/cgroup or
// one directory below it count, each hierarchy once. `writable` holds the
// host mount points of the hierarchies in which the container's root owns
// its cgroup: those are mounted read-write, every other one read-only.
CgroupTree container_cgroup_tree(const std::vector<CgroupMount>& host, const std::vector<std::string>& writable);

}  // namespace uxc::policy
