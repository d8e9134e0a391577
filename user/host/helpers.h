// The manager's side of the two setuid helpers (DESIGN.md, "The helper
// contract"): one request per exec over a pipe, the target as fd 3.
//
// The helpers live in UXC_LIBEXECDIR. UXC_HELPER_DIR overrides that for
// tests: reading it is harmless because uxc itself holds no privilege; the
// helpers trust nothing about their caller anyway.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "policy/config.h"
#include "policy/idmap.h"
#include "policy/nic.h"
#include "policy/usernet.h"
#include "user/common/dirs.h"
#include "user/common/util.h"

namespace uxc {

std::string helper_path(const std::string& name);

// The uid and gid maps for a container: its lxc.idmap lines, or, when it
// has none, the user's first subordinate ranges (at most 65536 ids from
// container id 0). Checked against /etc/subuid and /etc/subgid first, so
// a refusal names the file and what to add, rather than the helper's
// terse answer.
policy::IdmapRequest container_idmap(const policy::Config& config, const User& user);

// A line of lxc.idmap (or lxc.id_map) that maps ids the user does not
// have. what() is the whole message: the file, line and spelling, what
// the line asks, what the user has, and the lines to write instead.
class IdmapLineError : public Error {
 public:
  IdmapLineError(const std::string& what, std::string file_, size_t line_, std::string finding_,
                 std::vector<std::string> lines_)
      : Error(what), file(std::move(file_)), line(line_), finding(std::move(finding_)), lines(std::move(lines_)) {}
  std::string file;
  size_t line;
  std::string finding;             // "FILE:LINE: KEY = VALUE: uids A-B are not yours: ..."
  std::vector<std::string> lines;  // what to write instead, in the file's spelling
};

// "KEY = u 0 FIRST COUNT" and "KEY = g 0 FIRST COUNT" for the user's
// first subordinate ranges (at most 65536 ids each), in the key spelling
// given: what to write in a config. Throws when the user has none.
std::vector<std::string> idmap_lines_for(const User& user, const std::string& key);

// The same maps plus the user's own uid and gid, mapped just above the
// container's ids, for file work on a rootfs (create, destroy): the
// user's directories stay reachable while files are created as the
// container's ids.
policy::IdmapRequest file_work_idmap(const policy::Config& config, const User& user);

// The bridges /etc/uxc/usernet lets the user put veths on (with at least
// one) that exist here, in the file's order.
std::vector<policy::AllowedLink> usable_bridge_list(const User& user);

// Before a start, as the user: each veth's lxc.net.N.link exists on the
// host and is a bridge. An Error otherwise says which, where (`file`
// and the nic's line), and which bridges /etc/uxc/usernet lets the user
// use: a wrong link is the user's to fix, not a line to ask for.
void check_veth_links(const policy::Config& config, const std::string& file, const User& user);

// A helper that has its request and runs while the manager goes on: the
// two helpers of a start run at the same time. Destroying one that was
// not finished waits for it to exit.
struct HelperRun {
  std::string name;
  pid_t pid = -1;
  bool sent = false;  // the helper read the whole request
  Fd answer, diagnostics;
  HelperRun() = default;
  HelperRun(HelperRun&& other) noexcept
      : name(std::move(other.name)), pid(std::exchange(other.pid, -1)), sent(other.sent),
        answer(std::move(other.answer)), diagnostics(std::move(other.diagnostics)) {}
  HelperRun& operator=(HelperRun&&) = delete;
  ~HelperRun();
};

// Runs uxc-idmap for the user namespace of process `pid`: start, then
// finish (which throws Error with the refusal), or both at once.
HelperRun start_map_user_namespace(pid_t pid, const policy::IdmapRequest& request);
void finish_map_user_namespace(HelperRun& run);
void map_user_namespace(pid_t pid, const policy::IdmapRequest& request);

// Runs uxc-nic create for one veth into the network namespace of `pid`;
// `peer_name` is the interface name inside. The user's network namespace
// exists, owned by the user, from the clone on: the nic does not wait
// for the id maps.
HelperRun start_create_veth(pid_t pid, const policy::Nic& nic, const std::string& peer_name);
policy::NicAnswer finish_create_veth(HelperRun& run, const policy::Nic& nic, const User& user);
policy::NicAnswer create_veth(pid_t pid, const policy::Nic& nic, const std::string& peer_name,
                              const User& user);

}  // namespace uxc
