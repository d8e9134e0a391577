// uxc info: a container's state, read back from its monitor (addresses)
// and the kernel (cgroup use, veth counters).
#include <cstdio>

#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/cgroup.h"
#include "user/host/netconf.h"
#include "user/runtime/monitor.h"
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

void field(bool raw, const char* label, const std::string& value) {
  if (raw) std::printf("%s\n", value.c_str());
  else std::printf("%-16s%s\n", (std::string(label) + ":").c_str(), value.c_str());
}

}  // namespace

int cmd_info(int argc, char** argv) {
  auto args = parse_args(argc, argv, "info", "[-n] NAME [-p] [-i] [-s] [-H]",
                               "Show a container's state, init pid, addresses and the traffic of its host-side\n"
                               "veths. -p, -i and -s select fields; -H prints bare values, for scripts.",
                               {{'n', "name", "NAME", "the container"},
                                {'p', "pid", nullptr, "the init's pid"},
                                {'i', "ips", nullptr, "the addresses"},
                                {'s', "state", nullptr, "the state"},
                                {'H', "no-humanize", nullptr, "bare values, raw byte counts"}});
  const std::string name = require_name(args, "info");
  no_more_operands(args);
  const User user = current_user();
  const Paths paths = command_paths(args, user);
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

}  // namespace uxc
