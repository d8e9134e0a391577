#include "policy/protocol.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <ostream>

namespace uxc::protocol {
namespace {

// A schema in the shape the helpers use: one key once, one repeatable.
constexpr std::array<KeySpec, 3> kSchema = {{
    {"op", 1, 1, 1},
    {"map", 3, 3, 4},
    {"flag", 0, 1, 1},
}};

struct DecodeCase {
  std::string name;
  std::string text;
  bool ok;
  size_t fields;
  std::string error_part;  // substring of the error when !ok
};
std::ostream& operator<<(std::ostream& os, const DecodeCase& c) { return os << c.name; }

const DecodeCase kDecodeCases[] = {
    {"minimal", "uxc-test 1\nend\n", true, 0, ""},
    {"fields", "uxc-test 1\nop create\nmap 0 1 2\nmap 3 4 5\nend\n", true, 3, ""},
    {"optional zero args", "uxc-test 1\nflag\nend\n", true, 1, ""},
    {"max repeats", "uxc-test 1\nmap 1 1 1\nmap 1 1 1\nmap 1 1 1\nmap 1 1 1\nend\n", true, 4, ""},
    // malformed and hostile
    {"empty", "", false, 0, "empty"},
    {"only newline", "\n", false, 0, "line 1"},
    {"no final newline", "uxc-test 1\nend", false, 0, "truncated"},
    {"no end", "uxc-test 1\nop create\n", false, 0, "no \"end\""},
    {"data after end", "uxc-test 1\nend\nop create\n", false, 0, "after \"end\""},
    {"two ends", "uxc-test 1\nend\nend\n", false, 0, "after \"end\""},
    {"wrong helper", "uxc-other 1\nend\n", false, 0, "header"},
    {"wrong version", "uxc-test 2\nend\n", false, 0, "version"},
    {"version leading zero", "uxc-test 01\nend\n", false, 0, "version"},
    {"header extra word", "uxc-test 1 x\nend\n", false, 0, "header"},
    {"unknown key", "uxc-test 1\nsecret yes\nend\n", false, 0, "unknown key"},
    {"repeated key", "uxc-test 1\nop a\nop b\nend\n", false, 0, "too many"},
    {"too many repeats", "uxc-test 1\nmap 1 1 1\nmap 1 1 1\nmap 1 1 1\nmap 1 1 1\nmap 1 1 1\nend\n", false, 0, "too many"},
    {"too few args", "uxc-test 1\nmap 1 2\nend\n", false, 0, "arguments"},
    {"too many args", "uxc-test 1\nop a b\nend\n", false, 0, "arguments"},
    {"blank line", "uxc-test 1\n\nend\n", false, 0, "line 2"},
    {"double space", "uxc-test 1\nop  a\nend\n", false, 0, "line 2"},
    {"leading space", "uxc-test 1\n op a\nend\n", false, 0, "line 2"},
    {"trailing space", "uxc-test 1\nop a \nend\n", false, 0, "line 2"},
    {"tab", "uxc-test 1\nop\ta\nend\n", false, 0, "printable"},
    {"CRLF", "uxc-test 1\r\nend\r\n", false, 0, "printable"},
    {"NUL in arg", std::string("uxc-test 1\nop a\0b\nend\n", 22), false, 0, "printable"},
    {"high bytes", "uxc-test 1\nop \xc3\xa9\nend\n", false, 0, "printable"},
    {"upper-case key", "uxc-test 1\nOP a\nend\n", false, 0, "malformed key"},
    {"key with digit", "uxc-test 1\nop1 a\nend\n", false, 0, "malformed key"},
    {"over the cap", "uxc-test 1\nop " + std::string(kMaxRequestBytes, 'a') + "\nend\n", false, 0, "larger"},
    {"10000-char line", "uxc-test 1\nop " + std::string(10000, 'a') + "\nend\n", true, 1, ""},
    {"garbage", "\x7f\x45\x4c\x46\x02\x01\x01\n", false, 0, "line 1"},
};

BOOST_DATA_TEST_CASE(decode_request_table, boost::unit_test::data::make(kDecodeCases), c) {
  Request request;
  std::string err;
  const bool ok = decode_request(c.text, "uxc-test", kSchema, &request, &err);
  BOOST_TEST(ok == c.ok);
  if (ok) {
    BOOST_TEST(request.fields.size() == c.fields);
  } else {
    BOOST_TEST(request.fields.empty());
    BOOST_TEST(err.find(c.error_part) != std::string::npos, "error was: " << err);
  }
}

BOOST_AUTO_TEST_CASE(encode_then_decode_round_trips) {
  const OutField fields[] = {{"op", {"create"}}, {"map", {"0", "100000", "65536"}}, {"flag", {}}};
  std::string text;
  BOOST_TEST(encode_request("uxc-test", fields, &text));
  BOOST_TEST(text == "uxc-test 1\nop create\nmap 0 100000 65536\nflag\nend\n");
  Request request;
  std::string err;
  BOOST_TEST(decode_request(text, "uxc-test", kSchema, &request, &err));
  BOOST_TEST(request.fields.size() == 3u);
  BOOST_TEST(request.fields[1].args[2] == "65536");
}

struct EncodeCase {
  std::string name;
  OutField field;
};
std::ostream& operator<<(std::ostream& os, const EncodeCase& c) { return os << c.name; }

const EncodeCase kBadEncode[] = {
    {"space in arg", {"op", {"a b"}}},
    {"newline in arg", {"op", {"a\nend"}}},
    {"empty arg", {"op", {""}}},
    {"key end", {"end", {}}},
    {"bad key", {"Op", {"a"}}},
    {"empty key", {"", {"a"}}},
};

BOOST_DATA_TEST_CASE(encode_refuses_injection, boost::unit_test::data::make(kBadEncode), c) {
  std::string text = "unchanged";
  BOOST_TEST(!encode_request("uxc-test", std::span<const OutField>(&c.field, 1), &text));
  BOOST_TEST(text.empty());
}

struct ResponseCase {
  std::string text;
  bool decodes;
  bool ok;
  size_t words;
};
std::ostream& operator<<(std::ostream& os, const ResponseCase& c) { return os << c.text; }

const ResponseCase kResponses[] = {
    {"ok\n", true, true, 0},
    {"ok host=uxc1 host_ifindex=7\n", true, true, 2},
    {"error denied range 0 0 1 is not yours\n", true, false, 0},
    {"error quota no nics left for uxtest1 on lxcbr0\n", true, false, 0},
    {"", false, false, 0},
    {"ok", false, false, 0},
    {"ok \n", false, false, 0},
    {"okay\n", false, false, 0},
    {"ok\nok\n", false, false, 0},
    {"error nosuchcode message\n", false, false, 0},
    {"error denied\n", false, false, 0},
    {std::string("ok\0\n", 4), false, false, 0},
    {"error denied " + std::string(2000, 'x') + "\n", false, false, 0},
};

BOOST_DATA_TEST_CASE(decode_response_table, boost::unit_test::data::make(kResponses), c) {
  Response r;
  std::string err;
  BOOST_TEST(decode_response(c.text, &r, &err) == c.decodes);
  if (c.decodes) {
    BOOST_TEST(r.ok == c.ok);
    BOOST_TEST(r.words.size() == c.words);
  }
}

BOOST_AUTO_TEST_CASE(error_responses_are_one_clean_line) {
  const std::string text = encode_error(ErrorCode::kDenied, "bad\nerror ok\x01");
  BOOST_TEST(text == "error denied bad?error ok?\n");
  Response r;
  std::string err;
  BOOST_TEST(decode_response(text, &r, &err));
  BOOST_TEST(!r.ok);
  BOOST_TEST(error_code_name(r.code) == "denied");
  BOOST_TEST(encode_error(ErrorCode::kSystem, std::string(5000, 'x')).size() <= kMaxResponseBytes);
}

}  // namespace
}  // namespace uxc::protocol
