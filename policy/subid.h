// /etc/subuid and /etc/subgid: which subordinate ids each user may map.
//
// Grammar, one entry a line, no blanks anywhere in an entry:
//
//   entry = owner ":" start ":" count
//   owner = account name (is_valid_account_name) / uid (strict decimal)
//   start, count = strict decimal, 32 bits; start + count <= 2^32
//
// Lines that are empty, blank, or whose first non-blank byte is '#' are
// ignored. Every other line must be an entry; CR, NUL, signs, "0x",
// leading zeros and lines over kMaxSubidLineBytes are malformed.
//
// Decisions recorded here:
// - Fail closed. A file with any malformed line is unusable as a whole:
//   the helper refuses every request that needs it rather than guess
//   which lines the administrator meant (shadow silently skips bad
//   lines). The errors name their line numbers so `uxc check` and the
//   helper's refusal can point the administrator at them.
// - A numeric owner is a uid in both files, as in shadow: subordinate
//   gids are granted to users, not groups. An owner made only of digits
//   is always a uid (never a name, even if passwd has such a name), so
//   "0100" is malformed rather than a name that looks like uid 100.
// - A line matches a user by name or by the user's uid. Other names
//   that share the uid (passwd aliases) do not match: that would need a
//   passwd lookup per line and buys nothing but ambiguity.
// - A count of 0 is well-formed and grants nothing (shadow once let
//   such a line match every id).
// - A user's ranges are merged where they touch or overlap, so a
//   request may span two adjacent lines of the same user, as shadow
//   allows.
// - A missing file is the caller's business (the helper treats it as
//   empty); this parser only ever sees text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

inline constexpr size_t kMaxSubidLineBytes = 1024;
// Far above any real file (one line per user, ~30 bytes); the helper
// refuses to buffer more than this as root.
inline constexpr size_t kMaxSubidFileBytes = 4 * 1024 * 1024;
// Reporting stops after this many malformed lines.
inline constexpr size_t kMaxSubidErrors = 20;

struct SubidEntry {
  std::string owner;  // as written: a name or a decimal uid
  uint32_t start;
  uint32_t count;
  size_t line;  // 1-based
};

struct SubidFile {
  std::vector<SubidEntry> entries;  // file order
  // "line N: why", file order. Non-empty means the file is unusable.
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

SubidFile parse_subid_file(std::string_view text);

// A half-open id interval [first, end); end may be 2^32, hence 64 bits.
struct IdRange {
  uint64_t first;
  uint64_t end;
  bool operator==(const IdRange&) const = default;
};

// Sorted by first, overlapping or touching ranges joined, empty dropped.
std::vector<IdRange> merge_ranges(std::vector<IdRange> ranges);

// The ranges granted to the user called user_name with uid user_uid:
// count-0 lines dropped, sorted by first, touching ranges merged.
std::vector<IdRange> subordinate_ranges(std::span<const SubidEntry> entries,
                                        std::string_view user_name,
                                        uint32_t user_uid);

}  // namespace uxc::policy
