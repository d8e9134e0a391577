#include "policy/idmap.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

namespace uxc::policy {
namespace {

constexpr uint32_t kOwn = 61001;  // the caller's uid and gid
// The caller's /etc/subuid (and subgid) grant, as subordinate_ranges()
// returns it.
const std::vector<IdRange> kSub = {{100000, 165536}};
const std::vector<IdRange> kTwoSub = {{100000, 100010}, {100020, 100030}};
const std::vector<IdRange> kLowSub = {{0, 1000}};

std::vector<IdExtent> singles(size_t n) {  // n one-id extents 0 0 1, 1 1 1, ...
  std::vector<IdExtent> map;
  for (uint32_t i = 0; i < n; ++i) map.push_back({i, i, 1});
  return map;
}

std::vector<IdExtent> long_lines(size_t n) {  // n extents with 10-digit numbers
  std::vector<IdExtent> map;
  for (uint32_t i = 0; i < n; ++i) map.push_back({4000000000u + i, 4000000000u + i, 1});
  return map;
}

struct AuthCase {
  std::string name;
  IdKind kind;
  std::vector<IdExtent> map;
  std::vector<IdRange> sub;
  MapVerdict verdict;
  size_t extent;         // offending extent when denied
  bool setgroups_deny;   // when allowed
};
std::ostream& operator<<(std::ostream& os, const AuthCase& c) { return os << c.name; }

using enum MapVerdict;
using enum IdKind;

const AuthCase kAuthCases[] = {
    {"whole subuid range", kUid, {{0, 100000, 65536}}, kSub, kAllow, 0, false},
    {"part of the range", kUid, {{1000, 100500, 10}}, kSub, kAllow, 0, false},
    {"last subordinate id", kUid, {{0, 165535, 1}}, kSub, kAllow, 0, false},
    {"own uid", kUid, {{0, kOwn, 1}}, kSub, kAllow, 0, false},
    {"own uid, no subuid at all", kUid, {{0, kOwn, 1}}, {}, kAllow, 0, false},
    {"range plus own uid", kUid, {{0, 100000, 65536}, {65536, kOwn, 1}}, kSub, kAllow, 0, false},
    {"subgid only keeps setgroups", kGid, {{0, 100000, 65536}}, kSub, kAllow, 0, false},
    {"own gid needs setgroups deny", kGid, {{0, kOwn, 1}}, kSub, kAllow, 0, true},
    {"subgid plus own gid needs deny", kGid, {{0, 100000, 65536}, {65536, kOwn, 1}}, kSub,
     kAllow, 0, true},
    {"own gid inside subgid keeps setgroups", kGid, {{0, kOwn, 1}}, {{61000, 61010}}, kAllow, 0,
     false},
    {"adjacent extents", kUid, {{0, 100000, 10}, {10, 100010, 10}}, kSub, kAllow, 0, false},
    {"highest inside id", kUid, {{4294967294u, 100000, 1}}, kSub, kAllow, 0, false},
    {"340 extents", kUid, singles(340), kLowSub, kAllow, 0, false},
    {"root caller maps uid 0", kUid, {{0, 0, 1}}, {}, kAllow, 0, false},  // own id 0 below
    // Denied: not the caller's ids.
    {"one past the range", kUid, {{0, 165536, 1}}, kSub, kNotOwned, 0, false},
    {"partially outside", kUid, {{0, 100000, 65537}}, kSub, kNotOwned, 0, false},
    {"starts before the range", kUid, {{0, 99999, 2}}, kSub, kNotOwned, 0, false},
    {"own uid with count 2", kUid, {{0, kOwn, 2}}, kSub, kNotOwned, 0, false},
    {"own uid minus one", kUid, {{0, kOwn - 1, 2}}, kSub, kNotOwned, 0, false},
    {"another user's uid", kUid, {{0, 61002, 1}}, kSub, kNotOwned, 0, false},
    {"host root", kUid, {{0, 0, 1}}, kSub, kNotOwned, 0, false},
    {"host root gid", kGid, {{0, 0, 1}}, kSub, kNotOwned, 0, false},
    {"no subordinate ids", kUid, {{0, 100000, 1}}, {}, kNotOwned, 0, false},
    {"second extent denied", kUid, {{0, 100000, 1}, {1, 200000, 1}}, kSub, kNotOwned, 1, false},
    {"spans a gap between grants", kUid, {{0, 100005, 20}}, kTwoSub, kNotOwned, 0, false},
    {"every mappable id", kUid, {{0, 0, 4294967295u}}, kSub, kNotOwned, 0, false},
    // Malformed: nobody may write these.
    {"count 0", kUid, {{0, 100000, 0}}, kSub, kMalformed, 0, false},
    {"count 0 after a good extent", kUid, {{0, 100000, 1}, {1, 100001, 0}}, kSub, kMalformed, 0,
     false},
    {"empty map", kUid, {}, kSub, kMalformed, 0, false},
    {"inside ranges overlap", kUid, {{0, 100000, 10}, {5, 100100, 10}}, kSub, kMalformed, 0,
     false},
    {"outside ranges overlap", kUid, {{0, 100000, 10}, {100, 100005, 10}}, kSub, kMalformed, 0,
     false},
    {"same extent twice", kGid, {{0, 100000, 10}, {0, 100000, 10}}, kSub, kMalformed, 0, false},
    {"own uid twice", kUid, {{0, kOwn, 1}, {1, kOwn, 1}}, kSub, kMalformed, 0, false},
    {"inside wraps", kUid, {{4294967295u, 100000, 1}}, kSub, kMalformed, 0, false},
    {"inside wraps by count", kUid, {{4294967200u, 100000, 1000}}, kSub, kMalformed, 0, false},
    {"outside wraps", kUid, {{0, 4294967295u, 1}}, {{4294967295u, uint64_t{1} << 32}},
     kMalformed, 0, false},
    {"huge count", kUid, {{0, 100000, 4294967295u}}, kSub, kMalformed, 0, false},
    {"341 extents", kUid, singles(341), kLowSub, kMalformed, 0, false},
    {"text over one page", kUid, long_lines(200), {{4000000000u, 4000000200u}}, kMalformed, 0,
     false},
};

BOOST_DATA_TEST_CASE(authorise_map_table, boost::unit_test::data::make(kAuthCases), c) {
  const uint32_t own = c.name == "root caller maps uid 0" ? 0 : kOwn;
  const MapDecision d = authorise_map(c.kind, c.map, c.sub, own);
  BOOST_TEST(static_cast<int>(d.verdict) == static_cast<int>(c.verdict));
  if (c.verdict == kAllow) {
    BOOST_TEST(d.needs_setgroups_deny == c.setgroups_deny);
    BOOST_TEST(d.reason.empty());
  } else {
    BOOST_TEST(!d.reason.empty());
    BOOST_TEST(!d.needs_setgroups_deny);
  }
  if (c.verdict == kNotOwned) BOOST_TEST(d.extent == c.extent);
}

BOOST_AUTO_TEST_CASE(deny_reason_names_range_and_extent) {
  const std::vector<IdExtent> map = {{0, 100000, 1}, {1, 300000, 5}};
  const MapDecision d = authorise_map(IdKind::kGid, map, kSub, kOwn);
  BOOST_TEST(d.reason.find("gid 1 300000 5") != std::string::npos);
  BOOST_TEST(d.reason.find("300000..300004") != std::string::npos);
  const MapDecision m = authorise_map(IdKind::kUid, {{{0, 1, 0}}}, kSub, kOwn);
  BOOST_TEST(m.reason == "uid map: extent 1: count 0");
}

BOOST_AUTO_TEST_CASE(format_map_is_kernel_text) {
  const std::vector<IdExtent> map = {{0, 100000, 65536}, {65536, 61001, 1}};
  BOOST_TEST(format_map(map) == "0 100000 65536\n65536 61001 1\n");
}

struct WholeCase {
  std::string name;
  IdmapRequest request;
  std::string subuid;
  std::string subgid;
  uint32_t uid;
  RequestVerdict verdict;
  bool setgroups_deny;
  bool host_root;
  std::string reason_part;  // substring of the reason when denied
  std::string settings = "";  // the administrator's uxc.conf
};
std::ostream& operator<<(std::ostream& os, const WholeCase& c) { return os << c.name; }

const std::string kGrants = "uxtest1:100000:65536\nuxtest2:200000:65536\n";
const std::string kDeny = "[idmap]\nsetgroups = deny\n";

const WholeCase kWholeCases[] = {
    {"full map with own ids", {{{0, 100000, 65536}, {65536, kOwn, 1}}, {{0, 100000, 65536}, {65536, kOwn, 1}}, false},
     kGrants, kGrants, kOwn, RequestVerdict::kAllow, true, false, ""},
    {"subordinate ids only", {{{0, 100000, 65536}}, {{0, 100000, 65536}}, false}, kGrants, kGrants, kOwn,
     RequestVerdict::kAllow, false, false, ""},
    {"deny asked for", {{}, {{0, 100000, 65536}}, true}, kGrants, kGrants, kOwn, RequestVerdict::kAllow,
     true, false, ""},
    {"no grant files, own ids", {{{0, kOwn, 1}}, {{0, kOwn, 1}}, false}, "", "", kOwn,
     RequestVerdict::kAllow, true, false, ""},
    {"root caller maps host root", {{{0, 0, 1}}, {}, false}, "", "", 0, RequestVerdict::kAllow, false,
     true, ""},
    {"broken subgid, uid map only", {{{0, 100000, 65536}}, {}, false}, kGrants, "uxtest1:1\n", kOwn,
     RequestVerdict::kAllow, false, false, ""},
    {"broken subuid", {{{0, kOwn, 1}}, {}, false}, kGrants + "uxtest3:-1:1\n", kGrants, kOwn,
     RequestVerdict::kBadGrants, false, false, "/etc/subuid: line 3: malformed start"},
    {"broken subgid", {{}, {{0, kOwn, 1}}, false}, kGrants, std::string("x:1:1\0\n", 7), kOwn,
     RequestVerdict::kBadGrants, false, false, "/etc/subgid: line 1: NUL"},
    {"malformed uid map", {{{0, 100000, 0}}, {}, false}, kGrants, kGrants, kOwn,
     RequestVerdict::kMalformed, false, false, "uid map: extent 1: count 0"},
    {"gid not owned", {{{0, 100000, 65536}}, {{0, 200000, 1}}, false}, kGrants, kGrants, kOwn,
     RequestVerdict::kNotOwned, false, false, "gid 0 200000 1"},
    {"another user's name", {{{0, 200000, 1}}, {}, false}, kGrants, kGrants, kOwn,
     RequestVerdict::kNotOwned, false, false, "200000..200000"},
    // The administrator's [idmap] setgroups switch.
    {"switch deny: subordinate ids only", {{{0, 100000, 65536}}, {{0, 100000, 65536}}, false}, kGrants,
     kGrants, kOwn, RequestVerdict::kAllow, true, false, "", kDeny},
    {"switch deny: gid map alone", {{}, {{0, 100000, 65536}}, false}, kGrants, kGrants, kOwn,
     RequestVerdict::kAllow, true, false, "", kDeny},
    {"switch deny: no gid map, nothing to deny", {{{0, 100000, 65536}}, {}, false}, kGrants, kGrants,
     kOwn, RequestVerdict::kAllow, false, false, "", kDeny},
    {"switch auto: as without the file", {{{0, 100000, 65536}}, {{0, 100000, 65536}}, false}, kGrants,
     kGrants, kOwn, RequestVerdict::kAllow, false, false, "", "[idmap]\nsetgroups = auto\n"},
    {"other settings only", {{{0, 100000, 65536}}, {{0, 100000, 65536}}, false}, kGrants, kGrants,
     kOwn, RequestVerdict::kAllow, false, false, "", "[images]\nserver = mirror.example\n"},
    {"malformed settings refuse every request", {{{0, kOwn, 1}}, {}, false}, kGrants, kGrants, kOwn,
     RequestVerdict::kBadGrants, false, false, "/etc/uxc/uxc.conf:2:", "[idmap]\nsetgroups = maybe\n"},
    {"unknown settings key refuses", {{{0, kOwn, 1}}, {}, false}, kGrants, kGrants, kOwn,
     RequestVerdict::kBadGrants, false, false, "/etc/uxc/uxc.conf:", "[idmap]\nsetgroup = deny\n"},
};

BOOST_DATA_TEST_CASE(authorise_request_table, boost::unit_test::data::make(kWholeCases), c) {
  const GrantFiles grants{"/etc/subuid", c.subuid, "/etc/subgid", c.subgid, "/etc/uxc/uxc.conf",
                          c.settings};
  const RequestDecision d = authorise_request(c.request, {"uxtest1", c.uid, c.uid}, grants);
  BOOST_TEST(static_cast<int>(d.verdict) == static_cast<int>(c.verdict));
  if (c.verdict == RequestVerdict::kAllow) {
    BOOST_TEST(d.uid_text == format_map(c.request.uid_map));
    BOOST_TEST(d.gid_text == format_map(c.request.gid_map));
    BOOST_TEST(d.setgroups_deny == c.setgroups_deny);
    BOOST_TEST(d.maps_host_root == c.host_root);
  } else {
    BOOST_TEST(d.reason.find(c.reason_part) != std::string::npos, d.reason);
    BOOST_TEST(d.uid_text.empty());
    BOOST_TEST(d.gid_text.empty());
  }
}

struct SpecCase {
  std::string value;
  bool ok;
  bool uid;
  bool gid;
  IdExtent extent;
};
std::ostream& operator<<(std::ostream& os, const SpecCase& c) {
  return os << '"' << c.value << '"';
}

const SpecCase kSpecCases[] = {
    {"u 0 100000 65536", true, true, false, {0, 100000, 65536}},
    {"g 0 100000 65536", true, false, true, {0, 100000, 65536}},
    {"b 0 100000 65536", true, true, true, {0, 100000, 65536}},
    {"  u\t0  100000 65536  ", true, true, false, {0, 100000, 65536}},
    {"u 65536 61001 1", true, true, false, {65536, 61001, 1}},
    {"u 0 100000 0", true, true, false, {0, 100000, 0}},  // syntax only; check_map refuses
    {"", false, false, false, {}},
    {"x 0 1 1", false, false, false, {}},
    {"U 0 1 1", false, false, false, {}},
    {"ug 0 1 1", false, false, false, {}},
    {"u 0 100000", false, false, false, {}},
    {"u 0 100000 65536 1", false, false, false, {}},
    {"u0 100000 65536", false, false, false, {}},
    {"u -1 100000 1", false, false, false, {}},
    {"u 0 +100000 1", false, false, false, {}},
    {"u 0 0x10 1", false, false, false, {}},
    {"u 0 010 1", false, false, false, {}},
    {"u 0 100000 4294967296", false, false, false, {}},
    {"u 0 100000 65536\r", false, false, false, {}},
    {std::string("u 0 1\0 1", 8), false, false, false, {}},
    {"u 0 100000 65536 # comment", false, false, false, {}},
    {"u 0:100000:65536", false, false, false, {}},
};

BOOST_DATA_TEST_CASE(idmap_spec_table, boost::unit_test::data::make(kSpecCases), c) {
  IdmapSpec spec;
  std::string err;
  BOOST_TEST(parse_idmap_spec(c.value, &spec, &err) == c.ok);
  if (c.ok) {
    BOOST_TEST(spec.uid == c.uid);
    BOOST_TEST(spec.gid == c.gid);
    BOOST_TEST((spec.extent == c.extent));
  } else {
    BOOST_TEST(!err.empty());
  }
}

BOOST_AUTO_TEST_CASE(collect_idmaps_splits_and_checks) {
  IdmapSpec a, b, c;
  std::string err;
  BOOST_TEST_REQUIRE(parse_idmap_spec("b 0 100000 65536", &a, &err));
  BOOST_TEST_REQUIRE(parse_idmap_spec("u 65536 61001 1", &b, &err));
  IdMaps maps;
  BOOST_TEST(collect_idmaps(std::vector<IdmapSpec>{a, b}, &maps, &err));
  BOOST_TEST(maps.uid.size() == 2u);
  BOOST_TEST(maps.gid.size() == 1u);
  // "b" lands in both maps, so it can overlap a "g" line.
  BOOST_TEST_REQUIRE(parse_idmap_spec("g 5 200000 10", &c, &err));
  BOOST_TEST(!collect_idmaps(std::vector<IdmapSpec>{a, c}, &maps, &err));
  BOOST_TEST(err == "gid map: extent 2: inside range overlaps extent 1");
}

struct RequestCase {
  std::string name;
  std::string text;
  bool ok;
  size_t uids;
  size_t gids;
  bool setgroups_deny;
};
std::ostream& operator<<(std::ostream& os, const RequestCase& c) { return os << c.name; }

const std::string kHead = "uxc-idmap 1\n";

std::string repeated(const std::string& line, size_t n) {
  std::string text;
  for (size_t i = 0; i < n; ++i) text += line;
  return text;
}

const RequestCase kRequestCases[] = {
    {"uid and gid", kHead + "uid 0 100000 65536\ngid 0 100000 65536\nend\n", true, 1, 1, false},
    {"uid only", kHead + "uid 0 61001 1\nend\n", true, 1, 0, false},
    {"gid only, deny", kHead + "gid 0 61001 1\nsetgroups deny\nend\n", true, 0, 1, true},
    {"interleaved", kHead + "gid 0 1 1\nuid 0 1 1\ngid 1 2 1\nend\n", true, 1, 2, false},
    {"340 uid lines", kHead + repeated("uid 0 1 1\n", 340) + "end\n", true, 340, 0, false},
    {"count 0 is syntax", kHead + "uid 0 100000 0\nend\n", true, 1, 0, false},
    // malformed and hostile
    {"empty", "", false, 0, 0, false},
    {"header only", kHead + "end\n", false, 0, 0, false},
    {"setgroups alone", kHead + "setgroups deny\nend\n", false, 0, 0, false},
    {"truncated", kHead + "uid 0 100000 65536\n", false, 0, 0, false},
    {"truncated mid-line", kHead + "uid 0 100", false, 0, 0, false},
    {"after end", kHead + "uid 0 1 1\nend\ngid 0 1 1\n", false, 0, 0, false},
    {"unknown key", kHead + "uid 0 1 1\nsetuid 0\nend\n", false, 0, 0, false},
    {"setgroups allow", kHead + "gid 0 1 1\nsetgroups allow\nend\n", false, 0, 0, false},
    {"setgroups twice", kHead + "gid 0 1 1\nsetgroups deny\nsetgroups deny\nend\n", false, 0, 0,
     false},
    {"two args", kHead + "uid 0 100000\nend\n", false, 0, 0, false},
    {"four args", kHead + "uid 0 100000 65536 1\nend\n", false, 0, 0, false},
    {"hex", kHead + "uid 0 0x186a0 65536\nend\n", false, 0, 0, false},
    {"octal", kHead + "uid 0 0303240 65536\nend\n", false, 0, 0, false},
    {"negative", kHead + "uid 0 -1 1\nend\n", false, 0, 0, false},
    {"plus sign", kHead + "uid +0 100000 1\nend\n", false, 0, 0, false},
    {"above 32 bits", kHead + "uid 0 4294967296 1\nend\n", false, 0, 0, false},
    {"20 digits", kHead + "uid 0 18446744073709551617 1\nend\n", false, 0, 0, false},
    {"CRLF", "uxc-idmap 1\r\nuid 0 1 1\r\nend\r\n", false, 0, 0, false},
    {"NUL", kHead + std::string("uid 0 1\0 1\nend\n", 14), false, 0, 0, false},
    {"garbage bytes", kHead + "\xff\xfe\x01\nend\n", false, 0, 0, false},
    {"double space", kHead + "uid 0  1 1\nend\n", false, 0, 0, false},
    {"upper-case key", kHead + "UID 0 1 1\nend\n", false, 0, 0, false},
    {"other helper", "uxc-nic 1\nuid 0 1 1\nend\n", false, 0, 0, false},
    {"future version", "uxc-idmap 2\nuid 0 1 1\nend\n", false, 0, 0, false},
    {"341 uid lines", kHead + repeated("uid 0 1 1\n", 341) + "end\n", false, 0, 0, false},
    {"over the size cap", kHead + repeated("uid 4000000000 4000000000 1\n", 340) +
                              repeated("gid 4000000000 4000000000 1\n", 340) + "end\n",
     false, 0, 0, false},
};

BOOST_DATA_TEST_CASE(idmap_request_table, boost::unit_test::data::make(kRequestCases), c) {
  IdmapRequest request;
  std::string err;
  BOOST_TEST(decode_idmap_request(c.text, &request, &err) == c.ok);
  if (c.ok) {
    BOOST_TEST(request.uid_map.size() == c.uids);
    BOOST_TEST(request.gid_map.size() == c.gids);
    BOOST_TEST(request.setgroups_deny == c.setgroups_deny);
  } else {
    BOOST_TEST(!err.empty());
  }
}

BOOST_AUTO_TEST_CASE(idmap_request_round_trip) {
  IdmapRequest request;
  request.uid_map = {{0, 100000, 65536}, {65536, 61001, 1}};
  request.gid_map = {{0, 100000, 65536}};
  request.setgroups_deny = true;
  std::string text;
  BOOST_TEST_REQUIRE(encode_idmap_request(request, &text));
  BOOST_TEST(text ==
             "uxc-idmap 1\nuid 0 100000 65536\nuid 65536 61001 1\ngid 0 100000 65536\n"
             "setgroups deny\nend\n");
  IdmapRequest back;
  std::string err;
  BOOST_TEST_REQUIRE(decode_idmap_request(text, &back, &err));
  BOOST_TEST((back.uid_map == request.uid_map));
  BOOST_TEST((back.gid_map == request.gid_map));
  BOOST_TEST(back.setgroups_deny);
}

BOOST_AUTO_TEST_CASE(idmap_request_error_names_line) {
  IdmapRequest request;
  std::string err;
  BOOST_TEST(!decode_idmap_request(kHead + "uid 0 1 1\ngid 0 x 1\nend\n", &request, &err));
  BOOST_TEST(err.rfind("line 3: ", 0) == 0);
}

struct ShadowCase {
  std::vector<std::string_view> args;
  bool ok;
  bool is_fd;
  int target;
  size_t extents;
};
std::ostream& operator<<(std::ostream& os, const ShadowCase& c) {
  for (std::string_view a : c.args) os << a << ' ';
  return os;
}

const ShadowCase kShadowCases[] = {
    {{"1234", "0", "100000", "65536"}, true, false, 1234, 1},
    {{"fd:3", "0", "100000", "65536"}, true, true, 3, 1},
    {{"fd:7", "0", "100000", "1", "1", "61001", "1"}, true, true, 7, 2},
    {{"2147483647", "0", "1", "1"}, true, false, 2147483647, 1},
    {{}, false, false, 0, 0},
    {{"1234"}, false, false, 0, 0},
    {{"1234", "0", "1"}, false, false, 0, 0},
    {{"1234", "0", "1", "1", "2"}, false, false, 0, 0},
    {{"0", "0", "1", "1"}, false, false, 0, 0},
    {{"-1", "0", "1", "1"}, false, false, 0, 0},
    {{"+12", "0", "1", "1"}, false, false, 0, 0},
    {{"012", "0", "1", "1"}, false, false, 0, 0},
    {{"self", "0", "1", "1"}, false, false, 0, 0},
    {{"/proc/1", "0", "1", "1"}, false, false, 0, 0},
    {{"2147483648", "0", "1", "1"}, false, false, 0, 0},
    {{"fd:2", "0", "1", "1"}, false, false, 0, 0},
    {{"fd:", "0", "1", "1"}, false, false, 0, 0},
    {{"fd:-3", "0", "1", "1"}, false, false, 0, 0},
    {{"fd:0x3", "0", "1", "1"}, false, false, 0, 0},
    {{"12", "0x0", "1", "1"}, false, false, 0, 0},
    {{"12", "0", "1", "4294967296"}, false, false, 0, 0},
    {{"12", "0", "1", " 1"}, false, false, 0, 0},
};

BOOST_DATA_TEST_CASE(shadow_command_table, boost::unit_test::data::make(kShadowCases), c) {
  ShadowCommand command;
  std::string err;
  BOOST_TEST(parse_shadow_command(c.args, &command, &err) == c.ok);
  if (c.ok) {
    BOOST_TEST(command.target_is_fd == c.is_fd);
    BOOST_TEST(command.target == c.target);
    BOOST_TEST(command.map.size() == c.extents);
  } else {
    BOOST_TEST(!err.empty());
  }
}

// The fd uxc-idmap's hygiene keeps for "fd:N": exactly the N that
// parse_shadow_command accepts, looking at the first argument alone (the
// rest is parsed after the hygiene step), else -1.
struct TargetFdCase {
  std::vector<std::string_view> args;
  int fd;
};
std::ostream& operator<<(std::ostream& os, const TargetFdCase& c) {
  for (std::string_view a : c.args) os << a << ' ';
  return os;
}

const TargetFdCase kTargetFdCases[] = {
    {{"fd:3", "0", "100000", "65536"}, 3},
    {{"fd:7"}, 7},                     // the rest is not looked at
    {{"fd:9", "not", "a", "map"}, 9},  // nor here
    {{"fd:2147483647"}, 2147483647},
    {{}, -1},
    {{"1234", "0", "1", "1"}, -1},  // a pid: no fd to keep
    {{"fd:2"}, -1},
    {{"fd:0"}, -1},
    {{"fd:"}, -1},
    {{"fd:-3"}, -1},
    {{"fd:+3"}, -1},
    {{"fd:03"}, -1},
    {{"fd:0x3"}, -1},
    {{"fd:3 "}, -1},
    {{"fd:2147483648"}, -1},
    {{"FD:3"}, -1},
    {{"fd3"}, -1},
};

BOOST_DATA_TEST_CASE(shadow_target_fd_table, boost::unit_test::data::make(kTargetFdCases), c) {
  BOOST_TEST(shadow_target_fd(c.args) == c.fd);
  ShadowCommand command;
  std::string err;
  if (c.args.size() == 4 && parse_shadow_command(c.args, &command, &err))
    BOOST_TEST((command.target_is_fd ? command.target : -1) == c.fd);
}

}  // namespace
}  // namespace uxc::policy
