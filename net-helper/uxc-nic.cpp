// uxc-nic: creates a veth pair with one end in a user's container and the
// other on a bridge the administrator allows, within the user's usernet
// quota; or deletes such a pair. Installed setuid root.
//
// DESIGN.md ("What uxc-nic guarantees") is the specification,
// security/AUDIT.md lists every privileged step in order, policy/nic.h
// has the request grammar and policy/usernet.h the quota rule.
//
// main() is the checklist, one exit status per step; steps 1-7 are the
// privileged core's (setuid-helpers/core.h), shared with uxc-idmap:
// hygiene, root-owned files, drop to the caller, identify the caller,
// read the request, check the target, apply the policy; then the lock,
// and the netlink calls, each with CAP_NET_ADMIN raised around it alone.
//
// Quota state is the kernel's link list; there is no database. A host end
// is named after the quota slot it holds (policy::slot_name): names are
// unique and given in the call that creates the link, so a nic counts
// from its first instant and two requests cannot hold one slot. Its
// IFLA_IFALIAS, which only root can set, records the creator's uid and the
// line (for delete, and for people). The kernel ignores an alias in a
// creating RTM_NEWLINK, so the tag follows in a second call; a helper
// killed between the two leaves an untagged host end that is down, still
// holds its slot, and is removed by the next create that picks the slot
// (creates of a line hold its lock, so it cannot be one in progress).
//
// The lock is per line: a byte of the root-owned lock file at the line's
// slot hash (unique within the policy file), an OFD lock taken by every
// create that may charge the line, held across probing, creating and
// tagging only. A create whose lines are visibly full is refused by a
// first look without it. It is released before anything is written to a
// descriptor the caller chose, so no caller can extend it; a caller that
// stops its own helper inside it holds up only creates that may be
// charged to the same line, each for at most kLockWaitSeconds.
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "net-helper/netlink.h"
#include "paths.h"
#include "policy/nic.h"
#include "policy/protocol.h"
#include "policy/usernet.h"
#include "setuid-helpers/core.h"

namespace {

using namespace uxc;       // core, policy, protocol
using namespace uxc::nic;  // Link, VethSpec and the netlink calls
using core::Fd;

constexpr char kPolicyPath[] = UXC_SYSCONFDIR "/uxc/usernet";
constexpr char kLockPath[] = UXC_RUNSTATEDIR "/uxc-nic.lock";
// A caller can stop its own helper while it holds a line's lock; others
// of that line give up after this long instead of hanging behind it.
constexpr unsigned kLockWaitSeconds = 10;
constexpr core::CapSet kNetAdmin = core::cap_bit(CAP_NET_ADMIN);

// The helper's own steps after the core's (core.h), in main()'s order:
// 17 netlink, 18 bridge, 19 lock, 20 quota (before the lock and under it),
// 21 act, 22 final drop, 23 answer.
enum Step : int {
  kStepNetlink = core::kFirstOwnStep, kStepBridge, kStepLock, kStepQuota, kStepAct, kStepFinalDrop,
  kStepAnswer,
};

// For @group lines, the group database as the administrator set it up,
// not the groups the caller kept.
[[nodiscard]] bool find_groups(const core::Caller& caller, std::vector<std::string>* groups) {
  int count = 0;
  getgrouplist(caller.name.c_str(), caller.login_gid, nullptr, &count);  // sets the count needed
  std::vector<gid_t> gids(static_cast<size_t>(std::clamp(count, 0, 65536)));  // too many: refused
  if (gids.empty() || getgrouplist(caller.name.c_str(), caller.login_gid, gids.data(), &count) < 0)
    return false;
  for (gid_t gid : gids)
    if (const group* gr = getgrgid(gid)) groups->emplace_back(gr->gr_name);
  return true;
}

// lxc-user-nic names a pid: its namespace is opened with the caller's
// credentials (no capability is effective now), so the kernel's ptrace
// rules decide, and a failure reads the same as a foreign namespace.
Fd open_target(const core::Form& form, uint32_t pid) {
  if (form.pipe) return Fd(form.keep_fd);  // fd 3, or -1 if the caller passed none
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  return Fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
}

// True if fd is a network namespace whose user namespace the caller owns
// and lies strictly below the helper's own: never the host's namespace,
// root's containers or another user's (CVE-2017-5985).
[[nodiscard]] bool is_callers_container_netns(int fd, uid_t caller) {
  // Namespace ioctls only on nsfs files: on a device the same request
  // number could mean something else to its driver.
  struct statfs fs;
  if (fstatfs(fd, &fs) != 0 || fs.f_type != NSFS_MAGIC) return false;
  if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) return false;
  const Fd userns(ioctl(fd, NS_GET_USERNS));
  uid_t owner = static_cast<uid_t>(-1);
  if (!userns.valid() || ioctl(userns.get(), NS_GET_OWNER_UID, &owner) != 0 || owner != caller)
    return false;
  // Fails for the initial user namespace and for any that is not a
  // descendant of the helper's; the parent's fd closes at once.
  return Fd(ioctl(userns.get(), NS_GET_PARENT)).valid();
}

// The policy file (opened as root) read and parsed as the caller, with
// the caller's groups if a @group line could match: asking for them can
// cost more than the rest of a create (NSS modules such as systemd's probe
// many sources), and no other line looks at them. Callers without a line
// are refused here, before they can take the lock.
bool allowed_by_policy(const Fd& file, const core::Caller& caller, const policy::NicRequest& req,
                       policy::UsernetFile* usernet, std::vector<std::string>* groups,
                       std::string* why) {
  std::string text;  // no file: an empty policy
  *why = std::string("cannot read ") + kPolicyPath;
  if (file.valid() && !core::read_capped(file.get(), policy::kMaxUsernetFileBytes, &text))
    return false;
  *usernet = policy::parse_usernet_file(text);
  *why = "cannot list your groups";
  if (policy::has_group_line(*usernet, req.type, req.link) && !find_groups(caller, groups))
    return false;
  const auto first = policy::decide_nic(*usernet, caller.name, *groups, req.type, req.link, {});
  *why = std::string(kPolicyPath) + ": " + first.reason;
  return first.verdict != policy::NicVerdict::kBadPolicy &&
         first.verdict != policy::NicVerdict::kNoLine;
}

// All of them within kLockWaitSeconds, or none (closing the file releases
// what was taken). No SA_RESTART: F_OFD_SETLKW returns EINTR.
[[nodiscard]] bool lock_lines(int fd, const std::vector<uint32_t>& keys) {
  struct sigaction wake {};
  wake.sa_handler = [](int) {};
  bool locked = sigaction(SIGALRM, &wake, nullptr) == 0;
  alarm(kLockWaitSeconds);
  for (uint32_t key : keys) {
    struct flock range {F_WRLCK, SEEK_SET, static_cast<off_t>(key), 1, 0};
    locked = locked && fcntl(fd, F_OFD_SETLKW, &range) == 0;
  }
  alarm(0);
  return locked;
}

// The kernel checks CAP_NET_ADMIN against the credentials that opened a
// netlink socket as well as against the sender, so the socket is opened
// with it raised, and each change sent with it raised again; nothing else.
template <typename Call>
bool with_net_admin(const Call& call) {
  return core::call_with_caps_raised(kNetAdmin, kNetAdmin, call);
}

// choose_slot's probe: what a slot's name holds, by looking only (no
// capability is effective): nothing, a nic, or a leftover: untagged, a
// veth, down, on this bridge. One ioctl settles a free slot and, unless its
// tag is asked for, one whose link is up (never a leftover: a crowded line
// is mostly those); the rest get the netlink look, which *leftover keeps.
policy::SlotProbe slot_probe(nl_sock* nl, const Link& bridge, Link* leftover) {
  return [nl, &bridge, leftover](const std::string& name, std::string* tag) {
    ifreq ifr{};
    name.copy(ifr.ifr_name, IFNAMSIZ - 1);
    if (ioctl(nl_socket_get_fd(nl), SIOCGIFFLAGS, &ifr) != 0)
      return errno == ENODEV ? policy::SlotState::kFree : policy::SlotState::kTaken;
    if (((ifr.ifr_flags & IFF_UP) != 0 && tag == nullptr) || !get_link(nl, name, leftover))
      return policy::SlotState::kTaken;
    if (tag != nullptr) *tag = leftover->alias;
    const bool is_leftover = leftover->alias.empty() && leftover->kind == "veth" &&
                             !leftover->up && leftover->master == bridge.ifindex;
    return is_leftover ? policy::SlotState::kLeftover : policy::SlotState::kTaken;
  };
}

// Creates the pair with the host end named after the slot, so the nic
// counts from its first instant, then tags it and brings it up in one
// call: the port never carries traffic untagged.
bool create_and_tag(nl_sock* nl, const VethSpec& spec, const std::string& tag, Link* host,
                    protocol::ErrorCode* code, std::string* why) {
  *code = protocol::ErrorCode::kSystem;
  int err = 0;
  *why = "the kernel refused the veth pair (is the bridge full?)";
  if (!with_net_admin([&] { return (err = create_veth(nl, spec)) == 0; })) {
    if (err == -NLE_EXIST && !get_link(nl, spec.host_name, host)) {
      *code = protocol::ErrorCode::kLink;
      *why = spec.peer_name + " already exists in the container";
    }
    return false;
  }
  *why = "cannot tag the new veth pair";
  if (get_link(nl, spec.host_name, host) &&
      with_net_admin([&] { return tag_and_up(nl, host->ifindex, tag); }))
    return true;
  (void)with_net_admin([&] { return remove_link(nl, host->ifindex); });  // or the next create will
  return false;
}

// With no capability left.
int answer_nic(const core::Form& form, const core::Caller& caller, const policy::NicAnswer& nic) {
  if (!core::narrow_caps(caller, 0))
    return core::refuse(form, kStepFinalDrop, protocol::ErrorCode::kSystem,
                        "cannot drop CAP_NET_ADMIN");
  return core::answer(form, kStepAnswer,
                      form.pipe ? protocol::encode_ok(policy::nic_answer_words(nic))
                                : policy::format_lxc_user_nic_answer(nic));
}

// Only a veth tagged with the caller's uid. No lock: deleting can only
// lower what a concurrent create counts. A missing link and someone
// else's read the same.
int delete_nic(const core::Form& form, const core::Caller& caller, const policy::NicRequest& req) {
  using enum protocol::ErrorCode;
  Socket nl(nullptr, nl_socket_free);
  Link link;
  policy::HeldNic tag;
  if (!with_net_admin([&] { return (nl = open_netlink()) != nullptr; }))
    return core::refuse(form, kStepNetlink, kSystem, "cannot open a netlink socket");
  if (!get_link(nl.get(), req.host, &link) || link.kind != "veth" ||
      !policy::parse_nic_tag(link.alias, &tag) || tag.uid != caller.uid)
    return core::refuse(form, core::kStepPolicy, kDenied, req.host + " is not a nic of yours");
  if (!with_net_admin([&] { return remove_link(nl.get(), link.ifindex); }))
    return core::refuse(form, kStepAct, kSystem, "cannot delete " + req.host);
  return answer_nic(form, caller, {link.name, 0, "", 0});
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  // lxc-user-nic's command line (argv[0], or its first word), or the pipe
  // protocol with the target on fd 3.
  core::Form form = policy::is_lxc_user_nic_call(argc > 0 ? argv[0] : "", args)
                        ? core::Form{"lxc-user-nic", false, -1}
                        : core::Form{"uxc-nic", true, protocol::kTargetFd};
  using enum protocol::ErrorCode;
  using core::refuse;

  // 1. Hygiene, before anything else is read.
  if (!core::enter_clean_state(&form))
    return refuse(form, core::kStepHygiene, kSystem,
                  "cannot set up a clean process (are fds 0, 1 and 2 open?)");
  // 2. The lock, so that no caller can hold it, and the policy, which may
  // be readable by root only. No policy file grants nothing. The lock is
  // root:root: created by a setuid helper it would get the caller's group.
  Fd lock, policy_file;
  if (!core::open_root_owned(kLockPath, O_RDWR | O_CREAT | O_NOFOLLOW, &lock) ||
      fchown(lock.get(), 0, 0) != 0 || !core::open_root_owned(kPolicyPath, O_RDONLY, &policy_file))
    return refuse(form, core::kStepRootFiles, kSystem,
                  "the lock or policy file is unusable or unsafe; ask the administrator");
  // 3. The caller's ids; CAP_NET_ADMIN permitted, not effective.
  core::Caller caller{getuid(), getgid(), {}, 0};
  if (!core::drop_to_caller(caller, kNetAdmin))
    return refuse(form, core::kStepDrop, kSystem, "cannot drop root");
  // 4. The caller's name.
  if (!core::name_caller(&caller))
    return refuse(form, core::kStepCaller, kDenied, "your uid has no passwd entry");
  // 5. The request, on fd 0 or lxc-user-nic's command line: everything the
  // caller sends is read only now.
  policy::LxcUserNicArgs request;
  std::string text, why;
  if (form.pipe ? !core::read_pipe_request(args, &text, &why) ||
                      !policy::decode_nic_request(text, &request.request, &why)
                : !policy::parse_lxc_user_nic_args(args, &request, &why))
    return refuse(form, core::kStepRequest, kRequest, why);
  const policy::NicRequest& req = request.request;
  if (req.op == policy::NicOp::kDelete) return delete_nic(form, caller, req);
  // 6. The target.
  const Fd target = open_target(form, request.pid);
  if (!is_callers_container_netns(target.get(), caller.uid))
    return refuse(form, core::kStepTarget, kTarget,
                  "the target is not the network namespace of a container you own");
  // 7. A line of the policy for this caller, type and link.
  policy::UsernetFile usernet;
  std::vector<std::string> groups;
  if (!allowed_by_policy(policy_file, caller, req, &usernet, &groups, &why))
    return refuse(form, core::kStepPolicy, kDenied, why);
  // 8. The netlink socket.
  Socket nl(nullptr, nl_socket_free);
  if (!with_net_admin([&] { return (nl = open_netlink()) != nullptr; }))
    return refuse(form, kStepNetlink, kSystem, "cannot open a netlink socket");
  // 9. The link is a bridge.
  Link bridge, host, leftover;
  if (!get_link(nl.get(), req.link, &bridge) || bridge.kind != "bridge")
    return refuse(form, kStepBridge, kLink, req.link + " is not a bridge");
  // 10. A free slot of a matching line: policy decides, the probe looks.
  // Twice: first without the lock, so that a caller whose every matching
  // line is full (or has count 0) is refused before it can take any lock;
  // then under the lock of each line the nic may be charged to (counting
  // and creating, one request of a line at a time), the look that counts.
  // The lock is released (closed) before any refusal or answer writes to
  // the caller's descriptors.
  const auto refuse_unlocked = [&](int step, protocol::ErrorCode err, const std::string& line) {
    lock = Fd();
    return refuse(form, step, err, line);
  };
  uint64_t random[2];  // choose_slot's seed, host_end_mac's bits
  if (getrandom(&random, sizeof random, 0) != static_cast<ssize_t>(sizeof random))
    return refuse(form, kStepQuota, kSystem, "cannot read random bytes");
  policy::NicDecision slot;
  for (const bool locked : {false, true}) {
    if (locked &&
        !lock_lines(lock.get(), policy::lock_keys(usernet, caller.name, groups, req.type, req.link)))
      return refuse_unlocked(kStepLock, kSystem, "another uxc-nic request holds the lock; try again");
    slot = policy::choose_slot(usernet, caller.name, groups, req.type, req.link, random[0],
                               slot_probe(nl.get(), bridge, &leftover));
    if (slot.verdict != policy::NicVerdict::kAllow)
      return refuse_unlocked(kStepQuota, kQuota, std::string(kPolicyPath) + ": " + slot.reason);
  }
  // 11. The slot's leftover removed (we hold the lock, so it is nobody's
  // work in progress); the pair, born with its peer in the target
  // namespace; tagged and up.
  if (slot.leftover && !with_net_admin([&] { return remove_link(nl.get(), leftover.ifindex); }))
    return refuse_unlocked(kStepAct, kSystem, "cannot remove the leftover " + leftover.name);
  const VethSpec spec{req.name, slot.host_name, req.hwaddr,
                      policy::host_end_mac(random[1]),
                      req.has_hwaddr, bridge.mtu, bridge.ifindex, target.get()};
  protocol::ErrorCode code = kSystem;
  if (!create_and_tag(nl.get(), spec, policy::format_nic_tag(caller.uid, slot.charged), &host,
                      &code, &why))
    return refuse_unlocked(kStepAct, code, why);
  lock = Fd();  // tagged: the nic counts for everyone; the line is free
  // 12. No capability left; 13. the answer.
  return answer_nic(form, caller, {host.name, host.ifindex, req.name, host.peer_ifindex});
}
