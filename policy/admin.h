// The decisions behind uxc-admin, the administrator's tool: where a
// user's subordinate ids go, how an allowance line is written into the
// usernet file, and what is wrong with a set of policy files. Pure: the
// tool reads the files, the accounts and the kernel's links, and hands
// them here as text and values.
//
// Decisions recorded here:
// - Subordinate ranges never overlap another user's range: two users
//   sharing ids could each map, and so own, the other's container files
//   (a cross-tenant escape on a shared host). They never include a real
//   uid (gid) either, or a container could own that account's files.
// - Allocation starts at 100000 (shadow's SUB_UID_MIN) and takes the
//   lowest gap that fits, so a file grown by this tool stays compact and
//   predictable. The kernel refuses to map id 2^32-1 (it means "no id"),
//   so no range reaches it.
// - A user gets the same start in subuid and subgid when one is free in
//   both, as shadow's useradd tends to produce; the files stay readable.
// - Allocation is idempotent: a user who already holds a range of at
//   least the requested size in a file gets nothing new in that file.
// - An edit never starts from a file that does not parse: the helpers
//   refuse such a file as a whole, and the tool cannot know which lines
//   the administrator meant. Fix first (lint names the lines), then edit.
// - A usernet edit replaces the first line with the same owner, type and
//   link, and drops later repeats of it, since repeats count with the
//   largest of their counts and would silently override the edit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/subid.h"
#include "policy/usernet.h"

namespace uxc::policy {

inline constexpr uint32_t kDefaultSubidCount = 65536;
inline constexpr uint64_t kSubidFloor = 100000;
// Exclusive end of what may be handed out: 2^32-1 itself is never mapped.
inline constexpr uint64_t kSubidCeiling = 0xffffffffULL;

// ------------------------------------------------------------ allocation

// Whether `range` is inside `bounds` and meets none of `taken` (any
// order, may overlap each other).
bool is_range_free(std::span<const IdRange> taken, IdRange range, IdRange bounds);

// The lowest range of `count` ids inside `bounds` that meets none of
// `taken`. False when none fits or count is 0.
[[nodiscard]] bool find_free_range(std::span<const IdRange> taken, uint64_t count,
                                   IdRange bounds, IdRange* out);

// An account of the passwd or group database.
struct Account {
  std::string name;
  uint32_t id = 0;
};

struct AllocationRequest {
  std::string user;  // must be in the passwd database
  // The files' names, for messages only.
  std::string_view subuid_name = "subuid";
  std::string_view subgid_name = "subgid";
  uint32_t uid = 0;
  uint64_t count = kDefaultSubidCount;
  IdRange bounds{kSubidFloor, kSubidCeiling};
  std::string_view subuid_text;
  std::string_view subgid_text;
  std::span<const uint32_t> real_uids;  // every uid in passwd
  std::span<const uint32_t> real_gids;  // every gid in group and passwd
};

struct FileAllocation {
  bool add = false;  // false: the user already holds `range`
  IdRange range{};
};

struct AllocationPlan {
  FileAllocation subuid;
  FileAllocation subgid;
};

// On failure *err says what is wrong and what to do, in one line.
[[nodiscard]] bool plan_allocation(const AllocationRequest& request, AllocationPlan* plan,
                                   std::string* err);

// "USER:START:COUNT\n".
std::string format_subid_line(std::string_view user, IdRange range);

// `text` with `line` (ending in '\n') added at the end, after a '\n' if
// the last line had none.
std::string append_line(std::string_view text, std::string_view line);

// -------------------------------------------------------------- usernet

// "OWNER TYPE LINK COUNT\n", OWNER with '@' for a group.
std::string format_usernet_line(const UsernetLine& line);

// `text` with `line` in force: the first line with the same key is
// replaced, later ones removed, or the line appended; every other line
// is kept byte for byte (a missing final '\n' is added). Fails if `text`
// does not parse or `line` is not valid.
[[nodiscard]] bool set_usernet_line(std::string_view text, const UsernetLine& line,
                                    std::string* out, std::string* err);

// ----------------------------------------------------------------- lint

struct Finding {
  size_t line = 0;      // 1-based; 0 for the file as a whole
  std::string message;  // what is wrong, then what to do
};

// Reporting stops after this many findings in one file.
inline constexpr size_t kMaxFindingsPerFile = 200;

struct LinkState {
  std::string name;
  bool is_bridge = false;
};

// subuid (ids_are_gids false) or subgid (true). `users` resolves owners;
// `id_holders` are the accounts whose real ids no range may cover: users
// for subuid, groups for subgid.
std::vector<Finding> lint_subid(std::string_view text, bool ids_are_gids,
                                std::span<const Account> users,
                                std::span<const Account> id_holders);

std::vector<Finding> lint_usernet(std::string_view text, std::span<const Account> users,
                                  std::span<const Account> groups,
                                  std::span<const LinkState> links);

// A policy file (or the directory holding it) that someone other than
// root can change hands out ids or nics to whoever that is.
std::vector<Finding> lint_ownership(bool is_directory, uint32_t owner_uid, uint32_t mode);

// ---------------------------------------------------------------- usage

struct LineUsage {
  UsernetKey key;           // the line's, or the tags' when !in_policy
  bool in_policy = false;   // false: charged to a line no longer in the file
  uint32_t allowed = 0;
  uint64_t used = 0;        // every holder's nics charged to the key
  std::vector<std::pair<uint32_t, uint64_t>> holders;  // uid, nics; by uid
};

// One row per policy line (file order), then one per key that nics are
// charged to but that no line names (sorted). When `user` is non-empty,
// only the rows whose line matches the user (their own, or "@g" for a g
// in `user_groups`) or under which the user holds nics.
std::vector<LineUsage> summarize_usage(const UsernetFile& policy, std::span<const HeldNic> held,
                                       std::string_view user, uint32_t user_uid,
                                       std::span<const std::string> user_groups);

// --------------------------------------------------------------- compat

// The compat names an engine looks for, and the helper each one is.
struct CompatName {
  std::string_view name;        // "newuidmap"
  std::string_view helper;      // "uxc-idmap"
  std::string_view debian_dir;  // where the Debian package puts it (--divert)
};
inline constexpr CompatName kCompatNames[] = {
    {"newuidmap", "uxc-idmap", "/usr/bin"},  // shadow's uidmap
    {"newgidmap", "uxc-idmap", "/usr/bin"},
    {"lxc-user-nic", "uxc-nic", "/usr/libexec/lxc"},  // LXC's; RootlessKit's default
};

// What is at a compat name's path: nothing, a symbolic link to the
// helper (what install makes), or anything else: a file of shadow's,
// LXC's, the administrator's, or a link elsewhere.
enum class CompatFile { kAbsent, kOurs, kForeign };
enum class CompatAction {
  kCreate,   // install: make the link
  kKeep,     // install: already ours; remove: nothing there
  kReplace,  // install with force: the foreign file is replaced
  kRefuse,   // install: a foreign file, and no force
  kRemove,   // remove: our link goes
  kLeave,    // remove: not ours, left alone (and said so)
};
// Install never overwrites what it did not make unless forced; remove
// only ever removes its own links.
CompatAction decide_compat_install(CompatFile state, bool force);
CompatAction decide_compat_remove(CompatFile state);

}  // namespace uxc::policy
