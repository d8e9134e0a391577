// A strict JSON reader (RFC 8259) for the documents of container images:
// OCI image layouts and `docker save` archives (policy/oci.h). Every file
// it reads comes from somewhere else, so it accepts nothing more than the
// RFC's grammar and refuses what a permissive parser would guess at:
//   - a trailing comma, a comment, single quotes, NaN/Infinity, a leading
//     '+' or a leading zero ("01"), a bare value after the document;
//   - a control character (below 0x20) inside a string, any NUL byte
//     (raw, or as \u0000: names become paths), bytes that are not valid
//     UTF-8, an unpaired surrogate escape;
//   - an object naming one member twice (two readers could each take a
//     different one);
//   - more than `max_bytes` of text or more than kMaxJsonDepth nested
//     arrays and objects (no recursion without bound).
// Errors say what was wrong and where (line:column).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

inline constexpr size_t kMaxJsonDepth = 32;

struct JsonMember;

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;  // a string's value (UTF-8), or a number as written
  std::vector<JsonValue> items;                            // an array's
  std::vector<JsonMember> members;  // an object's, in order

  bool is_string() const { return type == Type::kString; }
  bool is_object() const { return type == Type::kObject; }
  bool is_array() const { return type == Type::kArray; }
  // An object's member, or nullptr (also when this is no object).
  const JsonValue* get(std::string_view name) const;
};

struct JsonMember {
  std::string name;
  JsonValue value;
};

[[nodiscard]] bool parse_json(std::string_view text, size_t max_bytes, JsonValue* out, std::string* err);

// A number that is a whole, non-negative integer without exponent or
// fraction, in range.
[[nodiscard]] bool json_to_u64(const JsonValue& value, uint64_t* out);

}  // namespace uxc::policy
