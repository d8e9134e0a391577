// Snapshots of a container (uxc snapshot, lxc-snapshot's model) on
// overlay layers: a snapshot freezes what the stopped container has as
// read-only layers (store.h) and records them; restoring it gives the
// container those layers and a new, empty upper layer, so rollback drops
// what was written since, as removing the upper layers of an image does.
//
// A snapshot is NAME/snaps/SNAP/: `config` (the container's config when
// it was taken), `layers` (one directory a line, top first), `ts` (its
// date, LXC's "YYYY:MM:DD HH:MM:SS", local time) and `comment` (if any).
// It is written as .new-SNAP and renamed; it is removed by renaming it to
// .del-SNAP first, so a killed command leaves either a whole snapshot or
// none.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "user/common/dirs.h"
#include "user/storage/store.h"

namespace uxc {

struct Snapshot {
  std::string name;
  std::string date;
  std::string comment;
  std::vector<std::string> layers;  // top first
  std::string config;               // the container's config text then
};

// The container's snapshots, by name (snap2 before snap10).
std::vector<Snapshot> list_snapshots(const Paths& paths, const std::string& name);

// One snapshot; refuses one that does not exist, naming what does.
Snapshot read_snapshot(const Paths& paths, const std::string& name, const std::string& snapshot);

// Takes a snapshot of the stopped container `name` with `comment`;
// returns its name (snapN, the first free).
std::string create_snapshot(const Paths& paths, const User& user, const std::string& name, const std::string& comment,
                            const AsContainerRoot& as_root);

// Restores the stopped container `name` to `snapshot`, in place: the
// config is replaced by rename, after the new upper layer exists, and
// the layers nothing uses any more are removed after that.
void restore_snapshot(const Paths& paths, const User& user, const std::string& name, const std::string& snapshot,
                      const AsContainerRoot& as_root);

// A new container `new_name` on the layers of `snapshot` of `name` (which
// may run), with its own host name and MAC addresses.
void restore_snapshot_as(const Paths& paths, const std::string& name, const std::string& snapshot,
                         const std::string& new_name, const AsContainerRoot& as_root);

// Removes a snapshot ("ALL": every one) and the layers only it used.
void destroy_snapshot(const Paths& paths, const std::string& name, const std::string& snapshot,
                      const AsContainerRoot& as_root);

// The disk space of each directory tree (blocks in use, each inode once),
// measured as the container's root.
std::vector<uint64_t> layer_sizes(const std::vector<std::string>& layers, const AsContainerRoot& as_root);

}  // namespace uxc
