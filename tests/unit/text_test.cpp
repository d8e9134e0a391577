#include "policy/text.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <limits>
#include <ostream>

namespace uxc::policy {
namespace {

struct NumberCase {
  std::string text;
  bool ok;
  uint64_t value;
};
std::ostream& operator<<(std::ostream& os, const NumberCase& c) {
  return os << '"' << c.text << '"';
}

const NumberCase kU32Cases[] = {
    {"0", true, 0},
    {"1", true, 1},
    {"65536", true, 65536},
    {"4294967295", true, 4294967295u},
    {"4294967296", false, 0},           // one past the top: no wrap to 0
    {"99999999999999999999999", false, 0},
    {"", false, 0},
    {"-1", false, 0},                   // sign tricks
    {"+1", false, 0},
    {"0x10", false, 0},                 // hex
    {"010", false, 0},                  // octal-looking
    {"00", false, 0},
    {" 1", false, 0},
    {"1 ", false, 0},
    {"1\r", false, 0},                  // CRLF files
    {std::string("1\0", 2), false, 0},  // NUL
    {"1e3", false, 0},
    {"１", false, 0},                   // full-width digit
};

BOOST_DATA_TEST_CASE(parse_u32_table, boost::unit_test::data::make(kU32Cases), c) {
  uint32_t value = 12345;
  BOOST_TEST(parse_u32(c.text, &value) == c.ok);
  if (c.ok) BOOST_TEST(value == c.value);
  else BOOST_TEST(value == 12345u);  // untouched on failure
}

BOOST_AUTO_TEST_CASE(parse_u64_limits) {
  uint64_t v = 0;
  BOOST_TEST(parse_u64("18446744073709551615", &v));
  BOOST_TEST(v == std::numeric_limits<uint64_t>::max());
  BOOST_TEST(!parse_u64("18446744073709551616", &v));
}

struct SplitCase {
  std::string text;
  bool ok;
  size_t lines;
};
std::ostream& operator<<(std::ostream& os, const SplitCase& c) {
  return os << c.text.size() << " bytes";
}

const SplitCase kSplitCases[] = {
    {"", true, 0},
    {"a", true, 1},
    {"a\n", true, 1},
    {"a\nb", true, 2},
    {"\n\n", true, 2},
    {"a\r\nb\r\n", true, 2},
    {std::string("a\nb\0c\n", 6), false, 0},
    {std::string(100, 'x'), true, 1},
    {std::string(101, 'x'), false, 0},
    {std::string(10000, 'x'), false, 0},
};

BOOST_DATA_TEST_CASE(split_lines_table, boost::unit_test::data::make(kSplitCases), c) {
  std::vector<Line> lines;
  std::string err;
  BOOST_TEST(split_lines(c.text, 100, &lines, &err) == c.ok);
  if (c.ok) BOOST_TEST(lines.size() == c.lines);
  else BOOST_TEST(err.rfind("line ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(split_lines_reports_line_number) {
  std::vector<Line> lines;
  std::string err;
  BOOST_TEST(!split_lines(std::string("ok\nok\nb\0d\n", 10), 100, &lines, &err));
  BOOST_TEST(err == "line 3: NUL byte");
}

BOOST_AUTO_TEST_CASE(fields_and_comments) {
  const auto f = split_fields("  user\tveth  br0 2 ");
  BOOST_TEST(f.size() == 4u);
  BOOST_TEST(f[0] == "user");
  BOOST_TEST(f[3] == "2");
  BOOST_TEST(is_blank_or_comment("   # x"));
  BOOST_TEST(is_blank_or_comment("\t"));
  BOOST_TEST(!is_blank_or_comment(" a # x"));
}

struct NameCase {
  std::string name;
  bool ok;
};
std::ostream& operator<<(std::ostream& os, const NameCase& c) { return os << c.name; }

const NameCase kNameCases[] = {
    {"alice", true},   {"a-b", true},       {"a.b_c", true},
    {"1000", true},    {"machine$", true},  {"", false},
    {"-alice", false}, {"a b", false},      {"a:b", false},
    {"a/b", false},    {"$", false},        {std::string(33, 'a'), false},
    {"al\nice", false}, {"é", false},
};

BOOST_DATA_TEST_CASE(account_names, boost::unit_test::data::make(kNameCases), c) {
  BOOST_TEST(is_valid_account_name(c.name) == c.ok);
}

struct QuoteCase {
  std::string arg;
  size_t max_bytes;
  std::string quoted;
};
std::ostream& operator<<(std::ostream& os, const QuoteCase& c) { return os << c.quoted; }

const QuoteCase kQuoteCases[] = {
    {"", 64, "\"\""},
    {"--mtu=9000", 64, "\"--mtu=9000\""},
    {"a b", 64, "\"a b\""},
    {"say \"hi\"", 64, "\"say \\\"hi\\\"\""},
    {"back\\slash", 64, "\"back\\\\slash\""},
    {"line\nbreak", 64, "\"line\\x0abreak\""},
    {"\x1b[2J", 64, "\"\\x1b[2J\""},
    {std::string("nul\0byte", 8), 64, "\"nul\\x00byte\""},
    {"\xc3\xa9", 64, "\"\\xc3\\xa9\""},
    {"\x7f", 64, "\"\\x7f\""},
    {"abcdef", 6, "\"abcdef\""},
    {"abcdefg", 6, "\"abcdef...\""},
    {std::string(5000, 'x'), 64, "\"" + std::string(64, 'x') + "...\""},
};

BOOST_DATA_TEST_CASE(quoted_arguments, boost::unit_test::data::make(kQuoteCases), c) {
  BOOST_TEST(quote_arg(c.arg, c.max_bytes) == c.quoted);
}

}  // namespace
}  // namespace uxc::policy

struct SizeCase {
  uint64_t n;
  int decimals;
  const char* bytes_word;
  const char* want;
};
std::ostream& operator<<(std::ostream& os, const SizeCase& c) { return os << c.n << "/" << c.decimals; }
const SizeCase kSizeCases[] = {
    {0, 1, "B", "0 B"},
    {1023, 1, "B", "1023 B"},
    {1023, 2, "bytes", "1023 bytes"},
    {1024, 1, "B", "1.0 KiB"},
    {1536, 2, "bytes", "1.50 KiB"},
    {1048575, 1, "B", "1024.0 KiB"},  // rounds up but stays in KiB
    {1048576, 1, "B", "1.0 MiB"},
    {5ull << 30, 2, "B", "5.00 GiB"},
    {3ull << 40, 0, "B", "3 TiB"},
    {5000ull << 40, 1, "B", "5000.0 TiB"},  // no unit above TiB
    {2048, 9, "B", "2.0 KiB"},              // decimals out of range: 1
    {2048, -1, "B", "2.0 KiB"},
    {UINT64_MAX, 1, "B", "16777216.0 TiB"},
};
BOOST_DATA_TEST_CASE(format_size_table, boost::unit_test::data::make(kSizeCases), c) {
  BOOST_TEST(uxc::policy::format_size(c.n, c.decimals, c.bytes_word) == c.want);
}
