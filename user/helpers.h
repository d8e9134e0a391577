// The manager's side of the two setuid helpers (DESIGN.md, "The helper
// contract"): one request per exec over a pipe, the target as fd 3.
//
// The helpers live in UXC_LIBEXECDIR. UXC_HELPER_DIR overrides that for
// tests: reading it is harmless because uxc itself holds no privilege; the
// helpers trust nothing about their caller anyway.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "policy/config.h"
#include "policy/idmap.h"
#include "policy/nic.h"
#include "user/dirs.h"

namespace uxc {

std::string helper_path(const std::string& name);

// The uid and gid maps for a container: its lxc.idmap lines, or, when it
// has none, the user's first subordinate ranges (at most 65536 ids from
// container id 0). Checked against /etc/subuid and /etc/subgid first, so
// a refusal names the file and what to add, rather than the helper's
// terse answer.
policy::IdmapRequest container_idmap(const policy::Config& config, const User& user);

// The same maps plus the user's own uid and gid, mapped just above the
// container's ids, for file work on a rootfs (create, destroy): the
// user's directories stay reachable while files are created as the
// container's ids.
policy::IdmapRequest file_work_idmap(const policy::Config& config, const User& user);

// Runs uxc-idmap for the user namespace of process `pid`.
void map_user_namespace(pid_t pid, const policy::IdmapRequest& request);

// Runs uxc-nic create for one veth into the network namespace of `pid`;
// `peer_name` is the interface name inside.
policy::NicAnswer create_veth(pid_t pid, const policy::Nic& nic, const std::string& peer_name,
                              const User& user);

}  // namespace uxc
