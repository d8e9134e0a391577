// uxc stop, uxc info and uxc ls: read a container's state back from its
// monitor and the kernel.
#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "policy/text.h"
#include "user/cgroup.h"
#include "user/cli.h"
#include "user/commands.h"
#include "user/container.h"
#include "user/monitor.h"
#include "user/netconf.h"
#include "user/util.h"

namespace uxc {

namespace {

struct Addresses {
  std::vector<std::string> ipv4;
  std::vector<std::string> ipv6;
};

Addresses ask_addresses(const Paths& paths, const std::string& name) {
  Addresses a;
  std::string answer;
  try {
    answer = monitor_request(container_runtime(paths, name) + "/sock", "info", 5);
  } catch (const Error&) {
    return a;
  }
  std::vector<policy::Line> lines;
  std::string err;
  if (!policy::split_lines(answer, 1024, &lines, &err)) return a;
  for (const auto& l : lines) {
    const auto f = policy::split_fields(l.text);
    if (f.size() != 2) continue;
    if (f[0] == "ipv4") a.ipv4.emplace_back(f[1]);
    if (f[0] == "ipv6") a.ipv6.emplace_back(f[1]);
  }
  return a;
}

// LXC's human-readable sizes: "N bytes", "1.34 KiB", "29.02 MiB".
std::string human_bytes(uint64_t n) {
  if (n < 1024) return std::to_string(n) + " bytes";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n) / 1024.0;
  int u = 0;
  while (v >= 1024.0 && u < 3) {
    v /= 1024.0;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %s", v, units[u]);
  return buf;
}

void field(bool raw, const char* label, const std::string& value) {
  if (raw) std::printf("%s\n", value.c_str());
  else std::printf("%-16s%s\n", (std::string(label) + ":").c_str(), value.c_str());
}

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

void stop_container(const Paths& paths, const std::string& name, int timeout_seconds, bool kill_now) {
  const std::string request = kill_now ? "kill" : "stop " + std::to_string(timeout_seconds);
  const std::string answer =
      monitor_request(container_runtime(paths, name) + "/sock", request, timeout_seconds + 30);
  if (answer.rfind("stopped", 0) != 0)
    throw Error("the monitor did not confirm the stop" + (answer.empty() ? std::string() : ": " + answer));
  // The monitor answers just before it exits; wait for its lock to go.
  for (int i = 0; i < 500 && read_runtime_state(paths, name).state != RunState::kStopped; ++i) usleep(10000);
}

int cmd_stop(int argc, char** argv) {
  const auto args = parse_args(argc, argv, "stop", "-n NAME [-k] [-t TIMEOUT]",
                               "Stop a container: its halt signal (lxc.signal.halt, default SIGPWR), then\n"
                               "SIGKILL after TIMEOUT seconds (default 60).",
                               {{'n', "name", "NAME", "the container"},
                                {'k', "kill", nullptr, "kill it at once"},
                                {'t', "timeout", "TIMEOUT", "seconds to wait before SIGKILL"}});
  const std::string name = require_name(args, "stop");
  uint32_t timeout = 60;
  if (args.has('t') && !policy::parse_u32(args.get('t'), &timeout))
    throw Error("-t TIMEOUT must be a number of seconds");
  const User user = current_user();
  const Paths paths = user_paths(user);
  require_container(paths, name);
  if (read_runtime_state(paths, name).state == RunState::kStopped) throw Error(name + " is not running");
  stop_container(paths, name, static_cast<int>(timeout), args.has('k'));
  return 0;
}

int cmd_info(int argc, char** argv) {
  const auto args = parse_args(argc, argv, "info", "-n NAME [-p] [-i] [-s] [-H]",
                               "Show a container's state, init pid, addresses and the traffic of its host-side\n"
                               "veths. -p, -i and -s select fields; -H prints bare values, for scripts.",
                               {{'n', "name", "NAME", "the container"},
                                {'p', "pid", nullptr, "the init's pid"},
                                {'i', "ips", nullptr, "the addresses"},
                                {'s', "state", nullptr, "the state"},
                                {'H', "no-humanize", nullptr, "bare values, raw byte counts"}});
  const std::string name = require_name(args, "info");
  const User user = current_user();
  const Paths paths = user_paths(user);
  require_container(paths, name);
  const bool raw = args.has('H');
  const bool some = args.has('p') || args.has('i') || args.has('s');
  const RuntimeState st = read_runtime_state(paths, name);
  const bool running = st.state == RunState::kRunning;
  if (!some) field(raw, "Name", name);
  if (!some || args.has('s')) field(raw, "State", std::string(run_state_name(st.state)));
  if (!running) return 0;
  if (!some || args.has('p')) field(raw, "PID", std::to_string(st.init_pid));
  if (!some || args.has('i')) {
    const Addresses a = ask_addresses(paths, name);
    for (const auto& ip : a.ipv4) field(raw, "IP", ip);
    for (const auto& ip : a.ipv6) field(raw, "IP", ip);
  }
  if (some) return 0;
  const CgroupUsage use = cgroup_usage(st.init_pid, name);
  auto size = [raw](uint64_t n) { return raw ? std::to_string(n) : human_bytes(n); };
  if (use.has_cpu) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f seconds", static_cast<double>(use.cpu_ns) / 1e9);
    field(raw, "CPU use", raw ? std::to_string(use.cpu_ns) : std::string(seconds));
  }
  if (use.has_blkio) field(raw, "BlkIO use", size(use.blkio_bytes));
  if (use.has_memory) field(raw, "Memory use", size(use.memory_bytes));
  if (use.has_kmem) field(raw, "KMem use", size(use.kmem_bytes));
  for (const auto& link : st.host_links) {
    const LinkBytes b = host_link_bytes(link);
    if (!b.found) continue;
    field(raw, "Link", link);
    field(raw, " TX bytes", size(b.tx));
    field(raw, " RX bytes", size(b.rx));
    field(raw, " Total bytes", size(b.tx + b.rx));
  }
  return 0;
}

int cmd_ls(int argc, char** argv) {
  const auto args = parse_args(argc, argv, "ls", "[-f] [--running|--stopped] [--format json]",
                               "List containers: names, or with -f a table of NAME STATE AUTOSTART GROUPS\n"
                               "IPV4 IPV6 UNPRIVILEGED; --format json prints the same data as JSON.",
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
  for (const auto& name : list_containers(paths)) {
    const RuntimeState st = read_runtime_state(paths, name);
    if (only_running && st.state == RunState::kStopped) continue;
    if (only_stopped && st.state != RunState::kStopped) continue;
    Row r;
    r.name = name;
    r.state = std::string(run_state_name(st.state));
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
