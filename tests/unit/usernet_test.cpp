#include "policy/usernet.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <set>

namespace uxc::policy {

// Boost.Test prints values of failed comparisons; found by ADL.
std::ostream& operator<<(std::ostream& os, const UsernetKey& k) {
  return os << (k.group ? "@" : "") << k.owner << ' ' << k.type << ' ' << k.link;
}
std::ostream& operator<<(std::ostream& os, const HeldNic& n) {
  return os << n.uid << ' ' << n.charged;
}

namespace {

// ------------------------------------------------------------ parsing

struct ParseCase {
  std::string name;
  std::string text;
  size_t lines;            // entries after merging; 0 when malformed
  std::string error_part;  // substring of the first error; empty if valid
};
std::ostream& operator<<(std::ostream& os, const ParseCase& c) { return os << c.name; }

const ParseCase kParseCases[] = {
    {"empty file", "", 0, ""},
    {"comments and blanks", "# header\n\n   \n\t# indented\n", 0, ""},
    {"one user line", "alice veth lxcbr0 2\n", 1, ""},
    {"group line", "@netusers veth br1 10\n", 1, ""},
    {"tabs and runs of blanks", "alice\tveth \t lxcbr0    2\n", 1, ""},
    {"leading and trailing blanks", "  alice veth lxcbr0 2  \n", 1, ""},
    {"no final newline", "alice veth lxcbr0 2", 1, ""},
    {"count zero", "alice veth lxcbr0 0\n", 1, ""},
    {"count at the cap", "alice veth lxcbr0 1000000\n", 1, ""},
    {"numeric owner is a name", "1000 veth lxcbr0 1\n", 1, ""},
    {"two links", "alice veth br0 1\nalice veth br1 1\n", 2, ""},
    {"user and group same name", "alice veth br0 1\n@alice veth br0 1\n", 2, ""},
    {"duplicate merged", "alice veth br0 1\nalice veth br0 3\n", 1, ""},
    {"duplicate group merged", "@g veth br0 5\n@g veth br0 2\n", 1, ""},
    {"link with dots and dashes", "alice veth br-0.10 1\n", 1, ""},
    {"fifteen-byte link", "alice veth abcdefghijklmno 1\n", 1, ""},
    // malformed and hostile
    {"missing count", "alice veth lxcbr0\n", 0, "line 1: expected OWNER TYPE LINK COUNT, missing"},
    {"one field", "alice\n", 0, "missing fields"},
    {"trailing comment", "alice veth lxcbr0 2 # two\n", 0, "extra text"},
    {"five fields", "alice veth lxcbr0 2 3\n", 0, "extra text"},
    {"negative count", "alice veth lxcbr0 -1\n", 0, "count"},
    {"plus sign", "alice veth lxcbr0 +1\n", 0, "count"},
    {"hex count", "alice veth lxcbr0 0x10\n", 0, "count"},
    {"leading zero", "alice veth lxcbr0 010\n", 0, "count"},
    {"count over cap", "alice veth lxcbr0 1000001\n", 0, "count"},
    {"count over 32 bits", "alice veth lxcbr0 4294967296\n", 0, "count"},
    {"huge count", "alice veth lxcbr0 99999999999999999999999999\n", 0, "count"},
    {"CRLF", "alice veth lxcbr0 2\r\n", 0, "line 1: count"},
    {"CRLF after good line", "bob veth br0 1\nalice veth lxcbr0 2\r\n", 0, "line 2:"},
    {"NUL in line", std::string("alice veth lxc\0br0 2\n", 21), 0, "line 1: NUL"},
    {"NUL in comment", std::string("# a\0b\n", 6), 0, "NUL"},
    {"10000-byte line", "alice veth lxcbr0 2 " + std::string(10000, 'x') + "\n", 0, "longer than"},
    {"10000-byte comment", "#" + std::string(10000, 'x') + "\n", 0, "longer than"},
    {"unknown type", "alice macvlan lxcbr0 2\n", 0, "unknown type"},
    {"upper-case type", "alice VETH lxcbr0 2\n", 0, "unknown type"},
    {"bare at", "@ veth lxcbr0 2\n", 0, "name"},
    {"double at", "@@g veth lxcbr0 2\n", 0, "name"},
    {"colon in owner", "al:ice veth lxcbr0 2\n", 0, "name"},
    {"slash in link", "alice veth br/0 2\n", 0, "link"},
    {"colon in link", "alice veth br:0 2\n", 0, "link"},
    {"dot link", "alice veth . 2\n", 0, "link"},
    {"dotdot link", "alice veth .. 2\n", 0, "link"},
    {"sixteen-byte link", "alice veth abcdefghijklmnop 2\n", 0, "link"},
    {"high bytes in owner", "\xc3\xa9lise veth lxcbr0 2\n", 0, "name"},
    {"bad line after good", "alice veth br0 1\nbob veth\n", 0, "line 2:"},
    {"file over the cap", std::string(kMaxUsernetFileBytes + 1, '#'), 0, "larger than"},
};

BOOST_DATA_TEST_CASE(usernet_parse_table, boost::unit_test::data::make(kParseCases), c) {
  const UsernetFile file = parse_usernet_file(c.text);
  if (c.error_part.empty()) {
    BOOST_TEST(file.ok());
    BOOST_TEST(file.lines.size() == c.lines);
  } else {
    BOOST_TEST_REQUIRE(!file.ok());
    BOOST_TEST(file.errors[0].find(c.error_part) != std::string::npos, file.errors[0]);
    BOOST_TEST(file.lines.empty());  // nothing half-usable survives an error
  }
}

BOOST_AUTO_TEST_CASE(usernet_duplicate_keeps_first_position_and_largest_count) {
  const UsernetFile file =
      parse_usernet_file("alice veth br0 1\n@g veth br0 4\nalice veth br0 3\nalice veth br0 2\n");
  BOOST_TEST_REQUIRE(file.lines.size() == 2u);
  BOOST_TEST(file.lines[0].key.owner == "alice");
  BOOST_TEST(file.lines[0].count == 3u);
  BOOST_TEST(file.lines[0].line == 1u);
  BOOST_TEST(file.lines[1].key.group);
}

BOOST_AUTO_TEST_CASE(usernet_reports_every_bad_line) {
  const UsernetFile file = parse_usernet_file("a veth b\nok veth br0 1\nc veth d -2\n");
  BOOST_TEST_REQUIRE(file.errors.size() == 2u);
  BOOST_TEST(file.errors[0].rfind("line 1:", 0) == 0);
  BOOST_TEST(file.errors[1].rfind("line 3:", 0) == 0);
}

// ----------------------------------------------------------- deciding

UsernetKey user_key(std::string owner, std::string link) {
  return UsernetKey{false, std::move(owner), "veth", std::move(link)};
}
UsernetKey group_key(std::string owner, std::string link) {
  return UsernetKey{true, std::move(owner), "veth", std::move(link)};
}

// The line of `policy` with this key; for a key the file lacks, the line
// it would be alone in a file (its slot names: the key's own hash).
UsernetLine line_of(const UsernetFile& policy, const UsernetKey& key) {
  for (const UsernetLine& line : policy.lines)
    if (line.key == key) return line;
  const UsernetFile alone = parse_usernet_file((key.group ? "@" : "") + key.owner + " " +
                                               key.type + " " + key.link + " 1\n");
  BOOST_TEST_REQUIRE(alone.lines.size() == 1u);
  return alone.lines[0];
}
// The slot number a slot name ends with (4 base-36 digits).
uint32_t slot_of(const std::string& name) {
  return static_cast<uint32_t>(std::stoul(name.substr(11), nullptr, 36));
}

struct DecideCase {
  std::string name;
  std::string policy;
  std::string user;
  std::vector<std::string> groups;
  std::string link;
  std::vector<HeldNic> held;
  NicVerdict verdict;
  UsernetKey charged;  // kAllow only
};
std::ostream& operator<<(std::ostream& os, const DecideCase& c) { return os << c.name; }

const std::string kMixed =
    "alice veth br0 1\n"
    "@net veth br0 2\n"
    "@lab veth br0 1\n"
    "bob veth br1 3\n";

const DecideCase kDecideCases[] = {
    {"no line", "", "alice", {}, "br0", {}, NicVerdict::kNoLine, {}},
    {"other user's line", "bob veth br0 5\n", "alice", {}, "br0", {}, NicVerdict::kNoLine, {}},
    {"other link", "alice veth br0 5\n", "alice", {}, "br1", {}, NicVerdict::kNoLine, {}},
    {"prefix of a name is not the name", "alice veth br0 5\n", "al", {}, "br0", {},
     NicVerdict::kNoLine, {}},
    {"prefix of a link is not the link", "alice veth br0 5\n", "alice", {}, "br", {},
     NicVerdict::kNoLine, {}},
    {"group line without membership", "@net veth br0 5\n", "alice", {"lab"}, "br0", {},
     NicVerdict::kNoLine, {}},
    {"user named like a group", "@alice veth br0 5\n", "alice", {}, "br0", {},
     NicVerdict::kNoLine, {}},
    {"first nic", "alice veth br0 2\n", "alice", {}, "br0", {}, NicVerdict::kAllow,
     user_key("alice", "br0")},
    {"second of two", "alice veth br0 2\n", "alice", {}, "br0",
     {{1, user_key("alice", "br0")}}, NicVerdict::kAllow, user_key("alice", "br0")},
    {"third of two", "alice veth br0 2\n", "alice", {}, "br0",
     {{1, user_key("alice", "br0")}, {1, user_key("alice", "br0")}}, NicVerdict::kQuotaFull, {}},
    {"count zero", "alice veth br0 0\n", "alice", {}, "br0", {}, NicVerdict::kQuotaFull, {}},
    {"user line before group line", kMixed, "alice", {"net"}, "br0", {}, NicVerdict::kAllow,
     user_key("alice", "br0")},
    {"user line full, group next", kMixed, "alice", {"net"}, "br0",
     {{1, user_key("alice", "br0")}}, NicVerdict::kAllow, group_key("net", "br0")},
    {"group shared with another member", kMixed, "alice", {"net"}, "br0",
     {{1, user_key("alice", "br0")}, {2, group_key("net", "br0")}, {2, group_key("net", "br0")}},
     NicVerdict::kQuotaFull, {}},
    {"other member's charges fill the group", "@net veth br0 2\n", "carol", {"net"}, "br0",
     {{1, group_key("net", "br0")}, {2, group_key("net", "br0")}}, NicVerdict::kQuotaFull, {}},
    {"falls through to the second group", kMixed, "alice", {"lab", "net"}, "br0",
     {{1, user_key("alice", "br0")}, {2, group_key("net", "br0")}, {3, group_key("net", "br0")}},
     NicVerdict::kAllow, group_key("lab", "br0")},
    {"file order, not group order", "@b veth br0 1\n@a veth br0 1\n", "alice", {"a", "b"},
     "br0", {}, NicVerdict::kAllow, group_key("b", "br0")},
    {"other users' user lines do not count", "alice veth br0 1\n", "alice", {}, "br0",
     {{2, user_key("bob", "br0")}, {3, group_key("net", "br0")}}, NicVerdict::kAllow,
     user_key("alice", "br0")},
    {"counting is per link", "alice veth br0 1\nalice veth br1 1\n", "alice", {}, "br1",
     {{1, user_key("alice", "br0")}}, NicVerdict::kAllow, user_key("alice", "br1")},
    {"br0 full does not spill to br1", "alice veth br0 1\nalice veth br1 1\n", "alice", {},
     "br0", {{1, user_key("alice", "br0")}}, NicVerdict::kQuotaFull, {}},
    {"group line is not the user line of the same name", "alice veth br0 1\n@alice veth br0 1\n",
     "alice", {"alice"}, "br0", {{1, user_key("alice", "br0")}}, NicVerdict::kAllow,
     group_key("alice", "br0")},
    {"duplicate counts once, larger", "alice veth br0 1\nalice veth br0 2\n", "alice", {}, "br0",
     {{1, user_key("alice", "br0")}, {1, user_key("alice", "br0")}}, NicVerdict::kQuotaFull, {}},
    {"charges to removed lines count nowhere", "alice veth br0 1\n", "alice", {}, "br0",
     {{1, group_key("gone", "br0")}}, NicVerdict::kAllow, user_key("alice", "br0")},
    {"over-full line stays full", "alice veth br0 1\n", "alice", {}, "br0",
     {{1, user_key("alice", "br0")}, {1, user_key("alice", "br0")}, {1, user_key("alice", "br0")}},
     NicVerdict::kQuotaFull, {}},
    {"malformed file denies all", "alice veth br0 2\nbad\n", "alice", {}, "br0", {},
     NicVerdict::kBadPolicy, {}},
    {"CRLF file denies all", "alice veth br0 2\r\n", "alice", {}, "br0", {},
     NicVerdict::kBadPolicy, {}},
};

BOOST_DATA_TEST_CASE(usernet_decide_table, boost::unit_test::data::make(kDecideCases), c) {
  const UsernetFile policy = parse_usernet_file(c.policy);
  const NicDecision d = decide_nic(policy, c.user, c.groups, "veth", c.link, c.held);
  BOOST_TEST(static_cast<int>(d.verdict) == static_cast<int>(c.verdict));
  if (c.verdict == NicVerdict::kAllow) {
    BOOST_TEST(d.charged == c.charged);
    BOOST_TEST(d.used < d.allowed);
  }
}

BOOST_AUTO_TEST_CASE(usernet_decide_reports_totals) {
  const UsernetFile policy = parse_usernet_file(kMixed);
  const std::vector<std::string> groups = {"net"};
  const std::vector<HeldNic> held = {{1, user_key("alice", "br0")}, {2, group_key("net", "br0")}};
  const NicDecision d = decide_nic(policy, "alice", groups, "veth", "br0", held);
  BOOST_TEST(d.allowed == 3u);
  BOOST_TEST(d.used == 2u);
}

// Whether a request's answer can depend on the caller's groups.
BOOST_AUTO_TEST_CASE(usernet_has_group_line) {
  const UsernetFile mixed = parse_usernet_file(kMixed);
  BOOST_TEST(has_group_line(mixed, "veth", "br0"));
  BOOST_TEST(!has_group_line(mixed, "veth", "br1"));  // only bob's user line
  BOOST_TEST(!has_group_line(mixed, "veth", "br"));   // a prefix is not the link
  BOOST_TEST(!has_group_line(parse_usernet_file("alice veth br0 1\n"), "veth", "br0"));
  BOOST_TEST(!has_group_line(parse_usernet_file("@net veth br0 1\nbad\n"), "veth", "br0"));
  BOOST_TEST(!has_group_line(parse_usernet_file(""), "veth", "br0"));
}

// Which bridges a user may use, for the manager's messages.
struct AllowedCase {
  std::string policy;
  std::string user;
  std::vector<std::string> groups;
  std::vector<AllowedLink> links;
};
std::ostream& operator<<(std::ostream& os, const AllowedCase& c) { return os << c.policy << " for " << c.user; }

const AllowedCase kAllowedCases[] = {
    {"", "alice", {}, {}},
    {"alice veth lxcbr0 10\n", "alice", {}, {{"lxcbr0", 10}}},
    {"alice veth lxcbr0 10\n", "bob", {}, {}},                              // another user's line
    {"alice veth lxcbr0 10\nalice veth br1 2\n", "alice", {}, {{"lxcbr0", 10}, {"br1", 2}}},  // file order
    {"alice veth br0 1\n@net veth br0 3\n", "alice", {"net"}, {{"br0", 4}}},  // lines add up
    {"@net veth br0 3\n", "alice", {"other"}, {}},                          // not in the group
    {"alice macvlan br0 3\n", "alice", {}, {}},                             // another type
    {"alice veth br0 0\n", "alice", {}, {{"br0", 0}}},                      // listed, with no room
    {"alice veth br0 1\nbad line\n", "alice", {}, {}},                     // a broken file allows nothing
    {"alicia veth br0 1\n", "alice", {}, {}},                               // no prefix match
};

BOOST_DATA_TEST_CASE(usernet_allowed_links_table, boost::unit_test::data::make(kAllowedCases), c) {
  const auto links = allowed_links(parse_usernet_file(c.policy), c.user, c.groups, "veth");
  BOOST_TEST_REQUIRE(links.size() == c.links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    BOOST_TEST(links[i].link == c.links[i].link);
    BOOST_TEST(links[i].count == c.links[i].count);
  }
}

// Without such a line, the groups change nothing: uxc-nic may skip them.
BOOST_DATA_TEST_CASE(usernet_groups_matter_only_with_a_group_line,
                     boost::unit_test::data::make(kDecideCases), c) {
  const UsernetFile policy = parse_usernet_file(c.policy);
  if (has_group_line(policy, "veth", c.link)) return;
  const NicDecision with = decide_nic(policy, c.user, c.groups, "veth", c.link, c.held);
  const NicDecision without = decide_nic(policy, c.user, {}, "veth", c.link, c.held);
  BOOST_TEST(static_cast<int>(with.verdict) == static_cast<int>(without.verdict));
  BOOST_TEST(with.charged == without.charged);
  BOOST_TEST(with.allowed == without.allowed);
  BOOST_TEST(with.used == without.used);
}

// ----------------------------------------------------------- quota slots

// The same cases through choose_slot: a nic in `held` takes the lowest
// slot of its line that is still free, as the kernel would hold it.
BOOST_DATA_TEST_CASE(usernet_choose_slot_agrees_with_decide,
                     boost::unit_test::data::make(kDecideCases), c) {
  const UsernetFile policy = parse_usernet_file(c.policy);
  std::set<std::string> taken;
  for (const HeldNic& nic : c.held) {
    const UsernetLine line = line_of(policy, nic.charged);
    uint32_t slot = 0;
    while (taken.count(slot_name(line, slot))) ++slot;
    taken.insert(slot_name(line, slot));
  }
  for (uint32_t random : {0u, 1u, 7u, 0xffffffffu}) {
    size_t probes = 0;
    const NicDecision d = choose_slot(policy, c.user, c.groups, "veth", c.link, random,
                                      [&](const std::string& name, std::string*) {
                                        ++probes;
                                        return taken.count(name) ? SlotState::kTaken
                                                                 : SlotState::kFree;
                                      });
    BOOST_TEST(static_cast<int>(d.verdict) == static_cast<int>(c.verdict));
    if (c.verdict == NicVerdict::kAllow) {
      BOOST_TEST(d.charged == c.charged);
      BOOST_TEST(d.host_name == slot_name(line_of(policy, d.charged), d.slot));
      BOOST_TEST(!taken.count(d.host_name));
    }
    size_t most = 0;  // each matching line's slots, twice (a cheap look, then tags), + 1
    for (const UsernetLine& line : policy.lines)
      if (line.key.link == c.link) most += 2 * (line.count + kSpareSlots) + 1;
    BOOST_TEST(probes <= most);
  }
}

BOOST_AUTO_TEST_CASE(choose_slot_never_exceeds_the_count) {
  // Fill a line of 5 through choose_slot alone: exactly 5 distinct slots.
  const UsernetFile policy = parse_usernet_file("@g veth br0 5\n");
  const std::vector<std::string> groups = {"g"};
  std::set<std::string> taken;
  for (uint32_t random = 0; random < 20; ++random) {
    const NicDecision d = choose_slot(policy, "a", groups, "veth", "br0", random * 7919u,
                                      [&](const std::string& name, std::string*) {
                                        return taken.count(name) ? SlotState::kTaken
                                                                 : SlotState::kFree;
                                      });
    if (d.verdict == NicVerdict::kAllow) taken.insert(d.host_name);
  }
  BOOST_TEST(taken.size() == 5u);
}

// A refusal says why, in words a person can act on; an allow says nothing.
BOOST_AUTO_TEST_CASE(nic_decisions_explain_refusals) {
  const std::vector<std::string> none;
  const auto taken = [](const std::string&, std::string*) { return SlotState::kTaken; };
  const UsernetFile one = parse_usernet_file("alice veth br0 2\n");
  const UsernetFile bad = parse_usernet_file("alice veth br0 two\n");
  BOOST_TEST(decide_nic(one, "alice", none, "veth", "br0", {}).reason.empty());
  BOOST_TEST(decide_nic(one, "bob", none, "veth", "br0", {}).reason ==
             "no line allows veth nics on br0 for bob");
  BOOST_TEST(choose_slot(one, "alice", none, "veth", "br0", 0, taken).reason ==
             "all 2 veth nics on br0 for alice are in use");
  BOOST_TEST(choose_slot(one, "alice", none, "veth", "br1", 0, taken).reason ==
             "no line allows veth nics on br1 for alice");
  const NicDecision malformed = decide_nic(bad, "alice", none, "veth", "br0", {});
  BOOST_TEST(malformed.reason.rfind("malformed: line 1: ", 0) == 0u, malformed.reason);
  BOOST_TEST(choose_slot(bad, "alice", none, "veth", "br0", 0, taken).reason == malformed.reason);
}

// A leftover holds its slot until removed: choose_slot takes the first
// probed slot of the line's own that is free or a leftover (the spare
// slots 4 to 7, probed first, are free here), says which, and never picks
// a taken one. The probe order for "a veth br0 4" from random 0 is then
// 0, 1, 2, 3 (stride 1 + (0 / 4) % 3 = 1).
struct LeftoverCase {
  const char* name;
  std::vector<SlotState> slots;  // slot i's state
  NicVerdict verdict;
  uint32_t slot;
  bool leftover;
};
std::ostream& operator<<(std::ostream& os, const LeftoverCase& c) { return os << c.name; }

const LeftoverCase kLeftoverCases[] = {
    {"all free: the first", {SlotState::kFree, SlotState::kFree, SlotState::kFree, SlotState::kFree},
     NicVerdict::kAllow, 0, false},
    {"a leftover first: it, flagged",
     {SlotState::kLeftover, SlotState::kFree, SlotState::kFree, SlotState::kFree},
     NicVerdict::kAllow, 0, true},
    {"taken, then free before a leftover",
     {SlotState::kTaken, SlotState::kFree, SlotState::kLeftover, SlotState::kFree},
     NicVerdict::kAllow, 1, false},
    {"taken, then a leftover",
     {SlotState::kTaken, SlotState::kTaken, SlotState::kLeftover, SlotState::kFree},
     NicVerdict::kAllow, 2, true},
    {"only the last is a leftover",
     {SlotState::kTaken, SlotState::kTaken, SlotState::kTaken, SlotState::kLeftover},
     NicVerdict::kAllow, 3, true},
    {"all taken: full", {SlotState::kTaken, SlotState::kTaken, SlotState::kTaken, SlotState::kTaken},
     NicVerdict::kQuotaFull, 0, false},
};

BOOST_DATA_TEST_CASE(choose_slot_leftovers, boost::unit_test::data::make(kLeftoverCases), c) {
  const UsernetFile policy = parse_usernet_file("a veth br0 4\n");
  const NicDecision d = choose_slot(policy, "a", {}, "veth", "br0", 0,
                                    [&](const std::string& name, std::string*) {
                                      const uint32_t slot = slot_of(name);  // spares: free
                                      return slot < c.slots.size() ? c.slots[slot] : SlotState::kFree;
                                    });
  BOOST_TEST(static_cast<int>(d.verdict) == static_cast<int>(c.verdict));
  BOOST_TEST(d.leftover == c.leftover);
  if (c.verdict == NicVerdict::kAllow) BOOST_TEST(d.slot == c.slot);
}

// The probe order is a permutation: whatever the count and the random
// value, every slot is probed exactly once before a line counts as full.
BOOST_AUTO_TEST_CASE(choose_slot_probes_every_slot_once) {
  const uint32_t randoms[] = {0u, 1u, 2u, 97u, 7919u, 65536u, 0x7fffffffu, 0xfffffffeu, 0xffffffffu};
  for (uint32_t count : {1u, 2u, 3u, 4u, 6u, 10u, 12u, 30u, 64u, 97u, 100u, 360u, 1000u}) {
    const UsernetFile policy = parse_usernet_file("a veth br0 " + std::to_string(count) + "\n");
    for (uint32_t random : randoms) {
      std::vector<int> seen(count + kSpareSlots, 0);
      const NicDecision d = choose_slot(policy, "a", {}, "veth", "br0", random,
                                        [&](const std::string& name, std::string*) {
                                          const uint32_t slot = slot_of(name);
                                          BOOST_TEST_REQUIRE(slot < count + kSpareSlots);
                                          ++seen[slot];
                                          return SlotState::kTaken;
                                        });
      BOOST_TEST(static_cast<int>(d.verdict) == static_cast<int>(NicVerdict::kQuotaFull));
      BOOST_TEST(std::count(seen.begin(), seen.end(), 1) == static_cast<long>(count + kSpareSlots),
                 "count " << count << " random " << random);
    }
  }
}

// A nearly full line costs few probes: 1,000 slots of which 950 are
// taken at random cost about 20 probes on average (stepping by one, a
// few hundred).
BOOST_AUTO_TEST_CASE(choose_slot_probes_few_when_nearly_full) {
  const UsernetFile policy = parse_usernet_file("a veth br0 1000\n");
  std::vector<bool> taken(1000, false);
  uint32_t state = 12345;
  const auto next_random = [&] { state = state * 1664525u + 1013904223u; return state; };
  for (int n = 0; n < 950;) {
    const uint32_t slot = next_random() % 1000;
    if (!taken[slot]) { taken[slot] = true; ++n; }
  }
  uint64_t probes = 0;
  for (int call = 0; call < 200; ++call) {
    const NicDecision d = choose_slot(policy, "a", {}, "veth", "br0", next_random(),
                                      [&](const std::string& name, std::string*) {
                                        ++probes;
                                        return taken[slot_of(name)] ? SlotState::kTaken
                                                                    : SlotState::kFree;
                                      });
    BOOST_TEST_REQUIRE(static_cast<int>(d.verdict) == static_cast<int>(NicVerdict::kAllow));
    BOOST_TEST(!taken[d.slot]);
  }
  BOOST_TEST(probes / 200 <= 40u);
}

// ------------------------------------------ slots another line's nics hold

// What a slot holds, for the tests below: nothing, a leftover, a nic
// tagged for the line, one tagged for another line (left by an edit of a
// colliding pair), or a host end whose alias is empty or not a tag.
enum class Held { kFree, kLeftover, kOurs, kOther, kUntagged, kGarbled };
constexpr int kHeldKinds = 6;

// A probe over `held` (slot i's content; free beyond it) that answers as
// uxc-nic's does: the tag of a taken slot, when it is asked for.
SlotState probe_held(const std::vector<Held>& held, const std::string& name, std::string* tag) {
  const uint32_t slot = slot_of(name);
  const Held h = slot < held.size() ? held[slot] : Held::kFree;
  if (h == Held::kFree) return SlotState::kFree;
  if (h == Held::kLeftover) return SlotState::kLeftover;
  if (tag != nullptr && h == Held::kOurs) *tag = format_nic_tag(61001, user_key("a", "br0"));
  if (tag != nullptr && h == Held::kOther) *tag = format_nic_tag(61002, user_key("b", "br0"));
  if (tag != nullptr && h == Held::kGarbled) *tag = "uxc:61002:b:veth";
  return SlotState::kTaken;
}

// Every way the 2 + kSpareSlots slots of "a veth br0 2" can be held: a
// nic is allowed exactly when fewer than 2 slots are the line's own (a
// taken slot is, unless its tag names another line) and one is open; the
// slot named is open, and a leftover is said, and probed last.
BOOST_AUTO_TEST_CASE(choose_slot_counts_only_its_own_slots) {
  const UsernetFile policy = parse_usernet_file("a veth br0 2\n");
  const size_t slots = 2 + kSpareSlots;
  uint32_t combinations = 1;
  for (size_t i = 0; i < slots; ++i) combinations *= kHeldKinds;
  std::vector<Held> held(slots);
  size_t allowed = 0, wrong = 0;
  for (uint32_t code = 0; code < combinations; ++code) {
    size_t own = 0, open = 0;
    for (uint32_t i = 0, rest = code; i < slots; ++i, rest /= kHeldKinds) {
      held[i] = static_cast<Held>(rest % kHeldKinds);
      open += held[i] == Held::kFree || held[i] == Held::kLeftover;
      own += held[i] == Held::kOurs || held[i] == Held::kUntagged || held[i] == Held::kGarbled;
    }
    for (uint64_t random : {0ull, 1ull, 5ull, 0xffffffffull, 0x123456789abcdefull}) {
      std::string last;
      const NicDecision d = choose_slot(policy, "a", {}, "veth", "br0", random,
                                        [&](const std::string& name, std::string* tag) {
                                          last = name;
                                          return probe_held(held, name, tag);
                                        });
      const bool allow = own < 2 && open > 0;
      bool ok = (d.verdict == NicVerdict::kAllow) == allow;
      if (ok && allow) {
        const Held h = held.at(d.slot);
        ok = (h == Held::kFree || h == Held::kLeftover) && d.leftover == (h == Held::kLeftover) &&
             d.host_name == slot_name(policy.lines[0], d.slot) && (!d.leftover || last == d.host_name);
        ++allowed;
      }
      if (!ok && ++wrong <= 5) BOOST_ERROR("held " << code << " random " << random << ": " << d.reason);
    }
  }
  BOOST_TEST(wrong == 0u);
  BOOST_TEST(allowed > 0u);
}

// The tags are read only when the cheap look cannot tell, which is when at
// least count slots are taken.
struct TagReadCase {
  const char* name;
  std::vector<Held> held;
  NicVerdict verdict;
  bool reads_tags;
};
std::ostream& operator<<(std::ostream& os, const TagReadCase& c) { return os << c.name; }

const TagReadCase kTagReadCases[] = {
    {"empty", {}, NicVerdict::kAllow, false},
    {"one of ours", {Held::kOurs}, NicVerdict::kAllow, false},
    {"ours in a spare slot", {Held::kFree, Held::kFree, Held::kOurs}, NicVerdict::kAllow, false},
    {"full of ours", {Held::kOurs, Held::kOurs}, NicVerdict::kQuotaFull, true},
    {"ours in both spares-first slots",
     {Held::kFree, Held::kFree, Held::kOurs, Held::kOurs}, NicVerdict::kQuotaFull, true},
    {"another line's in both", {Held::kOther, Held::kOther}, NicVerdict::kAllow, true},
    {"ours and another line's", {Held::kOurs, Held::kOther}, NicVerdict::kAllow, true},
    {"an untagged one counts as ours", {Held::kOurs, Held::kUntagged}, NicVerdict::kQuotaFull, true},
    {"a garbled tag counts as ours", {Held::kOther, Held::kGarbled, Held::kOurs},
     NicVerdict::kQuotaFull, true},
    {"every slot another line's", std::vector<Held>(2 + kSpareSlots, Held::kOther),
     NicVerdict::kQuotaFull, false},
};

BOOST_DATA_TEST_CASE(choose_slot_reads_tags_only_when_needed,
                     boost::unit_test::data::make(kTagReadCases), c) {
  const UsernetFile policy = parse_usernet_file("a veth br0 2\n");
  size_t tag_reads = 0;
  const NicDecision d = choose_slot(policy, "a", {}, "veth", "br0", 7,
                                    [&](const std::string& name, std::string* tag) {
                                      tag_reads += tag != nullptr;
                                      return probe_held(c.held, name, tag);
                                    });
  BOOST_TEST(static_cast<int>(d.verdict) == static_cast<int>(c.verdict));
  BOOST_TEST((tag_reads > 0) == c.reads_tags);
}

// Another line's nics in a line's slots: it still gets its whole count,
// in spare slots, and not one more.
BOOST_AUTO_TEST_CASE(choose_slot_fills_around_another_lines_nics) {
  const UsernetFile policy = parse_usernet_file("a veth br0 3\n");
  std::vector<Held> held = {Held::kOther, Held::kFree, Held::kOther, Held::kOther};
  for (uint64_t random = 0; random < 6; ++random) {
    const NicDecision d = choose_slot(policy, "a", {}, "veth", "br0", random * 7919,
                                      [&](const std::string& name, std::string* tag) {
                                        return probe_held(held, name, tag);
                                      });
    BOOST_TEST((d.verdict == NicVerdict::kAllow) == (random < 3), "call " << random);
    if (d.verdict != NicVerdict::kAllow) continue;
    if (held.size() <= d.slot) held.resize(d.slot + 1, Held::kFree);
    BOOST_TEST((held[d.slot] == Held::kFree));
    held[d.slot] = Held::kOurs;
  }
  BOOST_TEST(std::count(held.begin(), held.end(), Held::kOurs) == 3);
}

BOOST_AUTO_TEST_CASE(slot_names) {
  const UsernetLine alice = line_of(parse_usernet_file(""), user_key("alice", "lxcbr0"));
  const std::string name = slot_name(alice, 0);
  BOOST_TEST(name.size() == 15u);  // IFNAMSIZ - 1
  BOOST_TEST(is_slot_name(name));
  BOOST_TEST(name.rfind("uxc", 0) == 0);
  BOOST_TEST(name.substr(11) == "0000");
  BOOST_TEST(slot_name(alice, 35).substr(11) == "000z");
  BOOST_TEST(slot_name(alice, 36).substr(11) == "0010");
  BOOST_TEST(slot_name(alice, kMaxUsernetCount).size() == 15u);
  BOOST_TEST(slot_name(alice, 0).substr(0, 11) == slot_name(alice, 999).substr(0, 11));
  BOOST_TEST(slot_of(slot_name(alice, 12345)) == 12345u);
  // Different lines, different ranges.
  const UsernetFile none = parse_usernet_file("");
  BOOST_TEST(slot_name(alice, 0) != slot_name(line_of(none, group_key("alice", "lxcbr0")), 0));
  BOOST_TEST(slot_name(alice, 0) != slot_name(line_of(none, user_key("alice", "br1")), 0));
  BOOST_TEST(slot_name(alice, 0) != slot_name(line_of(none, user_key("alicf", "lxcbr0")), 0));
  BOOST_TEST(!is_slot_name("uxc0123abcd"));
  BOOST_TEST(!is_slot_name("uxc0123abcg0000"));   // hash digits are hex
  BOOST_TEST(!is_slot_name("uxc0123abcd000Z"));
  BOOST_TEST(!is_slot_name("vxc0123abcd0000"));
  BOOST_TEST(is_slot_name("uxc0123abcdzz9z"));
}

// ------------------------------------------------- colliding slot hashes

// "alice:veth:br0" and "afgglbbi:veth:br0" have the same 32-bit FNV-1a
// (0xfaf58f58), as do "uxtest1:veth:lxcbr0" and "afcjohtq:veth:lxcbr0"
// (0x55fe9403): found by tests/unit/slot_collision.py, a meet-in-the-
// middle search over two 4-letter halves that takes under a second, which
// is why a colliding account name is an attack and not bad luck.
struct CollisionCase {
  std::string name;
  std::string policy;
  std::vector<size_t> collides_with;  // per line, file order
  std::vector<bool> own_hash;         // per line: named with the key's own hash
};
std::ostream& operator<<(std::ostream& os, const CollisionCase& c) { return os << c.name; }

const CollisionCase kCollisionCases[] = {
    {"no collision", "alice veth br0 2\nbob veth br0 2\n", {0, 0}, {true, true}},
    {"the later line of a pair moves", "alice veth br0 2\nafgglbbi veth br0 2\n", {0, 1},
     {true, false}},
    {"whichever comes first keeps its hash", "afgglbbi veth br0 2\nalice veth br0 2\n", {0, 1},
     {true, false}},
    {"a line between them changes nothing",
     "alice veth br0 2\nbob veth br0 1\nafgglbbi veth br0 2\n", {0, 0, 1}, {true, true, false}},
    // The two names leave FNV-1a in the same state, so they collide on
    // every link, as the attack needs.
    {"the pair collides on any link", "alice veth br1 2\nafgglbbi veth br1 2\n", {0, 1},
     {true, false}},
    {"different links never collide", "alice veth br0 2\nafgglbbi veth br1 2\n", {0, 0},
     {true, true}},
    {"two pairs", "uxtest1 veth lxcbr0 2\nalice veth br0 1\nafcjohtq veth lxcbr0 2\n"
     "afgglbbi veth br0 1\n", {0, 0, 1, 2}, {true, true, false, false}},
    {"a repeated line is one line, not a collision", "alice veth br0 2\nalice veth br0 3\n", {0},
     {true}},
    {"a group line never collides with its user line", "alice veth br0 2\n@alice veth br0 2\n",
     {0, 0}, {true, true}},
};

BOOST_DATA_TEST_CASE(usernet_colliding_lines, boost::unit_test::data::make(kCollisionCases), c) {
  const UsernetFile policy = parse_usernet_file(c.policy);
  BOOST_TEST_REQUIRE(policy.ok());
  BOOST_TEST_REQUIRE(policy.lines.size() == c.collides_with.size());
  std::set<uint32_t> hashes;
  for (size_t i = 0; i < policy.lines.size(); ++i) {
    const UsernetLine& line = policy.lines[i];
    BOOST_TEST(line.collides_with == c.collides_with[i], "line " << line.line);
    const UsernetLine alone = line_of(parse_usernet_file(""), line.key);
    BOOST_TEST((line.slot_hash == alone.slot_hash) == c.own_hash[i], "line " << line.line);
    hashes.insert(line.slot_hash);
  }
  BOOST_TEST(hashes.size() == policy.lines.size());  // every line its own slot range
}

// The attack: "afgglbbi" holds every slot its line allows and "alice"
// still gets both of hers; and neither can be charged a nic in the other's
// range, whatever the file order.
BOOST_AUTO_TEST_CASE(usernet_colliding_owner_cannot_take_the_victims_slots) {
  for (const char* text : {"alice veth br0 2\nafgglbbi veth br0 2\n",
                           "afgglbbi veth br0 2\nalice veth br0 2\n"}) {
    const UsernetFile policy = parse_usernet_file(text);
    std::set<std::string> taken;
    const auto probe = [&](const std::string& name, std::string*) {
      return taken.count(name) ? SlotState::kTaken : SlotState::kFree;
    };
    for (uint32_t random = 0; random < 4; ++random) {
      const NicDecision d = choose_slot(policy, "afgglbbi", {}, "veth", "br0", random, probe);
      if (d.verdict == NicVerdict::kAllow) taken.insert(d.host_name);
    }
    BOOST_TEST(taken.size() == 2u);
    std::set<std::string> victims;
    for (uint32_t random = 0; random < 4; ++random) {
      const NicDecision d = choose_slot(policy, "alice", {}, "veth", "br0", random, probe);
      BOOST_TEST((d.verdict == NicVerdict::kAllow) == (random < 2), text << random);
      if (d.verdict != NicVerdict::kAllow) continue;
      taken.insert(d.host_name);
      victims.insert(d.host_name);
    }
    BOOST_TEST(victims.size() == 2u);
    BOOST_TEST(taken.size() == 4u);
    const auto alice_keys = lock_keys(policy, "alice", {}, "veth", "br0");
    const auto other_keys = lock_keys(policy, "afgglbbi", {}, "veth", "br0");
    BOOST_TEST(alice_keys != other_keys);  // nor do they share a lock
  }
}

// ----------------------------------------------------------------- tags

struct TagCase {
  std::string alias;
  bool ok;
  HeldNic nic;
};
std::ostream& operator<<(std::ostream& os, const TagCase& c) { return os << '"' << c.alias << '"'; }

const TagCase kTagCases[] = {
    {"uxc:1000:alice:veth:lxcbr0", true, {1000, user_key("alice", "lxcbr0")}},
    {"uxc:61001:@uxnet:veth:br1", true, {61001, group_key("uxnet", "br1")}},
    {"uxc:0:root:veth:br0", true, {0, user_key("root", "br0")}},
    {"uxc:4294967295:a:veth:b", true, {4294967295u, user_key("a", "b")}},
    // hostile: anything that is not exactly a tag
    {"", false, {}},
    {"uxc", false, {}},
    {"uxc:1000:alice:veth", false, {}},
    {"uxc:1000:alice:veth:lxcbr0:extra", false, {}},
    {"uxc:1000:alice:veth:lxcbr0 ", false, {}},
    {" uxc:1000:alice:veth:lxcbr0", false, {}},
    {"UXC:1000:alice:veth:lxcbr0", false, {}},
    {"uxcx:1000:alice:veth:lxcbr0", false, {}},
    {"uxc:01000:alice:veth:lxcbr0", false, {}},
    {"uxc:-1:alice:veth:lxcbr0", false, {}},
    {"uxc:4294967296:alice:veth:lxcbr0", false, {}},
    {"uxc::alice:veth:lxcbr0", false, {}},
    {"uxc:1000::veth:lxcbr0", false, {}},
    {"uxc:1000:@:veth:lxcbr0", false, {}},
    {"uxc:1000:alice:macvlan:lxcbr0", false, {}},
    {"uxc:1000:alice:veth:", false, {}},
    {"uxc:1000:alice:veth:lxcbr0\n", false, {}},
    {std::string("uxc:1000:alice\0:veth:lxcbr0", 27), false, {}},
    {"uxc:1000:alice:veth:abcdefghijklmnop", false, {}},
};

BOOST_DATA_TEST_CASE(nic_tag_table, boost::unit_test::data::make(kTagCases), c) {
  HeldNic nic{7, user_key("untouched", "x")};
  BOOST_TEST(parse_nic_tag(c.alias, &nic) == c.ok);
  if (c.ok) {
    BOOST_TEST(nic == c.nic);
    BOOST_TEST(format_nic_tag(nic.uid, nic.charged) == c.alias);
  } else {
    BOOST_TEST(nic.uid == 7u);
  }
}

BOOST_AUTO_TEST_CASE(nic_tag_users_cannot_be_confused) {
  // lxc-user-nic's prefix match let "al" count (and delete) "alice"'s nics.
  HeldNic nic;
  BOOST_TEST_REQUIRE(parse_nic_tag(format_nic_tag(1, user_key("alice", "br0")), &nic));
  BOOST_TEST(!(nic.charged == user_key("al", "br0")));
  BOOST_TEST(!(nic.charged == group_key("alice", "br0")));
  BOOST_TEST(format_nic_tag(1, user_key("alice", "br0")) !=
             format_nic_tag(11, user_key("alice", "br0")));
}

}  // namespace
}  // namespace uxc::policy

// lock_keys: one key per matching line with a count, sorted, unique; none
// when every matching line has count 0.
BOOST_AUTO_TEST_CASE(usernet_lock_keys_table) {
  const auto file = uxc::policy::parse_usernet_file(
      "alice veth br0 2\n@devs veth br0 1\nalice veth br1 3\nbob veth br0 0\n@devs veth br0 0\n");
  BOOST_REQUIRE(file.ok());
  const std::vector<std::string> devs{"devs"}, none;
  const auto both = uxc::policy::lock_keys(file, "alice", devs, "veth", "br0");
  BOOST_CHECK_EQUAL(both.size(), 2u);
  BOOST_CHECK(std::is_sorted(both.begin(), both.end()));
  const auto alone = uxc::policy::lock_keys(file, "alice", none, "veth", "br0");
  BOOST_REQUIRE_EQUAL(alone.size(), 1u);
  BOOST_CHECK(uxc::policy::slot_name(file.lines[0], 0).substr(3, 8) ==
              [&] { char b[9]; std::snprintf(b, sizeof b, "%08x", alone[0]); return std::string(b); }());
  BOOST_CHECK(uxc::policy::lock_keys(file, "bob", none, "veth", "br0").empty());
  BOOST_CHECK(uxc::policy::lock_keys(file, "carol", none, "veth", "br0").empty());
  BOOST_CHECK(uxc::policy::lock_keys(file, "alice", none, "veth", "br2").empty());
}
