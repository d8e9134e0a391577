// uxc-idmap: the setuid-root helper that writes uid_map, gid_map and, when
// needed, setgroups of one user namespace that its caller owns, using the
// ids /etc/subuid and /etc/subgid grant the caller plus the caller's own.
//
// DESIGN.md "What uxc-idmap guarantees" is the specification and main()
// at the bottom is that list, in order, one named step and one exit
// status each; steps 1-7 are the privileged core's (core.h), shared with
// uxc-nic. security/AUDIT.md lists every syscall made with privilege.
//
// Privilege timeline:
//   euid 0, all capabilities   hygiene; open the two grant files
//   caller's uids and gids,    read the request; check the target; read
//   SETUID+SETGID+SETFCAP      the grant files, parse and decide; nothing
//   permitted only             effective
//   the same, permitted cut    each map file opened and written with its
//   to what the request needs  one capability effective, lowered at once
//   no capabilities            answer
//
// Front ends: called as "newuidmap" or "newgidmap" (argv[0]'s last path
// component) it takes shadow's command line instead of a request on fd 0,
// writes that one map and exits 0, or 1 with a message, as shadow does.
// Both paths go through the same steps below.
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "paths.h"
#include "policy/idmap.h"  // with policy/protocol.h and policy/subid.h
#include "policy/settings.h"
#include "setuid-helpers/core.h"

namespace {

using uxc::core::cap_bit;
using uxc::core::CapSet;
using uxc::core::Fd;
using uxc::policy::IdmapRequest;
using uxc::policy::RequestVerdict;
using uxc::policy::ShadowCommand;
using Decision = uxc::policy::RequestDecision;
namespace core = uxc::core;

// The helper's own steps after the core's (core.h), in main()'s order:
// 17 unwritten, 18 narrow, 19 write, 20 final drop, 21 answer.
enum Step : int {
  kStepUnwritten = core::kFirstOwnStep, kStepNarrow, kStepWrite, kStepFinalDrop, kStepAnswer,
};

constexpr char kSubuidPath[] = UXC_SYSCONFDIR "/subuid";
constexpr char kSubgidPath[] = UXC_SYSCONFDIR "/subgid";
constexpr char kSettingsPath[] = UXC_SYSCONFDIR "/uxc/uxc.conf";
// One message for every unacceptable target, so a refusal never tells
// whether a process, a file or a namespace exists.
constexpr char kTargetRefusal[] = "the target is not your process in a new user namespace of yours";

enum class Mode { kProtocol, kNewuidmap, kNewgidmap };

constexpr CapSet kAllMapCaps = cap_bit(CAP_SETUID) | cap_bit(CAP_SETGID) | cap_bit(CAP_SETFCAP);

struct GrantFiles {
  Fd subuid, subgid;  // not valid: the file does not exist, grants nothing
  Fd settings;        // the administrator's uxc.conf; not valid: every default
};

// argv[0]'s last path component picks the front end.
Mode identify_mode(int argc, char** argv) {
  std::string_view name = argc > 0 && argv[0] != nullptr ? argv[0] : "";
  name.remove_prefix(name.rfind('/') + 1);  // npos + 1 == 0
  if (name == "newuidmap") return Mode::kNewuidmap;
  if (name == "newgidmap") return Mode::kNewgidmap;
  return Mode::kProtocol;
}

// Only the front end (argv[0]) and, for shadow's "fd:N", the fd to keep
// are read from argv before the hygiene step; the rest is the request.
core::Form identify_form(Mode mode, std::span<const std::string_view> args) {
  if (mode == Mode::kNewuidmap) return {"newuidmap", false, uxc::policy::shadow_target_fd(args)};
  if (mode == Mode::kNewgidmap) return {"newgidmap", false, uxc::policy::shadow_target_fd(args)};
  return {"uxc-idmap", true, uxc::protocol::kTargetFd};
}

// Opened as root (they may be readable by root only), read as the caller.
bool open_grant_files_as_root(GrantFiles* files) {
  return core::open_root_owned(kSubuidPath, O_RDONLY, &files->subuid) &&
         core::open_root_owned(kSubgidPath, O_RDONLY, &files->subgid) &&
         core::open_root_owned(kSettingsPath, O_RDONLY, &files->settings);
}

// Shadow's command line, or the pipe form's fd 0 (and no argument).
bool read_request(Mode mode, std::span<const std::string_view> args, ShadowCommand* shadow,
                  IdmapRequest* request, std::string* why) {
  if (mode != Mode::kProtocol) {
    if (!uxc::policy::parse_shadow_command(args, shadow, why)) {
      *why += std::string("\nusage: ") + (mode == Mode::kNewuidmap ? "newuidmap" : "newgidmap") +
              " PID|fd:N INSIDE OUTSIDE COUNT [...]";
      return false;
    }
    (mode == Mode::kNewuidmap ? request->uid_map : request->gid_map) = shadow->map;
    return true;
  }
  std::string text;
  return core::read_pipe_request(args, &text, why) &&
         uxc::policy::decode_idmap_request(text, request, why);
}

// fd 3, or shadow's fd:N: the fd hygiene kept (-1 if the caller passed
// none). For the PID front end the caller names a process; it is opened
// with the caller's credentials, so it reaches exactly what the caller could.
Fd open_target(const core::Form& form, Mode mode, const ShadowCommand& shadow) {
  if (mode == Mode::kProtocol || shadow.target_is_fd) return Fd(form.keep_fd);
  const std::string path = "/proc/" + std::to_string(shadow.target);
  return Fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

bool same_inode(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// The target must be a /proc/PID directory of the caller's, whose user
// namespace the caller owns and is a direct child of the helper's own (so
// not the helper's own). Every check is on an fd, as the caller.
bool target_is_callers_new_namespace(int dir, const core::Caller& caller) {
  struct statfs fs;
  struct stat dir_st, ns_st, parent_st, own_st;
  if (fstatfs(dir, &fs) != 0 || fs.f_type != PROC_SUPER_MAGIC) return false;
  if (fstat(dir, &dir_st) != 0 || !S_ISDIR(dir_st.st_mode) || dir_st.st_uid != caller.uid)
    return false;
  // "ns" is a procfs directory, so O_NOFOLLOW holds for it; "user" is the
  // kernel's own link to the namespace and must be followed. Nobody but
  // root can put anything else there, and the result is checked below.
  const Fd ns_dir(openat(dir, "ns", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  const Fd userns(ns_dir.valid() ? openat(ns_dir.get(), "user", O_RDONLY | O_CLOEXEC) : -1);
  uid_t owner = 0;
  if (!userns.valid() || fstatfs(userns.get(), &fs) != 0 || fs.f_type != NSFS_MAGIC ||
      ioctl(userns.get(), NS_GET_NSTYPE) != CLONE_NEWUSER ||
      ioctl(userns.get(), NS_GET_OWNER_UID, &owner) != 0 || owner != caller.uid)
    return false;
  const Fd parent(ioctl(userns.get(), NS_GET_PARENT));
  if (!parent.valid() || fstat(parent.get(), &parent_st) != 0 ||
      fstat(userns.get(), &ns_st) != 0 || stat("/proc/self/ns/user", &own_st) != 0)
    return false;
  return !same_inode(ns_st, own_st) && same_inode(parent_st, own_st);
}

// Parsing and the decision are pure (policy/idmap.h) and run as the
// caller, on the grant files opened as root. Only the grant files the
// request needs are read; the settings always (one that does not parse
// refuses: the administrator may have meant to deny setgroups).
bool authorise(const GrantFiles& files, const core::Caller& caller, const IdmapRequest& request,
               Decision* decision) {
  std::string subuid, subgid, settings;
  if ((!request.uid_map.empty() && files.subuid.valid() &&
       !core::read_capped(files.subuid.get(), uxc::policy::kMaxSubidFileBytes, &subuid)) ||
      (!request.gid_map.empty() && files.subgid.valid() &&
       !core::read_capped(files.subgid.get(), uxc::policy::kMaxSubidFileBytes, &subgid)) ||
      (files.settings.valid() &&
       !core::read_capped(files.settings.get(), uxc::policy::kMaxSettingsBytes, &settings))) {
    *decision = {RequestVerdict::kBadGrants, "cannot read the grant files", {}, {}, false, false};
    return false;
  }
  *decision = uxc::policy::authorise_request(
      request, {caller.name, caller.uid, caller.gid},
      {kSubuidPath, subuid, kSubgidPath, subgid, kSettingsPath, settings});
  return decision->verdict == RequestVerdict::kAllow;
}

bool file_is_empty(int dir, const char* name) {
  const Fd fd(openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  char byte;
  return fd.valid() && read(fd.get(), &byte, 1) == 0;
}

// The kernel takes each map once; checking first turns a second attempt
// into a clear refusal before anything at all is written.
bool maps_still_empty(int dir, const Decision& plan) {
  return (plan.uid_text.empty() || file_is_empty(dir, "uid_map")) &&
         (plan.gid_text.empty() || file_is_empty(dir, "gid_map"));
}

// The one capability each write needs. Mapping host uid 0 also needs
// CAP_SETFCAP (the kernel's verify_root_map()).
CapSet uid_map_caps(const Decision& d) {
  if (d.uid_text.empty()) return 0;
  return cap_bit(CAP_SETUID) | (d.maps_host_root ? cap_bit(CAP_SETFCAP) : 0);
}
CapSet gid_map_caps(const Decision& d) { return d.gid_text.empty() ? 0 : cap_bit(CAP_SETGID); }

// Writes one map file in one write() with `caps` effective. The kernel
// checks the capability on the credentials that opened the file as well
// as on the writer's, so the window holds the openat() and the write().
bool write_map_with_caps(int dir, const char* file, const std::string& text, CapSet caps,
                         CapSet permitted, std::string* why) {
  Fd fd;
  const bool written = core::call_with_caps_raised(permitted, caps, [&] {
    fd = Fd(openat(dir, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
    return fd.valid() &&
           write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
  });
  *why = std::string("the kernel refused ") + file + ": " + strerror(errno);
  return written;
}

// setgroups comes first: once gid_map is written it can no longer be set
// to "deny". Writing it needs no capability (the caller owns the
// namespace), so none is raised.
bool write_maps(int dir, const Decision& plan, std::string* why) {
  const CapSet uid_caps = uid_map_caps(plan), gid_caps = gid_map_caps(plan);
  if (plan.setgroups_deny) {
    const Fd fd(openat(dir, "setgroups", O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid() || write(fd.get(), "deny", 4) != 4) {
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
  const Mode mode = identify_mode(argc, argv);
  const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  core::Form form = identify_form(mode, args);
  using enum uxc::protocol::ErrorCode;
  using core::refuse;

  // 1. Hygiene, before anything else is read.
  if (!core::enter_clean_state(&form))
    return refuse(form, core::kStepHygiene, kSystem,
                  "cannot set up a clean process (are fds 0, 1 and 2 open?)");
  // 2. The grant files, which may be readable by root only.
  GrantFiles grants;
  if (!open_grant_files_as_root(&grants))
    return refuse(form, core::kStepRootFiles, kSystem,
                  std::string("cannot open ") + kSubuidPath + ", " + kSubgidPath + " and " +
                      kSettingsPath + " as root-owned files; ask an administrator");
  // 3. The caller's ids; the map capabilities permitted, none effective.
  core::Caller caller{getuid(), getgid(), {}, 0};
  if (!core::drop_to_caller(caller, kAllMapCaps))
    return refuse(form, core::kStepDrop, kSystem, "cannot drop privileges");
  // From here on nothing runs as root, and no capability is effective
  // except inside write_map_with_caps().

  // 4. The caller's name.
  if (!core::name_caller(&caller))
    return refuse(form, core::kStepCaller, kDenied, "cannot determine your user name");
  // 5. The request.
  ShadowCommand shadow;
  IdmapRequest request;
  std::string why;
  if (!read_request(mode, args, &shadow, &request, &why))
    return refuse(form, core::kStepRequest, kRequest, why);
  // 6. The target.
  const Fd target = open_target(form, mode, shadow);
  if (!target_is_callers_new_namespace(target.get(), caller))
    return refuse(form, core::kStepTarget, kTarget, kTargetRefusal);
  // 7. The grants.
  Decision plan;
  if (!authorise(grants, caller, request, &plan))
    return refuse(form, core::kStepPolicy,
                  plan.verdict == RequestVerdict::kMalformed ? kRequest : kDenied, plan.reason);
  // 8. Nothing written yet.
  if (!maps_still_empty(target.get(), plan))
    return refuse(form, kStepUnwritten, kTarget, "the target's map is already written");
  // 9. Only the capabilities these writes need.
  if (!core::narrow_caps(caller, uid_map_caps(plan) | gid_map_caps(plan)))
    return refuse(form, kStepNarrow, kSystem, "cannot drop privileges");
  // 10. The writes.
  if (!write_maps(target.get(), plan, &why)) return refuse(form, kStepWrite, kSystem, why);
  // 11. No capability left.
  if (!core::narrow_caps(caller, 0))
    return refuse(form, kStepFinalDrop, kSystem, "cannot drop privileges");
  // 12. The answer.
  return core::answer(form, kStepAnswer, form.pipe ? uxc::protocol::encode_ok({}) : "");
}
