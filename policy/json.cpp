#include "policy/json.h"

#include <cstdint>

namespace uxc::policy {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_u16(std::string* out, uint32_t unit) {
  *out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) *out += kHex[(unit >> shift) & 0xf];
}

// The code point of the UTF-8 sequence at text[i], and its length; 0 if
// no valid sequence starts there.
size_t decode_utf8(std::string_view text, size_t i, uint32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(i);
  size_t len = 0;
  uint32_t min = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) len = 2, min = 0x80, *cp = b0 & 0x1f;
  else if (b0 >= 0xe0 && b0 <= 0xef) len = 3, min = 0x800, *cp = b0 & 0x0f;
  else if (b0 >= 0xf0 && b0 <= 0xf4) len = 4, min = 0x10000, *cp = b0 & 0x07;
  else return 0;
  if (text.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    const uint8_t b = byte(i + k);
    if ((b & 0xc0) != 0x80) return 0;
    *cp = (*cp << 6) | (b & 0x3f);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) return 0;
  return len;
}

}  // namespace

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  out.reserve(text.size() + 2);
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || c == 0x7f) append_u16(&out, c);
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t len = decode_utf8(text, i, &cp);
    if (len == 0) {
      append_u16(&out, 0xfffd);
      ++i;
      continue;
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      append_u16(&out, 0xd800 + (cp >> 10));
      append_u16(&out, 0xdc00 + (cp & 0x3ff));
    } else {
      append_u16(&out, cp);
    }
    i += len;
  }
  out += '"';
  return out;
}

std::string json_string_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += json_quote(items[i]);
  }
  return out + "]";
}

}  // namespace uxc::policy
