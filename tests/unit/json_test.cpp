#include "policy/json.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

namespace uxc::policy {
namespace {

struct QuoteCase {
  std::string text;
  std::string json;
};
std::ostream& operator<<(std::ostream& os, const QuoteCase& c) { return os << c.json; }

const QuoteCase kQuoteCases[] = {
    {"", R"("")"},
    {"web-1", R"("web-1")"},
    {"a\"b", R"("a\"b")"},                              // a quote cannot end the string
    {"a\\b", R"("a\\b")"},
    {"\",\"state\":\"RUNNING", R"("\",\"state\":\"RUNNING")"},  // no field injection
    {"\b\f\n\r\t", R"("\b\f\n\r\t")"},
    {std::string("\0", 1), R"("\u0000")"},             // NUL kept, not a terminator
    {"\x01\x1f", R"("\u0001\u001f")"},
    {"\x1b[2J", R"("\u001b[2J")"},                      // a terminal escape stays inert
    {"\x7f", R"("\u007f")"},                            // DEL
    {"/", R"("/")"},                                    // needs no escape
    {"é", R"("\u00e9")"},                               // 2-byte UTF-8
    {"€", R"("\u20ac")"},                               // 3-byte
    {"\xef\xbb\xbf", R"("\ufeff")"},                    // a BOM is a character like any other
    {"😀", R"("\ud83d\ude00")"},                        // 4-byte: a surrogate pair
    {"\xf4\x8f\xbf\xbf", R"("\udbff\udfff")"},          // U+10FFFF, the last code point
    {"\xe2\x80\xa8", R"("\u2028")"},                    // LINE SEPARATOR (breaks JavaScript)
    // Invalid UTF-8: one U+FFFD per byte that starts no valid sequence.
    {"\x80", R"("\ufffd")"},                            // a stray continuation byte
    {"a\xc3", R"("a\ufffd")"},                          // cut short at the end
    {"\xc3(", R"("\ufffd(")"},                          // cut short by ASCII
    {"\xe2\x82", R"("\ufffd\ufffd")"},                  // a 3-byte sequence cut short
    {"\xc0\xaf", R"("\ufffd\ufffd")"},                  // over-long '/'
    {"\xe0\x80\xaf", R"("\ufffd\ufffd\ufffd")"},        // over-long, 3 bytes
    {"\xf0\x80\x80\xaf", R"("\ufffd\ufffd\ufffd\ufffd")"},  // over-long, 4 bytes
    {"\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},        // an encoded surrogate (CESU-8)
    {"\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},  // above U+10FFFF
    {"\xf5\xff\xfe", R"("\ufffd\ufffd\ufffd")"},        // bytes UTF-8 never uses
    {"\xe9t\xc3\xa9", R"("\ufffdt\u00e9")"},            // Latin-1 then UTF-8: decoding resumes
};

BOOST_DATA_TEST_CASE(json_quote_table, boost::unit_test::data::make(kQuoteCases), c) {
  BOOST_TEST(json_quote(c.text) == c.json);
}

BOOST_AUTO_TEST_CASE(json_quote_output_is_printable_ascii) {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte += static_cast<char>(b);
  for (char c : json_quote(every_byte)) {
    BOOST_TEST(static_cast<unsigned char>(c) >= 0x20);
    BOOST_TEST(static_cast<unsigned char>(c) < 0x7f);
  }
}

BOOST_AUTO_TEST_CASE(json_string_array_quotes_each) {
  BOOST_TEST(json_string_array({}) == "[]");
  BOOST_TEST(json_string_array({"10.0.3.2", "a\"b"}) == R"(["10.0.3.2","a\"b"])");
}

}  // namespace
}  // namespace uxc::policy
