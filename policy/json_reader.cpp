#include "policy/json_reader.h"

namespace uxc::policy {

namespace {

class Parser {
 public:
  Parser(std::string_view text, std::string* err) : text_(text), err_(err) {}

  bool document(JsonValue* out) {
    skip_blanks();
    if (!value(out, 0)) return false;
    skip_blanks();
    if (pos_ != text_.size()) return fail("unexpected text after the document");
    return true;
  }

 private:
  std::string_view text_;
  std::string* err_;
  size_t pos_ = 0;

  bool fail(const std::string& what) {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') ++line, column = 1;
      else ++column;
    }
    *err_ = std::to_string(line) + ":" + std::to_string(column) + ": " + what;
    return false;
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  void skip_blanks() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("unexpected character");
    pos_ += word.size();
    return true;
  }

  bool value(JsonValue* out, size_t depth) {
    if (at_end()) return fail("unexpected end of the document");
    switch (peek()) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': out->type = JsonValue::Type::kString; return string(&out->text);
      case 't': out->type = JsonValue::Type::kBool; out->boolean = true; return literal("true");
      case 'f': out->type = JsonValue::Type::kBool; out->boolean = false; return literal("false");
      case 'n': out->type = JsonValue::Type::kNull; return literal("null");
      default: return number(out);
    }
  }

  bool object(JsonValue* out, size_t depth) {
    if (depth > kMaxJsonDepth) return fail("nested more than " + std::to_string(kMaxJsonDepth) + " deep");
    out->type = JsonValue::Type::kObject;
    ++pos_;
    skip_blanks();
    if (!at_end() && peek() == '}') return ++pos_, true;
    for (;;) {
      skip_blanks();
      if (at_end() || peek() != '"') return fail("expected a member name in double quotes");
      std::string name;
      const size_t name_at = pos_;
      if (!string(&name)) return false;
      if (out->get(name) != nullptr) {
        pos_ = name_at;
        return fail("the member \"" + name + "\" appears twice");
      }
      skip_blanks();
      if (at_end() || peek() != ':') return fail("expected ':'");
      ++pos_;
      skip_blanks();
      JsonValue member;
      if (!value(&member, depth)) return false;
      out->members.push_back(JsonMember{std::move(name), std::move(member)});
      skip_blanks();
      if (at_end()) return fail("unexpected end of the document");
      if (peek() == '}') return ++pos_, true;
      if (peek() != ',') return fail("expected ',' or '}'");
      ++pos_;
    }
  }

  bool array(JsonValue* out, size_t depth) {
    if (depth > kMaxJsonDepth) return fail("nested more than " + std::to_string(kMaxJsonDepth) + " deep");
    out->type = JsonValue::Type::kArray;
    ++pos_;
    skip_blanks();
    if (!at_end() && peek() == ']') return ++pos_, true;
    for (;;) {
      skip_blanks();
      JsonValue item;
      if (!value(&item, depth)) return false;
      out->items.push_back(std::move(item));
      skip_blanks();
      if (at_end()) return fail("unexpected end of the document");
      if (peek() == ']') return ++pos_, true;
      if (peek() != ',') return fail("expected ',' or ']'");
      ++pos_;
    }
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  bool digits() {
    if (at_end() || !is_digit(peek())) return fail("expected a digit");
    while (!at_end() && is_digit(peek())) ++pos_;
    return true;
  }

  bool number(JsonValue* out) {
    const size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (at_end() || !is_digit(peek())) return fail("unexpected character");
    if (peek() == '0') {
      ++pos_;
      if (!at_end() && is_digit(peek())) return fail("a number cannot start with 0");
    } else if (!digits()) {
      return false;
    }
    if (!at_end() && peek() == '.') {
      ++pos_;
      if (!digits()) return false;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (!digits()) return false;
    }
    out->type = JsonValue::Type::kNumber;
    out->text = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  bool hex4(uint32_t* unit) {
    if (text_.size() - pos_ < 4) return fail("a \\u escape needs four hex digits");
    *unit = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      uint32_t d = 0;
      if (c >= '0' && c <= '9') d = static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') d = static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = static_cast<uint32_t>(c - 'A' + 10);
      else return fail("a \\u escape needs four hex digits");
      *unit = *unit << 4 | d;
    }
    return true;
  }

  static void append_utf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xc0 | cp >> 6);
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xe0 | cp >> 12);
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      *out += static_cast<char>(0xf0 | cp >> 18);
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  // The length of the valid UTF-8 sequence at pos_ (a byte >= 0x80), or 0.
  size_t utf8_length() const {
    const auto b = [&](size_t k) { return static_cast<uint8_t>(text_[pos_ + k]); };
    const uint8_t b0 = b(0);
    size_t len = 0;
    uint32_t cp = 0, min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) len = 2, min = 0x80, cp = b0 & 0x1f;
    else if (b0 >= 0xe0 && b0 <= 0xef) len = 3, min = 0x800, cp = b0 & 0x0f;
    else if (b0 >= 0xf0 && b0 <= 0xf4) len = 4, min = 0x10000, cp = b0 & 0x07;
    else return 0;
    if (text_.size() - pos_ < len) return 0;
    for (size_t k = 1; k < len; ++k) {
      if ((b(k) & 0xc0) != 0x80) return 0;
      cp = cp << 6 | (b(k) & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
  }

  bool string(std::string* out) {
    ++pos_;  // the opening quote
    out->clear();
    for (;;) {
      if (at_end()) return fail("a string is not closed");
      const auto c = static_cast<unsigned char>(peek());
      if (c == '"') return ++pos_, true;
      if (c < 0x20) return fail(c == 0 ? "a NUL byte" : "a control character inside a string");
      if (c >= 0x80) {
        const size_t len = utf8_length();
        if (len == 0) return fail("bytes that are not UTF-8");
        out->append(text_.substr(pos_, len));
        pos_ += len;
        continue;
      }
      if (c != '\\') {
        *out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (at_end()) return fail("a string is not closed");
      const char e = text_[pos_++];
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t unit = 0;
          if (!hex4(&unit)) return false;
          if (unit == 0) return fail("a NUL character (\\u0000)");
          if (unit >= 0xdc00 && unit <= 0xdfff) return fail("an unpaired surrogate escape");
          if (unit >= 0xd800 && unit <= 0xdbff) {
            uint32_t low = 0;
            if (text_.substr(pos_, 2) != "\\u") return fail("an unpaired surrogate escape");
            pos_ += 2;
            if (!hex4(&low)) return false;
            if (low < 0xdc00 || low > 0xdfff) return fail("an unpaired surrogate escape");
            unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
          }
          append_utf8(out, unit);
          break;
        }
        default: --pos_; return fail("an unknown escape");
      }
    }
  }
};

}  // namespace

const JsonValue* JsonValue::get(std::string_view name) const {
  if (type != Type::kObject) return nullptr;
  for (const auto& [key, value] : members)
    if (key == name) return &value;
  return nullptr;
}

bool parse_json(std::string_view text, size_t max_bytes, JsonValue* out, std::string* err) {
  *out = JsonValue{};
  if (text.size() > max_bytes) {
    *err = "larger than " + std::to_string(max_bytes) + " bytes";
    return false;
  }
  return Parser(text, err).document(out);
}

bool json_to_u64(const JsonValue& value, uint64_t* out) {
  if (value.type != JsonValue::Type::kNumber || value.text.empty() || value.text.size() > 20) return false;
  uint64_t n = 0;
  for (char c : value.text) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) return false;
    n = n * 10 + d;
  }
  *out = n;
  return true;
}

}  // namespace uxc::policy
