#include "user/commands/cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "policy/text.h"
#include "user/common/util.h"
#include "user/host/cgroup.h"

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

// Taken by every command, after its own options.
const std::vector<Option> kCommonOptions = {
    {'P', "lxcpath", "PATH", "the containers in PATH instead of ~/.local/share/uxc"},
    {'q', "quiet", nullptr, "no progress, confirmation or warning lines (errors still)"},
};

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
  std::printf("\nExit status: 0 success, 1 failure, 2 usage error; see uxc(1).\n");
}

}  // namespace

ParsedArgs parse_args(int argc, char** argv, const std::string& command, const std::string& usage,
                      const std::string& description, const std::vector<Option>& own_options) {
  std::vector<Option> options = own_options;
  options.insert(options.end(), kCommonOptions.begin(), kCommonOptions.end());
  std::vector<struct option> longs;
  // No '+': options may follow operands, as in LXC's tools.
  std::string shorts = ":h";
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

  // getopt sees only what comes before "--": what follows is the
  // command's, even where it looks like an option.
  int dash = 1;
  while (dash < argc && std::strcmp(argv[dash], "--") != 0) ++dash;
  ParsedArgs parsed;
  optind = 0;  // a full restart of GNU getopt, permutation state included
  opterr = 0;
  for (;;) {
    const int c = getopt_long(dash, argv, shorts.c_str(), longs.data(), nullptr);
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
  for (int i = optind; i < dash; ++i) parsed.rest.emplace_back(argv[i]);
  parsed.operands = parsed.rest.size();
  for (int i = dash + 1; i < argc; ++i) parsed.rest.emplace_back(argv[i]);
  set_quiet(parsed.has('q'));
  return parsed;
}

std::string require_name(ParsedArgs& args, const std::string& command) {
  std::string name;
  if (args.has('n')) {
    name = args.get('n');
  } else if (args.operands > 0) {
    name = args.rest.front();
    args.rest.erase(args.rest.begin());
    --args.operands;
  } else {
    throw UsageError("a container NAME is required: uxc " + command + " NAME, or -n NAME");
  }
  try {
    check_container_name(name);
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  return name;
}

void no_more_operands(const ParsedArgs& args) {
  if (!args.rest.empty()) throw UsageError("unexpected argument '" + args.rest.front() + "'");
}

Paths command_paths(const ParsedArgs& args, const User& user) {
  std::string lxcpath = args.get('P');
  if (args.has('P') && lxcpath.empty()) throw UsageError("-P PATH must not be empty");
  if (!lxcpath.empty() && lxcpath[0] != '/') {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) == nullptr) throw_errno("getcwd");
    lxcpath = std::string(cwd) + "/" + lxcpath;
  }
  Paths paths = user_paths(user, lxcpath);
  name_cgroups_for(paths.lxcpath_tag);
  return paths;
}

uint32_t number_option(const ParsedArgs& args, char flag, const char* what, uint32_t fallback) {
  if (!args.has(flag)) return fallback;
  uint32_t value = 0;
  if (!policy::parse_u32(args.get(flag), &value))
    throw UsageError(std::string("-") + flag + " " + what + " must be a number, not '" + args.get(flag) + "'");
  return value;
}

}  // namespace uxc
