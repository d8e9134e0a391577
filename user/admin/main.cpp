// uxc-admin: set up and check uxc's policy files on a shared host.
// Run by root; not setuid.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "user/admin/admin.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int argc, char** argv);
  const char* summary;
};

const Command kCommands[] = {
    {"allocate", uxc::admin::cmd_allocate, "give a user subordinate uid and gid ranges"},
    {"allow", uxc::admin::cmd_allow, "let a user or @group put N nics on a bridge"},
    {"lint", uxc::admin::cmd_lint, "check subuid, subgid and usernet for problems"},
    {"usage", uxc::admin::cmd_usage, "show the nics each user holds against the allowance"},
};

void usage(FILE* out) {
  std::fprintf(out,
               "Usage: uxc-admin COMMAND [OPTIONS]\n\n"
               "Manage uxc's policy files (%s, %s, %s) on a host shared by many users.\n\n"
               "Commands:\n",
               uxc::admin::kSubuidPath, uxc::admin::kSubgidPath, uxc::admin::kUsernetPath);
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'uxc-admin COMMAND --help' describes a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    usage(stdout);
    return 0;
  }
  if (command == "--version") {
    std::printf("uxc-admin 0.1\n");
    return 0;
  }
  for (const Command& c : kCommands) {
    if (command != c.name) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const uxc::admin::UsageError& e) {
      std::fprintf(stderr, "uxc-admin %s: %s (see uxc-admin %s --help)\n", c.name, e.what(), c.name);
      return 2;
    } catch (const uxc::Error& e) {
      std::fprintf(stderr, "uxc-admin %s: %s\n", c.name, e.what());
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "uxc-admin %s: internal error: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "uxc-admin: unknown command \"%s\" (see uxc-admin --help)\n", command.c_str());
  return 2;
}
