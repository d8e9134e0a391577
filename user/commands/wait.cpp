// uxc wait: returns once a container is in one of the given states, as
// lxc-wait does; for scripts (`uxc start -d web && uxc wait web -s
// RUNNING`, `uxc wait web -s STOPPED -t 60`).
#include <time.h>

#include <algorithm>
#include <cstdio>

#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/runtime/watch.h"

namespace uxc {

namespace {

long now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

// "RUNNING|FROZEN" (LXC's spelling) or "RUNNING,FROZEN".
std::vector<std::string> parse_states(const std::string& spec) {
  std::vector<std::string> states;
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t end = std::min(spec.find_first_of("|,", start), spec.size());
    std::string s = spec.substr(start, end - start);
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (std::find_if(std::begin(kContainerStates), std::end(kContainerStates), [&](const char* k) { return s == k; }) ==
        std::end(kContainerStates)) {
      const bool lxc_only = s == "STOPPING" || s == "ABORTING" || s == "FREEZING" || s == "THAWED";
      throw UsageError("'" + s + "' is not a state " + (lxc_only ? "uxc reports" : "") +
                       ": use STOPPED, STARTING, RUNNING or FROZEN, joined by '|'");
    }
    states.push_back(s);
    start = end + 1;
  }
  return states;
}

}  // namespace

int cmd_wait(int argc, char** argv) {
  auto args = parse_args(argc, argv, "wait", "[-n] NAME -s STATES [-t TIMEOUT]",
                         "Wait until the container is in one of STATES (STOPPED, STARTING, RUNNING,\n"
                         "FROZEN; several joined by '|', as lxc-wait takes them), at most TIMEOUT\n"
                         "seconds (default: as long as it takes). Exit status 0 once it is, 1 on timeout.",
                         {{'n', "name", "NAME", "the container"},
                          {'s', "state", "STATES", "the states to wait for, e.g. 'RUNNING|FROZEN'"},
                          {'t', "timeout", "TIMEOUT", "give up after this many seconds (0: look once)"}});
  const std::string name = require_name(args, "wait");
  no_more_operands(args);
  if (!args.has('s')) throw UsageError("-s STATES is required, e.g. -s RUNNING or -s 'STOPPED|FROZEN'");
  const std::vector<std::string> wanted = parse_states(args.get('s'));
  const bool forever = !args.has('t');
  const long timeout_ms = static_cast<long>(number_option(args, 't', "TIMEOUT", 0)) * 1000L;
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  require_container(paths, name);
  StateWatch watch(paths);
  const long deadline = now_ms() + timeout_ms;
  for (;;) {
    // Watch first, then look: a change between the two still wakes us.
    watch.watch({name});
    const std::string state = container_state(paths, name);
    if (std::find(wanted.begin(), wanted.end(), state) != wanted.end()) return 0;
    const long left = deadline - now_ms();
    if (!forever && left <= 0)
      throw Error("timed out after " + args.get('t') + " s: " + name + " is " + state + ", not " + join(wanted, "|"));
    watch.wait(forever ? -1 : static_cast<int>(std::min(left, 1000L)));
  }
}

}  // namespace uxc
