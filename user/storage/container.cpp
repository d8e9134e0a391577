#include "user/storage/container.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "policy/monitor.h"
#include "user/common/util.h"

namespace uxc {

namespace {

class HostIncludeFiles : public policy::IncludeFiles {
 public:
  bool read(const std::string& path, std::string* text, std::string* why) const override {
    // O_NONBLOCK: a FIFO named there must not hang the manager.
    Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    struct stat st;
    if (!fd.valid() || fstat(fd.get(), &st) != 0) {
      *why = errno_text(errno);
      return false;
    }
    if (!S_ISREG(st.st_mode)) {
      *why = S_ISDIR(st.st_mode) ? "a directory: include its files one by one" : "not a regular file";
      return false;
    }
    if (!read_all(fd.get(), text, policy::kMaxConfigBytes + 1)) {
      *why = errno_text(errno);
      return false;
    }
    return true;
  }
};

}  // namespace

const policy::IncludeFiles& config_includes() {
  static const HostIncludeFiles files;
  return files;
}

policy::Config load_config(const std::string& path) {
  std::string text;
  if (!read_file(path, &text, policy::kMaxConfigBytes + 1)) throw_errno("cannot read " + path);
  policy::Config config;
  std::vector<std::string> errors;
  if (!policy::parse_config(text, path, &config, &errors, &config_includes()) ||
      !policy::validate_config(config, path, &errors))
    throw Error("bad configuration, fix these lines:\n  " + join(errors, "\n  "));
  return config;
}

void warn_ignored(const policy::Config& config, const std::string& path) {
  if (quiet()) return;
  for (const auto& k : config.ignored)
    std::fprintf(stderr, "uxc: warning: %s:%zu: %s is not supported by uxc and is ignored\n",
                 (k.file.empty() ? path : k.file).c_str(), k.line, k.key.c_str());
}

std::string_view run_state_name(RunState state) {
  switch (state) {
    case RunState::kRunning: return "RUNNING";
    case RunState::kStarting: return "STARTING";
    case RunState::kStopped: break;
  }
  return "STOPPED";
}

RuntimeState read_runtime_state(const Paths& paths, const std::string& name) {
  RuntimeState st;
  const std::string dir = container_runtime(paths, name);
  Fd lock(open((dir + "/lock").c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!lock.valid()) return st;
  // Readers take the lock shared, so that they never make each other
  // (uxc monitor and uxc wait look often) see a container that runs.
  if (flock(lock.get(), LOCK_SH | LOCK_NB) == 0) {
    // Nobody holds it: a monitor that was killed left its files; they
    // describe nothing now. Removed only under the exclusive lock (no
    // start races this), which another reader may keep us from taking.
    if ((path_exists(dir + "/sock") || path_exists(dir + "/state")) && flock(lock.get(), LOCK_EX | LOCK_NB) == 0) {
      unlink((dir + "/sock").c_str());
      unlink((dir + "/state").c_str());
    }
    return st;
  }
  st.state = RunState::kStarting;
  std::string text;
  policy::MonitorState recorded;
  std::string why;
  // Not written yet (or not whole): the monitor is still starting.
  if (!read_file(dir + "/state", &text, 65536) || !policy::parse_state_file(text, &recorded, &why)) return st;
  st.monitor_pid = static_cast<pid_t>(recorded.monitor_pid);
  st.init_pid = static_cast<pid_t>(recorded.init_pid);
  st.host_links = std::move(recorded.host_links);
  if (st.init_pid > 0) st.state = RunState::kRunning;
  return st;
}

bool lock_runtime(int lock_fd) {
  for (int i = 0; i < 100; ++i) {
    if (flock(lock_fd, LOCK_EX | LOCK_NB) == 0) return true;
    if (errno != EWOULDBLOCK) return false;
    usleep(2000);
  }
  return false;
}

std::string state_file_text(pid_t monitor, pid_t init, const std::vector<std::string>& links) {
  return policy::format_state_file({static_cast<uint32_t>(monitor), static_cast<uint32_t>(init), links});
}

namespace {

void remove_entries(int dirfd, dev_t dev, const std::string& where) {
  std::vector<std::string> names;
  if (!read_dir_names(dirfd, &names)) throw_errno("cannot read " + where);
  for (const auto& n : names) {
    struct stat st;
    if (fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) throw_errno("cannot inspect " + where + "/" + n);
    if (S_ISDIR(st.st_mode)) {
      if (st.st_dev != dev) throw Error(where + "/" + n + " is a mount point; unmount it first");
      Fd sub(openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid()) throw_errno("cannot open " + where + "/" + n);
      remove_entries(sub.get(), dev, where + "/" + n);
      if (unlinkat(dirfd, n.c_str(), AT_REMOVEDIR) != 0) throw_errno("cannot remove " + where + "/" + n);
    } else if (unlinkat(dirfd, n.c_str(), 0) != 0) {
      throw_errno("cannot remove " + where + "/" + n);
    }
  }
}

}  // namespace

namespace {

const char kOutside[] = "it belongs to an id outside the container's id map (not one of your subordinate ids)";

struct TreeCheck {
  dev_t dev;
  std::string problem;

  bool fail(const std::string& where, const std::string& why) {
    problem = where + ": " + why;
    return false;
  }

  // May the entry `name` of directory `dirfd` (stat `st`, sticky or not
  // by `sticky`, owned by our root by `dir_ours`) be removed, all of it?
  bool entry(int dirfd, const std::string& where, const std::string& name, bool sticky, bool dir_ours) {
    const std::string path = where + "/" + name;
    struct statx sx;
    if (statx(dirfd, name.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) != 0)
      return fail(path, std::string("cannot be inspected: ") + std::strerror(errno));
    if (sx.stx_attributes & STATX_ATTR_IMMUTABLE) return fail(path, "it is immutable (chattr +i); only root can clear that");
    if (sx.stx_attributes & STATX_ATTR_APPEND) return fail(path, "it is append-only (chattr +a); only root can clear that");
    const bool is_dir = S_ISDIR(sx.stx_mode), is_reg = S_ISREG(sx.stx_mode);
    if (is_dir && makedev(sx.stx_dev_major, sx.stx_dev_minor) != dev)
      return fail(path, "it is a mount point; unmount it first");
    // In a sticky directory only the entry's owner, the directory's owner
    // or a process with CAP_FOWNER over the entry (its ids mapped) may
    // remove it. O_NOATIME asks the kernel exactly that question of a
    // file or directory without changing it.
    if (sticky && !dir_ours && sx.stx_uid != 0) {
      if (is_dir || is_reg) {
        const int fd = openat(dirfd, name.c_str(), O_RDONLY | O_NOATIME | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) return fail(path, std::string("it is in a sticky directory and cannot be removed from it (") +
                                          std::strerror(errno) + "): " + kOutside);
        close(fd);
      }
    }
    if (!is_dir) return true;
    return tree(dirfd, name, path, (sx.stx_mode & S_ISVTX) != 0, sx.stx_uid == 0);
  }

  // Directory `name` of `parent`: its entries, then may they go.
  bool tree(int parent, const std::string& name, const std::string& path, bool sticky, bool ours) {
    Fd fd(openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid())
      return fail(path, std::string("it cannot be read (") + std::strerror(errno) + ")" +
                            (errno == EACCES ? std::string(": ") + kOutside : ""));
    std::vector<std::string> names;
    if (!read_dir_names(fd.get(), &names)) return fail(path, std::string("it cannot be listed: ") + std::strerror(errno));
    if (!names.empty() && faccessat(parent, name.c_str(), W_OK | X_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) != 0)
      return fail(path, std::string("its entries cannot be removed (") + std::strerror(errno) + "): " + kOutside);
    for (const auto& n : names)
      if (!entry(fd.get(), path, n, sticky, ours)) return false;
    return true;
  }
};

}  // namespace

std::string find_unremovable(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return "";
    return path + ": cannot be inspected: " + std::strerror(errno);
  }
  TreeCheck check{st.st_dev, ""};
  const size_t slash = path.rfind('/');
  const std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  Fd parent_fd(open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent_fd.valid()) return parent + ": cannot be opened: " + std::strerror(errno);
  (void)check.tree(parent_fd.get(), path.substr(slash + 1), path, false, true);
  return check.problem;
}

void remove_tree(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return;
    throw_errno("cannot open " + path);
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) throw_errno("cannot inspect " + path);
  remove_entries(fd.get(), st.st_dev, path);
  fd.reset();
  if (rmdir(path.c_str()) != 0) throw_errno("cannot remove " + path);
}

void require_container(const Paths& paths, const std::string& name) {
  if (!path_exists(container_config(paths, name))) throw Error(name + " doesn't exist");
}

}  // namespace uxc
