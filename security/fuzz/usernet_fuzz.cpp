// libFuzzer harness for the usernet policy and the quota decisions
// (policy/usernet.h): parse_usernet_file, decide_nic, choose_slot,
// slot_name / is_slot_name and the host-end tag parser parse_nic_tag,
// which reads an alias that only root can set but that a fuzzer may
// as well treat as hostile.
//
// Input: POLICY 0xff USER 0xff GROUPS (space-separated) 0xff LINK
//        0xff ALIASES (one tag a line) 0xff RANDOM.
//
// Properties beyond "no crash":
// - only kAllow permits, every other verdict carries a reason, and an
//   allowed nic is charged to a line that matches the caller, with a
//   slot below that line's count plus kSpareSlots;
// - decide_nic charges a nic only to a line whose use is below its
//   count;
// - choose_slot's slot is one the probe called free or a leftover, and
//   flagged a leftover exactly when the probe said so; fewer than the
//   line's count of its slots hold a nic whose tag does not name another
//   line (nics are put in their own line's slots and in other lines');
//   with every slot taken it never allows;
// - a tag that parses re-formats to the same bytes; format then parse
//   of any valid key gives the key back;
// - every slot name is a 15-byte slot name, and no two lines of a file
//   share a slot hash (colliding keys are moved apart).
#include "policy/usernet.h"

#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "policy/nic.h"
#include "policy/text.h"
#include "security/fuzz/fuzz_input.h"

namespace {

using namespace uxc::policy;

bool line_matches(const UsernetKey& key, std::string_view user,
                  const std::vector<std::string>& groups, std::string_view link) {
  if (key.type != "veth" || key.link != link) return false;
  if (!key.group) return key.owner == user;
  for (const auto& g : groups)
    if (g == key.owner) return true;
  return false;
}

void check_allowed(const UsernetFile& policy, const NicDecision& d, std::string_view user,
                   const std::vector<std::string>& groups, std::string_view link) {
  if (d.reason.empty() != (d.verdict == NicVerdict::kAllow)) std::abort();  // refusals say why
  if (d.verdict != NicVerdict::kAllow) return;
  if (!policy.ok() || !line_matches(d.charged, user, groups, link)) std::abort();
  bool found = false;
  for (const auto& line : policy.lines)
    if (line.key == d.charged && d.slot < line.count + kSpareSlots) found = true;
  if (!found) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parts = uxc::fuzz::split_parts(input, 6);
  const std::string_view user = parts[1], link = parts[3];
  std::vector<std::string> groups;
  for (auto g : uxc::fuzz::split_words(parts[2]))
    if (!g.empty()) groups.emplace_back(g);

  const UsernetFile policy = parse_usernet_file(parts[0]);
  if (policy.ok()) {
    std::set<uint32_t> hashes;  // every line its own slot range
    for (const auto& line : policy.lines)
      if (!hashes.insert(line.slot_hash).second) std::abort();
    for (const auto& line : policy.lines) {
      if (line.count > kMaxUsernetCount || line.key.type != "veth" ||
          !is_valid_account_name(line.key.owner) || !is_valid_ifname(line.key.link))
        std::abort();
      const std::string name = slot_name(line, line.count + kSpareSlots);
      if (name.size() != 15 || !is_slot_name(name) || !is_host_end_name(name)) std::abort();
      HeldNic back;
      if (!parse_nic_tag(format_nic_tag(61001, line.key), &back) || back.uid != 61001 ||
          !(back.charged == line.key))
        std::abort();
    }
  }

  // Existing nics from the alias lines; every tag that parses round-trips.
  std::vector<HeldNic> held;
  size_t start = 0;
  const std::string_view aliases = parts[4];
  while (start <= aliases.size() && held.size() < 64) {
    size_t end = aliases.find('\n', start);
    if (end == std::string_view::npos) end = aliases.size();
    const std::string_view alias = aliases.substr(start, end - start);
    HeldNic nic;
    if (parse_nic_tag(alias, &nic)) {
      if (format_nic_tag(nic.uid, nic.charged) != alias) std::abort();
      held.push_back(nic);
    }
    start = end + 1;
  }

  const NicDecision decided = decide_nic(policy, user, groups, "veth", link, held);
  check_allowed(policy, decided, user, groups, link);
  if (decided.verdict == NicVerdict::kAllow) {
    if (decided.used >= decided.allowed) std::abort();
    uint64_t use = 0;
    for (const auto& nic : held) use += nic.charged == decided.charged;
    for (const auto& line : policy.lines)
      if (line.key == decided.charged && use >= line.count) std::abort();
  }
  if (!policy.ok() && decided.verdict != NicVerdict::kBadPolicy) std::abort();

  // choose_slot with a probe that calls a slot taken when a held nic
  // sits there, and gives its tag: nic i in slot i / 2 of its own line
  // (even i) or of a line of the file (odd i), which its tag may not
  // name. At most a few hundred probes per run.
  std::map<std::string, std::string> taken;  // slot name: tag
  for (size_t i = 0; i < held.size(); ++i) {
    UsernetLine line{held[i].charged, 1, 0, 0, 0};  // a line the file lacks: any range
    for (const auto& l : policy.lines)
      if (l.key == held[i].charged) line = l;
    if (i % 2 == 1 && !policy.lines.empty()) line = policy.lines[i / 2 % policy.lines.size()];
    taken.emplace(slot_name(line, static_cast<uint32_t>(i / 2)),
                  format_nic_tag(held[i].uid, held[i].charged));
  }
  const uint32_t random = uxc::fuzz::small_number(parts[5]);
  // Every third untaken slot (by slot and random) holds a leftover.
  size_t probes = 0;
  std::map<std::string, SlotState> answered;
  const SlotProbe probe = [&](const std::string& name, std::string* tag) {
    SlotState state = SlotState::kTaken;
    const auto it = taken.find(name);
    if (++probes <= 4096 && it == taken.end())  // huge counts: stop early
      state = (static_cast<uint8_t>(name.back()) + random) % 3 == 0 ? SlotState::kLeftover
                                                                       : SlotState::kFree;
    if (tag != nullptr && it != taken.end()) *tag = it->second;
    answered[name] = state;
    return state;
  };
  const NicDecision chosen = choose_slot(policy, user, groups, "veth", link, random, probe);
  check_allowed(policy, chosen, user, groups, link);
  if (chosen.verdict == NicVerdict::kAllow) {
    const auto it = answered.find(chosen.host_name);
    if (it == answered.end() || it->second == SlotState::kTaken ||
        chosen.leftover != (it->second == SlotState::kLeftover))
      std::abort();
    for (const auto& line : policy.lines) {
      if (!(line.key == chosen.charged) || line.count > 4096) continue;
      uint64_t own = 0;
      for (uint32_t slot = 0; slot < line.count + kSpareSlots; ++slot) {
        const auto held_here = taken.find(slot_name(line, slot));
        HeldNic nic;
        own += held_here != taken.end() &&
               !(parse_nic_tag(held_here->second, &nic) && !(nic.charged == line.key));
      }
      if (own >= line.count) std::abort();
    }
  } else if (chosen.leftover) {
    std::abort();
  }
  const SlotProbe all_taken = [&](const std::string&, std::string*) {
    return ++probes > 1u << 20 ? SlotState::kFree : SlotState::kTaken;
  };
  probes = 0;
  uint64_t total = 0;
  for (const auto& line : policy.lines) total += line.count;
  if (total < (1u << 16)) {
    const NicDecision full = choose_slot(policy, user, groups, "veth", link, random, all_taken);
    if (full.verdict == NicVerdict::kAllow) std::abort();
  }

  (void)is_slot_name(parts[1]);
  return 0;
}
