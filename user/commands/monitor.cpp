// uxc monitor: prints each state change of the user's containers as it
// happens, as lxc-monitor does (`'web' changed state to [RUNNING]`), or
// one JSON object a line; runs until it is interrupted.
#include <regex.h>
#include <time.h>

#include <cstdio>
#include <map>
#include <set>

#include "policy/json.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/runtime/watch.h"

namespace uxc {

namespace {

std::string utc_now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t;
  gmtime_r(&ts.tv_sec, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec / 1000000);
  return buf;
}

}  // namespace

int cmd_monitor(int argc, char** argv) {
  auto args = parse_args(argc, argv, "monitor", "[[-n] REGEX]... [--format json]",
                         "Print each state change of the containers whose names REGEX matches (whole\n"
                         "names, POSIX extended; default: every container), one line each, as\n"
                         "lxc-monitor does: 'NAME' changed state to [STATE]. A container that appears\n"
                         "or is destroyed counts as one that changes to or from STOPPED. Runs until\n"
                         "interrupted.",
                         {{'n', "name", "REGEX", "the containers (repeatable; any of them)"},
                          {0, "format", "FORMAT", "json: one object a line, as docs/json.md describes"}});
  const bool json = args.has(2);
  if (json && args.get(2) != "json") throw UsageError("--format takes only 'json'");
  std::vector<std::string> patterns;
  for (const auto& [flag, value] : args.given)
    if (flag == 'n') patterns.push_back(value);
  for (size_t i = 0; i < args.operands; ++i) patterns.push_back(args.rest[i]);
  if (args.rest.size() > args.operands) throw UsageError("unexpected argument '" + args.rest[args.operands] + "'");
  // lxc-monitor's anchoring: the whole name matches.
  const std::string pattern = patterns.empty() ? ".*" : "^(" + join(patterns, "|") + ")$";
  regex_t regex{};
  if (const int rc = regcomp(&regex, pattern.c_str(), REG_EXTENDED | REG_NOSUB); rc != 0) {
    char why[256];
    regerror(rc, &regex, why, sizeof why);
    throw UsageError("REGEX '" + join(patterns, "|") + "': " + why);
  }
  Defer free_regex([&] { regfree(&regex); });

  const User user = current_user();
  const Paths paths = command_paths(args, user);
  StateWatch watch(paths);
  std::map<std::string, std::string> last;
  bool first = true;
  for (;;) {
    std::vector<std::string> names;
    for (const auto& name : list_containers(paths))
      if (regexec(&regex, name.c_str(), 0, nullptr, 0) == 0) names.push_back(name);
    watch.watch(names);
    std::map<std::string, std::string> now;
    for (const auto& name : names) now[name] = container_state(paths, name);
    if (!first) {
      // A container that appears or goes is one that was or becomes STOPPED.
      std::set<std::string> all;
      for (const auto& entry : last) all.insert(entry.first);
      for (const auto& entry : now) all.insert(entry.first);
      for (const auto& name : all) {
        const auto before = last.find(name), after = now.find(name);
        const std::string old_state = before == last.end() ? "STOPPED" : before->second;
        const std::string new_state = after == now.end() ? "STOPPED" : after->second;
        if (new_state == old_state) continue;
        if (json)
          std::printf("{\"name\":%s,\"state\":%s,\"time\":%s}\n", policy::json_quote(name).c_str(),
                      policy::json_quote(new_state).c_str(), policy::json_quote(utc_now()).c_str());
        else
          std::printf("'%s' changed state to [%s]\n", name.c_str(), new_state.c_str());
      }
      std::fflush(stdout);
    }
    last = std::move(now);
    first = false;
    watch.wait(-1);
  }
}

}  // namespace uxc
