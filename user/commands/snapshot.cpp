// uxc snapshot: lxc-snapshot's commands on overlay layers
// (storage/snapshot.h): take, list (-L), restore (-r, in place or as a
// new container with -N) and destroy (-d) snapshots of a container.
#include <algorithm>
#include <cstdio>

#include "policy/json.h"
#include "policy/rootfs.h"
#include "policy/text.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/helpers.h"
#include "user/host/userns.h"
#include "user/storage/container.h"
#include "user/storage/snapshot.h"
#include "user/storage/store.h"

namespace uxc {

namespace {

std::string human_size(uint64_t n) { return policy::format_size(n, 1, "B"); }

// A layer as the list shows it: its name in the container's directory,
// or its whole path when it lies elsewhere (a clone's source).
std::string short_layer(const std::string& layer, const std::string& dir) {
  return policy::path_is_within(layer, dir) && layer.size() > dir.size() ? layer.substr(dir.size() + 1) : layer;
}

struct LayerRow {
  std::string path;
  bool upper = false;
  std::vector<std::string> used_by;  // the container, its snapshots, other containers
  uint64_t bytes = 0;
};

int list(const Paths& paths, const std::string& name, bool comments, bool json, const AsContainerRoot& as_root) {
  require_container(paths, name);
  const auto snaps = list_snapshots(paths, name);
  const policy::RootfsPath current = container_rootfs(paths, name, load_config(container_config(paths, name)));
  // The layers: the container's stack, top first, then those only its
  // snapshots still hold.
  std::vector<LayerRow> rows;
  auto row = [&](const std::string& layer) -> LayerRow& {
    for (auto& r : rows)
      if (r.path == layer) return r;
    rows.push_back({layer, false, {}, 0});
    return rows.back();
  };
  for (const auto& l : rootfs_layers(current)) row(l);
  if (current.overlay) row(current.upper).upper = true;
  for (const auto& s : snaps)
    for (const auto& l : s.layers) row(l);
  // And the layers in its directory that only clones still use.
  const std::string dir = container_dir(paths, name);
  for (const auto& uses : scan_layer_uses(paths)) {
    bool shown = policy::path_is_within(uses.layer, dir);
    for (const auto& r : rows) shown = shown || r.path == uses.layer;
    if (!shown) continue;
    auto& r = row(uses.layer);
    for (const auto& u : uses.uses) {
      const std::string who = u.container == name ? (u.snapshot.empty() ? name : u.snapshot)
                                                  : (u.snapshot.empty() ? u.container : u.container + ":" + u.snapshot);
      if (std::find(r.used_by.begin(), r.used_by.end(), who) == r.used_by.end()) r.used_by.push_back(who);
    }
  }
  std::vector<std::string> paths_only;
  for (const auto& r : rows) paths_only.push_back(r.path);
  const auto sizes = layer_sizes(paths_only, as_root);
  for (size_t i = 0; i < rows.size(); ++i) rows[i].bytes = sizes[i];

  if (json) {
    std::printf("{\"name\":%s,\"snapshots\":[", policy::json_quote(name).c_str());
    for (size_t i = 0; i < snaps.size(); ++i)
      std::printf("%s{\"name\":%s,\"date\":%s,\"comment\":%s,\"layers\":%s}", i ? "," : "",
                  policy::json_quote(snaps[i].name).c_str(), policy::json_quote(snaps[i].date).c_str(),
                  policy::json_quote(snaps[i].comment).c_str(), policy::json_string_array(snaps[i].layers).c_str());
    std::printf("],\"layers\":[");
    for (size_t i = 0; i < rows.size(); ++i)
      std::printf("%s{\"path\":%s,\"upper\":%s,\"bytes\":%llu,\"used_by\":%s}", i ? "," : "",
                  policy::json_quote(rows[i].path).c_str(), rows[i].upper ? "true" : "false",
                  static_cast<unsigned long long>(rows[i].bytes), policy::json_string_array(rows[i].used_by).c_str());
    std::printf("]}\n");
    return 0;
  }
  if (snaps.empty()) {
    std::printf("No snapshots\n");
  } else {
    size_t w = 8;
    for (const auto& s : snaps) w = std::max(w, s.name.size());
    std::printf("%-*s  %-19s  %s\n", static_cast<int>(w), "SNAPSHOT", "DATE", "LAYERS");
    for (const auto& s : snaps) {
      std::vector<std::string> shown;
      for (const auto& l : s.layers) shown.push_back(short_layer(l, dir));
      std::printf("%-*s  %-19s  %s\n", static_cast<int>(w), s.name.c_str(), s.date.c_str(), join(shown, " ").c_str());
      if (!s.comment.empty()) {
        std::string text = s.comment;
        if (!comments) text = text.substr(0, text.find('\n'));
        size_t start = 0;
        while (start <= text.size()) {
          const size_t end = std::min(text.find('\n', start), text.size());
          std::printf("%-*s  # %s\n", static_cast<int>(w), "", text.substr(start, end - start).c_str());
          start = end + 1;
        }
      }
    }
  }
  std::printf("\n");
  size_t w = 5;
  for (const auto& r : rows) w = std::max(w, short_layer(r.path, dir).size() + (r.upper ? 8 : 0));
  std::printf("%-*s  %10s  %s\n", static_cast<int>(w), "LAYER", "SIZE", "USED BY");
  for (const auto& r : rows)
    std::printf("%-*s  %10s  %s\n", static_cast<int>(w), (short_layer(r.path, dir) + (r.upper ? " (upper)" : "")).c_str(),
                human_size(r.bytes).c_str(), join(r.used_by, " ").c_str());
  return 0;
}

}  // namespace

int cmd_snapshot(int argc, char** argv) {
  auto args = parse_args(
      argc, argv, "snapshot", "[-n] NAME [-c FILE] | -L [-C] [--format json] | -r SNAP [-N NEWNAME] | -d SNAP|ALL",
      "Snapshots of a container, as lxc-snapshot takes them. Without -L, -r or -d: take\n"
      "one of the stopped container, named snapN: its files become read-only overlay\n"
      "layers (at once, taking no room) and it writes on in a new, empty upper layer.\n"
      "-r restores one in place (the stopped container's changes since are dropped) or,\n"
      "with -N, as a new container; -L lists them with their dates and comments, and\n"
      "each layer with its size and who uses it.",
      {{'n', "name", "NAME", "the container"},
       {'c', "comment", "FILE", "the new snapshot's comment, read from FILE"},
       {'L', "list", nullptr, "list the snapshots and layers"},
       {'C', "showcomments", nullptr, "with -L: whole comments, not their first lines"},
       {'r', "restore", "SNAP", "restore SNAP"},
       {'N', "newname", "NEWNAME", "with -r: restore as the new container NEWNAME"},
       {'d', "destroy", "SNAP", "destroy SNAP (ALL: every snapshot)"},
       {0, "format", "FORMAT", "with -L: json"}});
  const std::string name = require_name(args, "snapshot");
  const bool listing = args.has('L'), restoring = args.has('r'), destroying = args.has('d');
  const bool json = args.has(8);  // long-only options carry their index + 1
  if (listing + restoring + destroying > 1) throw UsageError("-L, -r and -d exclude each other");
  if (json && args.get(8) != "json") throw UsageError("--format takes only 'json'");
  if ((json || args.has('C')) && !listing) throw UsageError("-C and --format go with -L");
  if (args.has('N') && !restoring) throw UsageError("-N goes with -r");
  if (args.has('c') && (listing || restoring || destroying)) throw UsageError("-c goes with taking a snapshot");
  no_more_operands(args);
  const User user = current_user();
  const Paths paths = command_paths(args, user);
  if (!is_directory(container_dir(paths, name))) throw Error(name + " doesn't exist");
  // Read leniently: a restore can repair a container whose config broke.
  const auto as_root = container_root(file_work_idmap(idmap_config(paths, name), user));

  if (listing) return list(paths, name, args.has('C'), json, as_root);
  if (restoring) {
    const std::string snap = args.get('r');
    if (args.has('N')) {
      const std::string new_name = args.get('N');
      check_container_name(new_name);
      restore_snapshot_as(paths, name, snap, new_name, as_root);
      if (!quiet()) std::printf("Created container %s from snapshot %s of %s\n", new_name.c_str(), snap.c_str(), name.c_str());
    } else {
      restore_snapshot(paths, user, name, snap, as_root);
      if (!quiet()) std::printf("Restored %s to snapshot %s\n", name.c_str(), snap.c_str());
    }
    return 0;
  }
  if (destroying) {
    destroy_snapshot(paths, name, args.get('d'), as_root);
    if (!quiet()) std::printf("Destroyed %s of %s\n", args.get('d') == "ALL" ? "every snapshot" : ("snapshot " + args.get('d')).c_str(),
                name.c_str());
    return 0;
  }
  std::string comment;
  if (args.has('c') && !read_file(args.get('c'), &comment, 1 << 20)) throw_errno("cannot read " + args.get('c'));
  const std::string snap = create_snapshot(paths, user, name, comment, as_root);
  if (!quiet()) std::printf("Created snapshot %s of %s\n", snap.c_str(), name.c_str());
  return 0;
}

}  // namespace uxc
