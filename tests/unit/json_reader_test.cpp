#include "policy/json_reader.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

#include "policy/json.h"

namespace uxc::policy {
namespace {

// The value back as compact JSON (strings through json_quote), so a table
// row states the whole reading.
std::string dump(const JsonValue& v) {
  switch (v.type) {
    case JsonValue::Type::kNull: return "null";
    case JsonValue::Type::kBool: return v.boolean ? "true" : "false";
    case JsonValue::Type::kNumber: return v.text;
    case JsonValue::Type::kString: return json_quote(v.text);
    case JsonValue::Type::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < v.items.size(); ++i) out += (i ? "," : "") + dump(v.items[i]);
      return out + "]";
    }
    case JsonValue::Type::kObject: {
      std::string out = "{";
      for (size_t i = 0; i < v.members.size(); ++i)
        out += (i ? "," : "") + json_quote(v.members[i].name) + ":" + dump(v.members[i].value);
      return out + "}";
    }
  }
  return "?";
}

struct ReadCase {
  std::string text;
  bool ok;
  std::string result;  // dump() when ok, else a part of the error
};
std::ostream& operator<<(std::ostream& os, const ReadCase& c) { return os << c.text; }

const ReadCase kReadCases[] = {
    {"{}", true, "{}"},
    {" [ ] ", true, "[]"},
    {"null", true, "null"},
    {"true", true, "true"},
    {"0", true, "0"},
    {"-12.5e+3", true, "-12.5e+3"},
    {R"({"a": [1, "x", {"b": null}], "c": false})", true, R"({"a":[1,"x",{"b":null}],"c":false})"},
    {R"("\u00e9\n\/\\\"")", true, R"("\u00e9\n/\\\"")"},
    {R"("\ud83d\ude00")", true, R"("\ud83d\ude00")"},   // a surrogate pair
    {"\"\xc3\xa9\"", true, R"("\u00e9")"},               // raw UTF-8
    {"{\r\n\t\"a\" : 1\n}", true, R"({"a":1})"},
    // Malformed: every one refused.
    {"", false, "1:1: unexpected end"},
    {"{", false, "expected a member name"},
    {"[1,]", false, "1:4: unexpected character"},          // trailing comma
    {R"({"a":1,})", false, "expected a member name"},
    {"{'a':1}", false, "expected a member name"},          // single quotes
    {"// c\n{}", false, "unexpected character"},           // comments
    {"[NaN]", false, "unexpected character"},
    {"[+1]", false, "unexpected character"},
    {"[01]", false, "cannot start with 0"},
    {"[1.]", false, "expected a digit"},
    {"[1e]", false, "expected a digit"},
    {"[.5]", false, "unexpected character"},
    {"[-]", false, "unexpected character"},
    {"{} {}", false, "unexpected text after the document"},
    {"{}x", false, "unexpected text after the document"},
    {R"({"a":1,"a":2})", false, "\"a\" appears twice"},
    {"\"a\nb\"", false, "control character"},
    {std::string("\"a\0b\"", 5), false, "NUL"},
    {std::string("{}\0", 3), false, "unexpected text"},
    {R"("\u0000")", false, "NUL"},
    {R"("\ud83d")", false, "unpaired surrogate"},
    {R"("\ude00")", false, "unpaired surrogate"},
    {R"("\ud83d\u0041")", false, "unpaired surrogate"},
    {R"("\u12")", false, "four hex digits"},
    {R"("\x41")", false, "unknown escape"},
    {"\"\xc0\xaf\"", false, "not UTF-8"},                   // over-long
    {"\"\xed\xa0\x80\"", false, "not UTF-8"},               // an encoded surrogate
    {"\"\xff\"", false, "not UTF-8"},
    {"\"abc", false, "not closed"},
    {"tru", false, "unexpected character"},
    {"[1 2]", false, "expected ',' or ']'"},
    {R"({"a" 1})", false, "expected ':'"},
    {"{\n  \"a\": [1,\n  ]\n}", false, "3:3:"},             // line:column of the error
};

BOOST_DATA_TEST_CASE(json_reader_table, boost::unit_test::data::make(kReadCases), c) {
  JsonValue v;
  std::string err;
  const bool ok = parse_json(c.text, 1 << 20, &v, &err);
  BOOST_TEST(ok == c.ok);
  if (ok && c.ok) BOOST_TEST(dump(v) == c.result);
  if (!ok && !c.ok) BOOST_TEST(err.find(c.result) != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(json_reader_bounds) {
  JsonValue v;
  std::string err;
  BOOST_TEST(!parse_json(std::string(100, ' ') + "{}", 64, &v, &err));
  BOOST_TEST(err.find("larger than 64 bytes") != std::string::npos);
  const std::string deep_ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  BOOST_TEST(parse_json(deep_ok, 1 << 20, &v, &err));
  const std::string too_deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  BOOST_TEST(!parse_json(too_deep, 1 << 20, &v, &err));
  BOOST_TEST(err.find("nested more than") != std::string::npos);
  // Far deeper than the limit: refused, not a stack overflow.
  BOOST_TEST(!parse_json(std::string(100000, '['), 1 << 20, &v, &err));
}

struct U64Case {
  std::string text;
  bool ok;
  uint64_t value;
};
std::ostream& operator<<(std::ostream& os, const U64Case& c) { return os << c.text; }

const U64Case kU64Cases[] = {
    {"0", true, 0},
    {"737", true, 737},
    {"18446744073709551615", true, UINT64_MAX},
    {"18446744073709551616", false, 0},  // one past
    {"-1", false, 0},
    {"1.0", false, 0},
    {"1e3", false, 0},
    {"\"5\"", false, 0},  // a string is no size
};

BOOST_DATA_TEST_CASE(json_to_u64_table, boost::unit_test::data::make(kU64Cases), c) {
  JsonValue v;
  std::string err;
  BOOST_REQUIRE(parse_json(c.text, 64, &v, &err));
  uint64_t n = 99;
  BOOST_TEST(json_to_u64(v, &n) == c.ok);
  if (c.ok) BOOST_TEST(n == c.value);
}

BOOST_AUTO_TEST_CASE(json_reader_get) {
  JsonValue v;
  std::string err;
  BOOST_REQUIRE(parse_json(R"({"a": 1, "b": {"c": "d"}})", 1024, &v, &err));
  BOOST_TEST(v.get("a") != nullptr);
  BOOST_TEST(v.get("z") == nullptr);
  BOOST_TEST(v.get("b")->get("c")->text == "d");
  BOOST_TEST(v.get("a")->get("x") == nullptr);  // not an object
}

}  // namespace
}  // namespace uxc::policy
