// libFuzzer harness for /etc/subuid and /etc/subgid (policy/subid.h), the
// files uxc-idmap parses after dropping privilege.
//
// Properties beyond "no crash":
// - a file that parses has no entry whose start + count passes 2^32;
// - re-writing its entries as "owner:start:count" lines parses back to the
//   same entries (nothing the parser accepted was read two ways);
// - a file with errors reports a bounded number of them, none empty;
// - subordinate_ranges() is sorted, non-empty ranges, none touching the
//   next, each inside one granted entry's span for that user.
#include "policy/subid.h"

#include <cstdlib>
#include <string>

#include "security/fuzz/fuzz_input.h"

namespace {

using uxc::policy::IdRange;
using uxc::policy::SubidFile;

void check_ranges(const SubidFile& file, std::string_view user, uint32_t uid) {
  const auto ranges = uxc::policy::subordinate_ranges(file.entries, user, uid);
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (ranges[i].first >= ranges[i].end || ranges[i].end > (uint64_t{1} << 32)) std::abort();
    if (i > 0 && ranges[i - 1].end >= ranges[i].first) std::abort();
    // Every id of the range belongs to some entry of this user.
    uint64_t covered_to = ranges[i].first;
    bool progress = true;
    while (covered_to < ranges[i].end && progress) {
      progress = false;
      for (const auto& e : file.entries) {
        if (e.owner != user && e.owner != std::to_string(uid)) continue;
        const uint64_t end = uint64_t{e.start} + e.count;
        if (e.count > 0 && e.start <= covered_to && end > covered_to) {
          covered_to = end;
          progress = true;
        }
      }
    }
    if (covered_to < ranges[i].end) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parts = uxc::fuzz::split_parts(input, 2);
  const std::string_view text = parts[0];

  const SubidFile file = uxc::policy::parse_subid_file(text);
  if (file.ok()) {
    std::string again;
    for (const auto& e : file.entries) {
      if (uint64_t{e.start} + e.count > (uint64_t{1} << 32)) std::abort();
      if (e.line == 0) std::abort();
      again += e.owner + ":" + std::to_string(e.start) + ":" + std::to_string(e.count) + "\n";
    }
    const SubidFile reparsed = uxc::policy::parse_subid_file(again);
    if (!reparsed.ok() || reparsed.entries.size() != file.entries.size()) std::abort();
    for (size_t i = 0; i < file.entries.size(); ++i) {
      const auto& a = file.entries[i];
      const auto& b = reparsed.entries[i];
      if (a.owner != b.owner || a.start != b.start || a.count != b.count) std::abort();
    }
  } else {
    for (const auto& err : file.errors)
      if (err.empty()) std::abort();
    if (file.errors.size() > uxc::policy::kMaxSubidErrors + 1) std::abort();
  }

  // Ranges for the user the second part names (and each owner in the file).
  const uint32_t uid = uxc::fuzz::small_number(parts[1]);
  check_ranges(file, parts[1], uid);
  for (size_t i = 0; i < file.entries.size() && i < 4; ++i)
    check_ranges(file, file.entries[i].owner, uid);
  return 0;
}
