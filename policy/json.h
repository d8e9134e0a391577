// JSON text for what uxc prints with --format json: one string escaper
// for every command, so that no name, address, path or message a user or
// a container chose can break the document, inject a field, or reach a
// terminal as a control sequence when the JSON is shown.
//
// json_quote(s) is `"` + s + `"` with, exactly:
//   - `"` and `\` as \" and \\;
//   - \b \f \n \r \t for those control characters, every other byte below
//     0x20 and DEL (0x7f) as \u00XX;
//   - every character outside ASCII, decoded from UTF-8, as \uXXXX
//     (lower-case hex), a character above U+FFFF as its UTF-16 surrogate
//     pair (\ud83d\ude00), so the output is pure ASCII;
//   - bytes that are not valid UTF-8 (a stray continuation byte, a
//     sequence cut short, an over-long encoding, an encoded surrogate, a
//     code point above U+10FFFF, the bytes 0xc0, 0xc1, 0xf5-0xff) become
//     U+FFFD (\ufffd), one for each byte that starts no valid sequence;
//     decoding goes on with the next byte. The result depends on the
//     bytes alone: the same input always gives the same output, and
//     nothing is dropped silently.
// A NUL byte is \u0000.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

std::string json_quote(std::string_view text);

// ["a","b"]: each element through json_quote.
std::string json_string_array(const std::vector<std::string>& items);

}  // namespace uxc::policy
