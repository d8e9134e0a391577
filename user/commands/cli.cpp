#include "user/commands/cli.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "user/common/dirs.h"
#include "user/common/util.h"

namespace uxc {

bool ParsedArgs::has(char c) const {
  for (const auto& g : given)
    if (g.first == c) return true;
  return false;
}

std::string ParsedArgs::get(char c, const std::string& fallback) const {
  std::string value = fallback;
  for (const auto& g : given)
    if (g.first == c) value = g.second;
  return value;
}

namespace {

void print_help(const std::string& command, const std::string& usage, const std::string& description,
                const std::vector<Option>& options) {
  std::printf("Usage: uxc %s %s\n\n%s\n\nOptions:\n", command.c_str(), usage.c_str(), description.c_str());
  for (const Option& o : options) {
    std::string flags;
    if (o.short_name) flags = std::string("-") + o.short_name + ", ";
    else flags = "    ";
    flags += std::string("--") + o.long_name;
    if (o.arg) flags += std::string(" ") + o.arg;
    std::printf("  %-28s %s\n", flags.c_str(), o.help);
  }
  std::printf("  %-28s %s\n", "-h, --help", "show this help and exit");
  std::printf("  %-28s %s\n", "    --version", "show the version and exit");
}

}  // namespace

ParsedArgs parse_args(int argc, char** argv, const std::string& command, const std::string& usage,
                      const std::string& description, const std::vector<Option>& options) {
  std::vector<struct option> longs;
  std::string shorts = "+:h";
  // Long-only options get codes 1..31 (never a printable flag).
  for (size_t i = 0; i < options.size(); ++i) {
    const Option& o = options[i];
    const int code = o.short_name ? o.short_name : static_cast<int>(i + 1);
    longs.push_back({o.long_name, o.arg ? required_argument : no_argument, nullptr, code});
    if (o.short_name) {
      shorts += o.short_name;
      if (o.arg) shorts += ':';
    }
  }
  longs.push_back({"help", no_argument, nullptr, 'h'});
  longs.push_back({"version", no_argument, nullptr, 'V' + 256});
  longs.push_back({nullptr, 0, nullptr, 0});

  ParsedArgs parsed;
  // 0, not 1: glibc then forgets everything of an earlier parse, whose
  // argv may be gone (destroy -s parses again for each clone).
  optind = 0;
  opterr = 0;
  for (;;) {
    const int c = getopt_long(argc, argv, shorts.c_str(), longs.data(), nullptr);
    if (c == -1) break;
    if (c == 'h') {
      print_help(command, usage, description, options);
      std::exit(0);
    }
    if (c == 'V' + 256) {
      std::printf("uxc 0.1\n");
      std::exit(0);
    }
    if (c == '?' || c == ':') {
      const std::string bad = optopt ? std::string("-") + static_cast<char>(optopt) : std::string(argv[optind - 1]);
      std::fprintf(stderr, "uxc %s: %s %s (try 'uxc %s --help')\n", command.c_str(),
                   c == ':' ? "missing argument for" : "unknown option", bad.c_str(), command.c_str());
      std::exit(2);
    }
    parsed.given.emplace_back(static_cast<char>(c), optarg ? optarg : "");
  }
  for (int i = optind; i < argc; ++i) parsed.rest.emplace_back(argv[i]);
  return parsed;
}

std::string require_name(const ParsedArgs& args, const std::string& command) {
  if (!args.has('n')) throw Error("-n NAME is required (try 'uxc " + command + " --help')");
  const std::string name = args.get('n');
  check_container_name(name);
  return name;
}

}  // namespace uxc
