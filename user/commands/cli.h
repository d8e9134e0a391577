// Command-line plumbing shared by the subcommands: LXC's flags, parsed
// with getopt_long, and a --help text per command.
//
// As in LXC's tools, options and operands may come in any order up to a
// "--"; the container is `-n NAME` or the first operand (`uxc info foo`);
// what follows it, and everything after "--", is the command's rest (a
// command to run, a template's arguments). Every command also takes
// `-P PATH` (--lxcpath: the containers in PATH) and `-q` (--quiet).
//
// Exit statuses, for every command: 0 success, 1 a failure (one line on
// stderr that says what to do), 2 a usage error (a bad flag, a missing or
// malformed argument, an operand too many); `start -F`, `execute` and
// `attach` exit with their command's status instead.
#pragma once

#include <getopt.h>

#include <string>
#include <vector>

#include "user/common/dirs.h"

namespace uxc {

struct Option {
  char short_name;        // 0: long only
  const char* long_name;
  const char* arg;        // nullptr: a flag; else the argument's name
  const char* help;
};

struct ParsedArgs {
  std::vector<std::pair<char, std::string>> given;  // in order; long-only as their index
  std::vector<std::string> rest;                    // operands, then what follows "--"
  size_t operands = 0;                              // how many of `rest` came before "--"
  bool has(char c) const;
  std::string get(char c, const std::string& fallback = "") const;
};

// Parses argv for `command`; prints help and exits 0 on --help, prints a
// usage error and exits 2 on a bad flag. Applies -q.
ParsedArgs parse_args(int argc, char** argv, const std::string& command, const std::string& usage,
                      const std::string& description, const std::vector<Option>& options);

// The container: -n NAME, else the first operand (taken out of `rest`),
// checked. A missing or invalid name is a UsageError.
std::string require_name(ParsedArgs& args, const std::string& command);

// A UsageError for an operand the command does not take.
void no_more_operands(const ParsedArgs& args);

// The user's directories, with -P PATH for the containers.
Paths command_paths(const ParsedArgs& args, const User& user);

// A strict decimal option value, or a UsageError that names the flag.
uint32_t number_option(const ParsedArgs& args, char flag, const char* what, uint32_t fallback);

}  // namespace uxc
