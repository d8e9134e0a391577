// The usernet policy (SYSCONFDIR/uxc/usernet): which bridges a user may
// put veth nics on, and how many. The syntax is lxc-usernet(5)'s:
//
//   line  = owner SP type SP link SP count      ; blanks: spaces or tabs
//   owner = user-name / "@" group-name          ; is_valid_account_name
//   type  = "veth"
//   link  = interface name (is_valid_ifname in policy/nic.h)
//   count = strict decimal, 0..kMaxUsernetCount
//
// Blank lines and lines whose first non-blank byte is '#' are ignored.
// Any other line must be exactly four fields.
//
// The rule uxc-nic enforces:
//
// - A line *matches* a request from user U with groups G for TYPE on LINK
//   when its type is TYPE, its link is LINK, and its owner is U's name
//   or "@g" for a g in G. Names are compared exactly; a numeric owner is
//   a name made of digits, not a uid (as in LXC).
// - Every nic is charged to exactly one line: it holds one of the line's
//   slots (slot_name), and its tag records the line and the creator
//   (format_nic_tag). A line's *use* is the number of existing nics
//   charged to it, whoever holds them. Only U can be charged to a user
//   line, so its count is U's alone; every member can be charged to a
//   "@group" line, so its count is shared by the members.
// - A new nic is charged to the first matching line in file order whose
//   use is below its count. If no line matches, the request is denied;
//   if lines match but all are full, the quota is used up.
// - Counting is per link: a line names one link, so a nic on br0 never
//   uses an allowance for br1.
// - Lines that repeat an owner/type/link count once, at the position of
//   the first, with the largest count among them.
// - A nic exists as long as its host end does; when a container's network
//   namespace dies the kernel removes both ends, and the nic stops
//   counting at that moment. A nic charged to a line that has since been
//   removed from the file counts against no line. Lowering a count does
//   not reclaim nics: those in slots at or above the new count plus
//   kSpareSlots keep working and stop counting; the others still count.
//
// Where this deliberately differs from LXC (lxc-usernet(5) and what
// lxc-user-nic does):
//
// - Fail closed. lxc-user-nic skips lines it cannot parse; here one
//   malformed line (wrong field count, trailing text, CR, NUL, a count
//   that is negative, not decimal or too large, a bad name, an unknown
//   type) makes the whole file unusable and every request is refused,
//   with the line numbers in the errors.
// - A user line and a group line with the same name are different
//   lines: the tag records "NAME" or "@NAME". lxc-user-nic charged both
//   to the bare name, and matched entries of its database by prefix, so
//   user "al" counted "alice"'s nics (CVE-2026-39402). Tags here are
//   parsed whole and compared exactly.
// - Group membership comes from the group database (getgrouplist of the
//   caller's passwd entry), not the helper's inherited supplementary
//   groups: what the administrator granted, not what the caller kept.
// - The link must be a real bridge; LXC's "none" (no bridge) is refused.
// - Only type "veth" exists, in the file and in requests.
// - State is the kernel's link list, not a database file: nothing to
//   truncate (RLIMIT_FSIZE), nothing half-written by a SIGKILL, nothing
//   left behind by a dead container.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

inline constexpr size_t kMaxUsernetLineBytes = 1024;
inline constexpr size_t kMaxUsernetFileBytes = 1024 * 1024;
// Far above what one host can hold (each nic is two kernel devices); a
// bigger number is a typo, not a policy.
inline constexpr uint32_t kMaxUsernetCount = 1000000;
inline constexpr size_t kMaxUsernetErrors = 20;
// Slots each line has beyond its count, for slots another line's nics hold
// (choose_slot).
inline constexpr uint32_t kSpareSlots = 4;

// What a line grants to, and on what; identifies a line across edits.
struct UsernetKey {
  bool group = false;  // "@name"
  std::string owner;   // the name, without '@'
  std::string type;
  std::string link;
  bool operator==(const UsernetKey&) const = default;
};

struct UsernetLine {
  UsernetKey key;
  uint32_t count = 0;
  size_t line = 0;  // 1-based, where the key first appears
  // The 8 hex digits of its slot names: FNV-1a of the key, unless an
  // earlier line of the file already has that hash (slot_name below).
  uint32_t slot_hash = 0;
  // The earlier line whose key hashes alike (0: none), for uxc-admin lint.
  size_t collides_with = 0;
};

struct UsernetFile {
  std::vector<UsernetLine> lines;  // file order, repeated keys merged
  // "line N: why", file order. Non-empty means the file is unusable.
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

UsernetFile parse_usernet_file(std::string_view text);

// An existing nic as its host end's tag records it.
struct HeldNic {
  uint32_t uid = 0;    // who created it
  UsernetKey charged;  // the line it is charged to
  bool operator==(const HeldNic&) const = default;
};

enum class NicVerdict {
  kAllow,      // charge the nic to `charged`
  kNoLine,     // no line matches: denied
  kQuotaFull,  // lines match, all full
  kBadPolicy,  // the file has errors: denied
};

struct NicDecision {
  NicVerdict verdict = NicVerdict::kBadPolicy;
  UsernetKey charged;    // kAllow only
  uint32_t slot = 0;     // kAllow, choose_slot only
  std::string host_name;  // kAllow, choose_slot only: slot_name of the line and slot
  bool leftover = false;  // kAllow, choose_slot only: the slot holds a leftover to remove first
  uint64_t allowed = 0;  // sum of the matching lines' counts
  uint64_t used = 0;     // sum of their uses (decide_nic only)
  // Not kAllow: one line for a person, e.g. "no line allows veth nics on
  // br0 for alice", "all 2 veth nics on br0 for alice are in use",
  // "malformed: line 3: ..." (the helper names the file).
  std::string reason;
};

// Only kAllow permits. `held` is every nic that exists, any user's.
NicDecision decide_nic(const UsernetFile& policy, std::string_view user,
                       std::span<const std::string> groups,
                       std::string_view type, std::string_view link,
                       std::span<const HeldNic> held);

// True if a "@group" line of the file is for TYPE on LINK. Only then can
// the caller's groups change what decide_nic and choose_slot answer for
// such a request (a file with errors has no lines), so uxc-nic asks the
// group database, which can cost more than the rest of a create, only then.
bool has_group_line(const UsernetFile& policy, std::string_view type, std::string_view link);

// The links on which `user` (or one of `groups`) may put nics of `type`,
// in file order, each with the sum of the counts of the lines that allow
// it (0 for lines that give none), for messages that say which bridges a
// user may use. A file with errors allows nothing.
struct AllowedLink {
  std::string link;
  uint64_t count = 0;
  bool operator==(const AllowedLink&) const = default;
};
std::vector<AllowedLink> allowed_links(const UsernetFile& policy, std::string_view user,
                                       std::span<const std::string> groups, std::string_view type);

// Quota slots. A nic charged to a line holds one of the line's COUNT +
// kSpareSlots slots, and the slot is the host end's interface name:
//
//   "uxc" + 8 hex digits (the line's slot_hash) + slot in 4 base-36 digits
//
// 15 bytes, the kernel's limit. Names are unique within a network
// namespace and a link gets its name in the same call that creates it, so
// a nic counts from the instant it exists, and two requests can never take
// the same slot: the quota holds without any state of our own.
//
// A line's slot_hash is the 32-bit FNV-1a of "OWNER:TYPE:LINK" ("@" before
// a group), which anyone can compute, so an account name can be chosen to
// collide with another line's (found in under a second). Within one file
// the hashes are made unique when it is parsed: a line whose hash an
// earlier line already has takes FNV-1a of "OWNER:TYPE:LINK#1" (then "#2",
// ...) instead, so no two lines ever share a slot range and a colliding
// owner can never hold another line's slots. Earlier lines keep theirs:
// uxc-admin allow appends, so adding a line never renames an existing
// line's nics. Moving or deleting a line of a colliding pair can: a nic
// then keeps its name and its tag, counts against no line, and sits in a
// slot of the other line until its container stops; it is deleted only by
// its creator's uid (the tag) and never removed as a leftover (it is
// tagged). That slot is taken by another line, not a use of this one: a
// spare slot stands in for it (choose_slot), so the other line still gets
// its whole count while at most kSpareSlots of its slots are so held.
// uxc-admin lint reports colliding lines.
std::string slot_name(const UsernetLine& line, uint32_t slot);
// "uxc" + 8 hex + 4 base-36 digits, lower case: the host-end name space,
// reserved for uxc-nic.
bool is_slot_name(std::string_view name);

// The lock keys of a create: for each matching line with a count above 0,
// its slot_hash (unique within the file, so one key per line), ascending,
// so that two creates that lock several keys never wait on each other
// crosswise. Empty when every matching line has count 0.
std::vector<uint32_t> lock_keys(const UsernetFile& policy, std::string_view user,
                                std::span<const std::string> groups, std::string_view type,
                                std::string_view link);

// kLeftover: the slot's host end is one a helper killed half-way left
// behind (uxc-nic tells them apart); the slot is free once it is removed.
// A probe is given the slot's name, and a place for its tag or nullptr:
// given one, it stores the IFLA_IFALIAS of a taken slot's host end there
// (empty if it has none or cannot be read).
enum class SlotState { kFree, kTaken, kLeftover };
using SlotProbe = std::function<SlotState(const std::string& host_name, std::string* tag)>;

// decide_nic's rule, asking the kernel instead of counting. A line of
// count C has C + kSpareSlots slots, and its use is the number of them
// that are taken and not by another line: a slot whose tag parses and
// names a different line (one left by a colliding pair's edit, above) does
// not count. So a new nic may be charged to the line when fewer than C of
// its slots are its own and one is open (free, or a leftover to remove
// first): exactly while more than kSpareSlots are not its own. The
// matching lines in file order; in each, the spare slots in order, then
// every slot below C once from random % C in steps of a stride (also from
// `random`) coprime with C, until that holds. The first look asks for no
// tags and counts every taken slot as the line's own: enough unless at
// least C slots are taken, when a second look reads the tags. Only kAllow
// permits; it names the line, the slot and its host_name, and whether the
// caller must remove the slot's leftover first (then the last probe was
// of that slot, so the caller may keep what it saw). The probe only looks;
// choose_slot changes nothing.
NicDecision choose_slot(const UsernetFile& policy, std::string_view user,
                        std::span<const std::string> groups, std::string_view type,
                        std::string_view link, uint64_t random, const SlotProbe& probe);

// The tag stored in a host end's IFLA_IFALIAS, which only root can set:
//
//   tag = "uxc:" uid ":" owner ":" type ":" link
//
// e.g. "uxc:61001:@uxnet:veth:lxcbr0". No field can contain ':' (account
// names and interface names exclude it), so a tag splits one way only.
// parse_nic_tag accepts a tag only if formatting what it parsed gives
// back the same bytes: no prefixes, no leading zeros, no trailing bytes.
std::string format_nic_tag(uint32_t uid, const UsernetKey& key);
[[nodiscard]] bool parse_nic_tag(std::string_view alias, HeldNic* out);

}  // namespace uxc::policy
