// uxc ls: the user's containers, their states, and for running ones the
// addresses their monitors report, as lxc-ls prints them.
#include <regex.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "policy/config.h"
#include "policy/json.h"
#include "policy/text.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/cgroup.h"
#include "user/runtime/monitor.h"
#include "user/runtime/watch.h"
#include "user/storage/container.h"
#include "user/storage/store.h"

namespace uxc {

namespace {

struct Row {
  std::string name;
  std::string state;
  pid_t pid = 0;
  bool has_ram = false;
  uint64_t ram = 0;
  bool autostart = false;
  std::vector<std::string> groups, interfaces, ipv4, ipv6;
  policy::ImageRecord image;  // uxc.image.*: what the rootfs came from
};

// lxc-ls's -F columns, SWAP left out (uxc does not account swap), and
// the image a container's rootfs came from (create -t download).
constexpr const char* kColumns[] = {"NAME", "STATE", "PID", "RAM", "AUTOSTART", "GROUPS", "INTERFACE", "IPV4",
                                    "IPV6", "UNPRIVILEGED", "IMAGE", "DIST", "RELEASE", "ARCH"};
constexpr const char* kFancyDefault = "NAME,STATE,AUTOSTART,GROUPS,IPV4,IPV6,UNPRIVILEGED";

std::string cell(const Row& r, const std::string& column) {
  auto list = [](const std::vector<std::string>& v) { return v.empty() ? std::string("-") : join(v, ", "); };
  const bool running = r.state != "STOPPED";
  if (column == "NAME") return r.name;
  if (column == "STATE") return r.state;
  if (column == "PID") return running && r.pid > 0 ? std::to_string(r.pid) : "-";
  if (column == "RAM") {
    if (!r.has_ram) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fMB", static_cast<double>(r.ram) / (1024.0 * 1024.0));
    return buf;
  }
  if (column == "AUTOSTART") return r.autostart ? "1" : "0";
  if (column == "GROUPS") return r.groups.empty() ? "-" : join(r.groups, ",");
  if (column == "INTERFACE") return list(r.interfaces);
  if (column == "IPV4") return list(r.ipv4);
  if (column == "IPV6") return list(r.ipv6);
  auto or_dash = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
  if (column == "IMAGE") {
    std::string image;
    for (const std::string* part : {&r.image.dist, &r.image.release, &r.image.arch})
      if (!part->empty()) image += (image.empty() ? "" : " ") + *part;
    return or_dash(image);
  }
  if (column == "DIST") return or_dash(r.image.dist);
  if (column == "RELEASE") return or_dash(r.image.release);
  if (column == "ARCH") return or_dash(r.image.arch);
  return "true";  // UNPRIVILEGED: every uxc container is
}

// docs/json.md: null, or the image's record.
std::string image_json(const policy::ImageRecord& m) {
  if (m.dist.empty()) return "null";
  return "{\"dist\":" + policy::json_quote(m.dist) + ",\"release\":" + policy::json_quote(m.release) +
         ",\"arch\":" + policy::json_quote(m.arch) + ",\"variant\":" + policy::json_quote(m.variant) +
         ",\"build\":" + policy::json_quote(m.build) + ",\"server\":" + policy::json_quote(m.server) + "}";
}

std::vector<std::string> split_commas(const std::string& spec) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = std::min(spec.find(',', start), spec.size());
    out.push_back(spec.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> parse_columns(const std::string& spec) {
  std::vector<std::string> columns;
  for (std::string c : split_commas(spec)) {
    for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (std::find_if(std::begin(kColumns), std::end(kColumns), [&](const char* k) { return c == k; }) == std::end(kColumns))
      throw UsageError("-F: unknown column '" + c + "': use a comma-separated list of " +
                       join({std::begin(kColumns), std::end(kColumns)}, ","));
    columns.push_back(c);
  }
  return columns;
}

void print_table(const std::vector<Row>& rows, const std::vector<std::string>& columns) {
  if (rows.empty()) return;
  std::vector<std::vector<std::string>> lines = {columns};
  for (const Row& r : rows) {
    std::vector<std::string> line;
    for (const auto& c : columns) line.push_back(cell(r, c));
    lines.push_back(std::move(line));
  }
  std::vector<size_t> width(columns.size(), 0);
  for (const auto& line : lines)
    for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  for (const auto& line : lines) {
    std::string out;
    for (size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out += std::string(width[i] - line[i].size() + 1, ' ');
    }
    std::printf("%s\n", out.c_str());
  }
}

}  // namespace

int cmd_ls(int argc, char** argv) {
  auto args = parse_args(argc, argv, "ls", "[-1|-f|-F COLUMNS|--format json] [--active|--running|--frozen|--stopped]\n"
                         "              [-g GROUPS] [[--filter] REGEX]",
                         "List containers, as lxc-ls does: names, one a line (-1, the default), or with -f a\n"
                         "table of NAME STATE AUTOSTART GROUPS IPV4 IPV6 UNPRIVILEGED; -F picks the columns\n"
                         "from NAME,STATE,PID,RAM,AUTOSTART,GROUPS,INTERFACE,IPV4,IPV6,UNPRIVILEGED and\n"
                         "IMAGE (distribution, release and architecture of the rootfs), DIST, RELEASE, ARCH.\n"
                         "REGEX (extended, matched anywhere in the name) and the state and group options\n"
                         "select containers; each one given must hold. --format json prints every field.\n"
                         "A directory whose config is missing or broken is BROKEN (uxc destroy -f).",
                         {{'1', "line", nullptr, "one name a line (the default)"},
                          {'f', "fancy", nullptr, "a table with the default columns"},
                          {'F', "fancy-format", "COLUMNS", "a table with these columns (comma-separated)"},
                          {0, "active", nullptr, "only containers that are not stopped"},
                          {0, "running", nullptr, "only running containers"},
                          {0, "frozen", nullptr, "only frozen containers"},
                          {0, "stopped", nullptr, "only stopped containers"},
                          {'g', "groups", "GROUPS", "only containers in one of these lxc.group groups (comma-separated)"},
                          {0, "filter", "REGEX", "only names that REGEX matches"},
                          {0, "format", "FORMAT", "json: every field, as docs/json.md describes"}});
  // Long-only options carry their index + 1 as their code.
  const char kActive = 4, kRunning = 5, kFrozen = 6, kStopped = 7, kFilter = 9, kFormat = 10;
  const bool json = args.has(kFormat);
  if (json && args.get(kFormat) != "json") throw UsageError("--format takes only 'json'");
  if (args.rest.size() > 1 || (args.rest.size() == 1 && args.has(kFilter)))
    throw UsageError("one REGEX at most: uxc ls REGEX, or --filter REGEX");
  const std::string filter = args.has(kFilter) ? args.get(kFilter) : args.rest.empty() ? "" : args.rest[0];
  regex_t regex{};
  if (!filter.empty()) {
    if (const int rc = regcomp(&regex, filter.c_str(), REG_EXTENDED | REG_NOSUB); rc != 0) {
      char why[256];
      regerror(rc, &regex, why, sizeof why);
      throw UsageError("REGEX '" + filter + "': " + why);
    }
  }
  Defer free_regex([&] {
    if (!filter.empty()) regfree(&regex);
  });
  std::vector<std::string> groups;
  if (args.has('g')) groups = split_commas(args.get('g'));
  const std::vector<std::string> columns = parse_columns(args.has('F') ? args.get('F') : kFancyDefault);

  const User user = current_user();
  const Paths paths = command_paths(args, user);
  std::vector<Row> rows;
  // A directory whose config is missing or broken is listed as BROKEN
  // (uxc destroy -f removes it), not hidden; one a create is still making
  // (or a killed create left) is not a container yet.
  for (const auto& entry : list_store(paths)) {
    const std::string& name = entry.name;
    if (!filter.empty() && regexec(&regex, name.c_str(), 0, nullptr, 0) != 0) continue;
    const RuntimeState st = read_runtime_state(paths, name);
    Row r;
    r.name = name;
    r.state = container_state(paths, name);
    if (!entry.broken.empty() && r.state == "STOPPED") r.state = "BROKEN";
    if (args.has(kActive) && (r.state == "STOPPED" || r.state == "BROKEN")) continue;
    if (args.has(kRunning) && r.state != "RUNNING") continue;
    if (args.has(kFrozen) && r.state != "FROZEN") continue;
    if (args.has(kStopped) && r.state != "STOPPED") continue;
    policy::Config config;
    std::vector<std::string> errors;
    std::string text;
    if (read_file(container_config(paths, name), &text))
      (void)policy::parse_config(text, "config", &config, &errors, &config_includes());
    if (!groups.empty() && std::none_of(groups.begin(), groups.end(), [&](const std::string& g) {
          return std::find(config.groups.begin(), config.groups.end(), g) != config.groups.end();
        }))
      continue;
    r.autostart = config.start_auto;
    r.groups = config.groups;
    r.image = config.image;
    if (st.state == RunState::kRunning) {
      r.pid = st.init_pid;
      r.interfaces = st.host_links;
      const Addresses a = ask_addresses(paths, name);
      r.ipv4 = a.ipv4;
      r.ipv6 = a.ipv6;
      const CgroupUsage use = cgroup_usage(st.init_pid, name);
      r.has_ram = use.has_memory;
      r.ram = use.memory_bytes;
    }
    rows.push_back(std::move(r));
  }
  if (json) {
    // docs/json.md, "uxc ls".
    std::printf("[");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::printf("%s{\"name\":%s,\"state\":%s,\"autostart\":%s,\"groups\":%s,\"ipv4\":%s,\"ipv6\":%s,"
                  "\"unprivileged\":true,\"pid\":%s,\"interfaces\":%s,\"memory_bytes\":%s,\"image\":%s}",
                  i ? "," : "", policy::json_quote(r.name).c_str(), policy::json_quote(r.state).c_str(),
                  r.autostart ? "true" : "false", policy::json_string_array(r.groups).c_str(),
                  policy::json_string_array(r.ipv4).c_str(), policy::json_string_array(r.ipv6).c_str(),
                  r.pid > 0 ? std::to_string(r.pid).c_str() : "null", policy::json_string_array(r.interfaces).c_str(),
                  r.has_ram ? std::to_string(r.ram).c_str() : "null", image_json(r.image).c_str());
    }
    std::printf("]\n");
    return 0;
  }
  if (args.has('f') || args.has('F')) {
    print_table(rows, columns);
    return 0;
  }
  for (const auto& r : rows) std::printf("%s\n", r.name.c_str());
  return 0;
}

}  // namespace uxc
