#include "user/storage/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "paths.h"  // generated: UXC_SYSCONFDIR
#include "policy/text.h"
#include "user/storage/container.h"

namespace uxc {

namespace {

bool valid_name(const std::string& name) {
  try {
    check_container_name(name);
    return true;
  } catch (const Error&) {
    return false;
  }
}


bool is_real_directory(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// An unreadable upper layer counts as not empty: it is then frozen, which
// keeps whatever it holds.
bool is_empty_dir(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return false;
  bool empty = true;
  while (const dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") empty = false;
  }
  closedir(d);
  return empty;
}

std::string default_conf_text(const Paths& paths) {
  std::string text;
  for (const auto& c : {paths.config_dir + "/default.conf", std::string(UXC_SYSCONFDIR) + "/uxc/default.conf"})
    if (read_file(c, &text, policy::kMaxConfigBytes + 1)) return text;
  return "";
}

// Only the lxc.idmap lines of `text`, read as a config of their own.
bool idmap_only(const std::string& text, const std::string& file, policy::Config* out) {
  std::string lines;
  for (const auto& v : policy::config_values(text, "lxc.idmap", "lxc.id_map")) lines += "lxc.idmap = " + v + "\n";
  if (lines.empty()) return false;
  std::vector<std::string> errors;
  if (policy::parse_config(lines, file, out, &errors)) return true;
  std::fprintf(stderr, "uxc: warning: %s: its lxc.idmap lines cannot be read (%s)\n",
               file.c_str(), errors.empty() ? "?" : errors.front().c_str());
  *out = policy::Config{};
  return false;
}

// The upper layers uxc makes, deltaN. A container's first rootfs is never
// collected: it is the bottom layer of all its states, and a rootfs a
// config stopped naming by hand is the user's to remove.
bool is_delta_name(const std::string& n) {
  uint32_t k = 0;
  return n.size() > 5 && n.compare(0, 5, "delta") == 0 && policy::parse_u32(n.substr(5), &k);
}

}  // namespace

// ---------------------------------------------------------------- health

std::string container_problem(const Paths& paths, const std::string& name) {
  const std::string path = container_config(paths, name);
  std::string text;
  if (!read_file(path, &text, policy::kMaxConfigBytes + 1)) {
    if (errno == ENOENT) return "its config is missing";
    return "its config cannot be read: " + errno_text(errno);
  }
  policy::Config config;
  std::vector<std::string> errors;
  if (!policy::parse_config(text, path, &config, &errors, &config_includes()) || !policy::validate_config(config, path, &errors))
    return "its config is broken: " + (errors.empty() ? std::string("?") : errors.front());
  return "";
}

bool is_unfinished(const std::string& dir) {
  if (path_exists(dir + "/config")) return false;
  if (path_exists(dir + "/" + kUnfinishedMarker)) return true;
  // Made, not marked yet: its creator already holds the lock.
  Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  return fd.valid() && flock(fd.get(), LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

void mark_unfinished(const std::string& dir) {
  const std::string path = dir + "/" + kUnfinishedMarker;
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) throw_errno("cannot create " + path);
}

void mark_finished(const std::string& dir) { unlink((dir + "/" + kUnfinishedMarker).c_str()); }

std::vector<StoreEntry> list_store(const Paths& paths) {
  std::vector<StoreEntry> out;
  for (const auto& n : dir_names(paths.data_dir)) {
    const std::string dir = paths.data_dir + "/" + n;
    if (!valid_name(n) || !is_real_directory(dir) || is_unfinished(dir)) continue;
    out.push_back({n, container_problem(paths, n)});
  }
  return out;
}

std::string name_taken_message(const Paths& paths, const std::string& name) {
  const std::string dir = container_dir(paths, name);
  const std::string problem = container_problem(paths, name);
  if (problem.empty()) return "container " + name + " already exists (" + dir + ")";
  return "a broken container " + name + " is in " + dir + " (" + problem + "): remove it with 'uxc destroy -f -n " +
         name + "', or look inside as its root with 'uxc unshare -n " + name + "'";
}

// ---------------------------------------------------------------- id maps

policy::Config idmap_config(const Paths& paths, const std::string& name) {
  policy::Config config;
  std::string text;
  const std::string path = name.empty() ? "" : container_config(paths, name);
  if (!name.empty() && read_file(path, &text, policy::kMaxConfigBytes + 1)) {
    // A config without lxc.idmap lines gets the user's first ranges, as
    // at start; default.conf stands in only for a config that is gone or
    // whose lines cannot be read.
    if (policy::config_values(text, "lxc.idmap", "lxc.id_map").empty()) return config;
    if (idmap_only(text, path, &config)) return config;
  }
  (void)idmap_only(default_conf_text(paths), "default.conf", &config);
  return config;
}

// ---------------------------------------------------------------- locks

Fd lock_store(const Paths& paths) {
  make_dirs(paths.data_dir, 0700);
  Fd fd(open(paths.data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) throw_errno("cannot open " + paths.data_dir);
  while (flock(fd.get(), LOCK_EX) != 0)
    if (errno != EINTR) throw_errno("cannot lock " + paths.data_dir);
  return fd;
}

Fd lock_stopped(const Paths& paths, const User& user, const std::string& name, const std::string& doing) {
  std::optional<Fd> lock = try_lock_stopped(paths, user, name);
  if (!lock) throw Error(name + " is running: stop it first (uxc stop -n " + name + ") to " + doing);
  return std::move(*lock);
}

std::optional<Fd> try_lock_stopped(const Paths& paths, const User& user, const std::string& name) {
  // In /tmp and not made yet: nothing of ours has ever run, and a start
  // makes it under the data directory's lock, which the caller holds.
  if (paths.runtime_in_tmp && !is_directory(paths.runtime_dir)) return Fd();
  // (In /tmp it exists: make_runtime_dir would take the data directory's
  // lock, which the caller holds.)
  if (!paths.runtime_in_tmp) {
    Paths made = paths;
    make_runtime_dir(&made, user);
  }
  const std::string runtime = container_runtime(paths, name);
  make_private_dir(runtime, user.uid);
  Fd lock(open((runtime + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock.valid()) throw_errno("cannot open " + runtime + "/lock");
  if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) throw_errno("cannot lock " + runtime + "/lock");
    return std::nullopt;
  }
  return lock;
}

// ---------------------------------------------------------------- layers

policy::RootfsPath container_rootfs(const Paths& paths, const std::string& name, const policy::Config& config) {
  policy::RootfsPath r;
  if (config.rootfs.empty()) {
    r.dir = container_dir(paths, name) + "/rootfs";
    return r;
  }
  std::string err;
  if (!policy::parse_rootfs_path(config.rootfs, &r, &err)) throw Error(container_config(paths, name) + ": " + err);
  return r;
}

std::vector<std::string> rootfs_layers(const policy::RootfsPath& rootfs) {
  if (!rootfs.overlay) return {rootfs.dir};
  std::vector<std::string> all = {rootfs.upper};
  all.insert(all.end(), rootfs.lowers.begin(), rootfs.lowers.end());
  return all;
}

std::vector<LayerUses> scan_layer_uses(const Paths& paths) {
  std::vector<LayerUses> out;
  auto add = [&](const std::string& layer, const LayerUse& use) {
    auto it = std::find_if(out.begin(), out.end(), [&](const LayerUses& l) { return l.layer == layer; });
    if (it == out.end()) it = out.insert(out.end(), LayerUses{layer, {}});
    it->uses.push_back(use);
  };
  for (const auto& entry : list_store(paths)) {
    const std::string& name = entry.name;
    std::string text;
    if (read_file(container_config(paths, name), &text, policy::kMaxConfigBytes + 1)) {
      const auto values = policy::config_values(text, "lxc.rootfs.path", "lxc.rootfs");
      policy::RootfsPath r;
      std::string err;
      if (values.empty() || values.back().empty()) {
        add(container_dir(paths, name) + "/rootfs", {name, "", false});
      } else if (policy::parse_rootfs_path(values.back(), &r, &err)) {
        if (r.overlay) add(r.upper, {name, "", true});
        for (const auto& l : r.overlay ? r.lowers : std::vector<std::string>{r.dir}) add(l, {name, "", false});
      }
    }
    const std::string snaps = container_dir(paths, name) + "/snaps";
    for (const auto& snap : dir_names(snaps)) {
      if (!policy::is_valid_snapshot_name(snap)) continue;
      std::vector<std::string> layers;
      std::string err;
      if (read_file(snaps + "/" + snap + "/layers", &text, 1 << 20) && policy::parse_layer_list(text, &layers, &err))
        for (const auto& l : layers) add(l, {name, snap, false});
    }
  }
  return out;
}

std::vector<std::string> dependants(const Paths& paths, const std::string& name) {
  const std::string dir = container_dir(paths, name);
  std::vector<std::string> out;
  for (const auto& l : scan_layer_uses(paths)) {
    if (!policy::path_is_within(l.layer, dir)) continue;
    for (const auto& u : l.uses)
      if (u.container != name && std::find(out.begin(), out.end(), u.container) == out.end())
        out.push_back(u.container);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void check_layer_stack(const std::string& name, const policy::RootfsPath& rootfs) {
  const std::string flatten =
      ": flatten them into a new container with a full copy (uxc copy -n " + name + " -N NEW -B dir)";
  if (rootfs.lowers.size() > policy::kMaxOverlayLowers)
    throw Error(name + " would have " + std::to_string(rootfs.lowers.size()) +
                " read-only layers; one overlayfs mount stacks at most " + std::to_string(policy::kMaxOverlayLowers) +
                " (the kernel's limit)" + flatten);
  // The config reader's own limit on a line decides, whatever it is.
  const std::string line = "lxc.rootfs.path = " + policy::format_rootfs_path(rootfs);
  policy::Config check;
  std::vector<std::string> errors;
  if (!policy::parse_config(line + "\n", "config", &check, &errors))
    throw Error(name + " would have " + std::to_string(rootfs.lowers.size()) + " read-only layers, and its lxc.rootfs.path (" +
                std::to_string(line.size()) + " bytes) would not fit on a config line (" +
                (errors.empty() ? std::string("?") : errors.front().substr(errors.front().find(' ') + 1)) + ")" + flatten);
}

std::string next_layer_path(const std::string& dir) {
  uint32_t next = 0;
  for (const auto& n : dir_names(dir)) {
    uint32_t k = 0;
    if (n.size() > 5 && n.compare(0, 5, "delta") == 0 && policy::parse_u32(n.substr(5), &k) && k >= next)
      next = k + 1;
  }
  return dir + "/delta" + std::to_string(next);
}

void make_upper_layer(const std::string& upper, const std::string& top) {
  struct stat st;
  if (lstat(top.c_str(), &st) != 0) throw_errno("cannot inspect " + top);
  if (mkdir(upper.c_str(), 0700) != 0) throw_errno("cannot create " + upper);
  if (lchown(upper.c_str(), st.st_uid, st.st_gid) != 0 || chmod(upper.c_str(), st.st_mode & 07777) != 0)
    throw_errno("cannot set the owner and mode of " + upper);
  // The root directory's attributes (an ACL, a label), not overlayfs'
  // own markers.
  char names[65536];
  const ssize_t n = llistxattr(top.c_str(), names, sizeof names);
  for (ssize_t i = 0; n > 0 && i < n; i += static_cast<ssize_t>(std::string(names + i).size()) + 1) {
    const std::string key = names + i;
    if (key.rfind("user.overlay.", 0) == 0 || key.rfind("trusted.", 0) == 0) continue;
    char value[65536];
    const ssize_t len = lgetxattr(top.c_str(), key.c_str(), value, sizeof value);
    if (len < 0 || lsetxattr(upper.c_str(), key.c_str(), value, static_cast<size_t>(len), 0) != 0)
      throw_errno("cannot copy " + key + " of " + top + " to " + upper);
  }
  const std::string work = policy::overlay_work_dir(upper);
  if (mkdir(work.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("cannot create " + work);
}

void commit_rootfs(const std::string& config_path, const policy::RootfsPath& rootfs) {
  const std::string text = read_file_or_throw(config_path);
  const std::string updated = policy::set_config_value(text, "lxc.rootfs.path", "lxc.rootfs", policy::format_rootfs_path(rootfs));
  policy::Config check;
  std::vector<std::string> errors;
  if (!policy::parse_config(updated, config_path, &check, &errors, &config_includes()) || !policy::validate_config(check, config_path, &errors))
    throw Error("bad configuration, fix these lines:\n  " + join(errors, "\n  "));
  struct stat st;
  if (stat(config_path.c_str(), &st) != 0) throw_errno("cannot inspect " + config_path);
  write_file_atomic(config_path, updated, st.st_mode & 0777);
}

void require_user_overlay(const std::string& what, const std::string& instead) {
  utsname un{};
  if (uname(&un) != 0 || policy::kernel_allows_user_overlay(un.release)) return;
  throw Error(what + " needs overlayfs in a user namespace, which needs Linux " +
              std::to_string(policy::kUserOverlayMajor) + "." + std::to_string(policy::kUserOverlayMinor) +
              " or later; this kernel is " + un.release + (instead.empty() ? "" : "; " + instead));
}

void check_rootfs_dirs(const std::string& rootfs, const std::string& config_path) {
  const std::string fix = ": fix lxc.rootfs.path in " + config_path + " or recreate the container (uxc destroy, uxc create)";
  if (rootfs.rfind("overlay:", 0) != 0) {
    if (!is_directory(rootfs)) throw Error("rootfs " + rootfs + " does not exist" + fix);
    return;
  }
  policy::RootfsPath r;
  std::string err;
  if (!policy::parse_rootfs_path(rootfs, &r, &err)) throw Error(config_path + ": lxc.rootfs.path: " + err);
  require_user_overlay("this container's rootfs");
  std::vector<std::string> dirs = rootfs_layers(r);
  dirs.push_back(policy::overlay_work_dir(r.upper));
  for (const auto& d : dirs)
    if (!is_directory(d)) throw Error("layer " + d + " of the overlay rootfs does not exist" + fix);
}

policy::RootfsPath freeze_layers(const Paths& paths, const std::string& name, const AsContainerRoot& as_root) {
  const std::string config_path = container_config(paths, name);
  const policy::Config config = load_config(config_path);
  const policy::RootfsPath current = container_rootfs(paths, name, config);
  policy::RootfsPath next;
  next.overlay = true;
  if (!current.overlay) {
    next.lowers = {current.dir};
  } else {
    if (is_empty_dir(current.upper)) return current;
    next.lowers = rootfs_layers(current);
  }
  next.upper = next_layer_path(container_dir(paths, name));
  check_layer_stack(name, next);
  const std::string top = next.lowers.front();
  as_root([&] { make_upper_layer(next.upper, top); });
  commit_rootfs(config_path, next);
  return next;
}

void collect_garbage(const Paths& paths, const std::string& name, const AsContainerRoot& as_root) {
  const std::string dir = container_dir(paths, name);
  const auto uses = scan_layer_uses(paths);
  std::vector<std::string> unused;
  for (const auto& n : dir_names(dir)) {
    const std::string path = dir + "/" + n;
    if (!is_delta_name(n) || !is_real_directory(path)) continue;
    if (std::none_of(uses.begin(), uses.end(), [&](const LayerUses& l) { return l.layer == path; }))
      unused.push_back(path);
  }
  // Snapshot records that were being written or removed when a command
  // was killed.
  for (const auto& n : dir_names(dir + "/snaps"))
    if (n[0] == '.') unused.push_back(dir + "/snaps/" + n);
  unlink((dir + "/config.tmp").c_str());  // a config write that was cut short
  if (unused.empty()) return;
  as_root([&] {
    for (const auto& u : unused) remove_tree(u);
  });
}

void create_container(const Paths& paths, const std::string& name, const std::string& config_text,
                      const AsContainerRoot& as_root, const std::function<void()>& fill) {
  const std::string dir = container_dir(paths, name);
  make_dirs(paths.data_dir, 0700);
  // Private, as uxc create makes it; locked and marked unfinished until
  // the config is written (is_unfinished). What a killed create or copy
  // left under this name is taken over.
  const bool made = mkdir(dir.c_str(), 0700) == 0;
  if (!made && errno != EEXIST) throw_errno("cannot create " + dir);
  if (!made && path_exists(dir + "/config")) throw Error(name_taken_message(paths, name));
  Fd lock(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!lock.valid()) throw_errno("cannot open " + dir);
  if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) throw Error("container " + name + " is being created by another command");
  if (!made && !path_exists(dir + "/" + kUnfinishedMarker)) throw Error(name_taken_message(paths, name));
  if (made) {
    mark_unfinished(dir);
  } else {
    std::vector<std::string> leftovers;
    for (const auto& n : dir_names(dir))
      if (n != kUnfinishedMarker) leftovers.push_back(dir + "/" + n);
    as_root([&] {
      for (const auto& l : leftovers) {
        if (is_real_directory(l)) remove_tree(l);
        else if (unlink(l.c_str()) != 0 && errno != ENOENT) throw_errno("cannot remove " + l);
      }
    });
  }
  Defer undo([&] {
    try {
      as_root([&] { remove_tree(dir); });
    } catch (const Error& e) {
      std::fprintf(stderr, "uxc: cannot remove the unfinished %s: %s\n", dir.c_str(), e.what());
    }
  });
  as_root(fill);
  write_file_atomic(dir + "/config", config_text, 0600);
  mark_finished(dir);
  undo.dismiss();
}

// ---------------------------------------------------------------- removal

void remove_container_files(const Paths& paths, const std::string& name, const AsContainerRoot& as_root) {
  const std::string dir = container_dir(paths, name);
  as_root([&] { remove_tree(dir); });
  const std::string runtime = container_runtime(paths, name);
  unlink((runtime + "/lock").c_str());
  rmdir(runtime.c_str());
}

std::vector<std::string> check_dependants(const Paths& paths, const std::string& name, bool with_dependants) {
  const auto deps = dependants(paths, name);
  if (!deps.empty() && !with_dependants)
    throw Error(name + " has clones that use its layers: " + join(deps, ", ") +
                "; destroy them first, or together with it: uxc destroy -n " + name + " -s");
  return deps;
}

void destroy_broken_container(const Paths& paths, const User& user, const std::string& name,
                              const AsContainerRoot& as_root) {
  const std::string dir = container_dir(paths, name);
  if (!is_real_directory(dir)) throw Error(name + " doesn't exist");
  Fd dir_lock(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_lock.valid() || flock(dir_lock.get(), LOCK_EX | LOCK_NB) != 0)
    throw Error("container " + name + " is being created: wait for that to end");
  const Fd store = lock_store(paths);
  (void)check_dependants(paths, name, false);
  const Fd lock = lock_stopped(paths, user, name, "destroy it");
  try {
    remove_container_files(paths, name, as_root);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (see who owns what with: uxc unshare -n " + name + " -- ls -lnR " + dir + ")");
  }
}

bool ephemeral_config(const Paths& paths, const std::string& name, policy::Config* config) {
  std::string text;
  const std::string path = container_config(paths, name);
  if (!read_file(path, &text, policy::kMaxConfigBytes + 1)) return false;
  std::vector<std::string> errors;
  return policy::parse_config(text, path, config, &errors, &config_includes()) && config->ephemeral;
}

}  // namespace uxc
