// What the kernel says about cgroups, read as text: the cgroup mounts of
// /proc/PID/mountinfo, a process's memberships in /proc/PID/cgroup, and
// from those the /sys/fs/cgroup a container gets. Pure: the manager
// (user/host/cgroup.cpp) reads the files and acts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

// A mounted cgroup hierarchy.
struct CgroupMount {
  int version = 1;                       // 1: cgroup, 2: cgroup2
  std::string root;                      // the mount's root within the hierarchy
  std::string point;                     // where it is mounted (unescaped)
  std::vector<std::string> controllers;  // v1: sorted, "name=systemd" included; v2: empty
};

// The cgroup and cgroup2 mounts of a mountinfo text, in its order.
// Lines that are not cgroup mounts, or are malformed, are skipped.
std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo);

// One line of /proc/PID/cgroup: "0::/a/b" (v2) or "4:memory:/a/b" (v1).
struct CgroupMembership {
  int version = 1;
  std::vector<std::string> controllers;  // v1, sorted
  std::string path;                      // as the reader's cgroup namespace sees it
};
std::vector<CgroupMembership> parse_proc_cgroup(std::string_view text);

// "\040" and friends, as mountinfo escapes blanks and backslashes.
std::string unescape_mount_path(std::string_view text);

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
