// uxc: run Linux containers as a regular user. One binary, LXC's
// subcommands and flags (`uxc start -n NAME -d` for `lxc-start -n NAME -d`).
#include <cstdio>
#include <cstring>
#include <string>

#include "user/commands.h"
#include "user/util.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int argc, char** argv);
  const char* summary;
};

const Command kCommands[] = {
    {"create", uxc::cmd_create, "create a container from a template"},
    {"start", uxc::cmd_start, "start a container (-d in the background, -F in the foreground)"},
    {"stop", uxc::cmd_stop, "stop a running container"},
    {"info", uxc::cmd_info, "show a container's state, pid, addresses and traffic"},
    {"ls", uxc::cmd_ls, "list containers"},
    {"destroy", uxc::cmd_destroy, "remove a stopped container and its files"},
    {"attach", uxc::cmd_attach, "run a command (default: a shell) inside a running container"},
    {"console", uxc::cmd_console, "connect to a running container's console (Ctrl+a q detaches)"},
    {"autostart", uxc::cmd_autostart, "start, stop or reboot the containers with lxc.start.auto, in order"},
    {"check", uxc::cmd_check, "check this host's set-up for your containers, and say how to fix it"},
};

void usage(FILE* out) {
  std::fprintf(out, "Usage: uxc COMMAND [OPTIONS]\n\nRun Linux containers as a regular user.\n\nCommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'uxc COMMAND --help' describes a command's options.\n");
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
    std::printf("uxc 0.1\n");
    return 0;
  }
  for (const Command& c : kCommands) {
    if (command != c.name) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const uxc::Error& e) {
      std::fprintf(stderr, "uxc %s: %s\n", c.name, e.what());
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "uxc %s: internal error: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "uxc: unknown command '%s' (try 'uxc --help')\n", command.c_str());
  return 2;
}
