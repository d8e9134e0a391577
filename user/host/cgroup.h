// cgroups for containers, as the user: only in subtrees delegated to
// the user (owned by the user's uid), never anything that needs root.
//
// Where: for each hierarchy (the cgroup v2 one, and the v1 ones of the
// memory, pids, cpu, cpuacct, blkio and freezer controllers), the delegation root
// is the topmost cgroup owned by the user on the way up from the
// process's own cgroup; with systemd that is user@UID.service (when uxc
// runs inside the user's manager: the autostart unit, or systemd-run
// --user --scope), elsewhere what an administrator created and chowned
// (/sys/fs/cgroup/memory/alice, the way LXC's test suite delegates v1).
// Without one, systemd's /sys/fs/cgroup/.../user@UID.service is used
// when it is the user's. A container gets DELEGATION_ROOT/uxc.payload.NAME
// in each such hierarchy; its cgroup belongs to the user, not to the
// container's root, so nothing in the container can change its limits.
//
// Limits: lxc.cgroup2.KEY is written to the v2 cgroup when the
// controller is there; where the controller is on a v1 hierarchy instead,
// memory.max, pids.max and cpu.max are written as their v1 equivalents
// (memory.limit_in_bytes, pids.max, cpu.cfs_quota_us/cfs_period_us).
// lxc.cgroup.KEY goes to the v1 hierarchy of its controller. A limit that
// cannot be written is an error at start, never dropped.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "policy/config.h"

namespace uxc {

class ContainerCgroup {
 public:
  ContainerCgroup() = default;
  ContainerCgroup(ContainerCgroup&& other) noexcept : dirs_(std::move(other.dirs_)) { other.dirs_.clear(); }
  ContainerCgroup& operator=(ContainerCgroup&& other) noexcept {
    if (this != &other) {
      remove();
      dirs_ = std::move(other.dirs_);
      other.dirs_.clear();
    }
    return *this;
  }
  ContainerCgroup(const ContainerCgroup&) = delete;
  ~ContainerCgroup() { remove(); }

  // Creates the container's cgroups and writes the config's limits.
  // Throws Error when a limit cannot be applied. Without any delegated
  // hierarchy and without limits, nothing is created.
  static ContainerCgroup create(const std::string& name, const policy::Config& config);

  // Moves `pid` into every cgroup of the container (before the process
  // changes its credentials: cgroup v1 wants the same uid).
  void add_process(pid_t pid) const;

  // Removes the cgroups once their processes are gone (waits briefly).
  void remove();

  // The cgroup directories, for the log.
  const std::vector<std::string>& dirs() const { return dirs_; }

 private:
  std::vector<std::string> dirs_;
};

// Moves the calling process into the cgroups of the container whose
// init is `init` (uxc attach: what runs in a container is limited and
// accounted with it). Throws Error.
void join_container_cgroups(pid_t init, const std::string& name);

// The name of a container's cgroup in each hierarchy.
std::string container_cgroup_name(const std::string& name);

// The running container's cgroup directory in each hierarchy its init is
// in (where that holds a uxc cgroup of the container), v2 first, as this
// process sees them: for `uxc freeze` and `uxc cgroup`.
struct CgroupDir {
  int version = 2;
  std::vector<std::string> controllers;  // v1: the hierarchy's
  std::string path;
};
std::vector<CgroupDir> container_cgroup_dirs(pid_t init, const std::string& name);

// What `info` shows, read from the cgroups `pid` is in; a field is
// present only when a uxc cgroup of the container provides it.
struct CgroupUsage {
  bool has_cpu = false, has_blkio = false, has_memory = false, has_kmem = false;
  uint64_t cpu_ns = 0, blkio_bytes = 0, memory_bytes = 0, kmem_bytes = 0;
};
CgroupUsage cgroup_usage(pid_t pid, const std::string& name);

// For `uxc check`.
struct CgroupReport {
  bool delegated = false;
  std::string summary;             // where, or why not
  std::string missing_for_limits;  // controllers memory/pids/cpu not delegated
  std::string fix;
};
CgroupReport describe_cgroup_delegation();

}  // namespace uxc
