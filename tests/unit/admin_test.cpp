#include "policy/admin.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <ostream>

namespace uxc::policy {

std::ostream& operator<<(std::ostream& os, const IdRange& r) {
  return os << '[' << r.first << ", " << r.end << ')';
}

namespace {

constexpr uint64_t k2to32 = uint64_t{1} << 32;
constexpr IdRange kDefaultBounds{kSubidFloor, kSubidCeiling};

// ------------------------------------------------------ find_free_range

struct FreeCase {
  std::string name;
  std::vector<IdRange> taken;
  uint64_t count;
  IdRange bounds;
  bool ok;
  uint64_t first;  // when ok
};
std::ostream& operator<<(std::ostream& os, const FreeCase& c) { return os << c.name; }

const FreeCase kFreeCases[] = {
    {"nothing taken", {}, 65536, kDefaultBounds, true, 100000},
    {"below the floor is ignored", {{0, 100000}}, 65536, kDefaultBounds, true, 100000},
    {"first range taken", {{100000, 165536}}, 65536, kDefaultBounds, true, 165536},
    {"gap too small is skipped", {{100000, 165536}, {200000, 265536}}, 65536, kDefaultBounds, true, 265536},
    {"gap that fits exactly", {{100000, 165536}, {231072, 300000}}, 65536, kDefaultBounds, true, 165536},
    {"unsorted and overlapping taken", {{300000, 400000}, {100000, 250000}, {240000, 310000}}, 65536, kDefaultBounds, true, 400000},
    {"range straddling the floor", {{50000, 150000}}, 65536, kDefaultBounds, true, 150000},
    {"one real uid in the way", {{100000, 100001}}, 65536, kDefaultBounds, true, 100001},
    {"real uids scattered", {{120000, 120001}, {190000, 190001}}, 65536, kDefaultBounds, true, 120001},
    {"the whole id space taken", {{0, k2to32}}, 1, kDefaultBounds, false, 0},
    {"all but the top id taken", {{0, kSubidCeiling}}, 1, kDefaultBounds, false, 0},
    {"fits exactly below 2^32-1", {{0, kSubidCeiling - 65536}}, 65536, kDefaultBounds, true, kSubidCeiling - 65536},
    {"one id short below 2^32-1", {{0, kSubidCeiling - 65535}}, 65536, kDefaultBounds, false, 0},
    {"taken range ending at 2^32", {{k2to32 - 65536, k2to32}}, 65536, kDefaultBounds, true, 100000},
    {"count 0", {}, 0, kDefaultBounds, false, 0},
    {"count the whole bounds", {}, kSubidCeiling - kSubidFloor, kDefaultBounds, true, kSubidFloor},
    {"count beyond the bounds", {}, kSubidCeiling - kSubidFloor + 1, kDefaultBounds, false, 0},
    {"count near 2^64 cannot wrap", {}, UINT64_MAX, kDefaultBounds, false, 0},
    {"empty taken ranges ignored", {{150000, 150000}, {200, 100}}, 65536, kDefaultBounds, true, 100000},
    {"inverted bounds", {}, 1, {10, 5}, false, 0},
    {"small custom bounds", {{10, 20}}, 5, {10, 30}, true, 20},
};

BOOST_DATA_TEST_CASE(find_free_range_table, boost::unit_test::data::make(kFreeCases), c) {
  IdRange found{7, 7};
  BOOST_TEST(find_free_range(c.taken, c.count, c.bounds, &found) == c.ok);
  if (!c.ok) {
    BOOST_TEST(found == (IdRange{7, 7}));
    return;
  }
  BOOST_TEST(found == (IdRange{c.first, c.first + c.count}));
  // Whatever it returns must really be free and inside the bounds.
  BOOST_TEST(is_range_free(c.taken, found, c.bounds));
}

BOOST_AUTO_TEST_CASE(is_range_free_edges) {
  const std::vector<IdRange> taken = {{100, 200}};
  BOOST_TEST(is_range_free(taken, {200, 300}, {0, 1000}));   // touching is not overlapping
  BOOST_TEST(is_range_free(taken, {0, 100}, {0, 1000}));
  BOOST_TEST(!is_range_free(taken, {199, 300}, {0, 1000}));
  BOOST_TEST(!is_range_free(taken, {0, 101}, {0, 1000}));
  BOOST_TEST(!is_range_free(taken, {120, 130}, {0, 1000}));  // inside
  BOOST_TEST(!is_range_free(taken, {50, 250}, {0, 1000}));   // around
  BOOST_TEST(!is_range_free(taken, {300, 300}, {0, 1000}));  // empty
  BOOST_TEST(!is_range_free(taken, {900, 1001}, {0, 1000})); // out of bounds
}

// ----------------------------------------------------- plan_allocation

struct PlanCase {
  std::string name;
  std::string subuid, subgid;
  std::vector<uint32_t> uids, gids;
  std::string user;
  uint32_t uid;
  uint64_t count;
  bool ok;
  bool add_uids;
  uint64_t uid_first;
  bool add_gids;
  uint64_t gid_first;
  std::string error_part;  // when !ok
};
std::ostream& operator<<(std::ostream& os, const PlanCase& c) { return os << c.name; }

const std::string kWorld = "uxtest1:100000:65536\nuxtest2:200000:65536\n";
const std::vector<uint32_t> kWorldIds = {0, 65534, 61001, 61002, 61003, 61100};

const PlanCase kPlanCases[] = {
    // Found by security/fuzz/admin_fuzz.cpp: the line "10:START:COUNT"
    // would grant the range to uid 10, not to the account named "10".
    {"all-digit user name is refused", kWorld, kWorld, kWorldIds, kWorldIds, "10", 61010, 65536,
     false, false, 0, false, 0, "all digits"},
    {"first user on an empty host", "", "", kWorldIds, kWorldIds, "uxtest3", 61003, 65536,
     true, true, 100000, true, 100000, ""},
    {"third user after two", kWorld, kWorld, kWorldIds, kWorldIds, "uxtest3", 61003, 65536,
     true, true, 265536, true, 265536, ""},
    {"smaller count fits the first gap", kWorld, kWorld, kWorldIds, kWorldIds, "uxtest3", 61003, 1000,
     true, true, 165536, true, 165536, ""},
    {"already holds enough: nothing added", kWorld, kWorld, kWorldIds, kWorldIds, "uxtest1", 61001, 65536,
     true, false, 100000, false, 100000, ""},
    {"already holds more than asked", kWorld, kWorld, kWorldIds, kWorldIds, "uxtest1", 61001, 10,
     true, false, 100000, false, 100000, ""},
    {"holds less than asked: a new range", kWorld, kWorld, kWorldIds, kWorldIds, "uxtest1", 61001, 131072,
     true, true, 265536, true, 265536, ""},
    {"held by uid instead of name", "61003:300000:65536\n", "61003:300000:65536\n", kWorldIds, kWorldIds,
     "uxtest3", 61003, 65536, true, false, 300000, false, 300000, ""},
    {"two adjacent lines count as one range", "uxtest3:100000:32768\nuxtest3:132768:32768\n",
     "uxtest3:100000:65536\n", kWorldIds, kWorldIds, "uxtest3", 61003, 65536,
     true, false, 100000, false, 100000, ""},
    {"subuid held, subgid gets the same start", "uxtest3:500000:65536\n", kWorld, kWorldIds, kWorldIds,
     "uxtest3", 61003, 65536, true, false, 500000, true, 500000, ""},
    {"subgid held, subuid gets the same start", kWorld, "uxtest3:500000:65536\n", kWorldIds, kWorldIds,
     "uxtest3", 61003, 65536, true, true, 500000, false, 500000, ""},
    {"same start taken in subgid: lowest gap there", "uxtest3:200000:65536\n", kWorld, kWorldIds, kWorldIds,
     "uxtest3", 61003, 65536, true, false, 200000, true, 265536, ""},
    {"no common gap: each file its own", "a:100000:4294000000\n", "b:4294100000:867295\n", kWorldIds, kWorldIds,
     "uxtest3", 61003, 65536, true, true, 4294100000u, true, 100000, ""},
    {"real uid inside the first gap", "", "", {100005}, {}, "uxtest3", 61003, 65536,
     true, true, 100006, true, 100006, ""},
    {"real gid moves only the common start", "", "", {}, {100005}, "uxtest3", 61003, 65536,
     true, true, 100006, true, 100006, ""},
    {"ranges that overlap each other are both avoided",
     "x:100000:100000\ny:150000:100000\n", "", kWorldIds, kWorldIds, "uxtest3", 61003, 65536,
     true, true, 250000, true, 250000, ""},
    {"a range up to 2^32 does not wrap", "x:4294901760:65536\n", "", kWorldIds, kWorldIds,
     "uxtest3", 61003, 65536, true, true, 100000, true, 100000, ""},
    {"fits just below 2^32-1", "x:0:4294901759\n", "x:0:4294901759\n", {}, {}, "uxtest3", 61003, 65536,
     true, true, 4294901759u, true, 4294901759u, ""},
    // Refusals.
    {"whole id space taken", "evil:0:4294967295\n", "", kWorldIds, kWorldIds, "uxtest3", 61003, 65536,
     false, false, 0, false, 0, "no free range of 65536 ids"},
    {"gid space taken", "", "evil:1:4294967295\n", kWorldIds, kWorldIds, "uxtest3", 61003, 65536,
     false, false, 0, false, 0, "subgid: no free range"},
    {"malformed subuid", "uxtest1:100000:65536\nbad\n", "", kWorldIds, kWorldIds, "uxtest3", 61003, 65536,
     false, false, 0, false, 0, "subuid: line 2: expected owner:start:count; fix the file first"},
    {"CRLF subgid", "", "uxtest1:100000:65536\r\n", kWorldIds, kWorldIds, "uxtest3", 61003, 65536,
     false, false, 0, false, 0, "subgid: line 1:"},
    {"count 0", "", "", kWorldIds, kWorldIds, "uxtest3", 61003, 0,
     false, false, 0, false, 0, "count must be from 1"},
    {"count beyond the id space", "", "", kWorldIds, kWorldIds, "uxtest3", 61003, k2to32,
     false, false, 0, false, 0, "count must be from 1"},
};

BOOST_DATA_TEST_CASE(plan_allocation_table, boost::unit_test::data::make(kPlanCases), c) {
  AllocationRequest request;
  request.user = c.user;
  request.uid = c.uid;
  request.count = c.count;
  request.subuid_text = c.subuid;
  request.subgid_text = c.subgid;
  request.real_uids = c.uids;
  request.real_gids = c.gids;
  AllocationPlan plan;
  std::string err;
  const bool ok = plan_allocation(request, &plan, &err);
  BOOST_TEST(ok == c.ok, err);
  if (!c.ok) {
    BOOST_TEST(err.find(c.error_part) != std::string::npos, err);
    return;
  }
  BOOST_TEST(plan.subuid.add == c.add_uids);
  BOOST_TEST(plan.subgid.add == c.add_gids);
  BOOST_TEST(plan.subuid.range.first == c.uid_first);
  BOOST_TEST(plan.subgid.range.first == c.gid_first);
  if (c.add_uids) BOOST_TEST(plan.subuid.range.end - plan.subuid.range.first == c.count);
  if (c.add_gids) BOOST_TEST(plan.subgid.range.end - plan.subgid.range.first == c.count);
  // Whatever was added must pass lint next to what was there.
  const std::vector<Account> users = {{c.user, c.uid}};
  const std::string new_subuid =
      c.add_uids ? append_line(c.subuid, format_subid_line(c.user, plan.subuid.range)) : c.subuid;
  std::vector<Account> uid_holders;
  for (uint32_t uid : c.uids) uid_holders.push_back({"u" + std::to_string(uid), uid});
  for (const Finding& f : lint_subid(new_subuid, false, users, uid_holders)) {
    // Findings about the pre-existing lines are the case's own business;
    // the new line must have none.
    if (c.add_uids) BOOST_TEST(f.line != static_cast<size_t>(std::count(new_subuid.begin(), new_subuid.end(), '\n')), f.message);
  }
}

// A thousand users one after another, as `uxc-admin allocate` runs them:
// every range is disjoint, above the floor, and lint finds nothing.
BOOST_AUTO_TEST_CASE(thousand_users_never_overlap) {
  std::string subuid = kWorld, subgid = kWorld;
  std::vector<Account> users = {{"uxtest1", 61001}, {"uxtest2", 61002}};
  std::vector<uint32_t> uids = {0, 61001, 61002};
  for (uint32_t i = 0; i < 1000; ++i) {
    const std::string name = "u" + std::to_string(i);
    // Below the floor, and scattered through the space allocation uses.
    const uint32_t uid = i % 2 == 0 ? 70000 + i * 29 : 3000000000u + i * 1000;
    users.push_back({name, uid});
    uids.push_back(uid);
    AllocationRequest request;
    request.user = name;
    request.uid = uid;
    request.count = 1000 + (i % 7) * 20000;  // uneven sizes leave uneven gaps
    request.subuid_text = subuid;
    request.subgid_text = subgid;
    request.real_uids = uids;
    request.real_gids = uids;
    AllocationPlan plan;
    std::string err;
    BOOST_REQUIRE_MESSAGE(plan_allocation(request, &plan, &err), err);
    BOOST_REQUIRE(plan.subuid.add && plan.subgid.add);
    subuid = append_line(subuid, format_subid_line(name, plan.subuid.range));
    subgid = append_line(subgid, format_subid_line(name, plan.subgid.range));
  }
  std::vector<Account> holders = users;
  holders.push_back({"root", 0});
  BOOST_TEST(lint_subid(subuid, false, users, holders).empty());
  BOOST_TEST(lint_subid(subgid, true, users, holders).empty());
  // Independent check: sort the ranges and compare neighbours.
  const SubidFile file = parse_subid_file(subuid);
  BOOST_REQUIRE(file.ok());
  BOOST_TEST(file.entries.size() == 1002u);
  std::vector<IdRange> ranges;
  for (const SubidEntry& e : file.entries) ranges.push_back({e.start, uint64_t{e.start} + e.count});
  std::sort(ranges.begin(), ranges.end(), [](const IdRange& a, const IdRange& b) { return a.first < b.first; });
  for (size_t i = 1; i < ranges.size(); ++i) BOOST_TEST(ranges[i - 1].end <= ranges[i].first);
  for (const IdRange& r : ranges) {
    BOOST_TEST(r.first >= kSubidFloor);
    BOOST_TEST(r.end <= kSubidCeiling);
  }
}

BOOST_AUTO_TEST_CASE(subid_line_format) {
  BOOST_TEST(format_subid_line("alice", {100000, 165536}) == "alice:100000:65536\n");
  BOOST_TEST(append_line("", "x\n") == "x\n");
  BOOST_TEST(append_line("a\n", "x\n") == "a\nx\n");
  BOOST_TEST(append_line("a", "x\n") == "a\nx\n");  // unterminated last line
}

// ----------------------------------------------------- set_usernet_line

struct EditCase {
  std::string name;
  std::string text;
  UsernetLine line;
  bool ok;
  std::string expected;  // ok: the new text; else a part of the error
};
std::ostream& operator<<(std::ostream& os, const EditCase& c) { return os << c.name; }

UsernetLine user_line(std::string owner, std::string link, uint32_t count) {
  UsernetLine line;
  line.key = UsernetKey{false, std::move(owner), "veth", std::move(link)};
  line.count = count;
  return line;
}
UsernetLine group_line(std::string owner, std::string link, uint32_t count) {
  UsernetLine line = user_line(std::move(owner), std::move(link), count);
  line.key.group = true;
  return line;
}

const EditCase kEditCases[] = {
    {"empty file", "", user_line("alice", "lxcbr0", 2), true, "alice veth lxcbr0 2\n"},
    {"appended after others", "# policy\nbob veth lxcbr0 1\n", user_line("alice", "lxcbr0", 2), true,
     "# policy\nbob veth lxcbr0 1\nalice veth lxcbr0 2\n"},
    {"replaced in place", "# a\nalice veth lxcbr0 1\n\n# b\nbob veth br1 3\n", user_line("alice", "lxcbr0", 5), true,
     "# a\nalice veth lxcbr0 5\n\n# b\nbob veth br1 3\n"},
    {"replaced whatever its blanks", "alice\tveth   lxcbr0 1\nbob veth br1 3\n", user_line("alice", "lxcbr0", 5), true,
     "alice veth lxcbr0 5\nbob veth br1 3\n"},
    {"later repeats removed", "alice veth lxcbr0 1\nbob veth br1 3\nalice veth lxcbr0 9\n",
     user_line("alice", "lxcbr0", 2), true, "alice veth lxcbr0 2\nbob veth br1 3\n"},
    {"other link is another line", "alice veth br1 1\n", user_line("alice", "lxcbr0", 2), true,
     "alice veth br1 1\nalice veth lxcbr0 2\n"},
    {"user and group of one name differ", "@alice veth lxcbr0 4\n", user_line("alice", "lxcbr0", 2), true,
     "@alice veth lxcbr0 4\nalice veth lxcbr0 2\n"},
    {"group line replaced", "@uxnet veth lxcbr0 4\n", group_line("uxnet", "lxcbr0", 8), true,
     "@uxnet veth lxcbr0 8\n"},
    {"prefix name is not the same owner", "al veth lxcbr0 1\n", user_line("alice", "lxcbr0", 2), true,
     "al veth lxcbr0 1\nalice veth lxcbr0 2\n"},
    {"count 0 takes it away", "alice veth lxcbr0 3\n", user_line("alice", "lxcbr0", 0), true,
     "alice veth lxcbr0 0\n"},
    {"unterminated last line", "bob veth br1 3", user_line("alice", "lxcbr0", 2), true,
     "bob veth br1 3\nalice veth lxcbr0 2\n"},
    {"same line again changes nothing", "alice veth lxcbr0 2\n", user_line("alice", "lxcbr0", 2), true,
     "alice veth lxcbr0 2\n"},
    // Refusals: the file is not touched.
    {"malformed file", "alice veth lxcbr0\n", user_line("bob", "lxcbr0", 1), false, "line 1: expected OWNER"},
    {"CRLF file", "alice veth lxcbr0 1\r\n", user_line("bob", "lxcbr0", 1), false, "line 1: count"},
    {"bad link name", "", user_line("alice", "br/0", 1), false, "not a valid usernet line"},
    {"bad owner name", "", user_line("al ice", "lxcbr0", 1), false, "not a valid usernet line"},
    {"count over the cap", "", user_line("alice", "lxcbr0", kMaxUsernetCount + 1), false, "not a valid usernet line"},
    {"unknown type", "", UsernetLine{UsernetKey{false, "alice", "macvlan", "br0"}, 1, 0}, false, "not a valid"},
};

BOOST_DATA_TEST_CASE(set_usernet_line_table, boost::unit_test::data::make(kEditCases), c) {
  std::string out = "untouched", err;
  const bool ok = set_usernet_line(c.text, c.line, &out, &err);
  BOOST_TEST(ok == c.ok, err);
  if (c.ok) {
    BOOST_TEST(out == c.expected);
    const UsernetFile parsed = parse_usernet_file(out);
    BOOST_TEST(parsed.ok());
  } else {
    BOOST_TEST(out == "untouched");
    BOOST_TEST(err.find(c.expected) != std::string::npos, err);
  }
}

// ------------------------------------------------------------ lint_subid

struct Expect {
  size_t line;
  std::string part;
};

struct SubidLintCase {
  std::string name;
  std::string text;
  bool gids;
  std::vector<Expect> findings;  // in order
};
std::ostream& operator<<(std::ostream& os, const SubidLintCase& c) { return os << c.name; }

const std::vector<Account> kUsers = {{"root", 0}, {"uxtest1", 61001}, {"uxtest2", 61002},
                                     {"uxtest3", 61003}, {"big", 4000000000u}};
const std::vector<Account> kGroups = {{"root", 0}, {"uxnet", 61100}, {"biggroup", 210000}};

std::string overlapping_users(size_t n) {
  std::string text;
  for (size_t i = 0; i < n; ++i) text += "u" + std::to_string(i) + ":300000:10\n";
  return text;
}

const SubidLintCase kSubidLintCases[] = {
    {"the world's files", kWorld, false, {}},
    {"empty", "", false, {}},
    {"touching ranges are fine", "uxtest1:300000:100\nuxtest2:300100:100\n", false, {}},
    {"same user overlapping itself", "uxtest1:300000:100\nuxtest1:300050:100\n", false, {}},
    {"name and uid of one user", "uxtest1:300000:100\n61001:300050:100\n", false, {}},
    {"overlap between users", "uxtest1:300000:100\nuxtest2:300099:100\n", false,
     {{2, "ids 300099-300198 of \"uxtest2\" overlap ids 300000-300099 of \"uxtest1\" at line 1"}}},
    {"reported at the later line", "uxtest2:300099:100\nuxtest1:300000:100\n", false,
     {{2, "ids 300000-300099 of \"uxtest1\" overlap ids 300099-300198 of \"uxtest2\" at line 1"}}},
    {"nested range", "uxtest1:300000:1000\nuxtest2:300500:1\n", false, {{2, "overlap"}}},
    {"uid of another user", "uxtest1:300000:100\n61002:300050:100\n", false, {{2, "of \"61002\" overlap"}}},
    {"each later user reported", "uxtest1:300000:100\nuxtest2:300010:10\nuxtest3:300050:10\n", false,
     {{2, "overlap"}, {3, "overlap"}}},
    {"overlap past a long range of the same user",
     "uxtest1:300000:1000\nuxtest1:300100:10\nuxtest2:300500:10\n", false, {{3, "of \"uxtest1\" at line 1"}}},
    {"covers a real uid", "uxtest1:61000:10\n", false,
     {{1, "include uid 61002 (\"uxtest2\") and 1 more real uids"}}},
    {"own uid is no one else's", "uxtest1:61001:1\n", false, {}},
    {"covers root", "uxtest1:0:10\n", false, {{1, "include uid 0 (\"root\")"}}},
    {"gid file checks groups", "uxtest1:61100:1\n", true, {{1, "include gid 61100 (\"uxnet\")"}}},
    {"gid file ignores uids", "uxtest1:61002:1\n", true, {}},
    {"unknown owner", "ghost:300000:10\n", false, {{1, "owner \"ghost\" is not a user"}}},
    {"unknown numeric owner", "4242:300000:10\n", false, {{1, "owner \"4242\" is not a user"}}},
    {"count 0", "uxtest1:300000:0\n", false, {{1, "count 0 grants nothing"}}},
    {"reaches the kernel's invalid id", "uxtest1:4294967295:1\n", false, {{1, "reaches 4294967295"}}},
    {"malformed line", "uxtest1:100000:65536\nuxtest2:-1:5\n", false,
     {{2, "malformed start; uxc-idmap refuses the whole file"}}},
    {"CRLF", "uxtest1:100000:65536\r\n", false, {{1, "malformed count"}}},
    {"NUL", std::string("uxtest1:1\0:2\n", 13), false, {{1, "NUL byte"}}},
    {"file over the size cap", std::string(kMaxSubidFileBytes + 1, '#'), false,
     {{0, "file larger than 4194304 bytes; uxc-idmap refuses the whole file until it is fixed"}}},
    {"whole space for one, overlapping everyone", "big:0:4294967295\nuxtest1:100000:65536\n", false,
     {{1, "include uid 0 (\"root\") and 3 more real uids"}, {2, "overlap ids 0-4294967294 of \"big\""}}},
};

BOOST_DATA_TEST_CASE(lint_subid_table, boost::unit_test::data::make(kSubidLintCases), c) {
  const std::vector<Finding> findings = lint_subid(c.text, c.gids, kUsers, c.gids ? kGroups : kUsers);
  BOOST_TEST(findings.size() == c.findings.size());
  for (size_t i = 0; i < std::min(findings.size(), c.findings.size()); ++i) {
    BOOST_TEST(findings[i].line == c.findings[i].line, findings[i].message);
    BOOST_TEST(findings[i].message.find(c.findings[i].part) != std::string::npos, findings[i].message);
  }
}

BOOST_AUTO_TEST_CASE(lint_subid_stops_reporting) {
  const std::vector<Finding> findings = lint_subid(overlapping_users(1000), false, kUsers, kUsers);
  BOOST_TEST(findings.size() == kMaxFindingsPerFile + 1);
  BOOST_TEST(findings.back().message.find("too many findings") != std::string::npos);
}

// ---------------------------------------------------------- lint_usernet

struct UsernetLintCase {
  std::string name;
  std::string text;
  std::vector<Expect> findings;
};
std::ostream& operator<<(std::ostream& os, const UsernetLintCase& c) { return os << c.name; }

const std::vector<LinkState> kLinks = {{"lo", false}, {"lxcbr0", true}, {"br1", true}, {"notabridge", false}};

const UsernetLintCase kUsernetLintCases[] = {
    {"clean", "# nics\nuxtest1 veth lxcbr0 2\n@uxnet veth br1 4\n", {}},
    {"empty", "", {}},
    {"duplicate", "uxtest1 veth lxcbr0 2\nuxtest1 veth lxcbr0 5\n",
     {{2, "repeats uxtest1 veth lxcbr0 from line 1 (only the largest count, 5, applies)"}}},
    {"duplicate with other blanks", "uxtest1 veth lxcbr0 2\n  uxtest1\tveth lxcbr0 1\n", {{2, "repeats"}}},
    {"user and group lines are distinct", "uxnet veth lxcbr0 2\n@uxnet veth lxcbr0 2\n",
     {{1, "user \"uxnet\" does not exist"}}},
    {"malformed", "uxtest1 veth lxcbr0\n", {{1, "missing fields; uxc-nic refuses every request"}}},
    {"CRLF", "uxtest1 veth lxcbr0 2\r\n", {{1, "count must be"}}},
    {"over-long line", "uxtest1 veth lxcbr0 2\n#" + std::string(kMaxUsernetLineBytes, 'x') + "\n",
     {{2, "longer than 1024 bytes"}}},
    {"file over the size cap", std::string(kMaxUsernetFileBytes + 1, '#'), {{0, "file larger than"}}},
    {"missing bridge", "uxtest1 veth br9 2\n", {{1, "bridge \"br9\" does not exist"}}},
    {"not a bridge", "uxtest1 veth notabridge 2\n", {{1, "\"notabridge\" is not a bridge"}}},
    {"unknown user", "ghost veth lxcbr0 2\n", {{1, "user \"ghost\" does not exist in the passwd"}}},
    {"unknown group", "@ghosts veth lxcbr0 2\n", {{1, "group \"ghosts\" does not exist in the group"}}},
    // A pair found by tests/unit/slot_collision.py (usernet_test.cpp).
    {"colliding owners", "uxtest1 veth lxcbr0 2\n@uxnet veth br1 4\nafcjohtq veth lxcbr0 2\n",
     {{3, "user \"afcjohtq\" does not exist"},
      {3, "afcjohtq veth lxcbr0 hashes like uxtest1 veth lxcbr0 at line 1"}}},
    {"several faults, in line order",
     "uxtest1 veth lxcbr0 2\nbad\nuxtest1 veth lxcbr0 2\n@nobody veth nolink 1\n",
     {{2, "missing fields"}, {3, "repeats"}, {4, "group \"nobody\""}, {4, "bridge \"nolink\""}}},
};

BOOST_DATA_TEST_CASE(lint_usernet_table, boost::unit_test::data::make(kUsernetLintCases), c) {
  const std::vector<Finding> findings = lint_usernet(c.text, kUsers, kGroups, kLinks);
  BOOST_TEST(findings.size() == c.findings.size());
  for (size_t i = 0; i < std::min(findings.size(), c.findings.size()); ++i) {
    BOOST_TEST(findings[i].line == c.findings[i].line, findings[i].message);
    BOOST_TEST(findings[i].message.find(c.findings[i].part) != std::string::npos, findings[i].message);
  }
}

struct OwnershipCase {
  bool directory;
  uint32_t owner;
  uint32_t mode;
  std::vector<std::string> parts;
};
std::ostream& operator<<(std::ostream& os, const OwnershipCase& c) {
  return os << (c.directory ? "dir " : "file ") << c.owner << ' ' << std::oct << c.mode;
}

const OwnershipCase kOwnershipCases[] = {
    {false, 0, 0644, {}},
    {false, 0, 0600, {}},
    {true, 0, 0755, {}},
    {false, 0, 0664, {"writable by group or others (mode 0664)"}},
    {false, 0, 0666, {"writable by group or others"}},
    {true, 0, 01777, {"directory writable by group or others (mode 1777)"}},
    {false, 1000, 0644, {"owned by uid 1000, not root"}},
    {false, 1000, 0646, {"owned by uid 1000", "writable"}},
};

BOOST_DATA_TEST_CASE(lint_ownership_table, boost::unit_test::data::make(kOwnershipCases), c) {
  const std::vector<Finding> findings = lint_ownership(c.directory, c.owner, c.mode);
  BOOST_TEST(findings.size() == c.parts.size());
  for (size_t i = 0; i < std::min(findings.size(), c.parts.size()); ++i)
    BOOST_TEST(findings[i].message.find(c.parts[i]) != std::string::npos, findings[i].message);
}

// ------------------------------------------------------- summarize_usage

HeldNic nic(uint32_t uid, const UsernetLine& line) { return HeldNic{uid, line.key}; }

BOOST_AUTO_TEST_CASE(usage_counts_per_line_and_holder) {
  const UsernetFile policy =
      parse_usernet_file("uxtest1 veth lxcbr0 2\n@uxnet veth lxcbr0 3\nuxtest2 veth br1 1\n");
  BOOST_REQUIRE(policy.ok());
  const std::vector<HeldNic> held = {
      nic(61001, user_line("uxtest1", "lxcbr0", 0)), nic(61001, group_line("uxnet", "lxcbr0", 0)),
      nic(61002, group_line("uxnet", "lxcbr0", 0)),  nic(61002, group_line("uxnet", "lxcbr0", 0)),
      nic(61003, user_line("uxtest3", "br1", 0)),  // its line was removed
  };
  const std::vector<LineUsage> all = summarize_usage(policy, held, "", 0, {});
  BOOST_REQUIRE(all.size() == 4u);
  BOOST_TEST(all[0].key.owner == "uxtest1");
  BOOST_TEST(all[0].used == 1u);
  BOOST_TEST(all[0].allowed == 2u);
  BOOST_TEST(all[1].key.group);
  BOOST_TEST(all[1].used == 3u);
  BOOST_TEST(all[1].allowed == 3u);
  BOOST_REQUIRE(all[1].holders.size() == 2u);
  BOOST_TEST(all[1].holders[0].first == 61001u);
  BOOST_TEST(all[1].holders[0].second == 1u);
  BOOST_TEST(all[1].holders[1].first == 61002u);
  BOOST_TEST(all[1].holders[1].second == 2u);
  BOOST_TEST(all[2].used == 0u);
  BOOST_TEST(!all[3].in_policy);
  BOOST_TEST(all[3].key.owner == "uxtest3");
  BOOST_TEST(all[3].used == 1u);

  // uxtest2: its own line and its group's.
  const std::vector<std::string> groups = {"uxtest2", "uxnet"};
  const std::vector<LineUsage> mine = summarize_usage(policy, held, "uxtest2", 61002, groups);
  BOOST_REQUIRE(mine.size() == 2u);
  BOOST_TEST(mine[0].key.group);
  BOOST_TEST(mine[1].key.link == "br1");

  // uxtest3 has no line but still holds a nic charged to a removed one.
  const std::vector<LineUsage> gone = summarize_usage(policy, held, "uxtest3", 61003, {});
  BOOST_REQUIRE(gone.size() == 1u);
  BOOST_TEST(!gone[0].in_policy);

  // A user of the same prefix sees nothing of "uxtest1"'s.
  const std::vector<LineUsage> prefix = summarize_usage(policy, held, "uxtest", 61009, {});
  BOOST_TEST(prefix.empty());
}

// ---------------------------------------------------------------- compat

struct CompatCase {
  CompatFile state;
  bool force;
  CompatAction install;
  CompatAction remove;
};
std::ostream& operator<<(std::ostream& os, const CompatCase& c) {
  return os << static_cast<int>(c.state) << (c.force ? " forced" : "");
}

const CompatCase kCompatCases[] = {
    {CompatFile::kAbsent, false, CompatAction::kCreate, CompatAction::kKeep},
    {CompatFile::kAbsent, true, CompatAction::kCreate, CompatAction::kKeep},
    {CompatFile::kOurs, false, CompatAction::kKeep, CompatAction::kRemove},
    {CompatFile::kOurs, true, CompatAction::kKeep, CompatAction::kRemove},
    // shadow's or LXC's binary, or the administrator's own: never
    // overwritten unless forced, never removed.
    {CompatFile::kForeign, false, CompatAction::kRefuse, CompatAction::kLeave},
    {CompatFile::kForeign, true, CompatAction::kReplace, CompatAction::kLeave},
};

BOOST_DATA_TEST_CASE(compat_decisions, boost::unit_test::data::make(kCompatCases), c) {
  BOOST_TEST(static_cast<int>(decide_compat_install(c.state, c.force)) == static_cast<int>(c.install));
  BOOST_TEST(static_cast<int>(decide_compat_remove(c.state)) == static_cast<int>(c.remove));
}

BOOST_AUTO_TEST_CASE(compat_names_are_the_engines) {
  // RootlessKit's --lxc-user-nic-binary default and shadow's paths.
  BOOST_TEST(std::size(kCompatNames) == 3u);
  BOOST_TEST(kCompatNames[2].name == "lxc-user-nic");
  BOOST_TEST(kCompatNames[2].debian_dir == "/usr/libexec/lxc");
  for (const CompatName& n : kCompatNames)
    BOOST_TEST((n.helper == "uxc-idmap" || n.helper == "uxc-nic"));
}

}  // namespace
}  // namespace uxc::policy
