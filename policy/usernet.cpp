#include "policy/usernet.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "policy/nic.h"
#include "policy/text.h"

namespace uxc::policy {

namespace {

std::string key_text(const UsernetKey& key) {
  return (key.group ? "@" : "") + key.owner + ":" + key.type + ":" + key.link;
}

constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr uint32_t kSlotDigits = 4;  // base 36: room for 1,679,616 slots

uint32_t fnv1a(std::string_view text) {
  uint32_t hash = 2166136261u;  // FNV-1a, 32 bits
  for (char c : text) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
  return hash;
}

// Unique within the file (usernet.h, "Quota slots"): the key's own hash
// unless an earlier line already has it, else the first of "KEY#1",
// "KEY#2", ... that no earlier line has. 32 bits and at most a few
// thousand lines: a retry is rare, a second one rarer still.
void assign_slot_hashes(std::vector<UsernetLine>* lines) {
  std::unordered_map<uint32_t, size_t> first_with_own_hash;  // FNV-1a of the key -> line
  std::unordered_set<uint32_t> assigned;
  for (UsernetLine& line : *lines) {
    const std::string text = key_text(line.key);
    const uint32_t own = fnv1a(text);
    const auto [earlier, first] = first_with_own_hash.emplace(own, line.line);
    if (!first) line.collides_with = earlier->second;
    line.slot_hash = own;
    for (uint32_t n = 1; assigned.count(line.slot_hash) != 0; ++n)
      line.slot_hash = fnv1a(text + "#" + std::to_string(n));
    assigned.insert(line.slot_hash);
  }
}

// Empty string when the line is a valid entry, else why it is not.
std::string parse_entry(std::string_view text, UsernetLine* line) {
  const std::vector<std::string_view> fields = split_fields(text);
  if (fields.size() < 4) return "expected OWNER TYPE LINK COUNT, missing fields";
  if (fields.size() > 4) return "expected OWNER TYPE LINK COUNT, extra text after count";
  std::string_view owner = fields[0];
  line->key.group = owner.front() == '@';
  if (line->key.group) owner.remove_prefix(1);
  if (!is_valid_account_name(owner)) return "malformed user or @group name";
  if (fields[1] != kVethType) return "unknown type (only \"veth\" exists)";
  if (!is_valid_ifname(fields[2])) return "malformed link name";
  if (!parse_u32(fields[3], &line->count) || line->count > kMaxUsernetCount)
    return "count must be a decimal number from 0 to " + std::to_string(kMaxUsernetCount);
  line->key.owner = std::string(owner);
  line->key.type = std::string(fields[1]);
  line->key.link = std::string(fields[2]);
  return {};
}

uint64_t use_of(const UsernetKey& key, std::span<const HeldNic> held) {
  return static_cast<uint64_t>(std::count_if(
      held.begin(), held.end(), [&](const HeldNic& nic) { return nic.charged == key; }));
}

bool matches(const UsernetKey& key, std::string_view user,
             std::span<const std::string> groups, std::string_view type,
             std::string_view link) {
  if (key.type != type || key.link != link) return false;
  if (!key.group) return key.owner == user;
  return std::find(groups.begin(), groups.end(), key.owner) != groups.end();
}

// Fills in a refusal's reason.
NicDecision explained(NicDecision decision, const UsernetFile& policy, std::string_view user,
                      std::string_view type, std::string_view link) {
  const std::string what =
      std::string(type) + " nics on " + std::string(link) + " for " + std::string(user);
  if (decision.verdict == NicVerdict::kBadPolicy)
    decision.reason = "malformed: " + policy.errors.front();
  if (decision.verdict == NicVerdict::kNoLine) decision.reason = "no line allows " + what;
  if (decision.verdict == NicVerdict::kQuotaFull)
    decision.reason = "all " + std::to_string(decision.allowed) + " " + what + " are in use";
  return decision;
}

}  // namespace

UsernetFile parse_usernet_file(std::string_view text) {
  UsernetFile file;
  if (text.size() > kMaxUsernetFileBytes) {
    file.errors.push_back("file larger than " + std::to_string(kMaxUsernetFileBytes) +
                          " bytes");
    return file;
  }
  std::vector<Line> lines;
  std::string err;
  if (!split_lines(text, kMaxUsernetLineBytes, &lines, &err)) {
    file.errors.push_back(err);
    return file;
  }
  for (const Line& line : lines) {
    if (is_blank_or_comment(line.text)) continue;
    UsernetLine entry;
    entry.line = line.number;
    const std::string why = parse_entry(line.text, &entry);
    if (!why.empty()) {
      file.errors.push_back("line " + std::to_string(line.number) + ": " + why);
      if (file.errors.size() == kMaxUsernetErrors) {
        file.errors.push_back("too many malformed lines; stopped");
        break;
      }
      continue;
    }
    // A repeated owner/type/link is one allowance, the largest written:
    // what lxc-user-nic effectively does, and never more than one line
    // of the file says.
    auto same = std::find_if(file.lines.begin(), file.lines.end(),
                             [&](const UsernetLine& l) { return l.key == entry.key; });
    if (same != file.lines.end()) {
      same->count = std::max(same->count, entry.count);
      continue;
    }
    file.lines.push_back(std::move(entry));
  }
  if (!file.errors.empty()) file.lines.clear();
  assign_slot_hashes(&file.lines);
  return file;
}

NicDecision decide_nic(const UsernetFile& policy, std::string_view user,
                       std::span<const std::string> groups, std::string_view type,
                       std::string_view link, std::span<const HeldNic> held) {
  NicDecision decision;
  if (!policy.ok()) return explained(decision, policy, user, type, link);  // kBadPolicy
  bool matched = false;
  for (const UsernetLine& line : policy.lines) {
    if (!matches(line.key, user, groups, type, link)) continue;
    matched = true;
    const uint64_t used = use_of(line.key, held);
    decision.allowed += line.count;
    decision.used += std::min<uint64_t>(used, line.count);
    if (used < line.count && decision.verdict != NicVerdict::kAllow) {
      decision.verdict = NicVerdict::kAllow;
      decision.charged = line.key;
    }
  }
  if (!matched) decision.verdict = NicVerdict::kNoLine;
  else if (decision.verdict != NicVerdict::kAllow) decision.verdict = NicVerdict::kQuotaFull;
  return explained(decision, policy, user, type, link);
}

bool has_group_line(const UsernetFile& policy, std::string_view type, std::string_view link) {
  return std::any_of(policy.lines.begin(), policy.lines.end(), [&](const UsernetLine& line) {
    return line.key.group && line.key.type == type && line.key.link == link;
  });
}

std::vector<AllowedLink> allowed_links(const UsernetFile& policy, std::string_view user,
                                       std::span<const std::string> groups, std::string_view type) {
  std::vector<AllowedLink> out;
  if (!policy.ok()) return out;
  for (const UsernetLine& line : policy.lines) {
    if (!matches(line.key, user, groups, type, line.key.link)) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const AllowedLink& a) { return a.link == line.key.link; });
    if (it == out.end()) out.push_back({line.key.link, line.count});
    else it->count += line.count;
  }
  return out;
}

std::string slot_name(const UsernetLine& line, uint32_t slot) {
  const uint32_t hash = line.slot_hash;
  std::string name = "uxc";
  for (int shift = 28; shift >= 0; shift -= 4) name += kDigits[(hash >> shift) & 0xf];
  char digits[kSlotDigits];
  for (uint32_t i = kSlotDigits; i-- > 0; slot /= 36) digits[i] = kDigits[slot % 36];
  return name.append(digits, kSlotDigits);
}

std::vector<uint32_t> lock_keys(const UsernetFile& policy, std::string_view user,
                                std::span<const std::string> groups, std::string_view type,
                                std::string_view link) {
  std::vector<uint32_t> keys;
  for (const UsernetLine& line : policy.lines) {
    if (line.count == 0 || !matches(line.key, user, groups, type, link)) continue;
    keys.push_back(line.slot_hash);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

bool is_slot_name(std::string_view name) {
  if (name.size() != 3 + 8 + kSlotDigits || name.substr(0, 3) != "uxc") return false;
  for (size_t i = 3; i < name.size(); ++i) {
    const char c = name[i];
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!(hex || (i >= 11 && c >= 'g' && c <= 'z'))) return false;
  }
  return true;
}

namespace {

// One matching line's slots, looked at as choose_slot describes: the spare
// slots first (in order; nearly always empty, one cheap look each), then
// the line's own from random % count in steps of a random stride coprime
// with the count. Stepping by one would let taken slots pile up in runs,
// and a nearly full line of N would cost about N/2 probes per create; a
// random stride keeps it near N / (free slots). Stops once more than
// kSpareSlots slots are not the line's and one of them is open (free or a
// leftover), and returns that open slot's index (the last one seen);
// otherwise no value. With `tags`, a taken slot whose tag names another
// line is not the line's; without, every taken slot is counted as the
// line's, which can only refuse, never allow, too much.
std::optional<uint32_t> find_open_slot(const UsernetLine& line, uint64_t random, bool tags,
                                       const SlotProbe& probe, SlotState* state) {
  const uint64_t count = line.count;
  uint64_t step = count > 1 ? 1 + (random / count) % (count - 1) : 1;
  while (std::gcd(step, count) != 1) ++step;
  uint64_t next = random % count;
  uint64_t not_ours = 0;
  std::optional<uint32_t> open;
  std::string tag;
  HeldNic held;
  for (uint64_t i = 0; i < count + kSpareSlots; ++i) {
    uint64_t slot = count + i;  // the spares first
    if (i >= kSpareSlots) {
      slot = next;
      next = (next + step) % count;
    }
    tag.clear();
    const SlotState seen = probe(slot_name(line, static_cast<uint32_t>(slot)), tags ? &tag : nullptr);
    if (seen != SlotState::kTaken) {
      open = static_cast<uint32_t>(slot);
      *state = seen;
    }
    if (seen != SlotState::kTaken || (parse_nic_tag(tag, &held) && held.charged != line.key))
      ++not_ours;
    if (open && not_ours > kSpareSlots) return open;
  }
  return std::nullopt;
}

}  // namespace

NicDecision choose_slot(const UsernetFile& policy, std::string_view user,
                        std::span<const std::string> groups, std::string_view type,
                        std::string_view link, uint64_t random, const SlotProbe& probe) {
  NicDecision decision;
  if (!policy.ok()) return explained(decision, policy, user, type, link);  // kBadPolicy
  decision.verdict = NicVerdict::kNoLine;
  for (const UsernetLine& line : policy.lines) {
    if (!matches(line.key, user, groups, type, link)) continue;
    decision.verdict = NicVerdict::kQuotaFull;
    decision.allowed += line.count;
    if (line.count == 0) continue;
    // A cheap look; the tags are read only when it cannot tell, which is
    // when the line is full or another line's nics sit in its slots.
    SlotState state = SlotState::kTaken;  // that of the slot found, once one is open
    std::optional<uint32_t> slot = find_open_slot(line, random, false, probe, &state);
    if (!slot && state != SlotState::kTaken)
      slot = find_open_slot(line, random, true, probe, &state);
    if (!slot) continue;
    decision.verdict = NicVerdict::kAllow;
    decision.charged = line.key;
    decision.slot = *slot;
    decision.host_name = slot_name(line, *slot);
    // Looked at again, so that the last probe is of the slot named.
    decision.leftover =
        state == SlotState::kLeftover && probe(decision.host_name, nullptr) == SlotState::kLeftover;
    return decision;
  }
  return explained(decision, policy, user, type, link);
}

std::string format_nic_tag(uint32_t uid, const UsernetKey& key) {
  return "uxc:" + std::to_string(uid) + ":" + key_text(key);
}

bool parse_nic_tag(std::string_view alias, HeldNic* out) {
  std::string_view fields[5];
  size_t start = 0;
  for (size_t i = 0; i < 5; ++i) {
    const size_t colon = alias.find(':', start);
    const bool last = i == 4;
    if ((colon == std::string_view::npos) != last) return false;
    fields[i] = alias.substr(start, last ? std::string_view::npos : colon - start);
    start = colon + 1;
  }
  if (fields[0] != "uxc") return false;
  HeldNic nic;
  if (!parse_u32(fields[1], &nic.uid)) return false;
  std::string_view owner = fields[2];
  nic.charged.group = !owner.empty() && owner.front() == '@';
  if (nic.charged.group) owner.remove_prefix(1);
  if (!is_valid_account_name(owner) || fields[3] != kVethType ||
      !is_valid_ifname(fields[4]))
    return false;
  nic.charged.owner = std::string(owner);
  nic.charged.type = std::string(fields[3]);
  nic.charged.link = std::string(fields[4]);
  if (format_nic_tag(nic.uid, nic.charged) != alias) return false;
  *out = std::move(nic);
  return true;
}

}  // namespace uxc::policy
