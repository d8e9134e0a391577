#include "policy/admin.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "policy/nic.h"
#include "policy/text.h"

namespace uxc::policy {

namespace {

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "FIRST-LAST", both inclusive, as a person reads an id range.
std::string describe(IdRange range) {
  return std::to_string(range.first) + "-" + std::to_string(range.end - 1);
}

IdRange entry_range(const SubidEntry& entry) {
  return IdRange{entry.start, uint64_t{entry.start} + entry.count};
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::vector<IdRange> ranges_of(const SubidFile& file, std::span<const uint32_t> real_ids) {
  std::vector<IdRange> taken;
  taken.reserve(file.entries.size() + real_ids.size());
  for (const SubidEntry& entry : file.entries)
    if (entry.count > 0) taken.push_back(entry_range(entry));
  for (uint32_t id : real_ids) taken.push_back(IdRange{id, uint64_t{id} + 1});
  return taken;
}

// The user's first merged range of at least `count` ids.
bool held_range(const SubidFile& file, const AllocationRequest& request, IdRange* out) {
  for (const IdRange& range : subordinate_ranges(file.entries, request.user, request.uid)) {
    if (range.end - range.first >= request.count) {
      *out = range;
      return true;
    }
  }
  return false;
}

// Parser errors read "line N: why"; anything else concerns the whole file,
// and gets the consequence without the advice about a line.
Finding finding_from_error(std::string_view error, std::string_view consequence,
                           std::string_view line_advice) {
  Finding finding;
  std::string_view why = error;
  if (why.starts_with("line ")) {
    const size_t colon = why.find(": ");
    uint64_t number = 0;
    if (colon != std::string_view::npos && parse_u64(why.substr(5, colon - 5), &number)) {
      finding.line = static_cast<size_t>(number);
      why.remove_prefix(colon + 2);
    }
  }
  finding.message = std::string(why) + "; " + std::string(consequence);
  if (finding.line != 0) finding.message += "; " + std::string(line_advice);
  return finding;
}

void sort_and_cap(std::vector<Finding>* findings) {
  std::stable_sort(findings->begin(), findings->end(),
                   [](const Finding& a, const Finding& b) { return a.line < b.line; });
  if (findings->size() > kMaxFindingsPerFile) {
    findings->resize(kMaxFindingsPerFile);
    findings->push_back(Finding{0, "too many findings; stopped after " +
                                       std::to_string(kMaxFindingsPerFile)});
  }
}

// ----------------------------------------------------------- subid lint

struct Owner {
  bool known = false;    // a user of the passwd database
  uint32_t uid = 0;      // known, or numeric
  std::string identity;  // equal for the same user however written
};

Owner resolve_owner(std::string_view owner, const std::map<std::string, uint32_t, std::less<>>& uids,
                    const std::map<uint32_t, std::string>& names) {
  Owner resolved;
  if (all_digits(owner)) {
    // parse_subid_file only keeps numeric owners that fit in 32 bits.
    (void)parse_u32(owner, &resolved.uid);
    resolved.known = names.count(resolved.uid) > 0;
    resolved.identity = "#" + std::to_string(resolved.uid);
    return resolved;
  }
  const auto it = uids.find(owner);
  resolved.known = it != uids.end();
  if (resolved.known) {
    resolved.uid = it->second;
    resolved.identity = "#" + std::to_string(resolved.uid);
  } else {
    resolved.identity = std::string(owner);
  }
  return resolved;
}

// The entry with the greatest end among those seen, and the greatest
// among the rest whose owner differs from that one's: enough to tell
// whether a new range meets any other owner's range seen so far.
struct Reach {
  uint64_t end = 0;
  size_t index = 0;
  std::string identity;
  bool set = false;
};

void check_overlaps(const std::vector<SubidEntry>& entries, const std::vector<Owner>& owners,
                    std::vector<Finding>* findings) {
  std::vector<size_t> order;
  for (size_t i = 0; i < entries.size(); ++i)
    if (entries[i].count > 0) order.push_back(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return entries[a].start < entries[b].start; });
  Reach best, second;
  for (size_t i : order) {
    const SubidEntry& entry = entries[i];
    const IdRange range = entry_range(entry);
    const std::string& identity = owners[i].identity;
    const Reach& other = best.set && best.identity != identity ? best : second;
    if (other.set && other.end > range.first) {
      // Reported at the later line of the two: most likely the newer one.
      const SubidEntry& met = entries[other.index];
      const SubidEntry& later = met.line > entry.line ? met : entry;
      const SubidEntry& earlier = met.line > entry.line ? entry : met;
      findings->push_back(Finding{
          later.line, "ids " + describe(entry_range(later)) + " of " + quoted(later.owner) +
                          " overlap ids " + describe(entry_range(earlier)) + " of " +
                          quoted(earlier.owner) + " at line " + std::to_string(earlier.line) +
                          ": each could own the other's container files; delete one of the "
                          "lines and run uxc-admin allocate for that user"});
      if (findings->size() > kMaxFindingsPerFile) return;
    }
    const Reach mine{range.end, i, identity, true};
    if (best.set && best.identity == identity) {
      if (mine.end > best.end) best = mine;
    } else if (!best.set || mine.end > best.end) {
      second = best;
      best = mine;
    } else if (!second.set || mine.end > second.end) {
      second = mine;
    }
  }
}

void check_real_ids(const std::vector<SubidEntry>& entries, const std::vector<Owner>& owners,
                    bool ids_are_gids, std::span<const Account> id_holders,
                    std::vector<Finding>* findings) {
  std::vector<std::pair<uint32_t, std::string>> holders;
  for (const Account& account : id_holders) holders.emplace_back(account.id, account.name);
  std::sort(holders.begin(), holders.end());
  const std::string kind = ids_are_gids ? "gid" : "uid";
  for (size_t i = 0; i < entries.size(); ++i) {
    const SubidEntry& entry = entries[i];
    if (entry.count == 0) continue;
    const IdRange range{entry.start, uint64_t{entry.start} + entry.count};
    auto it = std::lower_bound(holders.begin(), holders.end(),
                               std::pair<uint32_t, std::string>{entry.start, ""});
    const auto last = std::lower_bound(
        it, holders.end(), range.end,
        [](const std::pair<uint32_t, std::string>& h, uint64_t end) { return h.first < end; });
    const std::pair<uint32_t, std::string>* first_covered = nullptr;
    size_t covered = 0;
    for (; it != last; ++it) {
      // A user may always map their own uid; that is no one else's.
      if (!ids_are_gids && owners[i].known && it->first == owners[i].uid) continue;
      if (first_covered == nullptr) first_covered = &*it;
      ++covered;
    }
    if (first_covered != nullptr) {
      std::string message = "ids " + describe(range) + " of " + quoted(entry.owner) +
                            " include " + kind + " " + std::to_string(first_covered->first) +
                            " (" + quoted(first_covered->second) + ")";
      if (covered > 1) message += " and " + std::to_string(covered - 1) + " more real " + kind + "s";
      message += ": its containers could own those accounts' files; delete the line and run "
                 "uxc-admin allocate " + entry.owner;
      findings->push_back(Finding{entry.line, std::move(message)});
      if (findings->size() > kMaxFindingsPerFile) return;
    }
    if (range.end > kSubidCeiling)
      findings->push_back(Finding{entry.line, "range reaches 4294967295, an id the kernel never "
                                              "maps, so no map with this range can be written; "
                                              "lower the count by one"});
  }
}

// ---------------------------------------------------------- usernet lint

std::string describe_key(const UsernetKey& key) {
  return (key.group ? "@" : "") + key.owner + " " + key.type + " " + key.link;
}

std::set<std::string_view> names_of(std::span<const Account> accounts) {
  std::set<std::string_view> names;
  for (const Account& account : accounts) names.insert(account.name);
  return names;
}

}  // namespace

// ------------------------------------------------------------ allocation

bool is_range_free(std::span<const IdRange> taken, IdRange range, IdRange bounds) {
  if (range.first >= range.end || range.first < bounds.first || range.end > bounds.end)
    return false;
  return std::none_of(taken.begin(), taken.end(), [&](const IdRange& t) {
    return t.first < t.end && t.first < range.end && range.first < t.end;
  });
}

bool find_free_range(std::span<const IdRange> taken, uint64_t count, IdRange bounds,
                     IdRange* out) {
  if (count == 0 || bounds.end < bounds.first || count > bounds.end - bounds.first) return false;
  uint64_t cursor = bounds.first;
  for (const IdRange& range : merge_ranges(std::vector<IdRange>(taken.begin(), taken.end()))) {
    if (range.end <= cursor) continue;
    if (range.first >= cursor + count) break;  // the gap before it fits
    cursor = range.end;
    if (cursor > bounds.end - count) return false;
  }
  if (cursor + count > bounds.end) return false;
  *out = IdRange{cursor, cursor + count};
  return true;
}

bool plan_allocation(const AllocationRequest& request, AllocationPlan* plan, std::string* err) {
  // An owner made only of digits is a uid to every reader of the files
  // (subid.h): a line written for a user named "10" would grant uid 10.
  if (!request.user.empty() &&
      std::all_of(request.user.begin(), request.user.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    *err = "user name " + request.user + " is all digits, which /etc/subuid and /etc/subgid read as a uid; "
           "rename the account";
    return false;
  }
  if (request.count == 0 || request.bounds.end < request.bounds.first ||
      request.count > request.bounds.end - request.bounds.first) {
    *err = "count must be from 1 to " +
           std::to_string(request.bounds.end >= request.bounds.first
                              ? request.bounds.end - request.bounds.first
                              : 0);
    return false;
  }
  const SubidFile subuid = parse_subid_file(request.subuid_text);
  const SubidFile subgid = parse_subid_file(request.subgid_text);
  for (const auto& [file, name] : {std::pair{&subuid, request.subuid_name},
                                   std::pair{&subgid, request.subgid_name}}) {
    if (!file->ok()) {
      *err = std::string(name) + ": " + file->errors.front() +
             "; fix the file first (uxc-admin lint lists every problem)";
      return false;
    }
  }
  AllocationPlan result;
  const bool keep_uids = held_range(subuid, request, &result.subuid.range);
  const bool keep_gids = held_range(subgid, request, &result.subgid.range);
  result.subuid.add = !keep_uids;
  result.subgid.add = !keep_gids;
  const std::vector<IdRange> taken_uids = ranges_of(subuid, request.real_uids);
  const std::vector<IdRange> taken_gids = ranges_of(subgid, request.real_gids);

  if (!keep_uids && !keep_gids) {
    std::vector<IdRange> both = taken_uids;
    both.insert(both.end(), taken_gids.begin(), taken_gids.end());
    IdRange common{};
    if (find_free_range(both, request.count, request.bounds, &common)) {
      result.subuid.range = result.subgid.range = common;
      *plan = result;
      return true;
    }
  }
  // One file already holds a range (or no start is free in both): the
  // other file takes the same start if it can, else its own lowest gap.
  const auto place = [&](FileAllocation* alloc, const std::vector<IdRange>& taken,
                         const FileAllocation& partner, std::string_view name) {
    if (!alloc->add) return true;
    if (!partner.add) {
      const IdRange same{partner.range.first, partner.range.first + request.count};
      if (is_range_free(taken, same, request.bounds)) {
        alloc->range = same;
        return true;
      }
    }
    if (find_free_range(taken, request.count, request.bounds, &alloc->range)) return true;
    *err = std::string(name) + ": no free range of " + std::to_string(request.count) +
           " ids between " + std::to_string(request.bounds.first) + " and " +
           std::to_string(request.bounds.end - 1) +
           "; ask for a smaller --count, or delete the entries of users who are gone";
    return false;
  };
  if (!place(&result.subuid, taken_uids, result.subgid, request.subuid_name)) return false;
  if (!place(&result.subgid, taken_gids, result.subuid, request.subgid_name)) return false;
  *plan = result;
  return true;
}

std::string format_subid_line(std::string_view user, IdRange range) {
  return std::string(user) + ":" + std::to_string(range.first) + ":" +
         std::to_string(range.end - range.first) + "\n";
}

std::string append_line(std::string_view text, std::string_view line) {
  std::string out(text);
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += line;
  return out;
}

// -------------------------------------------------------------- usernet

std::string format_usernet_line(const UsernetLine& line) {
  return describe_key(line.key) + " " + std::to_string(line.count) + "\n";
}

bool set_usernet_line(std::string_view text, const UsernetLine& line, std::string* out,
                      std::string* err) {
  const std::string wanted = format_usernet_line(line);
  const UsernetFile alone = parse_usernet_file(wanted);
  if (!alone.ok() || alone.lines.size() != 1 || alone.lines[0].key != line.key) {
    *err = "not a valid usernet line: " + wanted.substr(0, wanted.size() - 1) +
           (alone.ok() ? "" : " (" + alone.errors.front() + ")");
    return false;
  }
  const UsernetFile current = parse_usernet_file(text);
  if (!current.ok()) {
    *err = current.errors.front() + "; fix the file first (uxc-admin lint lists every problem)";
    return false;
  }
  std::vector<Line> lines;
  if (!split_lines(text, kMaxUsernetLineBytes, &lines, err)) return false;
  std::string edited;
  bool placed = false;
  for (const Line& l : lines) {
    if (!is_blank_or_comment(l.text)) {
      const UsernetFile one = parse_usernet_file(l.text);
      if (one.ok() && one.lines.size() == 1 && one.lines[0].key == line.key) {
        if (!placed) edited += wanted;
        placed = true;
        continue;
      }
    }
    edited.append(l.text);
    edited += '\n';
  }
  if (!placed) edited += wanted;
  // Fail safe: never hand back a policy that does not say what was asked.
  const UsernetFile check = parse_usernet_file(edited);
  const auto it = std::find_if(check.lines.begin(), check.lines.end(),
                               [&](const UsernetLine& l) { return l.key == line.key; });
  if (!check.ok() || it == check.lines.end() || it->count != line.count) {
    *err = "the edited file does not verify; nothing was changed";
    return false;
  }
  *out = std::move(edited);
  return true;
}

// ----------------------------------------------------------------- lint

std::vector<Finding> lint_subid(std::string_view text, bool ids_are_gids,
                                std::span<const Account> users,
                                std::span<const Account> id_holders) {
  std::vector<Finding> findings;
  const SubidFile file = parse_subid_file(text);
  for (const std::string& error : file.errors)
    findings.push_back(finding_from_error(error,
                                          "uxc-idmap refuses the whole file until it is fixed",
                                          "write USER:START:COUNT or delete the line"));

  std::map<std::string, uint32_t, std::less<>> uids;
  std::map<uint32_t, std::string> names;
  for (const Account& user : users) {
    uids.emplace(user.name, user.id);
    names.emplace(user.id, user.name);
  }
  std::vector<Owner> owners;
  for (const SubidEntry& entry : file.entries) {
    owners.push_back(resolve_owner(entry.owner, uids, names));
    if (!owners.back().known)
      findings.push_back(Finding{
          entry.line, "owner " + quoted(entry.owner) +
                          " is not a user of the passwd database; delete the line, or create "
                          "the user"});
    if (entry.count == 0)
      findings.push_back(Finding{entry.line,
                                 "count 0 grants nothing (old newuidmap read it as every id); "
                                 "delete the line"});
  }
  check_overlaps(file.entries, owners, &findings);
  check_real_ids(file.entries, owners, ids_are_gids, id_holders, &findings);
  sort_and_cap(&findings);
  return findings;
}

std::vector<Finding> lint_usernet(std::string_view text, std::span<const Account> users,
                                  std::span<const Account> groups,
                                  std::span<const LinkState> links) {
  std::vector<Finding> findings;
  const UsernetFile file = parse_usernet_file(text);
  for (const std::string& error : file.errors)
    findings.push_back(finding_from_error(error,
                                          "uxc-nic refuses every request until it is fixed",
                                          "write OWNER veth BRIDGE COUNT or delete the line"));
  std::vector<Line> lines;
  std::string ignored;  // already reported through file.errors
  if (text.size() > kMaxUsernetFileBytes || !split_lines(text, kMaxUsernetLineBytes, &lines, &ignored))
    lines.clear();

  const std::set<std::string_view> user_names = names_of(users);
  const std::set<std::string_view> group_names = names_of(groups);
  std::vector<UsernetLine> seen;
  for (const Line& l : lines) {
    if (is_blank_or_comment(l.text)) continue;
    const UsernetFile one = parse_usernet_file(l.text);
    if (!one.ok() || one.lines.size() != 1) continue;
    UsernetLine entry = one.lines[0];
    entry.line = l.number;
    const auto earlier = std::find_if(seen.begin(), seen.end(),
                                      [&](const UsernetLine& s) { return s.key == entry.key; });
    if (earlier != seen.end()) {
      const uint32_t effective = std::max(earlier->count, entry.count);
      earlier->count = effective;
      findings.push_back(Finding{
          entry.line, "repeats " + describe_key(entry.key) + " from line " +
                          std::to_string(earlier->line) + " (only the largest count, " +
                          std::to_string(effective) +
                          ", applies); keep one line, e.g. with uxc-admin allow"});
      continue;
    }
    seen.push_back(entry);

    const bool known = (entry.key.group ? group_names : user_names).count(entry.key.owner) > 0;
    if (!known)
      findings.push_back(Finding{
          entry.line, std::string(entry.key.group ? "group " : "user ") +
                          quoted(entry.key.owner) + " does not exist in the " +
                          (entry.key.group ? "group" : "passwd") +
                          " database; delete the line, or create the " +
                          (entry.key.group ? "group" : "user")});
    const auto link = std::find_if(links.begin(), links.end(),
                                   [&](const LinkState& s) { return s.name == entry.key.link; });
    if (link == links.end())
      findings.push_back(Finding{
          entry.line, "bridge " + quoted(entry.key.link) +
                          " does not exist, so uxc-nic refuses it; create it (ip link add " +
                          entry.key.link + " type bridge) or delete the line"});
    else if (!link->is_bridge)
      findings.push_back(Finding{entry.line, quoted(entry.key.link) +
                                                 " is not a bridge, so uxc-nic refuses it; name "
                                                 "a bridge or delete the line"});
  }
  // Owners whose lines hash alike (policy/usernet.h, "Quota slots"): an
  // account name chosen to collide with another's. uxc-nic keeps their slot
  // ranges apart, but only by file order.
  for (const UsernetLine& line : file.lines) {
    if (line.collides_with == 0) continue;
    const auto earlier = std::find_if(file.lines.begin(), file.lines.end(),
                                      [&](const UsernetLine& l) { return l.line == line.collides_with; });
    findings.push_back(Finding{
        line.line, describe_key(line.key) + " hashes like " + describe_key(earlier->key) +
                       " at line " + std::to_string(line.collides_with) +
                       " (its nics get second-choice slot names); keep line " +
                       std::to_string(line.collides_with) +
                       " first: moving or deleting it renames its nics or this line's, and a "
                       "renamed nic counts against no line until its container stops. Was the "
                       "account name chosen to collide?"});
  }
  sort_and_cap(&findings);
  return findings;
}

std::vector<Finding> lint_ownership(bool is_directory, uint32_t owner_uid, uint32_t mode) {
  std::vector<Finding> findings;
  const std::string what = is_directory ? "directory" : "file";
  if (owner_uid != 0)
    findings.push_back(Finding{0, what + " owned by uid " + std::to_string(owner_uid) +
                                      ", not root: that user can grant themselves anything; "
                                      "chown root"});
  if ((mode & 0022) != 0) {
    const std::string octal = {static_cast<char>('0' + ((mode >> 9) & 7)),
                               static_cast<char>('0' + ((mode >> 6) & 7)),
                               static_cast<char>('0' + ((mode >> 3) & 7)),
                               static_cast<char>('0' + (mode & 7))};
    findings.push_back(Finding{0, what + " writable by group or others (mode " + octal +
                                      "): they can grant themselves anything; chmod go-w"});
  }
  return findings;
}

// ---------------------------------------------------------------- usage

std::vector<LineUsage> summarize_usage(const UsernetFile& policy, std::span<const HeldNic> held,
                                       std::string_view user, uint32_t user_uid,
                                       std::span<const std::string> user_groups) {
  const auto tally = [&](LineUsage* row) {
    std::map<uint32_t, uint64_t> by_uid;
    for (const HeldNic& nic : held)
      if (nic.charged == row->key) ++by_uid[nic.uid];
    for (const auto& [uid, nics] : by_uid) {
      row->holders.emplace_back(uid, nics);
      row->used += nics;
    }
  };
  const auto wanted = [&](const LineUsage& row) {
    if (user.empty()) return true;
    const bool matches =
        row.in_policy &&
        (row.key.group
             ? std::find(user_groups.begin(), user_groups.end(), row.key.owner) != user_groups.end()
             : row.key.owner == user);
    const bool holds = std::any_of(row.holders.begin(), row.holders.end(),
                                   [&](const auto& h) { return h.first == user_uid; });
    return matches || holds;
  };

  std::vector<LineUsage> rows;
  for (const UsernetLine& line : policy.lines) {
    LineUsage row;
    row.key = line.key;
    row.in_policy = true;
    row.allowed = line.count;
    tally(&row);
    if (wanted(row)) rows.push_back(std::move(row));
  }
  std::vector<UsernetKey> orphans;
  for (const HeldNic& nic : held) {
    const bool in_policy = std::any_of(policy.lines.begin(), policy.lines.end(),
                                       [&](const UsernetLine& l) { return l.key == nic.charged; });
    if (!in_policy && std::find(orphans.begin(), orphans.end(), nic.charged) == orphans.end())
      orphans.push_back(nic.charged);
  }
  std::sort(orphans.begin(), orphans.end(), [](const UsernetKey& a, const UsernetKey& b) {
    return std::tie(a.link, a.group, a.owner, a.type) < std::tie(b.link, b.group, b.owner, b.type);
  });
  for (const UsernetKey& key : orphans) {
    LineUsage row;
    row.key = key;
    tally(&row);
    if (wanted(row)) rows.push_back(std::move(row));
  }
  return rows;
}

CompatAction decide_compat_install(CompatFile state, bool force) {
  switch (state) {
    case CompatFile::kAbsent: return CompatAction::kCreate;
    case CompatFile::kOurs: return CompatAction::kKeep;
    case CompatFile::kForeign: return force ? CompatAction::kReplace : CompatAction::kRefuse;
  }
  return CompatAction::kRefuse;
}

CompatAction decide_compat_remove(CompatFile state) {
  switch (state) {
    case CompatFile::kAbsent: return CompatAction::kKeep;
    case CompatFile::kOurs: return CompatAction::kRemove;
    case CompatFile::kForeign: return CompatAction::kLeave;
  }
  return CompatAction::kLeave;
}

}  // namespace uxc::policy
