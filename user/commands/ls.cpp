// uxc ls: the user's containers, their states, and for running ones the
// addresses their monitors report.
#include <algorithm>
#include <cstdio>

#include "policy/config.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/runtime/monitor.h"
#include "user/storage/container.h"
#include "user/storage/store.h"

namespace uxc {

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string json_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + json_string(v[i]);
  return out + "]";
}


}  // namespace

int cmd_ls(int argc, char** argv) {
  const auto args = parse_args(argc, argv, "ls", "[-f] [--running|--stopped] [--format json]",
                               "List containers: names, or with -f a table of NAME STATE AUTOSTART GROUPS\n"
                               "IPV4 IPV6 UNPRIVILEGED; --format json prints the same data as JSON. A\n"
                               "directory whose config is missing or broken is BROKEN (uxc destroy -f).",
                               {{'f', "fancy", nullptr, "one line per container with its details"},
                                {0, "running", nullptr, "only running containers"},
                                {0, "stopped", nullptr, "only stopped containers"},
                                {0, "format", "FORMAT", "json"}});
  // Long-only options carry their index + 1 as their code.
  const bool only_running = args.has(2), only_stopped = args.has(3);
  const bool json = args.has(4);
  if (json && args.get(4) != "json") throw Error("--format takes only 'json'");
  const User user = current_user();
  const Paths paths = user_paths(user);
  struct Row {
    std::string name, state, autostart, groups, ipv4, ipv6;
    std::vector<std::string> groups_list, ipv4_list, ipv6_list;
    bool autostart_on = false;
  };
  std::vector<Row> rows;
  // A directory whose config is missing or broken is listed as BROKEN
  // (uxc destroy -f removes it), not hidden.
  for (const auto& entry : list_store(paths)) {
    const std::string& name = entry.name;
    const RuntimeState st = read_runtime_state(paths, name);
    const bool broken = !entry.broken.empty() && st.state == RunState::kStopped;
    if (only_running && (broken || st.state == RunState::kStopped)) continue;
    if (only_stopped && (broken || st.state != RunState::kStopped)) continue;
    Row r;
    r.name = name;
    r.state = broken ? "BROKEN" : std::string(run_state_name(st.state));
    policy::Config config;
    std::vector<std::string> errors;
    std::string text;
    if (read_file(container_config(paths, name), &text)) (void)policy::parse_config(text, "config", &config, &errors, &config_includes());
    r.autostart_on = config.start_auto;
    r.autostart = config.start_auto ? "1" : "0";
    r.groups_list = config.groups;
    r.groups = config.groups.empty() ? "-" : join(config.groups, ",");
    if (st.state == RunState::kRunning) {
      const Addresses a = ask_addresses(paths, name);
      r.ipv4_list = a.ipv4;
      r.ipv6_list = a.ipv6;
    }
    r.ipv4 = r.ipv4_list.empty() ? "-" : join(r.ipv4_list, ", ");
    r.ipv6 = r.ipv6_list.empty() ? "-" : join(r.ipv6_list, ", ");
    rows.push_back(std::move(r));
  }
  if (json) {
    std::printf("[");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::printf("%s{\"name\":%s,\"state\":%s,\"autostart\":%s,\"groups\":%s,\"ipv4\":%s,\"ipv6\":%s,\"unprivileged\":true}",
                  i ? "," : "", json_string(r.name).c_str(), json_string(r.state).c_str(),
                  r.autostart_on ? "true" : "false", json_list(r.groups_list).c_str(), json_list(r.ipv4_list).c_str(),
                  json_list(r.ipv6_list).c_str());
    }
    std::printf("]\n");
    return 0;
  }
  if (!args.has('f')) {
    for (const auto& r : rows) std::printf("%s\n", r.name.c_str());
    return 0;
  }
  if (rows.empty()) return 0;
  size_t w[6] = {4, 5, 9, 6, 4, 4};
  for (const auto& r : rows) {
    const std::string* cols[] = {&r.name, &r.state, &r.autostart, &r.groups, &r.ipv4, &r.ipv6};
    for (int i = 0; i < 6; ++i) w[i] = std::max(w[i], cols[i]->size());
  }
  auto line = [&](const std::string* cols[6], const char* last) {
    std::string out;
    for (int i = 0; i < 6; ++i) {
      out += *cols[i];
      out += std::string(w[i] - cols[i]->size() + 1, ' ');
    }
    std::printf("%s%s\n", out.c_str(), last);
  };
  const std::string h[] = {"NAME", "STATE", "AUTOSTART", "GROUPS", "IPV4", "IPV6"};
  const std::string* hp[] = {&h[0], &h[1], &h[2], &h[3], &h[4], &h[5]};
  line(hp, "UNPRIVILEGED");
  for (const auto& r : rows) {
    const std::string* cols[] = {&r.name, &r.state, &r.autostart, &r.groups, &r.ipv4, &r.ipv6};
    line(cols, "true");
  }
  return 0;
}

}  // namespace uxc
