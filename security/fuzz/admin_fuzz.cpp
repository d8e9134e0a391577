// libFuzzer harness for uxc-admin's decisions (policy/admin.h): range
// allocation, usernet edits and the linters, all of which take the
// administrator's files as text.
//
// Input: SUBUID 0xff SUBGID 0xff USERNET 0xff USER 0xff UID 0xff COUNT.
//
// Properties beyond "no crash":
// - a planned new range has the requested size, lies inside the bounds,
//   meets no other owner's range and no real id, and the file with the
//   new line appended still parses and grants it;
// - an edited usernet file parses and holds the edited key exactly once,
//   with exactly the requested count;
// - merge_ranges gives sorted, disjoint, non-touching, non-empty ranges;
// - lint findings name lines that exist (or 0, the whole file).
#include "policy/admin.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "policy/text.h"
#include "security/fuzz/fuzz_input.h"

namespace {

using namespace uxc::policy;

size_t line_count(std::string_view text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

void check_findings(const std::vector<Finding>& findings, std::string_view text) {
  if (findings.size() > kMaxFindingsPerFile + 1) std::abort();
  for (const auto& f : findings)
    if (f.line > line_count(text) || f.message.empty()) std::abort();
}

void check_new_range(const FileAllocation& alloc, std::string_view text,
                     const AllocationRequest& request, std::span<const uint32_t> real_ids) {
  if (!alloc.add) return;
  const IdRange r = alloc.range;
  if (r.end - r.first != request.count || r.first < request.bounds.first ||
      r.end > request.bounds.end)
    std::abort();
  for (uint32_t id : real_ids)
    if (id >= r.first && id < r.end) std::abort();
  const SubidFile file = parse_subid_file(text);
  for (const auto& e : file.entries) {
    if (e.count == 0) continue;
    const bool overlaps = e.start < r.end && uint64_t{e.start} + e.count > r.first;
    if (overlaps) std::abort();  // the user held nothing big enough, so no entry may meet it
  }
  const std::string grown = append_line(text, format_subid_line(request.user, r));
  const SubidFile after = parse_subid_file(grown);
  if (!after.ok()) std::abort();
  const auto ranges = subordinate_ranges(after.entries, request.user, request.uid);
  bool granted = false;
  for (const auto& g : ranges) granted = granted || (g.first <= r.first && r.end <= g.end);
  if (!granted) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parts = uxc::fuzz::split_parts(input, 6);
  const std::string user(parts[3]);
  const uint32_t uid = uxc::fuzz::small_number(parts[4]);

  const std::vector<Account> users = {{"uxtest1", 61001}, {"uxtest2", 61002}, {user, uid}};
  const std::vector<Account> groups = {{"uxnet", 61100}, {"uxtest1", 61001}};
  const std::vector<LinkState> links = {{"lxcbr0", true}, {"notabridge", false}};
  check_findings(lint_subid(parts[0], false, users, users), parts[0]);
  check_findings(lint_subid(parts[1], true, users, groups), parts[1]);
  check_findings(lint_usernet(parts[2], users, groups, links), parts[2]);

  // Allocation, for a user who is in passwd with a few real ids around.
  if (is_valid_account_name(user)) {
    const std::vector<uint32_t> real = {0, 1000, 61001, 61002, uid, 150000, 300000};
    AllocationRequest request;
    request.user = user;
    request.uid = uid;
    request.count = std::max<uint32_t>(1, uxc::fuzz::small_number(parts[5]) & 0xfffff);
    request.subuid_text = parts[0];
    request.subgid_text = parts[1];
    request.real_uids = real;
    request.real_gids = real;
    AllocationPlan plan;
    std::string err;
    if (plan_allocation(request, &plan, &err)) {
      check_new_range(plan.subuid, parts[0], request, real);
      check_new_range(plan.subgid, parts[1], request, real);
    } else if (err.empty()) {
      std::abort();
    }

    UsernetLine line;
    line.key = UsernetKey{parts[5].size() % 2 == 1, user, "veth", "lxcbr0"};
    line.count = uxc::fuzz::small_number(parts[5]) % 2000;
    std::string edited;
    if (set_usernet_line(parts[2], line, &edited, &err)) {
      const UsernetFile after = parse_usernet_file(edited);
      if (!after.ok()) std::abort();
      size_t seen = 0;
      for (const auto& l : after.lines)
        if (l.key == line.key) seen += l.count == line.count ? 1 : 100;
      if (seen != 1) std::abort();
    } else if (err.empty()) {
      std::abort();
    }
  }

  // merge_ranges over the subuid file's entries.
  std::vector<IdRange> ranges;
  for (const auto& e : parse_subid_file(parts[0]).entries)
    ranges.push_back({e.start, uint64_t{e.start} + e.count});
  const auto merged = merge_ranges(ranges);
  for (size_t i = 0; i < merged.size(); ++i) {
    if (merged[i].first >= merged[i].end) std::abort();
    if (i > 0 && merged[i - 1].end >= merged[i].first) std::abort();
  }
  return 0;
}
