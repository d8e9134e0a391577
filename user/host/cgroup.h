// cgroups for containers, as the user: only in subtrees delegated to
// the user (owned by the user's uid), never anything that needs root.
//
// Where: for each hierarchy (the cgroup v2 one, the v1 ones of the
// memory, pids, cpu, cpuacct, blkio and freezer controllers, and the named v1
// hierarchy name=systemd that hybrid and v1 hosts keep for systemd), the
// delegation root is the topmost cgroup owned by the user on the way up
// from the process's own cgroup; with systemd that is user@UID.service
// (when uxc runs inside the user's manager: the autostart unit, or
// systemd-run --user --scope), elsewhere what an administrator created
// and chowned (/sys/fs/cgroup/memory/alice, the way LXC's test suite
// delegates v1). Without one, systemd's user@UID.service is used when it
// is the user's. A container gets DELEGATION_ROOT/uxc.payload.NAME
// (container_cgroup_name) in each such hierarchy, and its init a cgroup namespace rooted there.
//
// Owned by the user, a container's cgroup is out of reach of everything
// in the container: that is all a command or busybox's init needs. A
// distribution's init manages its own subtree (systemd makes init.scope
// and a cgroup per unit), so for those the cgroup is given to the
// container's root, as LXC does: the directory and the files that
// delegate it (cgroup.procs, cgroup.subtree_control, ...; v1: tasks) are
// chowned to the container's mapped root from a user namespace that maps
// both the user and that root (uxc-idmap's file-work maps). The limit
// files stay the user's, so the container still cannot raise its own
// limits. `uxc attach` joins such a cgroup with the capabilities it has
// in the container's user namespace (its root's files are then open to
// it), and what the init made below its cgroup is removed, once the init
// has gone, from inside that namespace.
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

#include "policy/cgroup.h"
#include "policy/config.h"
#include "policy/idmap.h"
#include "user/common/util.h"

namespace uxc {

class ContainerCgroup {
 public:
  ContainerCgroup() = default;
  ContainerCgroup(ContainerCgroup&& other) noexcept
      : dirs_(std::move(other.dirs_)), for_root_(other.for_root_), given_(other.given_), userns_(std::move(other.userns_)) {
    other.dirs_.clear();
  }
  ContainerCgroup& operator=(ContainerCgroup&& other) noexcept {
    if (this != &other) {
      remove();
      dirs_ = std::move(other.dirs_);
      other.dirs_.clear();
      for_root_ = other.for_root_;
      given_ = other.given_;
      userns_ = std::move(other.userns_);
    }
    return *this;
  }
  ContainerCgroup(const ContainerCgroup&) = delete;
  ~ContainerCgroup() { remove(); }

  // Creates the container's cgroups and writes the config's limits.
  // Throws Error when a limit cannot be applied. Without any delegated
  // hierarchy and without limits, nothing is created. `for_root`: the
  // cgroups are to be given to the container's root (a distribution's
  // init) by give_to_container_root.
  static ContainerCgroup create(const std::string& name, const policy::Config& config, bool for_root);

  // Moves `pid` into every cgroup of the container (before the process
  // changes its credentials: cgroup v1 wants the same uid).
  void add_process(pid_t pid) const;

  // Chowns the cgroups to the container's root (host/cgroup.h's top):
  // `file_maps` is the container's map plus the user's own ids, and
  // `userns` the container's user namespace (/proc/INIT/ns/user), kept
  // for removing what the container makes below its cgroup. No-op
  // without cgroups or unless created for_root.
  void give_to_container_root(const policy::IdmapRequest& file_maps, Fd userns);

  // Removes the cgroups once their processes are gone (waits briefly).
  void remove();

  // The cgroup directories, for the log.
  std::vector<std::string> dirs() const;

  // The container's /sys/fs/cgroup (policy/cgroup.h), read-write where
  // its root owns (or, once give_to_container_root has run, will own)
  // its cgroup.
  policy::CgroupTree tree() const;

 private:
  struct Dir {
    std::string path;   // DELEGATION_ROOT/uxc.payload.NAME
    std::string mount;  // the hierarchy's mount point
    int version = 2;
  };
  std::vector<Dir> dirs_;
  bool for_root_ = false;
  bool given_ = false;  // chowned to the container's root
  Fd userns_;
};

// Moves the calling process into the cgroups of the container whose
// init is `init` (uxc attach: what runs in a container is limited and
// accounted with it): the cgroup the init is in, which is the
// container's own or one below it. Called after entering the container's
// user namespace, so that a cgroup of the container's root is open to
// the caller. Throws Error.
void join_container_cgroups(pid_t init, const std::string& name);

// The name of a container's cgroup in each hierarchy: uxc.payload.NAME
// for the containers of the default path, uxc.lxcpath-HASH.NAME for
// those of another -P path (Paths::lxcpath_tag's hash, set once by
// name_cgroups_for), so that two containers of one name in two paths
// never share a cgroup. Neither prefix is the start of the other.
std::string container_cgroup_name(const std::string& name);
void name_cgroups_for(const std::string& lxcpath_tag);

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
  std::string systemd_problem;     // why a systemd container cannot start; "" if it can
};
CgroupReport describe_cgroup_delegation();

// "" when a container whose init is systemd can get the cgroup it needs
// (the hierarchy systemd keeps track of its processes in: name=systemd
// on a v1 or hybrid host, cgroup2 on a unified one, delegated to the
// user); otherwise one line that says what to ask the administrator for.
std::string systemd_cgroup_problem();

}  // namespace uxc
