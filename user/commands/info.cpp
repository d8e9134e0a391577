// uxc info: a container's state, read back from its monitor (addresses)
// and the kernel (cgroup use, veth counters).
#include <cstdio>

#include "policy/json.h"
#include "policy/text.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/cgroup.h"
#include "user/host/netconf.h"
#include "user/runtime/monitor.h"
#include "user/runtime/watch.h"
#include "user/storage/container.h"

namespace uxc {

namespace {

// LXC's human-readable sizes: "N bytes", "1.34 KiB", "29.02 MiB".
std::string human_bytes(uint64_t n) { return policy::format_size(n, 2, "bytes"); }

// LXC's -H: numbers raw; the label goes only when exactly one field was
// asked for (lxc-info -p -H prints the bare pid).
struct Printer {
  bool raw = false;
  bool bare = false;
  void operator()(const char* label, const std::string& value) const {
    if (bare) std::printf("%s\n", value.c_str());
    else std::printf("%-16s%s\n", (std::string(label) + ":").c_str(), value.c_str());
  }
};

}  // namespace

namespace {

// Everything info knows about a container, for either output.
struct Info {
  std::string name, state;
  bool running = false;
  pid_t pid = 0;
  Addresses addresses;
  CgroupUsage use;
  struct Link {
    std::string name;
    uint64_t tx = 0, rx = 0;
  };
  std::vector<Link> links;
};

Info gather(const Paths& paths, const std::string& name, bool want_ips, bool want_stats) {
  Info info;
  info.name = name;
  const RuntimeState st = read_runtime_state(paths, name);
  info.running = st.state == RunState::kRunning;
  info.state = info.running ? container_state(paths, name) : std::string(run_state_name(st.state));
  if (!info.running) return info;
  info.pid = st.init_pid;
  if (want_ips) info.addresses = ask_addresses(paths, name);
  if (!want_stats) return info;
  info.use = cgroup_usage(st.init_pid, name);
  for (const auto& link : st.host_links) {
    const LinkBytes b = host_link_bytes(link);
    if (b.found) info.links.push_back({link, b.tx, b.rx});
  }
  return info;
}

// docs/json.md, "uxc info".
void print_json(const Info& info) {
  auto number = [](bool has, uint64_t n) { return has ? std::to_string(n) : std::string("null"); };
  std::string links = "[";
  for (size_t i = 0; i < info.links.size(); ++i)
    links += std::string(i ? "," : "") + "{\"name\":" + policy::json_quote(info.links[i].name) +
             ",\"tx_bytes\":" + std::to_string(info.links[i].tx) + ",\"rx_bytes\":" + std::to_string(info.links[i].rx) + "}";
  links += "]";
  const CgroupUsage& u = info.use;
  std::printf("{\"name\":%s,\"state\":%s,\"pid\":%s,\"ipv4\":%s,\"ipv6\":%s,"
              "\"stats\":{\"cpu_ns\":%s,\"blkio_bytes\":%s,\"memory_bytes\":%s,\"kmem_bytes\":%s},\"links\":%s}\n",
              policy::json_quote(info.name).c_str(), policy::json_quote(info.state).c_str(),
              info.running ? std::to_string(info.pid).c_str() : "null",
              policy::json_string_array(info.addresses.ipv4).c_str(), policy::json_string_array(info.addresses.ipv6).c_str(),
              number(u.has_cpu, u.cpu_ns).c_str(), number(u.has_blkio, u.blkio_bytes).c_str(),
              number(u.has_memory, u.memory_bytes).c_str(), number(u.has_kmem, u.kmem_bytes).c_str(), links.c_str());
}

}  // namespace

int cmd_info(int argc, char** argv) {
  auto args = parse_args(argc, argv, "info", "[-n] NAME [-s] [-p] [-i] [-S] [-c KEY]... [-H] [--format json]",
                         "Show a container's state, init pid, addresses, the use of its cgroups and the\n"
                         "traffic of its host-side veths, as lxc-info does. -s, -p, -i and -S select\n"
                         "fields, -c KEY prints what the configuration sets KEY to; -H prints numbers\n"
                         "raw, and bare values when one field (or one -c) is selected.\n"
                         "--format json prints every field as one JSON object (docs/json.md).",
                         {{'n', "name", "NAME", "the container"},
                          {'s', "state", nullptr, "the state"},
                          {'p', "pid", nullptr, "the init's pid"},
                          {'i', "ips", nullptr, "the addresses"},
                          {'S', "stats", nullptr, "the use of CPU, block I/O and memory, and each veth's traffic"},
                          {'c', "config", "KEY", "the configuration's value of KEY (repeatable)"},
                          {'H', "no-humanize", nullptr, "raw numbers (bytes, nanoseconds)"},
                          {0, "format", "FORMAT", "json: every field, as one JSON object"}});
  // Long-only options carry their index + 1 as their code.
  const char kFormat = 8;
  const bool json = args.has(kFormat);
  if (json && args.get(kFormat) != "json") throw UsageError("--format takes only 'json'");
  const std::string name = require_name(args, "info");
  no_more_operands(args);
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  require_container(paths, name);
  if (json) {
    print_json(gather(paths, name, true, true));
    return 0;
  }
  std::vector<std::string> keys;
  for (const auto& [flag, key] : args.given)
    if (flag == 'c') {
      if (policy::canonical_config_key(key).empty())
        throw UsageError("'" + key + "' is not a configuration key: 'uxc help keys' lists them");
      keys.push_back(key);
    }
  bool want_state = args.has('s'), want_pid = args.has('p'), want_ips = args.has('i'), want_stats = args.has('S');
  // As lxc-info counts them: the stats are five fields.
  const int selected = want_state + want_pid + want_ips + 5 * want_stats;
  Printer field;
  field.raw = args.has('H');
  field.bare = field.raw && selected == 1;
  if (selected == 0 && keys.empty()) {
    want_state = want_pid = want_ips = want_stats = true;
    field("Name", name);
  }
  const Info info = gather(paths, name, want_ips, want_stats);
  if (want_state) field("State", info.state);
  // lxc-info -c: the keys after the fields, "KEY = VALUE" a value (a
  // list, one line each; "KEY =" when unset), bare with -H and one key.
  const auto print_keys = [&] {
    if (keys.empty()) return;
    const policy::Config config = load_config(container_config(paths, name));
    for (const auto& key : keys) {
      const auto values = policy::config_values(config, key);
      const bool bare = field.raw && keys.size() == 1 && selected == 0;
      if (values.empty()) std::printf(bare ? "\n" : "%s =\n", key.c_str());
      for (const auto& v : values) {
        if (bare) std::printf("%s\n", v.c_str());
        else std::printf("%s = %s\n", key.c_str(), v.c_str());
      }
    }
  };
  if (!info.running) {
    print_keys();
    return 0;
  }
  if (want_pid) field("PID", std::to_string(info.pid));
  for (const auto& ip : info.addresses.ipv4) field("IP", ip);
  for (const auto& ip : info.addresses.ipv6) field("IP", ip);
  if (!want_stats) {
    print_keys();
    return 0;
  }
  const bool raw = field.raw;
  const CgroupUsage& use = info.use;
  auto size = [raw](uint64_t n) { return raw ? std::to_string(n) : human_bytes(n); };
  if (use.has_cpu) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f seconds", static_cast<double>(use.cpu_ns) / 1e9);
    field("CPU use", raw ? std::to_string(use.cpu_ns) : std::string(seconds));
  }
  if (use.has_blkio) field("BlkIO use", size(use.blkio_bytes));
  if (use.has_memory) field("Memory use", size(use.memory_bytes));
  if (use.has_kmem) field("KMem use", size(use.kmem_bytes));
  for (const auto& link : info.links) {
    field("Link", link.name);
    field(" TX bytes", size(link.tx));
    field(" RX bytes", size(link.rx));
    field(" Total bytes", size(link.tx + link.rx));
  }
  print_keys();
  return 0;
}

}  // namespace uxc
