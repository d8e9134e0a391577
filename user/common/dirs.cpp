#include "user/common/dirs.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "policy/names.h"
#include "user/common/util.h"

namespace uxc {

User current_user() {
  User u;
  u.uid = getuid();
  u.gid = getgid();
  // The real uid decides, never $USER or getlogin(): both are the
  // caller's to set.
  const struct passwd* pw = getpwuid(u.uid);
  if (pw == nullptr)
    throw Error("uid " + std::to_string(u.uid) + " has no entry in /etc/passwd: ask your administrator to add one");
  u.name = pw->pw_name;
  const char* home = getenv("HOME");
  u.home = home != nullptr && home[0] == '/' ? home : pw->pw_dir;
  return u;
}

std::vector<std::string> user_group_names(const User& user) {
  int count = 64;
  std::vector<gid_t> gids(static_cast<size_t>(count));
  if (getgrouplist(user.name.c_str(), user.gid, gids.data(), &count) < 0) {
    gids.resize(static_cast<size_t>(count));
    if (getgrouplist(user.name.c_str(), user.gid, gids.data(), &count) < 0) count = 0;
  }
  gids.resize(static_cast<size_t>(count));
  std::vector<std::string> names;
  for (gid_t g : gids)
    if (const struct group* gr = getgrgid(g)) names.emplace_back(gr->gr_name);
  return names;
}

void make_private_dir(const std::string& dir, uid_t uid) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("cannot create " + dir);
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) throw_errno("cannot inspect " + dir);
  if (!S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 022) != 0)
    throw Error(dir + " is not a private directory of yours (owner, mode 0700): remove it or set XDG_RUNTIME_DIR");
}

namespace {

std::string runtime_record(const Paths& p) { return p.record_dir + "/.runtime"; }

// The directory the record names, if it is still a private directory of
// ours with a name of the form mkdtemp gave it; else "" (a reboot empties
// /tmp, a cleaner may remove it).
std::string recorded_runtime_dir(const Paths& p, uid_t uid) {
  std::string text;
  if (!read_file(runtime_record(p), &text, 4096)) return "";
  if (!text.empty() && text.back() == '\n') text.pop_back();
  const std::string prefix = "/tmp/uxc-" + std::to_string(uid) + ".";
  if (text.size() != prefix.size() + 6 || text.compare(0, prefix.size(), prefix) != 0 ||
      text.find_first_of("/\n", prefix.size()) != std::string::npos)
    return "";
  struct stat st;
  if (lstat(text.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077) != 0)
    return "";
  return text;
}

}  // namespace

void make_runtime_dir(Paths* paths, const User& user) {
  const std::string& tag = paths->lxcpath_tag;
  if (!paths->runtime_in_tmp) {
    const std::string base = paths->runtime_dir.substr(0, paths->runtime_dir.size() - tag.size());
    const size_t slash = base.rfind('/');
    if (slash != std::string::npos && slash > 0 && !is_directory(base.substr(0, slash)))
      make_dirs(base.substr(0, slash), 0700);
    make_private_dir(base, user.uid);
    if (!tag.empty()) make_private_dir(paths->runtime_dir, user.uid);
    return;
  }
  // One start at a time decides (the data directory's lock), so two
  // starts never make two directories.
  make_dirs(paths->record_dir, 0700);
  Fd data(open(paths->record_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!data.valid() || flock(data.get(), LOCK_EX) != 0) throw_errno("cannot lock " + paths->record_dir);
  std::string dir = recorded_runtime_dir(*paths, user.uid);
  if (dir.empty()) {
    std::string name = "/tmp/uxc-" + std::to_string(user.uid) + ".XXXXXX";
    if (mkdtemp(name.data()) == nullptr) throw_errno("cannot create a runtime directory in /tmp");
    dir = name;
    try {
      write_file_atomic(runtime_record(*paths), dir + "\n", 0600);
    } catch (...) {
      rmdir(dir.c_str());
      throw;
    }
  }
  paths->runtime_dir = dir + tag;
  if (!tag.empty()) make_private_dir(paths->runtime_dir, user.uid);
}

Paths user_paths(const User& user, const std::string& lxcpath) {
  Paths p;
  const char* xdg_config = getenv("XDG_CONFIG_HOME");
  const char* xdg_data = getenv("XDG_DATA_HOME");
  p.config_dir = (xdg_config && xdg_config[0] == '/' ? std::string(xdg_config) : user.home + "/.config") + "/uxc";
  p.data_dir = (xdg_data && xdg_data[0] == '/' ? std::string(xdg_data) : user.home + "/.local/share") + "/uxc";
  p.record_dir = p.data_dir;
  const char* xdg_runtime = getenv("XDG_RUNTIME_DIR");
  if (xdg_runtime != nullptr && xdg_runtime[0] == '/') {
    p.runtime_dir = std::string(xdg_runtime) + "/uxc";
  } else {
    const std::string run_user = "/run/user/" + std::to_string(user.uid);
    struct stat st;
    if (lstat(run_user.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == user.uid &&
        (st.st_mode & 022) == 0) {
      p.runtime_dir = run_user + "/uxc";
    } else {
      p.runtime_in_tmp = true;
      p.runtime_dir = recorded_runtime_dir(p, user.uid);
      // No directory yet: nothing of ours runs. A name under our own data
      // directory that no one makes.
      if (p.runtime_dir.empty()) p.runtime_dir = p.data_dir + "/.runtime-none";
    }
  }
  std::string path = lxcpath;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (!path.empty() && path != p.data_dir) {
    p.data_dir = path;
    // FNV-1a: short, so that the socket path stays within sun_path.
    uint32_t hash = 2166136261u;
    for (unsigned char c : path) hash = (hash ^ c) * 16777619u;
    char tag[32];
    // A leading '.': never a container's name.
    std::snprintf(tag, sizeof tag, "/.lxcpath-%08x", hash);
    p.lxcpath_tag = tag;
    p.runtime_dir += tag;
  }
  return p;
}

void check_container_name(const std::string& name) {
  const std::string problem = policy::container_name_problem(name);
  if (!problem.empty()) throw Error("'" + name + "' is not a valid container name: " + problem);
}

std::string container_dir(const Paths& paths, const std::string& name) {
  return paths.data_dir + "/" + name;
}
std::string container_config(const Paths& paths, const std::string& name) {
  return container_dir(paths, name) + "/config";
}
std::string container_runtime(const Paths& paths, const std::string& name) {
  return paths.runtime_dir + "/" + name;
}

std::vector<std::string> list_containers(const Paths& paths) {
  std::vector<std::string> names;
  DIR* dir = opendir(paths.data_dir.c_str());
  if (dir == nullptr) return names;
  while (const dirent* e = readdir(dir)) {
    const std::string name = e->d_name;
    if (name.empty() || name.front() == '.') continue;
    if (path_exists(paths.data_dir + "/" + name + "/config")) names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace uxc
