// Command-line plumbing shared by the subcommands: LXC's flags, parsed
// with getopt_long, and a --help text per command.
#pragma once

#include <getopt.h>

#include <string>
#include <vector>

namespace uxc {

struct Option {
  char short_name;        // 0: long only
  const char* long_name;
  const char* arg;        // nullptr: a flag; else the argument's name
  const char* help;
};

struct ParsedArgs {
  std::vector<std::pair<char, std::string>> given;  // in order; long-only as their index
  std::vector<std::string> rest;                    // after "--" or operands
  bool has(char c) const;
  std::string get(char c, const std::string& fallback = "") const;
};

// Parses argv for `command`; prints help and exits 0 on --help, prints a
// usage error and exits 2 on a bad flag. -n NAME is checked by callers.
ParsedArgs parse_args(int argc, char** argv, const std::string& command, const std::string& usage,
                      const std::string& description, const std::vector<Option>& options);

// The container name from -n (or --name), checked.
std::string require_name(const ParsedArgs& args, const std::string& command);

}  // namespace uxc
