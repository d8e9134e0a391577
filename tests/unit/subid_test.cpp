#include "policy/subid.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

namespace uxc::policy {
namespace {

struct FileCase {
  std::string name;
  std::string text;
  size_t entries;           // valid entries kept
  size_t errors;            // malformed lines reported (0: the file is usable)
  std::string first_error;  // prefix of errors[0]
};
std::ostream& operator<<(std::ostream& os, const FileCase& c) { return os << c.name; }

std::string many_bad_lines(size_t n) {
  std::string text;
  for (size_t i = 0; i < n; ++i) text += "bad line\n";
  return text;
}

const FileCase kFileCases[] = {
    {"one entry", "uxtest1:100000:65536\n", 1, 0, ""},
    {"empty file", "", 0, 0, ""},
    {"no final newline", "uxtest1:100000:65536", 1, 0, ""},
    {"comments and blanks", "# subordinate ids\n\n   \n\t# indented\nuxtest1:1:2\n\n", 1, 0, ""},
    {"numeric owner", "61001:100000:65536\n", 1, 0, ""},
    {"two users", "uxtest1:100000:65536\nuxtest2:200000:65536\n", 2, 0, ""},
    {"name with dollar", "host$:1:2\n", 1, 0, ""},
    {"count 0 is well-formed", "uxtest1:100000:0\n", 1, 0, ""},
    {"largest count from 0", "uxtest1:0:4294967295\n", 1, 0, ""},
    {"start + count == 2^32", "uxtest1:1:4294967295\n", 1, 0, ""},
    {"last id alone", "uxtest1:4294967295:1\n", 1, 0, ""},
    // Malformed and hostile: each makes the whole file unusable.
    {"start + count wraps", "uxtest1:2:4294967295\n", 0, 1, "line 1: start + count"},
    {"last id plus one", "uxtest1:4294967295:2\n", 0, 1, "line 1: start + count"},
    {"count above 32 bits", "uxtest1:0:4294967296\n", 0, 1, "line 1: malformed count"},
    {"huge start", "uxtest1:99999999999999999999:1\n", 0, 1, "line 1: malformed start"},
    {"CRLF", "uxtest1:100000:65536\r\n", 0, 1, "line 1: malformed count"},
    {"NUL byte", std::string("uxtest1:1\0:2\n", 13), 0, 1, "line 1: NUL"},
    {"NUL in owner", std::string("uxtest1\0:1:2\n", 13), 0, 1, "line 1: NUL"},
    {"10000-char line", "uxtest1:1:2\n" + std::string(10000, 'a') + ":1:2\n", 0, 1, "line 2: longer"},
    {"negative start", "uxtest1:-1:65536\n", 0, 1, "line 1: malformed start"},
    {"negative count", "uxtest1:100000:-65536\n", 0, 1, "line 1: malformed count"},
    {"plus sign", "uxtest1:+1:65536\n", 0, 1, "line 1: malformed start"},
    {"hex start", "uxtest1:0x10:65536\n", 0, 1, "line 1: malformed start"},
    {"octal-looking start", "uxtest1:010:65536\n", 0, 1, "line 1: malformed start"},
    {"exponent", "uxtest1:1e5:1\n", 0, 1, "line 1: malformed start"},
    {"full-width digit", "uxtest1:\xef\xbc\x91:1\n", 0, 1, "line 1: malformed start"},
    {"missing count", "uxtest1:100000\n", 0, 1, "line 1: expected"},
    {"owner only", "uxtest1\n", 0, 1, "line 1: expected"},
    {"extra field", "uxtest1:100000:65536:1\n", 0, 1, "line 1: expected"},
    {"trailing colon", "uxtest1:1:2:\n", 0, 1, "line 1: expected"},
    {"empty owner", ":100000:65536\n", 0, 1, "line 1: malformed owner"},
    {"empty start", "uxtest1::65536\n", 0, 1, "line 1: malformed start"},
    {"empty count", "uxtest1:100000:\n", 0, 1, "line 1: malformed count"},
    {"leading blank", " uxtest1:100000:65536\n", 0, 1, "line 1: malformed owner"},
    {"blank before colon", "uxtest1 :100000:65536\n", 0, 1, "line 1: malformed owner"},
    {"tab in start", "uxtest1:\t1:2\n", 0, 1, "line 1: malformed start"},
    {"trailing comment", "uxtest1:1:2 # mine\n", 0, 1, "line 1: malformed count"},
    {"numeric owner with leading zero", "0100:1:2\n", 0, 1, "line 1: malformed owner"},
    {"numeric owner above 32 bits", "99999999999:1:2\n", 0, 1, "line 1: malformed owner"},
    {"owner starting with dash", "-uxtest1:1:2\n", 0, 1, "line 1: malformed owner"},
    {"owner with space", "ux test:1:2\n", 0, 1, "line 1: malformed owner"},
    {"owner too long", std::string(33, 'a') + ":1:2\n", 0, 1, "line 1: malformed owner"},
    {"bad line between good ones", "uxtest1:1:2\nuxtest1:1\nuxtest2:5:6\n", 2, 1, "line 2: expected"},
    {"every bad line reported", "# x\nuxtest1:-1:2\nuxtest1:1:2\nuxtest2:1\n", 1, 2, "line 2:"},
    {"reporting stops", many_bad_lines(100), 0, kMaxSubidErrors + 1, "line 1:"},
    {"file over the size cap", std::string(kMaxSubidFileBytes + 1, '#'), 0, 1, "file larger"},
};

BOOST_DATA_TEST_CASE(subid_file_table, boost::unit_test::data::make(kFileCases), c) {
  const SubidFile file = parse_subid_file(c.text);
  BOOST_TEST(file.entries.size() == c.entries);
  BOOST_TEST(file.errors.size() == c.errors);
  BOOST_TEST(file.ok() == (c.errors == 0));
  if (!file.errors.empty()) BOOST_TEST(file.errors[0].rfind(c.first_error, 0) == 0);
}

BOOST_AUTO_TEST_CASE(subid_entry_fields) {
  const SubidFile file = parse_subid_file("# x\n\nuxtest2:200000:65536\n");
  BOOST_TEST_REQUIRE(file.entries.size() == 1u);
  BOOST_TEST(file.entries[0].owner == "uxtest2");
  BOOST_TEST(file.entries[0].start == 200000u);
  BOOST_TEST(file.entries[0].count == 65536u);
  BOOST_TEST(file.entries[0].line == 3u);
}

struct RangeCase {
  std::string name;
  std::string text;
  std::string user;
  uint32_t uid;
  std::vector<IdRange> expected;
};
std::ostream& operator<<(std::ostream& os, const RangeCase& c) { return os << c.name; }

constexpr uint64_t k2to32 = uint64_t{1} << 32;

const RangeCase kRangeCases[] = {
    {"by name", "uxtest1:100000:65536\n", "uxtest1", 61001, {{100000, 165536}}},
    {"by uid", "61001:100000:65536\n", "uxtest1", 61001, {{100000, 165536}}},
    {"no entry", "uxtest2:200000:65536\n", "uxtest1", 61001, {}},
    {"another uid", "61002:200000:65536\n", "uxtest1", 61001, {}},
    {"name with two lines", "uxtest1:300000:10\nuxtest2:1:1\nuxtest1:100000:10\n", "uxtest1",
     61001, {{100000, 100010}, {300000, 300010}}},
    {"adjacent lines merge", "uxtest1:100000:10\nuxtest1:100010:10\n", "uxtest1", 61001,
     {{100000, 100020}}},
    {"overlapping lines merge", "uxtest1:100000:10\nuxtest1:100005:10\n", "uxtest1", 61001,
     {{100000, 100015}}},
    {"name and uid lines merge", "uxtest1:100000:10\n61001:100010:10\n", "uxtest1", 61001,
     {{100000, 100020}}},
    {"gap is kept", "uxtest1:100:10\nuxtest1:111:10\n", "uxtest1", 61001, {{100, 110}, {111, 121}}},
    {"count 0 grants nothing", "uxtest1:100000:0\n", "uxtest1", 61001, {}},
    {"count 0 beside a grant", "uxtest1:0:0\nuxtest1:5:1\n", "uxtest1", 61001, {{5, 6}}},
    {"top of the id space", "uxtest1:0:4294967295\nuxtest1:4294967295:1\n", "uxtest1", 61001,
     {{0, k2to32}}},
    // hostile look-alikes must not match
    {"name prefix", "uxtest10:100000:65536\n", "uxtest1", 61001, {}},
    {"name is a prefix of the owner", "uxtest1:100000:65536\n", "uxtest", 61001, {}},
    {"case differs", "UXTEST1:100000:65536\n", "uxtest1", 61001, {}},
    {"uid prefix", "610011:100000:65536\n", "uxtest1", 61001, {}},
    {"digit name is not a uid", "61001:100000:65536\n", "61001", 5, {}},
    {"empty user name", "uxtest1:100000:65536\n", "", 61001, {}},
};

BOOST_DATA_TEST_CASE(subordinate_ranges_table, boost::unit_test::data::make(kRangeCases), c) {
  const SubidFile file = parse_subid_file(c.text);
  BOOST_TEST_REQUIRE(file.ok());
  const std::vector<IdRange> got = subordinate_ranges(file.entries, c.user, c.uid);
  BOOST_TEST_REQUIRE(got.size() == c.expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST(got[i].first == c.expected[i].first);
    BOOST_TEST(got[i].end == c.expected[i].end);
  }
}

}  // namespace
}  // namespace uxc::policy
