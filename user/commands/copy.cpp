// uxc copy: a new container from an existing one, as lxc-copy makes it:
// a full copy of its files (-B dir), or an overlay clone (-s, -B overlay)
// whose upper layer holds only its own changes; -e starts an ephemeral
// one, destroyed when it stops.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

#include "policy/rootfs.h"
#include "user/commands/cli.h"
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/host/helpers.h"
#include "user/host/overlay.h"
#include "user/host/userns.h"
#include "user/storage/container.h"
#include "user/storage/copy.h"
#include "user/storage/store.h"

namespace uxc {

namespace {

std::string default_conf(const Paths& paths) {
  std::string text;
  (void)read_file(paths.config_dir + "/default.conf", &text, policy::kMaxConfigBytes + 1);
  return text;
}

// lxc-copy -e without -N: NAME_ and six random letters and digits.
std::string ephemeral_name(const std::string& source) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string name = source.substr(0, 57) + "_";
  for (uint8_t b : random_bytes(6)) name += kChars[b % 36];
  return name;
}

// The files of a stopped container, flattened, copied to `dst`. Runs as
// the container's root: an overlay's layers are mounted read-only in a
// mount namespace of this process's own, as the container has them (its
// upper layer as the upper one: a stack of 500 lowers stays mountable).
void copy_files(const policy::RootfsPath& rootfs, const std::string& dst) {
  Fd src;
  std::string shown;
  if (!rootfs.overlay) {
    src.reset(open(rootfs.dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!src.valid()) throw_errno("cannot open " + rootfs.dir);
    shown = rootfs.dir;
  } else {
    if (unshare(CLONE_NEWNS) != 0) throw_errno("cannot create a mount namespace");
    std::vector<Fd> layers;
    std::vector<int> fds;
    auto open_layer = [&](const std::string& l) {
      layers.emplace_back(open(l.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!layers.back().valid()) throw_errno("cannot open the layer " + l);
      return layers.back().get();
    };
    for (const auto& l : rootfs.lowers) fds.push_back(open_layer(l));
    const int upper = open_layer(rootfs.upper);
    const int work = open_layer(policy::overlay_work_dir(rootfs.upper));
    const Fd mnt = mount_overlay(fds, upper, work, true);
    src.reset(openat(mnt.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!src.valid()) throw_errno("cannot open the overlay");
    shown = "the layers of " + rootfs.upper.substr(0, rootfs.upper.rfind('/'));
  }
  (void)copy_tree(src.get(), shown, dst);
}

}  // namespace

void remove_if_ephemeral(const Paths& paths, const User& user, const std::string& name) {
  policy::Config config;
  if (!ephemeral_config(paths, name, &config)) return;
  try {
    const Fd store = lock_store(paths);
    remove_container_files(paths, name, container_root(file_work_idmap(config, user)));
  } catch (const Error& e) {
    std::fprintf(stderr, "uxc: cannot remove the ephemeral container %s: %s\n", name.c_str(), e.what());
  }
}

int cmd_copy(int argc, char** argv) {
  auto args = parse_args(
      argc, argv, "copy", "[-n] NAME -N NEWNAME [-s] [-B dir|overlay] [-K] [-M] [-e [-D] [-d|-F]]",
      "Make a new container from NAME, as lxc-copy does. By default a full copy: every file\n"
      "with its owner, mode, setuid bits, file capabilities, extended attributes, hard links\n"
      "and holes; NAME must be stopped. With -s (or -B overlay) an overlay clone, made at\n"
      "once: NAME's files become read-only layers both containers share, and each writes\n"
      "its own changes to its own upper layer; NAME may run if it is overlay-based itself.\n"
      "The new container gets its own host name (lxc.uts.name) and new MAC addresses.\n"
      "-e starts an ephemeral clone, destroyed when it stops.",
      {{'n', "name", "NAME", "the container to copy"},
       {'N', "newname", "NEWNAME", "the new container's name"},
       {'s', "snapshot", nullptr, "an overlay clone instead of a full copy"},
       {'B', "backingstorage", "TYPE", "dir (a full copy) or overlay (a clone)"},
       {'K', "keepname", nullptr, "keep NAME's host name"},
       {'M', "keepmac", nullptr, "keep NAME's MAC addresses"},
       {'e', "ephemeral", nullptr, "start the copy; destroy it when it stops (an overlay clone unless -B dir)"},
       {'D', "keepdata", nullptr, "with -e: keep the copy when it stops"},
       {'d', "daemon", nullptr, "with -e: run it in the background (the default)"},
       {'F', "foreground", nullptr, "with -e: run it in the foreground, console on this terminal"}});
  const std::string source = require_name(args, "copy");
  no_more_operands(args);
  const bool ephemeral = args.has('e');
  if (!args.has('N') && !ephemeral) throw UsageError("-N NEWNAME is required");
  const std::string name = args.has('N') ? args.get('N') : ephemeral_name(source);
  check_container_name(name);
  if (name == source) throw UsageError("-N must name a new container, not " + source + " itself");
  if (args.has('B') && args.get('B') != "dir" && args.get('B') != "overlay")
    throw UsageError("-B takes dir or overlay, not '" + args.get('B') + "'");
  if (args.has('s') && args.get('B') == "dir")
    throw UsageError("-s makes an overlay clone and -B dir a full copy: give one of them");
  for (char c : {'D', 'd', 'F'})
    if (args.has(c) && !ephemeral) throw UsageError(std::string("-") + c + " goes with -e");
  if (args.has('d') && args.has('F')) throw UsageError("-d and -F exclude each other");
  const bool overlay = args.has('s') || args.get('B') == "overlay" || (ephemeral && !args.has('B'));

  const User user = current_user();
  const Paths paths = command_paths(args, user);
  const std::string problem = path_exists(container_dir(paths, source)) ? container_problem(paths, source) : "";
  if (!problem.empty()) throw Error(source + " is broken (" + problem + ")");
  require_container(paths, source);
  if (path_exists(container_dir(paths, name))) throw Error(name_taken_message(paths, name));
  if (overlay)
    require_user_overlay("an overlay clone", "make a full copy instead (uxc copy -B dir)");
  const std::string source_config = container_config(paths, source);
  const std::string source_text = read_file_or_throw(source_config);
  const policy::Config config = load_config(source_config);
  const auto as_root = container_root(file_work_idmap(config, user));

  policy::CopyEdits edits;
  // -K: the source's host name, which is its name when it sets none.
  edits.uts_name = !args.has('K') ? name : config.uts_name.empty() ? source : config.uts_name;
  edits.keep_macs = args.has('M');
  edits.ephemeral = ephemeral && !args.has('D');
  edits.hwaddr_templates = policy::hwaddr_values(default_conf(paths));
  const std::vector<uint8_t> random = random_bytes(12 * 64);

  if (overlay) {
    // Who uses which layer changes here: one such command at a time.
    const Fd store = lock_store(paths);
    if (config.ephemeral)
      throw Error("cannot clone " + source + ": it is ephemeral (destroyed when it stops, which its clone's layers "
                  "would not survive); make a full copy of it (-B dir) once it is stopped");
    policy::RootfsPath layers;
    const std::optional<Fd> source_lock = try_lock_stopped(paths, user, source);
    if (!source_lock) {
      // Running: only its read-only layers can be shared; its upper layer
      // changes under it.
      layers = container_rootfs(paths, source, config);
      if (!layers.overlay)
        throw Error("cannot clone " + source + " while it runs: its rootfs is a plain directory, which would change "
                    "under the clone; stop it first (uxc stop -n " + source + ")");
      if (!quiet())
        std::fprintf(stderr,
                   "uxc copy: %s is running: %s gets the layers %s was cloned or snapshotted from, without the "
                   "changes it made since (stop it to include those)\n",
                   source.c_str(), name.c_str(), source.c_str());
    }
    if (source_lock) layers = freeze_layers(paths, source, as_root);
    policy::RootfsPath clone;
    clone.overlay = true;
    clone.lowers = layers.lowers;
    clone.upper = container_dir(paths, name) + "/delta0";
    check_layer_stack(source, clone);
    edits.header = "Container " + name + ", an overlay clone of " + source + " made by 'uxc copy -s'";
    edits.rootfs = policy::format_rootfs_path(clone);
    create_container(paths, name, policy::copy_config(source_text, edits, random), as_root,
                     [&] { make_upper_layer(clone.upper, clone.lowers.front()); });
    if (!quiet()) std::printf("Created container %s as an overlay clone of %s\n", name.c_str(), source.c_str());
  } else {
    // For the whole copy: the source cannot start, nor a snapshot or
    // restore change its layers.
    const Fd store = lock_store(paths);
    const Fd source_lock = lock_stopped(paths, user, source, "make a full copy of it");
    const policy::RootfsPath rootfs = container_rootfs(paths, source, config);
    const std::string dst = container_dir(paths, name) + "/rootfs";
    edits.header = "Container " + name + ", a copy of " + source + " made by 'uxc copy'";
    edits.rootfs = "dir:" + dst;
    create_container(paths, name, policy::copy_config(source_text, edits, random), as_root,
                     [&] { copy_files(rootfs, dst); });
    if (!quiet()) std::printf("Created container %s as a copy of %s\n", name.c_str(), source.c_str());
  }
  if (!ephemeral) return 0;

  std::vector<std::string> words = {"start", "-n", name, args.has('F') ? "-F" : "-d"};
  if (args.has('q')) words.emplace_back("-q");
  if (args.has('P')) words.insert(words.end(), {"-P", args.get('P')});
  std::vector<char*> start_argv;
  for (auto& w : words) start_argv.push_back(w.data());
  start_argv.push_back(nullptr);
  try {
    return cmd_start(static_cast<int>(words.size()), start_argv.data());
  } catch (const Error&) {
    // A start refused before its monitor ran leaves the copy: it goes too.
    if (!args.has('D')) remove_if_ephemeral(paths, user, name);
    throw;
  }
}

}  // namespace uxc
