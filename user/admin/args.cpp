// The command-line grammar shared by every uxc-admin subcommand.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "policy/text.h"
#include "user/admin/admin.h"

namespace uxc::admin {

namespace {

void print_help(const CommandHelp& help) {
  std::printf("Usage: uxc-admin %s %s\n\n%s\n", help.command, help.synopsis, help.description);
  std::printf("\nOptions:\n");
  for (const Flag& flag : help.flags) {
    const std::string left =
        std::string("--") + flag.name + (flag.value ? std::string(" ") + flag.value : "");
    std::printf("  %-16s %s\n", left.c_str(), flag.help);
  }
  std::printf("  %-16s %s\n", "-h, --help", "show this help and exit");
}

const Flag* find_flag(const CommandHelp& help, std::string_view name) {
  for (const Flag& flag : help.flags)
    if (name == flag.name) return &flag;
  return nullptr;
}

}  // namespace

bool CommandLine::has(std::string_view name) const {
  for (const auto& [flag, value] : given)
    if (flag == name) return true;
  return false;
}

std::string CommandLine::get(std::string_view name) const {
  for (const auto& [flag, value] : given)
    if (flag == name) return value;
  return {};
}

CommandLine parse_command_line(int argc, char** argv, const CommandHelp& help) {
  CommandLine line;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (options_done || arg.empty() || arg.front() != '-' || arg == "-") {
      line.operands.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      print_help(help);
      std::exit(0);
    }
    if (!arg.starts_with("--"))
      throw UsageError("unknown option " + std::string(arg));
    std::string_view name = arg.substr(2);
    std::string value;
    bool inline_value = false;
    if (const size_t eq = name.find('='); eq != std::string_view::npos) {
      value = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
      inline_value = true;
    }
    const Flag* flag = find_flag(help, name);
    if (flag == nullptr) throw UsageError("unknown option --" + std::string(name));
    if (line.has(name)) throw UsageError("--" + std::string(name) + " given twice");
    if (flag->value == nullptr) {
      if (inline_value) throw UsageError("--" + std::string(name) + " takes no value");
    } else if (!inline_value) {
      if (i + 1 >= argc) throw UsageError("--" + std::string(name) + " needs a value (" + flag->value + ")");
      value = argv[++i];
    }
    line.given.emplace_back(std::string(name), std::move(value));
  }
  return line;
}

uint64_t parse_number_flag(std::string_view flag, const std::string& text, uint64_t min,
                           uint64_t max) {
  uint64_t value = 0;
  if (!policy::parse_u64(text, &value) || value < min || value > max)
    throw UsageError("--" + std::string(flag) + " must be a decimal number from " +
                     std::to_string(min) + " to " + std::to_string(max) + ", not \"" + text + "\"");
  return value;
}

}  // namespace uxc::admin
