// uxc ls: the user's containers, their states, and for running ones the
// addresses their monitors report.
#include <algorithm>
#include <cctype>
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
  const auto args = parse_args(argc, argv, "ls", "[-f] [-F FIELDS] [--running|--stopped] [--format json]",
                               "List containers: names, or with -f a table of NAME STATE AUTOSTART GROUPS\n"
                               "IPV4 IPV6 UNPRIVILEGED; -F picks the columns (as lxc-ls -F), from those and\n"
                               "IMAGE (distribution, release and architecture the rootfs came from), DIST,\n"
                               "RELEASE and ARCH; --format json prints all of it as JSON. A directory whose\n"
                               "config is missing or broken is BROKEN (uxc destroy -f removes it).",
                               {{'f', "fancy", nullptr, "one line per container with its details"},
                                {'F', "fancy-format", "FIELDS", "comma-separated columns for -f (implies -f)"},
                                {0, "running", nullptr, "only running containers"},
                                {0, "stopped", nullptr, "only stopped containers"},
                                {0, "format", "FORMAT", "json"}});
  // Long-only options carry their index + 1 as their code.
  const bool only_running = args.has(3), only_stopped = args.has(4);
  const bool json = args.has(5);
  if (json && args.get(5) != "json") throw Error("--format takes only 'json'");
  static const char* const kFields[] = {"NAME", "STATE",        "AUTOSTART", "GROUPS", "IPV4",
                                        "IPV6", "UNPRIVILEGED", "IMAGE",     "DIST",   "RELEASE", "ARCH"};
  std::vector<size_t> columns = {0, 1, 2, 3, 4, 5, 6};
  if (args.has('F')) {
    columns.clear();
    const std::string list = args.get('F');
    size_t start = 0;
    while (start <= list.size()) {
      const size_t end = std::min(list.find(',', start), list.size());
      std::string field = list.substr(start, end - start);
      for (char& c : field) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const auto it = std::find_if(std::begin(kFields), std::end(kFields), [&](const char* f) { return field == f; });
      if (it == std::end(kFields))
        throw UsageError("unknown field '" + field + "' for -F (fields: " +
                         join(std::vector<std::string>(std::begin(kFields), std::end(kFields)), ",") + ")");
      columns.push_back(static_cast<size_t>(it - std::begin(kFields)));
      start = end + 1;
    }
  }
  const User user = current_user();
  const Paths paths = user_paths(user);
  struct Row {
    std::vector<std::string> cols;  // one per kFields entry
    std::vector<std::string> groups_list, ipv4_list, ipv6_list;
    bool autostart_on = false;
    policy::ImageRecord image;
  };
  std::vector<Row> rows;
  // A directory whose config is missing or broken is listed as BROKEN
  // (uxc destroy -f removes it), not hidden; one a create is still making
  // (or a killed create left) is not a container yet.
  for (const auto& entry : list_store(paths)) {
    const std::string& name = entry.name;
    const RuntimeState st = read_runtime_state(paths, name);
    const bool broken = !entry.broken.empty() && st.state == RunState::kStopped;
    if (only_running && (broken || st.state == RunState::kStopped)) continue;
    if (only_stopped && (broken || st.state != RunState::kStopped)) continue;
    Row r;
    policy::Config config;
    std::vector<std::string> errors;
    std::string text;
    if (read_file(container_config(paths, name), &text)) (void)policy::parse_config(text, "config", &config, &errors, &config_includes());
    r.autostart_on = config.start_auto;
    r.groups_list = config.groups;
    r.image = config.image;
    if (st.state == RunState::kRunning) {
      const Addresses a = ask_addresses(paths, name);
      r.ipv4_list = a.ipv4;
      r.ipv6_list = a.ipv6;
    }
    auto or_dash = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
    std::string image;
    for (const std::string* part : {&r.image.dist, &r.image.release, &r.image.arch})
      if (!part->empty()) image += (image.empty() ? "" : " ") + *part;
    r.cols = {name,
              broken ? "BROKEN" : std::string(run_state_name(st.state)),
              config.start_auto ? "1" : "0",
              or_dash(join(config.groups, ",")),
              or_dash(join(r.ipv4_list, ", ")),
              or_dash(join(r.ipv6_list, ", ")),
              "true",
              or_dash(image),
              or_dash(r.image.dist),
              or_dash(r.image.release),
              or_dash(r.image.arch)};
    rows.push_back(std::move(r));
  }
  if (json) {
    std::printf("[");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      const policy::ImageRecord& m = r.image;
      const std::string image =
          m.dist.empty() ? "null"
                         : "{\"dist\":" + json_string(m.dist) + ",\"release\":" + json_string(m.release) +
                               ",\"arch\":" + json_string(m.arch) + ",\"variant\":" + json_string(m.variant) +
                               ",\"build\":" + json_string(m.build) + ",\"server\":" + json_string(m.server) + "}";
      std::printf("%s{\"name\":%s,\"state\":%s,\"autostart\":%s,\"groups\":%s,\"ipv4\":%s,\"ipv6\":%s,\"unprivileged\":true,"
                  "\"image\":%s}",
                  i ? "," : "", json_string(r.cols[0]).c_str(), json_string(r.cols[1]).c_str(),
                  r.autostart_on ? "true" : "false", json_list(r.groups_list).c_str(), json_list(r.ipv4_list).c_str(),
                  json_list(r.ipv6_list).c_str(), image.c_str());
    }
    std::printf("]\n");
    return 0;
  }
  if (!args.has('f') && !args.has('F')) {
    for (const auto& r : rows) std::printf("%s\n", r.cols[0].c_str());
    return 0;
  }
  if (rows.empty()) return 0;
  std::vector<size_t> width;
  for (size_t c : columns) width.push_back(std::string(kFields[c]).size());
  for (const auto& r : rows)
    for (size_t i = 0; i < columns.size(); ++i) width[i] = std::max(width[i], r.cols[columns[i]].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
      out += cells[i];
      if (i + 1 < cells.size()) out += std::string(width[i] - cells[i].size() + 1, ' ');
    }
    std::printf("%s\n", out.c_str());
  };
  std::vector<std::string> header;
  for (size_t c : columns) header.emplace_back(kFields[c]);
  line(header);
  for (const auto& r : rows) {
    std::vector<std::string> cells;
    for (size_t c : columns) cells.push_back(r.cols[c]);
    line(cells);
  }
  return 0;
}

}  // namespace uxc
