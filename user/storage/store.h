// The user's store of containers as directories: which of them are
// broken, the locks that keep copies and snapshots from racing a start
// or each other, and the overlay layers containers share (uxc copy -s,
// uxc snapshot).
//
// A container's files are either a plain directory (NAME/rootfs) or a
// stack of overlayfs layers: read-only lower layers and one writable
// upper layer (lxc.rootfs.path = overlay:/LOWER...:/UPPER, policy/rootfs.h).
// Layers are directories in the directory of the container that made
// them: its first rootfs, then delta0, delta1, ... (each an upper layer
// once, read-only from the moment it was frozen). A clone's lowers may
// lie in its source's directory: the source then has dependants.
//
// Every change of a container's layers follows one order, so that a
// command killed at any point leaves either the old or the new state:
// new directories are made first, the config (or a snapshot record) is
// replaced by rename, and only then is what nothing refers to any more
// removed. Layers nobody refers to are garbage and are collected by the
// next snapshot command on that container.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "policy/config.h"
#include "policy/rootfs.h"
#include "user/common/dirs.h"
#include "user/common/util.h"

namespace uxc {

// ---------------------------------------------------------------- health

// Every directory in the store with a valid container name, sorted, and
// whether its config can be read ("" if so, else why not).
struct StoreEntry {
  std::string name;
  std::string broken;  // "" or e.g. "its config is missing"
};
std::vector<StoreEntry> list_store(const Paths& paths);
std::string container_problem(const Paths& paths, const std::string& name);

// The refusal for a name that is taken, with what to do when the
// directory there is a broken container.
std::string name_taken_message(const Paths& paths, const std::string& name);

// A container's config is written last. Until then its directory holds
// this marker (made first, removed once the config is in place) and is
// locked (flock) by the create or copy filling it: it is unfinished, not
// a container, so ls skips it and the next create of the name reuses it
// once nobody holds it. A directory without a config and without the
// marker is a container whose config went missing: BROKEN.
inline constexpr char kUnfinishedMarker[] = ".creating";
bool is_unfinished(const std::string& dir);
void mark_unfinished(const std::string& dir);
void mark_finished(const std::string& dir);

// ---------------------------------------------------------------- id maps

// File work as the container's root: the commands hand it in
// (host/userns.h's run_as_container_root, bound to the container's map),
// storage/ says what to do there.
using AsContainerRoot = std::function<void(const std::function<void()>& work)>;

// The id map lines that reach a container's files even when its config
// is broken: its lxc.idmap lines, else default.conf's (none: the user's
// first subordinate ranges apply, host/helpers.h). `name` empty: the
// user's default map.
policy::Config idmap_config(const Paths& paths, const std::string& name);

// ---------------------------------------------------------------- locks

// Serialises the commands that change who uses which layer (copy,
// snapshot, destroy's check for dependants): a lock on the data directory
// itself, so no file is left for it. Blocks until it is free.
Fd lock_store(const Paths& paths);

// Holds the container's runtime lock, which a running container's
// monitor holds for its whole life (storage/container.h): while it is
// held, the container is stopped and cannot be started. Refuses, naming
// the container and `doing`, if it runs; try_lock_stopped returns
// nullopt then. The caller holds lock_store: when no runtime directory
// exists yet (nothing ever ran, without XDG_RUNTIME_DIR), the returned fd
// is empty, and a start that would make one waits for the data
// directory's lock (dirs.h, make_runtime_dir).
Fd lock_stopped(const Paths& paths, const User& user, const std::string& name, const std::string& doing);
std::optional<Fd> try_lock_stopped(const Paths& paths, const User& user, const std::string& name);

// ---------------------------------------------------------------- layers

// The container's rootfs as its config names it (NAME/rootfs if unset).
policy::RootfsPath container_rootfs(const Paths& paths, const std::string& name, const policy::Config& config);

// The directories of a container's files: its dir, or its layers top
// first (upper included).
std::vector<std::string> rootfs_layers(const policy::RootfsPath& rootfs);

// Who uses a layer: a container's current rootfs (snapshot empty) or one
// of its snapshots.
struct LayerUse {
  std::string container;
  std::string snapshot;
  bool upper = false;
};
struct LayerUses {
  std::string layer;
  std::vector<LayerUse> uses;
};
// Every layer of every container and snapshot in the store, read
// leniently (a broken config still names its layers).
std::vector<LayerUses> scan_layer_uses(const Paths& paths);

// Containers other than `name` whose rootfs or snapshots use a layer in
// `name`'s directory, sorted.
std::vector<std::string> dependants(const Paths& paths, const std::string& name);

// Makes the container's current files read-only layers under a new,
// empty upper layer and commits that to its config, unless its upper
// layer is empty already. A plain directory becomes the first layer in
// place. Returns the new rootfs. The container must be locked stopped.
policy::RootfsPath freeze_layers(const Paths& paths, const std::string& name, const AsContainerRoot& as_root);

// Removes the upper layers (deltaN) in `name`'s directory that no
// container or snapshot uses, and leftovers of interrupted commands.
void collect_garbage(const Paths& paths, const std::string& name, const AsContainerRoot& as_root);

// A new upper layer `upper` (and olwork beside it) for a container whose
// top layer is `top`: the new layer's root takes `top`'s owner, mode
// and extended attributes, as the container's "/" has them. Runs as the
// container's root.
void make_upper_layer(const std::string& upper, const std::string& top);

// Refuses a stack of layers for `name` that cannot be used: more lower
// layers than one overlayfs mount takes, or an lxc.rootfs.path longer
// than a config line may be. Says how to flatten it.
void check_layer_stack(const std::string& name, const policy::RootfsPath& rootfs);

// A free name for a new layer in `dir`: deltaN, N above every deltaN there.
std::string next_layer_path(const std::string& dir);

// Replaces lxc.rootfs.path in the config file at `config_path` by rename,
// keeping its mode; checks that the result still parses.
void commit_rootfs(const std::string& config_path, const policy::RootfsPath& rootfs);

// Refuses when the kernel cannot mount overlayfs in a user namespace:
// "WHAT needs ... Linux 5.11 or later; this kernel is R[; INSTEAD]".
void require_user_overlay(const std::string& what, const std::string& instead = "");

// uxc start's check of lxc.rootfs.path (`rootfs` as Config::rootfs holds
// it): the directory, or every layer and olwork, must exist; an overlay
// needs a kernel that mounts it in a user namespace.
void check_rootfs_dirs(const std::string& rootfs, const std::string& config_path);

// Makes the directory of a new container `name`, runs `fill` as the
// container's root to make its files, then writes its
// config: the config last, so that the container exists only once it is
// whole. A failure at any step removes everything made, and a name that
// is taken is refused (name_taken_message).
void create_container(const Paths& paths, const std::string& name, const std::string& config_text,
                      const AsContainerRoot& as_root, const std::function<void()>& fill);

// ---------------------------------------------------------------- removal

// Removes a container's directory and runtime directory as the
// container's root; the container must be locked stopped.
void remove_container_files(const Paths& paths, const std::string& name, const AsContainerRoot& as_root);

// uxc destroy -f of a directory whose config is missing or unreadable.
void destroy_broken_container(const Paths& paths, const User& user, const std::string& name,
                              const AsContainerRoot& as_root);

// Refuses to destroy a container that others are cloned from, naming
// them; with `with_dependants` returns them, in the order to destroy.
std::vector<std::string> check_dependants(const Paths& paths, const std::string& name, bool with_dependants);

// The config of a container marked lxc.ephemeral, to remove it with
// once its monitor is done; false for any other (or an unreadable one).
bool ephemeral_config(const Paths& paths, const std::string& name, policy::Config* config);

}  // namespace uxc
