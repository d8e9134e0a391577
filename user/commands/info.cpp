// uxc info: a container's state, read back from its monitor (addresses)
// and the kernel (cgroup use, veth counters).
#include <cstdio>

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

int cmd_info(int argc, char** argv) {
  auto args = parse_args(argc, argv, "info", "[-n] NAME [-s] [-p] [-i] [-S] [-H]",
                         "Show a container's state, init pid, addresses, the use of its cgroups and the\n"
                         "traffic of its host-side veths, as lxc-info does. -s, -p, -i and -S select\n"
                         "fields; -H prints numbers raw, and bare values when one field is selected.",
                         {{'n', "name", "NAME", "the container"},
                          {'s', "state", nullptr, "the state"},
                          {'p', "pid", nullptr, "the init's pid"},
                          {'i', "ips", nullptr, "the addresses"},
                          {'S', "stats", nullptr, "the use of CPU, block I/O and memory, and each veth's traffic"},
                          {'H', "no-humanize", nullptr, "raw numbers (bytes, nanoseconds)"}});
  const std::string name = require_name(args, "info");
  no_more_operands(args);
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  require_container(paths, name);
  bool want_state = args.has('s'), want_pid = args.has('p'), want_ips = args.has('i'), want_stats = args.has('S');
  // As lxc-info counts them: the stats are five fields.
  const int selected = want_state + want_pid + want_ips + 5 * want_stats;
  const bool all = selected == 0;
  Printer field;
  field.raw = args.has('H');
  field.bare = field.raw && selected == 1;
  if (all) {
    want_state = want_pid = want_ips = want_stats = true;
    field("Name", name);
  }
  const RuntimeState st = read_runtime_state(paths, name);
  const bool running = st.state == RunState::kRunning;
  if (want_state) field("State", running ? container_state(paths, name) : std::string(run_state_name(st.state)));
  if (!running) return 0;
  if (want_pid) field("PID", std::to_string(st.init_pid));
  if (want_ips) {
    const Addresses a = ask_addresses(paths, name);
    for (const auto& ip : a.ipv4) field("IP", ip);
    for (const auto& ip : a.ipv6) field("IP", ip);
  }
  if (!want_stats) return 0;
  const bool raw = field.raw;
  const CgroupUsage use = cgroup_usage(st.init_pid, name);
  auto size = [raw](uint64_t n) { return raw ? std::to_string(n) : human_bytes(n); };
  if (use.has_cpu) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f seconds", static_cast<double>(use.cpu_ns) / 1e9);
    field("CPU use", raw ? std::to_string(use.cpu_ns) : std::string(seconds));
  }
  if (use.has_blkio) field("BlkIO use", size(use.blkio_bytes));
  if (use.has_memory) field("Memory use", size(use.memory_bytes));
  if (use.has_kmem) field("KMem use", size(use.kmem_bytes));
  for (const auto& link : st.host_links) {
    const LinkBytes b = host_link_bytes(link);
    if (!b.found) continue;
    field("Link", link);
    field(" TX bytes", size(b.tx));
    field(" RX bytes", size(b.rx));
    field(" Total bytes", size(b.tx + b.rx));
  }
  return 0;
}

}  // namespace uxc
