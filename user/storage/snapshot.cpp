#include "user/storage/snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <set>
#include <utility>

#include "policy/rootfs.h"
#include "policy/text.h"
#include "user/storage/container.h"
#include "user/storage/store.h"

namespace uxc {

namespace {

std::string snaps_dir(const Paths& paths, const std::string& name) { return container_dir(paths, name) + "/snaps"; }

// snap2 before snap10: a run of digits compares as a number.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = a[i] >= '0' && a[i] <= '9', db = b[j] >= '0' && b[j] <= '9';
    if (da && db) {
      size_t ei = i, ej = j;
      while (ei < a.size() && a[ei] >= '0' && a[ei] <= '9') ++ei;
      while (ej < b.size() && b[ej] >= '0' && b[ej] <= '9') ++ej;
      const std::string na = a.substr(i, ei - i), nb = b.substr(j, ej - j);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ei;
      j = ej;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

std::vector<std::string> snapshot_names(const Paths& paths, const std::string& name) {
  std::vector<std::string> names;
  DIR* d = opendir(snaps_dir(paths, name).c_str());
  if (d == nullptr) return names;
  while (const dirent* e = readdir(d))
    if (policy::is_valid_snapshot_name(e->d_name)) names.emplace_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end(), natural_less);
  return names;
}

std::string now_text() {
  const time_t t = time(nullptr);
  tm local{};
  localtime_r(&t, &local);
  char buf[32];
  strftime(buf, sizeof buf, "%Y:%m:%d %H:%M:%S", &local);
  return buf;
}

std::string first_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

void write_new(const std::string& path, const std::string& data) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid() || !write_all(fd.get(), data)) throw_errno("cannot write " + path);
}

void require_layers(const Snapshot& snap, const std::string& name) {
  for (const auto& l : snap.layers)
    if (!is_directory(l))
      throw Error("snapshot " + snap.name + " of " + name + " is damaged: its layer " + l +
                  " is missing; destroy it (uxc snapshot -n " + name + " -d " + snap.name + ")");
}

// The config of a restored state: the snapshot's, on the snapshot's
// layers under `upper`.
std::string restored_config(const Snapshot& snap, const std::string& upper, const std::string& source) {
  policy::RootfsPath rootfs;
  rootfs.overlay = true;
  rootfs.lowers = snap.layers;
  rootfs.upper = upper;
  const std::string text =
      policy::set_config_value(snap.config, "lxc.rootfs.path", "lxc.rootfs", policy::format_rootfs_path(rootfs));
  policy::Config check;
  std::vector<std::string> errors;
  if (!policy::parse_config(text, source, &check, &errors, &config_includes()) || !policy::validate_config(check, source, &errors))
    throw Error("the config of snapshot " + snap.name + " cannot be read:\n  " + join(errors, "\n  "));
  return text;
}

}  // namespace

std::vector<Snapshot> list_snapshots(const Paths& paths, const std::string& name) {
  std::vector<Snapshot> out;
  for (const auto& n : snapshot_names(paths, name)) out.push_back(read_snapshot(paths, name, n));
  return out;
}

Snapshot read_snapshot(const Paths& paths, const std::string& name, const std::string& snapshot) {
  const std::string dir = snaps_dir(paths, name) + "/" + snapshot;
  if (!policy::is_valid_snapshot_name(snapshot) || !is_directory(dir)) {
    const auto names = snapshot_names(paths, name);
    throw Error(name + " has no snapshot " + snapshot +
                (names.empty() ? std::string(" (it has none)") : " (it has " + join(names, ", ") + ")"));
  }
  Snapshot s;
  s.name = snapshot;
  std::string text, err;
  if (!read_file(dir + "/layers", &text, 1 << 20) || !policy::parse_layer_list(text, &s.layers, &err))
    throw Error("snapshot " + snapshot + " of " + name + " is damaged (" + dir + "/layers: " +
                (err.empty() ? errno_text(errno) : err) + "); destroy it (uxc snapshot -n " + name + " -d " + snapshot + ")");
  if (!read_file(dir + "/config", &s.config, policy::kMaxConfigBytes + 1))
    throw_errno("cannot read " + dir + "/config");
  if (read_file(dir + "/ts", &text, 4096)) s.date = first_line(text);
  if (read_file(dir + "/comment", &text, 1 << 20)) s.comment = first_line(text);
  return s;
}

std::string create_snapshot(const Paths& paths, const User& user, const std::string& name, const std::string& comment,
                            const AsContainerRoot& as_root) {
  require_container(paths, name);
  const Fd store = lock_store(paths);
  const Fd lock = lock_stopped(paths, user, name, "snapshot it");
  const std::string config_path = container_config(paths, name);
  (void)load_config(config_path);  // a broken config is refused here, with its lines
  require_user_overlay("a snapshot");
  collect_garbage(paths, name, as_root);
  const policy::RootfsPath frozen = freeze_layers(paths, name, as_root);

  const std::string snaps = snaps_dir(paths, name);
  if (mkdir(snaps.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("cannot create " + snaps);
  const std::string snapshot = policy::next_snapshot_name(snapshot_names(paths, name));
  const std::string tmp = snaps + "/.new-" + snapshot;
  if (mkdir(tmp.c_str(), 0755) != 0) throw_errno("cannot create " + tmp);
  Defer undo([&] {
    for (const char* f : {"config", "layers", "ts", "comment"}) unlink((tmp + "/" + f).c_str());
    rmdir(tmp.c_str());
  });
  write_new(tmp + "/config", read_file_or_throw(config_path));
  write_new(tmp + "/layers", policy::format_layer_list(frozen.lowers));
  write_new(tmp + "/ts", now_text() + "\n");
  if (!comment.empty()) write_new(tmp + "/comment", comment.back() == '\n' ? comment : comment + "\n");
  if (rename(tmp.c_str(), (snaps + "/" + snapshot).c_str()) != 0) throw_errno("cannot create " + snaps + "/" + snapshot);
  undo.dismiss();
  return snapshot;
}

void restore_snapshot(const Paths& paths, const User& user, const std::string& name, const std::string& snapshot,
                      const AsContainerRoot& as_root) {
  if (!is_directory(container_dir(paths, name))) throw Error(name + " doesn't exist");
  const Fd store = lock_store(paths);
  const Snapshot snap = read_snapshot(paths, name, snapshot);
  const Fd lock = lock_stopped(paths, user, name, "restore it");
  require_user_overlay("restoring a snapshot");
  require_layers(snap, name);
  // The current config may be broken: restoring is one way to repair it
  // (the caller's map is read leniently).
  const std::string config_path = container_config(paths, name);
  const std::string upper = next_layer_path(container_dir(paths, name));
  const std::string text = restored_config(snap, upper, config_path);
  as_root([&] { make_upper_layer(upper, snap.layers.front()); });
  struct stat st;
  write_file_atomic(config_path, text, stat(config_path.c_str(), &st) == 0 ? st.st_mode & 0777 : 0644);
  // From here the container is in the snapshot's state: what is left of
  // the old one is garbage.
  collect_garbage(paths, name, as_root);
}

void restore_snapshot_as(const Paths& paths, const std::string& name, const std::string& snapshot,
                         const std::string& new_name, const AsContainerRoot& as_root) {
  check_container_name(new_name);
  if (path_exists(container_dir(paths, new_name))) throw Error(name_taken_message(paths, new_name));
  const Fd store = lock_store(paths);
  const Snapshot snap = read_snapshot(paths, name, snapshot);
  require_user_overlay("restoring a snapshot");
  require_layers(snap, name);
  const std::string upper = container_dir(paths, new_name) + "/delta0";
  policy::RootfsPath rootfs;
  rootfs.overlay = true;
  rootfs.lowers = snap.layers;
  rootfs.upper = upper;
  check_layer_stack(name, rootfs);
  policy::CopyEdits edits;
  edits.header = "Container " + new_name + ", snapshot " + snapshot + " of " + name + " restored by 'uxc snapshot -r'";
  edits.rootfs = policy::format_rootfs_path(rootfs);
  edits.uts_name = new_name;
  std::string defaults;
  (void)read_file(paths.config_dir + "/default.conf", &defaults, policy::kMaxConfigBytes + 1);
  edits.hwaddr_templates = policy::hwaddr_values(defaults);
  const std::string text = policy::copy_config(snap.config, edits, random_bytes(12 * 64));
  policy::Config config;
  std::vector<std::string> errors;
  if (!policy::parse_config(text, snapshot, &config, &errors, &config_includes()) || !policy::validate_config(config, snapshot, &errors))
    throw Error("the config of snapshot " + snapshot + " cannot be read:\n  " + join(errors, "\n  "));
  // The snapshot's files belong to its ids, which the new container's
  // config (the snapshot's) maps as its source did.
  create_container(paths, new_name, text, as_root, [&] { make_upper_layer(upper, snap.layers.front()); });
}

void destroy_snapshot(const Paths& paths, const std::string& name, const std::string& snapshot,
                      const AsContainerRoot& as_root) {
  if (!is_directory(container_dir(paths, name))) throw Error(name + " doesn't exist");
  const Fd store = lock_store(paths);
  std::vector<std::string> doomed;
  if (snapshot == "ALL") {
    doomed = snapshot_names(paths, name);
  } else {
    (void)read_snapshot(paths, name, snapshot);  // refuses an unknown one
    doomed = {snapshot};
  }
  const std::string snaps = snaps_dir(paths, name);
  for (const auto& s : doomed)
    if (rename((snaps + "/" + s).c_str(), (snaps + "/.del-" + s).c_str()) != 0)
      throw_errno("cannot remove " + snaps + "/" + s);
  // The records are gone; their layers and files go with the garbage.
  collect_garbage(paths, name, as_root);
}

std::vector<uint64_t> layer_sizes(const std::vector<std::string>& layers, const AsContainerRoot& as_root) {
  // The child writes one number a line to a memory file this process
  // reads once it is done (a pipe could fill while nobody reads it).
  Fd out(memfd_create("uxc-sizes", MFD_CLOEXEC));
  if (!out.valid()) throw_errno("memfd_create");
  as_root([&] {
    std::string text;
    for (const auto& l : layers) {
      std::set<std::pair<dev_t, ino_t>> seen;
      uint64_t bytes = 0;
      std::vector<std::string> todo = {l};
      while (!todo.empty()) {
        const std::string dir = todo.back();
        todo.pop_back();
        struct stat st;
        if (lstat(dir.c_str(), &st) != 0) continue;
        bytes += static_cast<uint64_t>(st.st_blocks) * 512;
        DIR* d = opendir(dir.c_str());
        if (d == nullptr) continue;
        while (const dirent* e = readdir(d)) {
          const std::string n = e->d_name;
          if (n == "." || n == "..") continue;
          const std::string path = dir + "/" + n;
          struct stat est;
          if (lstat(path.c_str(), &est) != 0) continue;
          if (S_ISDIR(est.st_mode)) {
            todo.push_back(path);
          } else if (est.st_nlink < 2 || seen.insert({est.st_dev, est.st_ino}).second) {
            bytes += static_cast<uint64_t>(est.st_blocks) * 512;
          }
        }
        closedir(d);
      }
      text += std::to_string(bytes) + "\n";
    }
    if (!write_all(out.get(), text)) throw_errno("cannot report the layers' sizes");
  });
  std::string text;
  if (lseek(out.get(), 0, SEEK_SET) != 0 || !read_all(out.get(), &text, 1 << 20)) throw_errno("cannot read the sizes");
  std::vector<uint64_t> sizes;
  std::vector<policy::Line> lines;
  std::string err;
  (void)policy::split_lines(text, 64, &lines, &err);
  for (const auto& l : lines) {
    uint64_t n = 0;
    sizes.push_back(policy::parse_u64(l.text, &n) ? n : 0);
  }
  sizes.resize(layers.size(), 0);
  return sizes;
}

}  // namespace uxc
