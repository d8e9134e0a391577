#include "policy/protocol.h"

#include "policy/text.h"

namespace uxc::protocol {

namespace {

bool is_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
  return true;
}

bool is_arg(std::string_view arg) {
  if (arg.empty()) return false;
  for (char c : arg)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

// Splits on single spaces only: "a  b", " a" and "a " are malformed, so a
// field has exactly one spelling.
bool split_words(std::string_view line, std::vector<std::string_view>* words) {
  words->clear();
  size_t start = 0;
  while (true) {
    const size_t space = line.find(' ', start);
    const std::string_view word = line.substr(start, space - start);
    if (word.empty()) return false;
    words->push_back(word);
    if (space == std::string_view::npos) return true;
    start = space + 1;
  }
}

const KeySpec* find_spec(std::span<const KeySpec> schema, std::string_view key) {
  for (const KeySpec& spec : schema)
    if (spec.key == key) return &spec;
  return nullptr;
}

}  // namespace

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kRequest: return "request";
    case ErrorCode::kDenied: return "denied";
    case ErrorCode::kTarget: return "target";
    case ErrorCode::kQuota: return "quota";
    case ErrorCode::kLink: return "link";
    case ErrorCode::kSystem: return "system";
  }
  return "system";
}

bool parse_error_code(std::string_view name, ErrorCode* out) {
  for (ErrorCode code : {ErrorCode::kRequest, ErrorCode::kDenied, ErrorCode::kTarget,
                         ErrorCode::kQuota, ErrorCode::kLink, ErrorCode::kSystem}) {
    if (error_code_name(code) == name) {
      *out = code;
      return true;
    }
  }
  return false;
}

bool decode_request(std::string_view text, std::string_view helper,
                    std::span<const KeySpec> schema, Request* out,
                    std::string* err) {
  out->fields.clear();
  Request request;
  if (text.empty()) {
    *err = "empty request";
    return false;
  }
  if (text.size() > kMaxRequestBytes) {
    *err = "request larger than " + std::to_string(kMaxRequestBytes) + " bytes";
    return false;
  }
  if (text.back() != '\n') {
    *err = "truncated request: no final newline";
    return false;
  }
  text.remove_suffix(1);  // every line, the last included, ends in '\n'

  std::vector<size_t> counts(schema.size(), 0);
  std::vector<std::string_view> words;
  size_t number = 0;
  size_t start = 0;
  bool ended = false;
  while (start <= text.size()) {
    ++number;
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const std::string at = "line " + std::to_string(number) + ": ";

    if (ended) {
      *err = at + "data after \"end\"";
      return false;
    }
    if (!split_words(line, &words)) {
      *err = at + "empty line or stray space";
      return false;
    }
    for (std::string_view w : words) {
      if (!is_arg(w)) {
        *err = at + "byte outside printable ASCII";
        return false;
      }
    }
    if (number == 1) {
      if (words.size() != 2 || words[0] != helper) {
        *err = at + "expected header \"" + std::string(helper) + " " +
               std::string(kVersion) + "\"";
        return false;
      }
      if (words[1] != kVersion) {
        *err = at + "unsupported protocol version";
        return false;
      }
      continue;
    }
    if (words.size() == 1 && words[0] == "end") {
      ended = true;
      continue;
    }
    if (!is_key(words[0])) {
      *err = at + "malformed key";
      return false;
    }
    const KeySpec* spec = find_spec(schema, words[0]);
    if (spec == nullptr) {
      *err = at + "unknown key \"" + std::string(words[0]) + "\"";
      return false;
    }
    const size_t nargs = words.size() - 1;
    if (nargs < spec->min_args || nargs > spec->max_args || nargs > kMaxFieldArgs) {
      *err = at + "wrong number of arguments for \"" + std::string(spec->key) + "\"";
      return false;
    }
    size_t& count = counts[static_cast<size_t>(spec - schema.data())];
    if (++count > spec->max_count) {
      *err = at + "too many \"" + std::string(spec->key) + "\" fields";
      return false;
    }
    request.fields.push_back(Field{words[0], {words.begin() + 1, words.end()}});
  }
  if (!ended) {
    *err = "truncated request: no \"end\" line";
    return false;
  }
  *out = std::move(request);
  return true;
}

bool encode_request(std::string_view helper, std::span<const OutField> fields,
                    std::string* out) {
  out->clear();
  std::string text;
  text.append(helper).append(" ").append(kVersion).append("\n");
  for (const OutField& field : fields) {
    if (!is_key(field.key) || field.key == "end" || field.args.size() > kMaxFieldArgs)
      return false;
    text.append(field.key);
    for (const std::string& arg : field.args) {
      if (!is_arg(arg)) return false;
      text.append(" ").append(arg);
    }
    text.append("\n");
  }
  text.append("end\n");
  if (text.size() > kMaxRequestBytes) return false;
  *out = std::move(text);
  return true;
}

std::string encode_ok(std::span<const std::string> words) {
  std::string text = "ok";
  for (const std::string& w : words) {
    text.append(" ");
    for (char c : w) text.push_back(c >= 0x21 && c <= 0x7e ? c : '?');
  }
  text.append("\n");
  return text;
}

std::string encode_error(ErrorCode code, std::string_view message) {
  std::string text = "error ";
  text.append(error_code_name(code)).append(" ");
  if (message.empty()) message = "failed";
  for (char c : message.substr(0, kMaxResponseBytes - 32))
    text.push_back(c >= 0x20 && c <= 0x7e ? c : '?');
  text.append("\n");
  return text;
}

bool decode_response(std::string_view text, Response* out, std::string* err) {
  *out = Response{};
  if (text.empty() || text.size() > kMaxResponseBytes || text.back() != '\n') {
    *err = "malformed response (empty, truncated or too long)";
    return false;
  }
  text.remove_suffix(1);
  if (text.find('\n') != std::string_view::npos ||
      text.find('\0') != std::string_view::npos) {
    *err = "malformed response (more than one line)";
    return false;
  }
  if (text == "ok" || text.rfind("ok ", 0) == 0) {
    std::vector<std::string_view> words;
    if (text.size() > 2 && !split_words(text.substr(3), &words)) {
      *err = "malformed response (stray space)";
      return false;
    }
    for (std::string_view w : words) {
      if (!is_arg(w)) {
        *err = "malformed response (non-printable byte)";
        return false;
      }
      out->words.emplace_back(w);
    }
    out->ok = true;
    return true;
  }
  if (text.rfind("error ", 0) == 0) {
    const std::string_view rest = text.substr(6);
    const size_t space = rest.find(' ');
    if (space == std::string_view::npos ||
        !parse_error_code(rest.substr(0, space), &out->code)) {
      *err = "malformed response (unknown error code)";
      return false;
    }
    out->message = std::string(rest.substr(space + 1));
    out->ok = false;
    return true;
  }
  *err = "malformed response (neither ok nor error)";
  return false;
}

}  // namespace uxc::protocol
