// Reading and replacing the policy files, with shadow's lock protocol.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "policy/text.h"
#include "user/admin/admin.h"

namespace uxc::admin {

namespace {

std::string dir_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// Whether the process that a lock or FILE.PID names has died. Our own
// pid is a leftover of an earlier process that had it.
bool holder_is_gone(uint32_t pid) {
  if (pid == 0 || pid > 0x3fffffff) return false;  // not a pid: not ours to judge
  if (static_cast<pid_t>(pid) == getpid()) return true;
  return kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

void sleep_ms(long ms) {
  timespec delay{ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&delay, &delay) != 0 && errno == EINTR) {}
}

std::string temporary_path(const std::string& path) { return path + ".uxc-admin-new"; }

// What a killed editor left behind: its FILE.PID (ours or shadow's) and
// our temporary file. Called with the lock held, so nobody is using them.
void remove_litter(const std::string& path) {
  (void)unlink(temporary_path(path).c_str());
  const std::string prefix = base_of(path) + ".";
  DIR* dir = opendir(dir_of(path).c_str());
  if (dir == nullptr) return;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (!name.starts_with(prefix)) continue;
    uint32_t pid = 0;
    if (!policy::parse_u32(name.substr(prefix.size()), &pid) || !holder_is_gone(pid)) continue;
    (void)unlinkat(dirfd(dir), entry->d_name, 0);
  }
  closedir(dir);
}

}  // namespace

PolicyFile read_policy_file(const std::string& path) {
  PolicyFile file;
  file.path = path;
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT) return file;
    if (errno == ELOOP) throw Error(path + " is a symbolic link; uxc-admin edits only a regular file there");
    throw_errno("cannot open " + path);
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) throw_errno("cannot stat " + path);
  if (!S_ISREG(st.st_mode)) throw Error(path + " is not a regular file; move it away");
  if (!read_all(fd.get(), &file.text, 16 << 20)) throw_errno("cannot read " + path);
  file.exists = true;
  file.owner = st.st_uid;
  file.group = st.st_gid;
  file.mode = st.st_mode & 07777;
  return file;
}

PolicyLock::PolicyLock(const std::string& path) : lock_path_(path + ".lock") {
  const std::string mine = path + "." + std::to_string(getpid());
  (void)unlink(mine.c_str());
  {
    Fd fd(open(mine.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid() || !write_all(fd.get(), std::to_string(getpid())))
      throw_errno("cannot create " + mine + " to lock " + path);
  }
  Defer remove_mine([&] { (void)unlink(mine.c_str()); });
  std::string holder;
  uint32_t holder_pid = 0;
  // About ten seconds for a live holder; a few tries more for races with
  // other lockers removing stale locks.
  for (int attempt = 0; attempt < 120; ++attempt) {
    if (link(mine.c_str(), lock_path_.c_str()) == 0) {
      remove_litter(path);
      return;
    }
    if (errno != EEXIST) throw_errno("cannot create " + lock_path_);
    if (!read_file(lock_path_, &holder, 64)) {
      if (errno == ENOENT) continue;  // released meanwhile
      holder.clear();
    }
    // Like shadow, never break a lock that does not name a process.
    std::string_view pid_text = holder;
    if (pid_text.ends_with('\n')) pid_text.remove_suffix(1);
    if (!policy::parse_u32(pid_text, &holder_pid) || holder_pid == 0)
      throw Error(lock_path_ + " exists but names no process; if no useradd, usermod or "
                  "uxc-admin is running, delete it and retry");
    if (holder_is_gone(holder_pid)) {
      // Its holder died without releasing it.
      if (unlink(lock_path_.c_str()) != 0 && errno != ENOENT)
        throw_errno("cannot remove the stale lock " + lock_path_);
      continue;
    }
    sleep_ms(100);
  }
  throw Error(lock_path_ + " is held by process " + std::to_string(holder_pid) +
              " (useradd, usermod or another uxc-admin?); wait for it to finish and retry");
}

PolicyLock::~PolicyLock() { (void)unlink(lock_path_.c_str()); }

void replace_policy_file(const PolicyFile& file, std::string_view text) {
  const std::string tmp = temporary_path(file.path);
  if (unlink(tmp.c_str()) != 0 && errno != ENOENT) throw_errno("cannot remove " + tmp);
  Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) throw_errno("cannot create " + tmp);
  Defer remove_tmp([&] { (void)unlink(tmp.c_str()); });
  if (fchown(fd.get(), file.owner, file.group) != 0) throw_errno("cannot chown " + tmp);
  if (fchmod(fd.get(), file.mode) != 0) throw_errno("cannot chmod " + tmp);
  if (!write_all(fd.get(), text)) throw_errno("cannot write " + tmp);
  if (fsync(fd.get()) != 0) throw_errno("cannot fsync " + tmp);
  if (close(fd.release()) != 0) throw_errno("cannot close " + tmp);
  if (rename(tmp.c_str(), file.path.c_str()) != 0) throw_errno("cannot rename " + tmp + " to " + file.path);
  remove_tmp.dismiss();
  // The rename is durable only once the directory is.
  const std::string dir = dir_of(file.path);
  Fd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid() || fsync(dir_fd.get()) != 0)
    throw_errno(file.path + " was replaced, but fsync of " + dir + " failed");
}

}  // namespace uxc::admin
