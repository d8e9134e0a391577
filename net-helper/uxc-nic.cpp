// uxc-nic: creates a veth pair with one end in a user's container and the
// other on a bridge the administrator allows, within the user's usernet
// quota; or deletes such a pair. Installed setuid root.
//
// DESIGN.md ("What uxc-nic guarantees") is the specification,
// security/AUDIT.md lists every privileged step in order, policy/nic.h
// has the request grammar and policy/usernet.h the quota rule.
//
// main() is the checklist: clean process, root-owned files, drop to the
// caller, identify the caller, read the request, check the target, read
// the policy (and the caller's groups, if a @group line needs them), then
// act with CAP_NET_ADMIN raised only around the netlink calls.
//
// Quota state is the kernel's link list; there is no database. A host end
// is named after the quota slot it holds (policy::slot_name): names are
// unique and given in the call that creates the link, so a nic counts
// from its first instant and two requests cannot hold one slot. Its
// IFLA_IFALIAS, which only root can set, records the creator's uid and the
// line (for delete, and for people). The kernel ignores an alias in a
// creating RTM_NEWLINK, so the tag follows in a second call; a helper
// killed between the two leaves an untagged host end that is down, still
// holds its slot, and is removed by the next create that probes the slot
// (creates hold a root-owned lock, so it cannot be one in progress).
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "net-helper/netlink.h"
#include "paths.h"
#include "policy/nic.h"
#include "policy/protocol.h"
#include "policy/usernet.h"

namespace {

using namespace uxc::nic;  // Link, VethSpec and the netlink calls
namespace protocol = uxc::protocol;
namespace policy = uxc::policy;

constexpr char kPolicyPath[] = UXC_SYSCONFDIR "/uxc/usernet";
constexpr char kLockPath[] = UXC_RUNSTATEDIR "/uxc-nic.lock";
// A caller can stop its own helper while it holds the lock; others give
// up after this long instead of hanging behind it.
constexpr unsigned kLockWaitSeconds = 10;

// One exit status per stage of main(), and the error code it answers
// with. The lxc-user-nic front end exits 1 for all of them.
enum Exit : int {
  kExitOk = 0, kExitHygiene = 10, kExitSetup, kExitPrivilege, kExitCaller, kExitRequest,
  kExitTarget, kExitDenied, kExitQuota, kExitLink, kExitSystem,
};
using enum protocol::ErrorCode;
constexpr protocol::ErrorCode kCodeOf[] = {kSystem, kSystem, kSystem, kDenied, kRequest,
                                           kTarget, kDenied, kQuota,  kLink,   kSystem};

// Set once in main() from argv[0] and argv[1], before any answer.
bool lxc_front_end = false;

struct Fd {  // owns one descriptor
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() { if (fd >= 0) close(fd); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// ----------------------------------------------------------- privilege

constexpr uint32_t kNetAdmin = 1U << CAP_NET_ADMIN, kSysAdmin = 1U << CAP_SYS_ADMIN;

// Sets exactly these permitted and effective capabilities (CAP_* bits, all
// below 32) and nothing inheritable, which also empties the ambient set;
// then checks that the kernel reports exactly that.
[[nodiscard]] bool set_capabilities(uint32_t permitted, uint32_t effective) {
  __user_cap_header_struct head{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct want[2] = {{effective, permitted, 0}, {}}, now[2] = {};
  return syscall(SYS_capset, &head, want) == 0 && syscall(SYS_capget, &head, now) == 0 &&
         memcmp(want, now, sizeof want) == 0;
}

[[nodiscard]] bool raise_net_admin() { return set_capabilities(kNetAdmin, kNetAdmin); }
[[nodiscard]] bool drop_net_admin() { return set_capabilities(0, 0); }  // for good

// Every refusal first lowers every capability: the answer goes to fds the
// caller chose, and nothing privileged happens after a refusal.
[[noreturn]] void fail(Exit exit, const std::string& why) {
  (void)set_capabilities(0, 0);
  if (!lxc_front_end)
    dprintf(1, "%s", protocol::encode_error(kCodeOf[exit - kExitHygiene], why).c_str());
  dprintf(2, "%s: %s\n", lxc_front_end ? "lxc-user-nic" : "uxc-nic", why.c_str());
  _exit(lxc_front_end ? 1 : exit);
}

// Reads to EOF, or until more than cap bytes (the parsers reject those).
bool read_all(int fd, size_t cap, std::string* out) {
  char buf[4096];
  while (out->size() <= cap) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n == 0;
    out->append(buf, static_cast<size_t>(n));
  }
  return true;
}

// ------------------------------------------------------------ hygiene

// libnl's constructors read NLDBG, NLCB and NLSYSCONFDIR (the directory
// whose "classid" file libnl-route opens, as root, before main runs). The
// dynamic loader calls an executable's .preinit_array before initialising
// any shared library, so the environment is emptied here, first.
void empty_environment(int, char**, char** envp) { if (envp != nullptr) envp[0] = nullptr; }
[[gnu::section(".preinit_array"), gnu::used]] void (*const kEmptyEnvironment)(int, char**, char**) =
    empty_environment;

// glibc reopens a closed fd 0 of a setuid program write-only on /dev/full
// and a closed fd 1 or 2 read-only on /dev/null: the wrong direction is
// how a closed descriptor shows.
[[nodiscard]] bool std_fds_usable() {
  const int in = fcntl(0, F_GETFL), out = fcntl(1, F_GETFL), err = fcntl(2, F_GETFL);
  return in >= 0 && out >= 0 && err >= 0 && (in & O_ACCMODE) != O_WRONLY &&
         (out & O_ACCMODE) != O_RDONLY && (err & O_ACCMODE) != O_RDONLY;
}

// Nothing the caller set up survives: other fds, environment, signal
// dispositions and mask, umask, working directory.
[[nodiscard]] bool sanitize_process(bool keep_target_fd) {
  if (close_range(keep_target_fd ? 4 : 3, ~0U, 0) != 0 || clearenv() != 0) return false;
  struct sigaction dfl {};  // zeroed: SIG_DFL, no flags
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);  // some cannot be set
  sigset_t none;
  sigemptyset(&none);
  umask(077);
  return sigprocmask(SIG_SETMASK, &none, nullptr) == 0 && chdir("/") == 0 &&
         prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
}

// Opened as root: the lock so that no caller can hold it, the policy
// because it may be readable by root only. Each must be a regular file of
// root's that nobody else can write; -1 with errno set otherwise. No FIFO
// can block the open (O_NONBLOCK), and then it is refused.
int open_root_owned(const char* path, int flags) {
  const int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC, 0600);
  struct stat st;
  if (fd < 0 || (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
                 (st.st_mode & 022) == 0))
    return fd;
  close(fd);
  errno = EPERM;
  return -1;
}

// Becomes the caller in every uid and gid, with no supplementary group
// (@group lines are matched from the group database), keeping
// CAP_NET_ADMIN in the permitted set only, then proves that root and other
// capabilities are gone by trying to take them back. The uid change
// re-enabled dumping; it goes off again so the caller cannot ptrace us.
[[nodiscard]] bool drop_privileges_to_caller(uid_t uid, gid_t gid) {
  if (setgroups(0, nullptr) != 0 || prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 ||
      setresgid(gid, gid, gid) != 0 ||
      setresuid(uid, uid, uid) != 0 || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0 ||
      !set_capabilities(kNetAdmin, 0) || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    return false;
  uid_t r, e, s;
  if (getresuid(&r, &e, &s) != 0 || r != uid || e != uid || s != uid) return false;
  if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) return false;
  return !set_capabilities(kNetAdmin | kSysAdmin, kNetAdmin | kSysAdmin);
}

// -------------------------------------------------------------- caller

struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;  // the passwd entry's
  std::string name;
  std::vector<std::string> groups;  // for @group lines; looked up only if one applies
};

[[nodiscard]] bool identify_caller(Caller* caller) {
  caller->uid = getuid();
  const passwd* pw = getpwuid(caller->uid);
  if (pw == nullptr) return false;
  caller->name = pw->pw_name;
  caller->gid = pw->pw_gid;
  return true;
}

// For @group lines, the group database as the administrator set it up,
// not the groups the caller kept.
[[nodiscard]] bool find_groups(Caller* caller) {
  int count = 0;
  getgrouplist(caller->name.c_str(), caller->gid, nullptr, &count);  // sets the count needed
  std::vector<gid_t> gids(static_cast<size_t>(count > 0 ? count : 0));
  if (count <= 0 || count > 65536 ||
      getgrouplist(caller->name.c_str(), caller->gid, gids.data(), &count) < 0)
    return false;
  for (gid_t gid : gids)
    if (const group* gr = getgrgid(gid)) caller->groups.emplace_back(gr->gr_name);
  return true;
}

// -------------------------------------------------------------- target

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
  if (userns.fd < 0 || ioctl(userns.fd, NS_GET_OWNER_UID, &owner) != 0 || owner != caller)
    return false;
  // Fails for the initial user namespace and for any that is not a
  // descendant of the helper's.
  const Fd parent(ioctl(userns.fd, NS_GET_PARENT));
  return parent.fd >= 0;
}

// ------------------------------------------------------------- actions

[[nodiscard]] bool lock_quota(int fd) {
  struct sigaction wake {};
  wake.sa_handler = [](int) {};  // no SA_RESTART: flock() returns EINTR
  if (sigaction(SIGALRM, &wake, nullptr) != 0) return false;
  alarm(kLockWaitSeconds);
  const bool locked = flock(fd, LOCK_EX) == 0;
  alarm(0);
  return locked;
}

int answer(const policy::NicAnswer& nic) {
  if (!drop_net_admin()) fail(kExitPrivilege, "cannot drop CAP_NET_ADMIN");
  std::string text = protocol::encode_ok(policy::nic_answer_words(nic));
  if (lxc_front_end) text = nic.host_ifindex == 0 ? "" : policy::format_lxc_user_nic_answer(nic);
  return dprintf(1, "%s", text.c_str()) == static_cast<int>(text.size()) ? kExitOk : kExitSystem;
}

int create_nic(const Caller& caller, const policy::UsernetFile& usernet,
               const policy::NicRequest& req, int target_fd, int lock_fd) {
  const std::string what = "veth nics on " + req.link + " for " + caller.name;
  // Callers without a line are refused before they can take the lock.
  const policy::NicVerdict first =
      policy::decide_nic(usernet, caller.name, caller.groups, req.type, req.link, {}).verdict;
  if (first == policy::NicVerdict::kBadPolicy)
    fail(kExitDenied, std::string(kPolicyPath) + " is malformed: " + usernet.errors.front());
  if (first == policy::NicVerdict::kNoLine)
    fail(kExitDenied, std::string(kPolicyPath) + " allows no " + what);
  if (!lock_quota(lock_fd)) fail(kExitSystem, "another uxc-nic request holds the lock; try again");
  if (!raise_net_admin()) fail(kExitPrivilege, "cannot raise CAP_NET_ADMIN");
  const Socket nl = open_netlink();
  Link bridge, host;
  if (!nl) fail(kExitSystem, "cannot open a netlink socket");
  if (!get_link(nl.get(), req.link, &bridge) || bridge.kind != "bridge")
    fail(kExitLink, req.link + " is not a bridge");

  uint8_t random[9];
  if (getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random))
    fail(kExitSystem, "cannot read random bytes");
  // A slot is free when no link has its name. One that a helper killed
  // between creating and tagging left behind is untagged, down and on the
  // bridge; we hold the lock, so it is no one's work in progress.
  // A crowded line is mostly probes of links that are up, which are
  // never orphans: one ioctl settles those; the rest get the netlink look.
  const auto probe = [&](const policy::UsernetKey& key, uint32_t slot) {
    ifreq ifr{};
    policy::slot_name(key, slot).copy(ifr.ifr_name, IFNAMSIZ - 1);
    if (ioctl(nl_socket_get_fd(nl.get()), SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) != 0)
      return policy::SlotState::kTaken;
    Link link;
    if (!get_link(nl.get(), ifr.ifr_name, &link)) return policy::SlotState::kFree;
    const bool orphan = link.alias.empty() && link.kind == "veth" && !link.up &&
                        link.master == bridge.ifindex;
    return orphan && remove_link(nl.get(), link.ifindex) ? policy::SlotState::kFree
                                                         : policy::SlotState::kTaken;
  };
  const policy::NicDecision decision = policy::choose_slot(
      usernet, caller.name, caller.groups, req.type, req.link,
      static_cast<uint32_t>(random[0] << 24 | random[1] << 16 | random[2] << 8 | random[3]), probe);
  if (decision.verdict != policy::NicVerdict::kAllow)
    fail(kExitQuota, "all " + std::to_string(decision.allowed) + " " + what + " are in use");

  // The host end's name is the slot: the nic counts from its first instant.
  const VethSpec spec{req.name, policy::slot_name(decision.charged, decision.slot), req.hwaddr,
                      policy::host_end_mac(std::span<const uint8_t, 5>(random + 4, 5)),
                      req.has_hwaddr, bridge.mtu, bridge.ifindex, target_fd};
  const int err = create_veth(nl.get(), spec);
  if (err == -NLE_EXIST && !get_link(nl.get(), spec.host_name, &host))
    fail(kExitLink, req.name + " already exists in the container");
  if (err != 0 || !get_link(nl.get(), spec.host_name, &host))
    fail(kExitSystem, "the kernel refused a veth pair on " + req.link + " (is it full?)");
  // One call sets the tag and IFF_UP: the port never carries traffic untagged.
  if (!tag_and_up(nl.get(), host.ifindex, policy::format_nic_tag(caller.uid, decision.charged))) {
    (void)remove_link(nl.get(), host.ifindex);  // or the next create of this slot will
    fail(kExitSystem, "cannot tag the new veth pair");
  }
  return answer({host.name, host.ifindex, req.name, host.peer_ifindex});
}

// Only a veth tagged with the caller's uid. No lock: deleting can only
// lower what a concurrent create counts.
int delete_nic(const Caller& caller, const policy::NicRequest& req) {
  if (!raise_net_admin()) fail(kExitPrivilege, "cannot raise CAP_NET_ADMIN");
  const Socket nl = open_netlink();
  Link link;
  policy::HeldNic tag;
  if (!nl) fail(kExitSystem, "cannot open a netlink socket");
  if (!get_link(nl.get(), req.host, &link) || link.kind != "veth" ||
      !policy::parse_nic_tag(link.alias, &tag) || tag.uid != caller.uid)
    fail(kExitDenied, req.host + " is not a nic of yours");
  if (!remove_link(nl.get(), link.ifindex)) fail(kExitSystem, "cannot delete " + req.host);
  return answer({link.name, 0, "", 0});
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  lxc_front_end = policy::is_lxc_user_nic_call(argc > 0 ? argv[0] : "", args);
  if (!std_fds_usable()) _exit(kExitHygiene);  // nowhere to answer
  if (!sanitize_process(!lxc_front_end)) fail(kExitHygiene, "cannot set up a clean process");
  if (!lxc_front_end && !args.empty())
    fail(kExitRequest, "takes no arguments: the request comes on fd 0");

  const Fd lock(open_root_owned(kLockPath, O_RDONLY | O_CREAT | O_NOFOLLOW));
  const Fd policy_file(open_root_owned(kPolicyPath, O_RDONLY));
  if (lock.fd < 0 || (policy_file.fd < 0 && errno != ENOENT))  // no policy grants nothing
    fail(kExitSetup, "the lock or policy file is unusable or unsafe; ask the administrator");
  if (!drop_privileges_to_caller(getuid(), getgid())) fail(kExitPrivilege, "cannot drop root");
  Caller caller;
  if (!identify_caller(&caller)) fail(kExitCaller, "your uid has no passwd entry");

  // Everything the caller sends is read only now, without privilege.
  std::string text, err;
  policy::LxcUserNicArgs request;
  if (lxc_front_end ? !policy::parse_lxc_user_nic_args(args, &request, &err)
                    : !read_all(protocol::kRequestFd, protocol::kMaxRequestBytes, &text) ||
                          !policy::decode_nic_request(text, &request.request, &err))
    fail(kExitRequest, err.empty() ? "cannot read the request" : err);
  if (request.request.op == policy::NicOp::kDelete) return delete_nic(caller, request.request);

  // lxc-user-nic names a pid: its namespace is opened with the caller's
  // credentials (no capability is effective now), so the kernel's ptrace
  // rules decide, and a failure reads the same as a foreign namespace.
  const std::string proc_netns = "/proc/" + std::to_string(request.pid) + "/ns/net";
  const Fd target(lxc_front_end ? open(proc_netns.c_str(), O_RDONLY | O_CLOEXEC)
                  : fcntl(protocol::kTargetFd, F_GETFD) >= 0 ? protocol::kTargetFd : -1);
  if (target.fd < 0 || !is_callers_container_netns(target.fd, caller.uid))
    fail(kExitTarget, "the target is not the network namespace of a container you own");

  std::string policy_text;  // no file: an empty policy
  if (policy_file.fd >= 0 && !read_all(policy_file.fd, policy::kMaxUsernetFileBytes, &policy_text))
    fail(kExitSetup, std::string("cannot read ") + kPolicyPath);
  const policy::UsernetFile usernet = policy::parse_usernet_file(policy_text);
  // Asking for groups can cost more than the rest of a create (NSS modules
  // such as systemd's probe many sources): only when a @group line could
  // match the request, as no other line looks at them.
  const policy::NicRequest& req = request.request;
  if (policy::has_group_line(usernet, req.type, req.link) && !find_groups(&caller))
    fail(kExitCaller, "cannot list your groups");
  return create_nic(caller, usernet, req, target.fd, lock.fd);
}
