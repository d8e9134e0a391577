// Strict text primitives shared by every parser in policy/.
//
// Everything here is pure: it takes bytes and returns values or errors, so
// the helpers can run it on hostile input and the tests can run it from
// tables. Parsers fail closed: a byte sequence that is not exactly what the
// grammar allows is an error, never "probably fine".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

// Unsigned decimal, exactly as a person writes it: ASCII digits only, no
// sign, no whitespace, no "0x", and no leading zero unless the number is 0
// (so "010" cannot mean eight to one reader and ten to another). Values
// that do not fit are rejected, never wrapped.
[[nodiscard]] bool parse_u32(std::string_view text, uint32_t* out);
[[nodiscard]] bool parse_u64(std::string_view text, uint64_t* out);

struct Line {
  size_t number;          // 1-based
  std::string_view text;  // without the terminating '\n'
};

// Splits a whole file (or request) into lines. Fails, naming the line, on a
// NUL byte anywhere or a line longer than max_line_bytes. A final line
// without '\n' is still a line. '\r' is left in place: to every grammar in
// uxc it is a stray byte, so the caller's field checks reject it.
[[nodiscard]] bool split_lines(std::string_view text, size_t max_line_bytes,
                               std::vector<Line>* lines, std::string* err);

// Fields separated by runs of spaces or tabs; leading and trailing blanks
// are ignored.
std::vector<std::string_view> split_fields(std::string_view line);

// Removes leading and trailing spaces and tabs.
std::string_view trim_blanks(std::string_view text);

// True for a line that holds only blanks, or whose first non-blank byte
// is '#'.
bool is_blank_or_comment(std::string_view line);

// A size for people, in binary units: "512 B" (below 1 KiB, with
// `bytes_word` as the unit: LXC's info says "bytes"), else KiB, MiB, GiB
// or TiB with `decimals` (0 to 3) digits after the point: "1.5 MiB".
std::string format_size(uint64_t n, int decimals, std::string_view bytes_word);

// Names of users and groups as shadow's useradd accepts them by default
// (and the numeric form): [A-Za-z0-9_.][A-Za-z0-9_.-]* with an optional
// trailing '$', at most 32 bytes.
bool is_valid_account_name(std::string_view name);

// An argument a caller gave, for a one-line message that names it: in
// double quotes, printable ASCII kept ('"' and '\\' escaped), every other
// byte as \xNN, and cut after max_bytes of the argument with "...", so a
// hostile argument can neither break the line nor drive a terminal.
std::string quote_arg(std::string_view arg, size_t max_bytes = 64);

}  // namespace uxc::policy
