// Shared by the libFuzzer harnesses: cuts one fuzz input into the several
// strings a parser or decision takes, so one corpus file drives a whole
// call. Parts are separated by the byte 0xff, which no grammar in policy/
// accepts anywhere, so a cut never hides an interesting byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace uxc::fuzz {

inline constexpr char kPartSeparator = '\xff';

// Exactly n parts; missing ones are empty, the last one keeps the rest.
inline std::vector<std::string_view> split_parts(std::string_view text, size_t n) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < n) {
    const size_t cut = text.find(kPartSeparator);
    if (cut == std::string_view::npos) break;
    parts.push_back(text.substr(0, cut));
    text.remove_prefix(cut + 1);
  }
  parts.push_back(text);
  while (parts.size() < n) parts.emplace_back();
  return parts;
}

// Words separated by single spaces (an argv, say); empty words kept.
inline std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  for (;;) {
    const size_t cut = text.find(' ');
    words.push_back(text.substr(0, cut));
    if (cut == std::string_view::npos) break;
    text.remove_prefix(cut + 1);
  }
  return words;
}

// A little integer from the first bytes of a part, for ids and counts.
inline uint32_t small_number(std::string_view text) {
  uint32_t n = 0;
  for (size_t i = 0; i < text.size() && i < 4; ++i)
    n = (n << 8) | static_cast<uint8_t>(text[i]);
  return n;
}

}  // namespace uxc::fuzz
