// uxc-idmap: the setuid-root helper that writes uid_map, gid_map and, when
// needed, setgroups of one user namespace that its caller owns, using the
// ids /etc/subuid and /etc/subgid grant the caller plus the caller's own.
//
// DESIGN.md "What uxc-idmap guarantees" is the specification and main()
// at the bottom is that list, in order, one named step and one exit
// status each. security/AUDIT.md lists every syscall made with privilege.
//
// Privilege timeline:
//   euid 0, all capabilities   hygiene; read the two grant files
//   caller's uids and gids,    parse and decide; check the target;
//   SETUID+SETGID+SETFCAP      nothing effective
//   permitted only
//   the same, permitted cut    each map file opened and written with its
//   to what the request needs  one capability effective, lowered at once
//   no capabilities            answer
//
// Front ends: called as "newuidmap" or "newgidmap" (argv[0]'s last path
// component) it takes shadow's command line instead of a request on fd 0,
// writes that one map and exits 0, or 1 with a message, as shadow does.
// Both paths go through the same steps below.
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "paths.h"
#include "policy/idmap.h"  // with policy/protocol.h and policy/subid.h

namespace {

using uxc::policy::IdmapRequest;
using uxc::policy::RequestVerdict;
using uxc::policy::ShadowCommand;
using uxc::protocol::ErrorCode;
using Decision = uxc::policy::RequestDecision;

// One exit status per step of main(). The shadow front ends exit 1 on
// any failure instead, as their callers expect.
enum Exit : int {
  kExitOk = 0, kExitStdio = 10, kExitUsage, kExitHygiene, kExitGrantRead, kExitDrop,
  kExitCaller, kExitRequest, kExitGrantParse, kExitDenied, kExitTarget, kExitMapped,
  kExitNarrow, kExitWrite, kExitFinalDrop, kExitAnswer,
};

constexpr char kSubuidPath[] = UXC_SYSCONFDIR "/subuid";
constexpr char kSubgidPath[] = UXC_SYSCONFDIR "/subgid";
// One message for every unacceptable target, so a refusal never tells
// whether a process, a file or a namespace exists.
constexpr char kTargetRefusal[] = "the target is not your process in a new user namespace of yours";

enum class Mode { kProtocol, kNewuidmap, kNewgidmap };

struct Run { Mode mode = Mode::kProtocol; const char* prog = "uxc-idmap"; };
struct Caller { uid_t uid; gid_t gid; };
struct GrantText { std::string subuid, subgid; };

// The one owner of an fd: closed when it goes out of scope.
struct Fd {
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  ~Fd() { if (fd >= 0) close(fd); }
  int fd;
};

constexpr uint64_t cap_bit(cap_value_t cap) { return uint64_t{1} << cap; }
constexpr uint64_t kAllMapCaps = cap_bit(CAP_SETUID) | cap_bit(CAP_SETGID) | cap_bit(CAP_SETFCAP);

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads to end of file, but never more than limit bytes: the parsers
// reject anything longer, so limit is one byte past what they accept.
bool read_up_to(int fd, size_t limit, std::string* out) {
  char buffer[4096];
  while (out->size() < limit) {
    const ssize_t n = read(fd, buffer, std::min(sizeof buffer, limit - out->size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    out->append(buffer, static_cast<size_t>(n));
  }
  return true;
}

// Every refusal: one line for a person on fd 2, the protocol answer on
// fd 1, and the step's exit status.
int refuse(const Run& run, Exit step, ErrorCode code, std::string_view why) {
  write_all(STDERR_FILENO, std::string(run.prog) + ": " + std::string(why) + "\n");
  if (run.mode != Mode::kProtocol) return 1;
  write_all(STDOUT_FILENO, uxc::protocol::encode_error(code, why));
  return step;
}

// Sets the permitted and effective capability sets to exactly these (the
// inheritable set, and with it the ambient set, to nothing).
bool set_caps(uint64_t permitted, uint64_t effective) {
  cap_t caps = cap_init();
  bool ok = caps != nullptr;
  for (cap_value_t cap = 0; ok && cap < 64; ++cap) {
    if (permitted & cap_bit(cap)) ok = cap_set_flag(caps, CAP_PERMITTED, 1, &cap, CAP_SET) == 0;
    if (ok && (effective & cap_bit(cap)))
      ok = cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_SET) == 0;
  }
  ok = ok && cap_set_proc(caps) == 0;
  cap_free(caps);
  return ok;
}

// A drop is trusted only after trying to undo it: every id must be the
// caller's, root must be out of reach, and no capability outside
// `permitted` may become effective.
bool verify_dropped(const Caller& caller, uint64_t permitted) {
  uid_t u[3];
  gid_t g[3];
  if (getresuid(&u[0], &u[1], &u[2]) != 0 || getresgid(&g[0], &g[1], &g[2]) != 0) return false;
  for (int i = 0; i < 3; ++i)
    if (u[i] != caller.uid || g[i] != caller.gid) return false;
  if (caller.uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) return false;
  if (caller.gid != 0 && (setgid(0) == 0 || setegid(0) == 0)) return false;
  for (cap_value_t cap : {CAP_SETUID, CAP_SETGID, CAP_SETFCAP, CAP_SYS_ADMIN, CAP_DAC_OVERRIDE})
    if ((permitted & cap_bit(cap)) == 0 && set_caps(cap_bit(cap), cap_bit(cap))) return false;
  return true;
}

Run identify_front_end(int argc, char** argv) {
  if (argc < 1 || argv[0] == nullptr) return {};
  std::string_view name = argv[0];
  name.remove_prefix(name.rfind('/') + 1);  // npos + 1 == 0
  if (name == "newuidmap") return {Mode::kNewuidmap, "newuidmap"};
  if (name == "newgidmap") return {Mode::kNewgidmap, "newgidmap"};
  return {};
}

// A closed fd 0, 1 or 2 would be reused by the next open() and an answer
// could land in that file. For a setuid program glibc's loader reopens a
// closed one on /dev/null or /dev/full with an access mode unfit for its
// role, so checking the modes (0 readable, 1 and 2 writable) refuses
// those too.
bool stdio_usable(Mode mode) {
  const int in = fcntl(0, F_GETFL), out = fcntl(1, F_GETFL), err = fcntl(2, F_GETFL);
  if (in == -1 || out == -1 || err == -1 || (err & O_ACCMODE) == O_RDONLY) return false;
  return mode != Mode::kProtocol ||
         ((in & O_ACCMODE) != O_WRONLY && (out & O_ACCMODE) != O_RDONLY);
}

// Nothing the caller set up survives: fds other than 0-2 and the target,
// environment, dumpability, signal dispositions and mask, umask, working
// directory, and the rlimits that could make a later step fail half-way.
bool enter_clean_state(int keep_fd) {
  const unsigned keep = keep_fd < 0 ? ~0U : static_cast<unsigned>(keep_fd);
  if (keep > 3 && close_range(3, keep - 1, 0) != 0) return false;
  if (keep != ~0U && close_range(keep + 1, ~0U, 0) != 0) return false;
  if (clearenv() != 0) return false;
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return false;
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, nullptr) != 0) return false;
  for (int sig = 1; sig < NSIG; ++sig) (void)signal(sig, SIG_DFL);  // fails for KILL, STOP, glibc's
  (void)signal(SIGPIPE, SIG_IGN);  // a closed answer pipe is an error to report, not a death
  umask(077);
  // Soft limits rise to the hard ones, which needs no privilege. A hard
  // limit stays the caller's: all it can do is stop the helper, which the
  // caller can do anyway with SIGKILL (see security/AUDIT.md).
  for (auto resource : {RLIMIT_NOFILE, RLIMIT_FSIZE, RLIMIT_AS, RLIMIT_DATA, RLIMIT_CPU}) {
    rlimit limit;
    if (getrlimit(resource, &limit) != 0) return false;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(resource, &limit) != 0) return false;
  }
  const rlimit no_core{0, 0};
  return setrlimit(RLIMIT_CORE, &no_core) == 0 && chdir("/") == 0;
}

// A missing file grants nothing (a caller may still map their own id).
// Anything that is not a regular file owned by root and writable only by
// root is refused: a grant list others can edit grants nothing.
bool read_grant_file_as_root(const char* path, std::string* text) {
  const Fd fd(open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.fd < 0) return errno == ENOENT;
  struct stat st;
  if (fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
      (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return false;
  return read_up_to(fd.fd, uxc::policy::kMaxSubidFileBytes + 1, text);
}

// Keeps only the capabilities a map write can need, permitted but not
// effective, under the caller's ids. KEEPCAPS holds them across setresuid.
bool drop_to_caller(const Caller& caller) {
  return setgroups(0, nullptr) == 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0 &&
         setresgid(caller.gid, caller.gid, caller.gid) == 0 &&
         setresuid(caller.uid, caller.uid, caller.uid) == 0 &&
         prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == 0 && set_caps(kAllMapCaps, 0) &&
         verify_dropped(caller, kAllMapCaps);
}

bool narrow_caps(const Caller& caller, uint64_t permitted) {
  return set_caps(permitted, 0) && verify_dropped(caller, permitted);
}

// The caller is the real uid, named through passwd; never getlogin(),
// which reads utmp and named the wrong user in CVE-2016-6251.
bool caller_name(const Caller& caller, std::string* name) {
  const passwd* pw = getpwuid(caller.uid);
  if (pw != nullptr && pw->pw_name != nullptr) *name = pw->pw_name;
  return !name->empty();
}

bool read_request(const Run& run, const ShadowCommand& shadow, IdmapRequest* request,
                  std::string* why) {
  if (run.mode == Mode::kNewuidmap) request->uid_map = shadow.map;
  if (run.mode == Mode::kNewgidmap) request->gid_map = shadow.map;
  if (run.mode != Mode::kProtocol) return true;
  std::string text;
  *why = "cannot read the request";
  return read_up_to(STDIN_FILENO, uxc::protocol::kMaxRequestBytes + 1, &text) &&
         uxc::policy::decode_idmap_request(text, request, why);
}

// Parsing and the decision are pure (policy/idmap.h) and run as the caller.
bool authorise(const GrantText& text, const Caller& caller, const std::string& name,
               const IdmapRequest& request, Decision* decision) {
  *decision = uxc::policy::authorise_request(
      request, {name, caller.uid, caller.gid},
      {kSubuidPath, text.subuid, kSubgidPath, text.subgid});
  return decision->verdict == RequestVerdict::kAllow;
}

// The one capability each write needs. Mapping host uid 0 also needs
// CAP_SETFCAP (the kernel's verify_root_map()).
uint64_t uid_map_caps(const Decision& d) {
  if (d.uid_text.empty()) return 0;
  return cap_bit(CAP_SETUID) | (d.maps_host_root ? cap_bit(CAP_SETFCAP) : 0);
}
uint64_t gid_map_caps(const Decision& d) { return d.gid_text.empty() ? 0 : cap_bit(CAP_SETGID); }

// For the PID front end the caller names a process; it is opened with the
// caller's credentials, so it reaches exactly what the caller could.
int open_target(const Run& run, const ShadowCommand& shadow) {
  if (run.mode == Mode::kProtocol) return uxc::protocol::kTargetFd;
  if (shadow.target_is_fd) return shadow.target;
  const std::string path = "/proc/" + std::to_string(shadow.target);
  return open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

bool same_inode(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// The target must be a /proc/PID directory of the caller's, whose user
// namespace the caller owns and is a direct child of the helper's own (so
// not the helper's own). Every check is on an fd, as the caller.
bool target_is_callers_new_namespace(int dir, const Caller& caller) {
  struct statfs fs;
  struct stat dir_st, ns_st, parent_st, own_st;
  if (fstatfs(dir, &fs) != 0 || fs.f_type != PROC_SUPER_MAGIC) return false;
  if (fstat(dir, &dir_st) != 0 || !S_ISDIR(dir_st.st_mode) || dir_st.st_uid != caller.uid)
    return false;
  // "ns" is a procfs directory, so O_NOFOLLOW holds for it; "user" is the
  // kernel's own link to the namespace and must be followed. Nobody but
  // root can put anything else there, and the result is checked below.
  const Fd ns_dir(openat(dir, "ns", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  const Fd userns(ns_dir.fd >= 0 ? openat(ns_dir.fd, "user", O_RDONLY | O_CLOEXEC) : -1);
  uid_t owner = 0;
  if (userns.fd < 0 || fstatfs(userns.fd, &fs) != 0 || fs.f_type != NSFS_MAGIC ||
      ioctl(userns.fd, NS_GET_NSTYPE) != CLONE_NEWUSER ||
      ioctl(userns.fd, NS_GET_OWNER_UID, &owner) != 0 || owner != caller.uid)
    return false;
  const Fd parent(ioctl(userns.fd, NS_GET_PARENT));
  if (parent.fd < 0 || fstat(parent.fd, &parent_st) != 0 || fstat(userns.fd, &ns_st) != 0 ||
      stat("/proc/self/ns/user", &own_st) != 0)
    return false;
  return !same_inode(ns_st, own_st) && same_inode(parent_st, own_st);
}

bool file_is_empty(int dir, const char* name) {
  const Fd fd(openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  char byte;
  return fd.fd >= 0 && read(fd.fd, &byte, 1) == 0;
}

// The kernel takes each map once; checking first turns a second attempt
// into a clear refusal before anything at all is written.
bool maps_still_empty(int dir, const Decision& plan) {
  return (plan.uid_text.empty() || file_is_empty(dir, "uid_map")) &&
         (plan.gid_text.empty() || file_is_empty(dir, "gid_map"));
}

// Writes one map file in one write() with `caps` effective, lowered
// before anything else happens. The kernel checks the capability on the
// credentials that opened the file as well as on the writer's, so the
// window covers the openat() and the write() and nothing else.
bool write_map_with_caps(int dir, const char* file, const std::string& text, uint64_t caps,
                         uint64_t permitted, std::string* why) {
  *why = std::string("the kernel refused ") + file;
  if (!set_caps(permitted, caps)) return false;
  const Fd fd(openat(dir, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
  const bool written = fd.fd >= 0 && write(fd.fd, text.data(), text.size()) ==
                                      static_cast<ssize_t>(text.size());
  const int saved_errno = errno;
  if (!set_caps(permitted, 0)) _exit(kExitNarrow);  // cannot lower: stop at once
  *why += std::string(": ") + strerror(saved_errno);
  return written;
}

// setgroups comes first: once gid_map is written it can no longer be set
// to "deny". Writing it needs no capability (the caller owns the
// namespace), so none is raised.
bool write_maps(int dir, const Decision& plan, std::string* why) {
  const uint64_t uid_caps = uid_map_caps(plan), gid_caps = gid_map_caps(plan);
  if (plan.setgroups_deny) {
    const Fd fd(openat(dir, "setgroups", O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.fd < 0 || write(fd.fd, "deny", 4) != 4) {
      *why = std::string("cannot set setgroups to deny: ") + strerror(errno) + "; nothing written";
      return false;
    }
  }
  if (!plan.uid_text.empty() &&
      !write_map_with_caps(dir, "uid_map", plan.uid_text, uid_caps, uid_caps | gid_caps, why))
    return false;
  if (!plan.gid_text.empty() &&
      !write_map_with_caps(dir, "gid_map", plan.gid_text, gid_caps, uid_caps | gid_caps, why)) {
    if (!plan.uid_text.empty()) *why = "uid_map written, but " + *why;
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const Run run = identify_front_end(argc, argv);
  if (!stdio_usable(run.mode)) return kExitStdio;

  ShadowCommand shadow;
  std::string why;
  const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  if (run.mode != Mode::kProtocol && !uxc::policy::parse_shadow_command(args, &shadow, &why))
    return refuse(run, kExitUsage, ErrorCode::kRequest,
                  why + "\nusage: " + run.prog + " PID|fd:N INSIDE OUTSIDE COUNT [...]");
  const int keep_fd = run.mode == Mode::kProtocol ? uxc::protocol::kTargetFd
                      : shadow.target_is_fd       ? shadow.target
                                                  : -1;
  if (!enter_clean_state(keep_fd))
    return refuse(run, kExitHygiene, ErrorCode::kSystem, "cannot reset the process state");

  const Caller caller{getuid(), getgid()};
  GrantText grants;
  if (!read_grant_file_as_root(kSubuidPath, &grants.subuid) ||
      !read_grant_file_as_root(kSubgidPath, &grants.subgid))
    return refuse(run, kExitGrantRead, ErrorCode::kSystem,
                  std::string("cannot read ") + kSubuidPath + " and " + kSubgidPath +
                      " as root-owned files; ask an administrator");
  if (!drop_to_caller(caller))
    return refuse(run, kExitDrop, ErrorCode::kSystem, "cannot drop privileges");
  // From here on nothing runs as root, and no capability is effective
  // except inside write_map_with_caps().

  std::string name;
  if (!caller_name(caller, &name))
    return refuse(run, kExitCaller, ErrorCode::kDenied, "cannot determine your user name");
  IdmapRequest request;
  if (!read_request(run, shadow, &request, &why))
    return refuse(run, kExitRequest, ErrorCode::kRequest, why);
  Decision plan;
  if (!authorise(grants, caller, name, request, &plan)) {
    const bool malformed = plan.verdict == RequestVerdict::kMalformed;
    return refuse(run, plan.verdict == RequestVerdict::kBadGrants ? kExitGrantParse : kExitDenied,
                  malformed ? ErrorCode::kRequest : ErrorCode::kDenied, plan.reason);
  }

  const Fd target(open_target(run, shadow));
  if (!target_is_callers_new_namespace(target.fd, caller))
    return refuse(run, kExitTarget, ErrorCode::kTarget, kTargetRefusal);
  if (!maps_still_empty(target.fd, plan))
    return refuse(run, kExitMapped, ErrorCode::kTarget, "the target's map is already written");

  if (!narrow_caps(caller, uid_map_caps(plan) | gid_map_caps(plan)))
    return refuse(run, kExitNarrow, ErrorCode::kSystem, "cannot drop privileges");
  if (!write_maps(target.fd, plan, &why))
    return refuse(run, kExitWrite, ErrorCode::kSystem, why);
  if (!narrow_caps(caller, 0))
    return refuse(run, kExitFinalDrop, ErrorCode::kSystem, "cannot drop privileges");
  if (run.mode == Mode::kProtocol && !write_all(STDOUT_FILENO, uxc::protocol::encode_ok({})))
    return kExitAnswer;
  return kExitOk;
}
