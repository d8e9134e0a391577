#include "user/storage/copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <utility>
#include <vector>

#include "user/common/util.h"

namespace uxc {

namespace {

class TreeCopier {
 public:
  TreeCopier(std::string src_name, std::string dst_name) : src_name_(std::move(src_name)), dst_name_(std::move(dst_name)) {}

  CopyStats run(int src_fd) {
    struct stat st;
    if (fstat(src_fd, &st) != 0) fail_src("");
    dev_ = st.st_dev;
    if (mkdir(dst_name_.c_str(), 0700) != 0) throw_errno("cannot create " + dst_name_);
    Fd dst(open(dst_name_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dst.valid()) throw_errno("cannot open " + dst_name_);
    dst_root_ = dst.get();
    copy_dir(src_fd, dst.get(), "");
    set_attributes(src_fd, dst.get(), st, "");
    ++stats_.dirs;
    return stats_;
  }

 private:
  [[noreturn]] void fail_src(const std::string& rel) { throw_errno("cannot read " + src_name_ + "/" + rel); }
  [[noreturn]] void fail_dst(const std::string& rel) { throw_errno("cannot write " + dst_name_ + "/" + rel); }

  void copy_dir(int src_fd, int dst_fd, const std::string& rel) {
    for (const auto& name : entries(src_fd, rel)) {
      const std::string path = rel.empty() ? name : rel + "/" + name;
      struct stat st;
      if (fstatat(src_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) fail_src(path);
      if (S_ISDIR(st.st_mode)) {
        if (st.st_dev != dev_) throw Error(src_name_ + "/" + path + " is a mount point; unmount it first");
        Fd src(openat(src_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!src.valid()) fail_src(path);
        if (mkdirat(dst_fd, name.c_str(), 0700) != 0) fail_dst(path);
        Fd dst(openat(dst_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!dst.valid()) fail_dst(path);
        copy_dir(src.get(), dst.get(), path);
        set_attributes(src.get(), dst.get(), st, path);
        ++stats_.dirs;
        continue;
      }
      // A second name of an inode already copied becomes a hard link to
      // the copy (overlayfs' whiteouts are shared too).
      if (st.st_nlink > 1) {
        const auto key = std::make_pair(st.st_dev, st.st_ino);
        const auto it = links_.find(key);
        if (it != links_.end()) {
          if (linkat(dst_root_, it->second.c_str(), dst_fd, name.c_str(), 0) != 0) fail_dst(path);
          ++stats_.links;
          continue;
        }
        links_.emplace(key, path);
      }
      ++stats_.files;
      if (S_ISREG(st.st_mode)) copy_file(src_fd, dst_fd, name, path, st);
      else if (S_ISLNK(st.st_mode)) copy_symlink(src_fd, dst_fd, name, path, st);
      else copy_special(src_fd, dst_fd, name, path, st);
    }
  }

  std::vector<std::string> entries(int dir_fd, const std::string& rel) {
    std::vector<std::string> names;
    if (!read_dir_names(dir_fd, &names)) fail_src(rel);
    return names;
  }

  void copy_file(int src_dir, int dst_dir, const std::string& name, const std::string& path, const struct stat& st) {
    Fd in(openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
    if (!in.valid()) fail_src(path);
    Fd out(openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out.valid()) fail_dst(path);
    // A reflink shares the blocks (btrfs, XFS): no data is copied.
    if (st.st_size > 0 && ioctl(out.get(), FICLONE, in.get()) != 0) copy_data(in.get(), out.get(), st.st_size, path);
    set_attributes(in.get(), out.get(), st, path);
  }

  // The data ranges only: a hole in the source stays a hole.
  void copy_data(int in, int out, off_t size, const std::string& path) {
    off_t pos = 0;
    while (pos < size) {
      off_t data = lseek(in, pos, SEEK_DATA);
      if (data < 0) {
        if (errno == ENXIO) break;  // only a hole is left
        data = pos;                 // no SEEK_DATA here: copy everything
      }
      off_t hole = lseek(in, data, SEEK_HOLE);
      if (hole < 0) hole = size;
      copy_range(in, out, data, hole, path);
      pos = hole;
    }
    if (ftruncate(out, size) != 0) fail_dst(path);
  }

  void copy_range(int in, int out, off_t from, off_t to, const std::string& path) {
    off_t in_off = from, out_off = from;
    bool kernel_copy = true;
    while (in_off < to) {
      const size_t want = static_cast<size_t>(std::min<off_t>(to - in_off, off_t{1} << 30));
      ssize_t n = -1;
      if (kernel_copy) {
        n = copy_file_range(in, &in_off, out, &out_off, want, 0);
        if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
          kernel_copy = false;
          continue;
        }
        if (n < 0) (errno == ENOSPC || errno == EDQUOT || errno == EFBIG) ? fail_dst(path) : fail_src(path);
      } else {
        char buf[1 << 16];
        n = pread(in, buf, std::min(want, sizeof buf), in_off);
        if (n < 0) fail_src(path);
        if (n > 0 && !pwrite_all(out, buf, static_cast<size_t>(n), out_off)) fail_dst(path);
        in_off += n;
        out_off += n;
      }
      if (n == 0) break;  // the file shrank under us
      stats_.bytes += static_cast<uint64_t>(n);
    }
  }

  static bool pwrite_all(int fd, const char* buf, size_t len, off_t off) {
    while (len > 0) {
      const ssize_t n = pwrite(fd, buf, len, off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      buf += n;
      len -= static_cast<size_t>(n);
      off += n;
    }
    return true;
  }

  void copy_symlink(int src_dir, int dst_dir, const std::string& name, const std::string& path, const struct stat& st) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    const ssize_t n = readlinkat(src_dir, name.c_str(), target.data(), target.size());
    if (n < 0 || static_cast<size_t>(n) >= target.size()) fail_src(path);
    target.resize(static_cast<size_t>(n));
    if (symlinkat(target.c_str(), dst_dir, name.c_str()) != 0) fail_dst(path);
    if (fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0) fail_dst(path);
    copy_xattrs_by_path(src_dir, dst_dir, name, path);
    const timespec times[2] = {st.st_atim, st.st_mtim};
    if (utimensat(dst_dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) fail_dst(path);
  }

  void copy_special(int src_dir, int dst_dir, const std::string& name, const std::string& path, const struct stat& st) {
    if (mknodat(dst_dir, name.c_str(), (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0) {
      if (errno == EPERM && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
        throw Error("cannot copy the device node " + src_name_ + "/" + path +
                    ": a user namespace may not create device nodes; remove it from the source first");
      fail_dst(path);
    }
    if (fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0 ||
        fchmodat(dst_dir, name.c_str(), st.st_mode & 07777, 0) != 0)
      fail_dst(path);
    copy_xattrs_by_path(src_dir, dst_dir, name, path);
    const timespec times[2] = {st.st_atim, st.st_mtim};
    if (utimensat(dst_dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) fail_dst(path);
  }

  // Owner before mode (chown clears setuid and setgid bits), both
  // before the extended attributes (chown removes security.capability),
  // times last (every change above updates them).
  void set_attributes(int src, int dst, const struct stat& st, const std::string& path) {
    if (fchown(dst, st.st_uid, st.st_gid) != 0 || fchmod(dst, st.st_mode & 07777) != 0) fail_dst(path);
    copy_xattrs(src, dst, path);
    const timespec times[2] = {st.st_atim, st.st_mtim};
    if (futimens(dst, times) != 0) fail_dst(path);
  }

  // The extended attributes `list` names, each read with `get` and
  // written with `set`: the f* calls on open files, the l* ones on paths
  // that must not be followed. One removed since the list is skipped.
  template <typename List, typename Get, typename Set>
  void copy_xattr_list(const std::string& path, List list, Get get, Set set) {
    char names[65536];
    const ssize_t len = list(names, sizeof names);
    if (len < 0) {
      if (errno == ENOTSUP) return;
      fail_src(path);
    }
    for (ssize_t i = 0; i < len;) {
      const std::string key = names + i;
      i += static_cast<ssize_t>(key.size()) + 1;
      char value[65536];
      const ssize_t n = get(key.c_str(), value, sizeof value);
      if (n < 0) {
        if (errno == ENODATA) continue;
        fail_src(path + " (" + key + ")");
      }
      if (set(key.c_str(), value, static_cast<size_t>(n)) != 0) fail_dst(path + " (" + key + ")");
    }
  }

  void copy_xattrs(int src, int dst, const std::string& path) {
    copy_xattr_list(
        path, [src](char* names, size_t size) { return flistxattr(src, names, size); },
        [src](const char* key, void* value, size_t size) { return fgetxattr(src, key, value, size); },
        [dst](const char* key, const void* value, size_t size) { return fsetxattr(dst, key, value, size, 0); });
  }

  // Symlinks and special files cannot be opened for their attributes:
  // through /proc/self/fd, with the l* calls, which do not follow.
  void copy_xattrs_by_path(int src_dir, int dst_dir, const std::string& name, const std::string& path) {
    const std::string src = "/proc/self/fd/" + std::to_string(src_dir) + "/" + name;
    const std::string dst = "/proc/self/fd/" + std::to_string(dst_dir) + "/" + name;
    copy_xattr_list(
        path, [&src](char* names, size_t size) { return llistxattr(src.c_str(), names, size); },
        [&src](const char* key, void* value, size_t size) { return lgetxattr(src.c_str(), key, value, size); },
        [&dst](const char* key, const void* value, size_t size) { return lsetxattr(dst.c_str(), key, value, size, 0); });
  }


  std::string src_name_, dst_name_;
  dev_t dev_ = 0;
  int dst_root_ = -1;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
  CopyStats stats_;
};

}  // namespace

CopyStats copy_tree(int src_fd, const std::string& src_name, const std::string& dst) {
  TreeCopier copier(src_name, dst);
  return copier.run(src_fd);
}

}  // namespace uxc
