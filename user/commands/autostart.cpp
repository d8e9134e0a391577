// uxc autostart: start (or stop, kill, reboot) the user's containers
// that have lxc.start.auto = 1, as lxc-autostart does:
//
// - order: lxc.start.order, lower first (LXC 2.0 and later), then name;
//   stopping goes the other way round;
// - after starting a container, lxc.start.delay seconds pass before the
//   next one;
// - selection: by default only containers without lxc.group; -g takes a
//   comma-separated list of groups, handled one group after the other
//   ("NULL" or an empty entry means "no group"); -a takes every group.
//
// The shipped systemd user unit (user/systemd/uxc-autostart.service) runs
// `uxc autostart` when the user's manager starts, and `uxc autostart -s`
// when it stops; `loginctl enable-linger USER` makes that happen at boot.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "policy/text.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/storage/container.h"

namespace uxc {

namespace {

struct Candidate {
  std::string name;
  policy::Config config;
};

enum class Action { kStart, kShutdown, kKill, kReboot };

bool in_group(const policy::Config& config, const std::string& group) {
  if (group.empty() || group == "NULL") return config.groups.empty();
  return std::find(config.groups.begin(), config.groups.end(), group) != config.groups.end();
}

// `uxc start -n NAME -d` as a child process of its own: a failed start
// says why on stderr and does not stop the others.
bool start_detached(const std::string& name, const Paths& paths) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    const char* argv[] = {"uxc", "start", "-n", name.c_str(), "-d", "-P", paths.data_dir.c_str(), nullptr};
    execv("/proc/self/exe", const_cast<char* const*>(argv));
    std::fprintf(stderr, "uxc autostart: cannot run uxc start: %s\n", errno_text(errno).c_str());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int cmd_autostart(int argc, char** argv) {
  const auto args = parse_args(
      argc, argv, "autostart", "[-a | -g GROUPS] [-A] [-k | -s | -r] [-t TIMEOUT] [-L]",
      "Start the containers with lxc.start.auto = 1, in lxc.start.order (lower first),\n"
      "waiting lxc.start.delay seconds after each; or stop (-s), kill (-k) or reboot (-r)\n"
      "them, in the opposite order. Without -a or -g only containers without lxc.group\n"
      "are affected; -g GROUPS is a comma-separated list (NULL: no group).",
      {{'a', "all", nullptr, "every group"},
       {'g', "group", "GROUPS", "only these groups, in this order"},
       {'A', "ignore-auto", nullptr, "ignore lxc.start.auto"},
       {'k', "kill", nullptr, "kill the containers"},
       {'s', "shutdown", nullptr, "stop them cleanly (SIGKILL after TIMEOUT)"},
       {'r', "reboot", nullptr, "stop and start them again"},
       {'t', "timeout", "TIMEOUT", "seconds before a shutdown kills (default 60)"},
       {'L', "list", nullptr, "only list what would be done (name and delay)"}});
  const int actions = args.has('k') + args.has('s') + args.has('r');
  if (actions > 1) throw UsageError("-k, -s and -r exclude each other");
  if (args.has('a') && args.has('g')) throw UsageError("-a and -g exclude each other");
  const Action action = args.has('k') ? Action::kKill : args.has('s') ? Action::kShutdown
                        : args.has('r') ? Action::kReboot : Action::kStart;
  const uint32_t timeout = number_option(args, 't', "TIMEOUT", 60);
  no_more_operands(args);
  const bool list_only = args.has('L');

  const User user = current_user();
  const Paths paths = command_paths(args, user);
  std::vector<Candidate> all;
  int failures = 0;
  for (const auto& name : list_containers(paths)) {
    Candidate c{name, {}};
    try {
      c.config = load_config(container_config(paths, name));
    } catch (const Error& e) {
      std::fprintf(stderr, "uxc autostart: %s: %s\n", name.c_str(), e.what());
      ++failures;
      continue;
    }
    if (!args.has('A') && !c.config.start_auto) continue;
    all.push_back(std::move(c));
  }
  std::sort(all.begin(), all.end(), [](const Candidate& x, const Candidate& y) {
    if (x.config.start_order != y.config.start_order) return x.config.start_order < y.config.start_order;
    return x.name < y.name;
  });

  // The selection, group by group.
  std::vector<const Candidate*> chosen;
  std::vector<std::string> groups = {""};
  if (args.has('g')) {
    groups.clear();
    const std::string spec = args.get('g');
    size_t start = 0;
    while (start <= spec.size()) {
      const size_t comma = std::min(spec.find(',', start), spec.size());
      groups.push_back(spec.substr(start, comma - start));
      start = comma + 1;
    }
  }
  std::vector<bool> taken(all.size(), false);
  for (const auto& group : groups) {
    for (size_t i = 0; i < all.size(); ++i) {
      if (taken[i] || (!args.has('a') && !in_group(all[i].config, group))) continue;
      taken[i] = true;
      chosen.push_back(&all[i]);
    }
  }
  if (action == Action::kShutdown || action == Action::kKill) std::reverse(chosen.begin(), chosen.end());

  for (const Candidate* c : chosen) {
    const bool running = read_runtime_state(paths, c->name).state != RunState::kStopped;
    const bool starts = action == Action::kStart ? !running : action == Action::kReboot && running;
    if (action == Action::kStart ? running : !running) continue;
    if (list_only) {
      if (starts) std::printf("%s %u\n", c->name.c_str(), c->config.start_delay);
      else std::printf("%s\n", c->name.c_str());
      continue;
    }
    try {
      if (action != Action::kStart) stop_container(paths, c->name, static_cast<int>(timeout), action == Action::kKill);
    } catch (const Error& e) {
      std::fprintf(stderr, "uxc autostart: cannot stop %s: %s\n", c->name.c_str(), e.what());
      ++failures;
      continue;
    }
    if (!starts) continue;
    if (!start_detached(c->name, paths)) {
      std::fprintf(stderr, "uxc autostart: %s did not start\n", c->name.c_str());
      ++failures;
      continue;
    }
    if (c->config.start_delay > 0) sleep(c->config.start_delay);
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace uxc
