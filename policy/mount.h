// Mount tables and mount options, as bytes: /proc/PID/mountinfo lines
// and the OPTIONS field of an fstab line (lxc.mount.entry).
//
// A mountinfo line, from the kernel (Documentation/filesystems/proc.rst):
//
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//   (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)     (10)       (11)
//
// Fields are separated by one space; (7) is zero or more optional fields
// ending at the lone "-" (8). In (4), (5) and (10) the kernel writes
// space, tab, newline and backslash as \040 \011 \012 \134, so a path a
// container chose (a mount point under its root, say) cannot add a field
// or a line; the parser undoes exactly those escapes and refuses any
// other shape. mountinfo lines are read by the manager as the user, but a
// container's own mounts appear in them, so the parser is fuzzed
// (security/fuzz/mount_fuzz.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

struct MountInfo {
  uint32_t mount_id = 0;
  uint32_t parent_id = 0;
  uint32_t major = 0;
  uint32_t minor = 0;
  std::string root;         // within the filesystem, unescaped
  std::string mount_point;  // unescaped
  std::string options;      // per-mount: "rw,nosuid,relatime"
  std::vector<std::string> optional_fields;  // "shared:1", "master:2"
  std::string fstype;       // "ext4", "cgroup2", "fuse.sshfs"
  std::string source;       // unescaped; "none" for many
  std::string super_options;
};

// One line without its '\n'. False, with *why, for anything that is not
// exactly the kernel's shape.
[[nodiscard]] bool parse_mountinfo_line(std::string_view line, MountInfo* out, std::string* why);

// Undoes the kernel's octal escapes (\040 \011 \012 \134, and any \0NN
// to \3NN); a backslash that starts no escape is kept as it is.
std::string unescape_mount_field(std::string_view field);

// A cgroup hierarchy's mount, from its mountinfo line.
struct CgroupMount {
  int version = 2;          // 1: "cgroup", 2: "cgroup2"
  std::string root;         // the hierarchy's path mounted here
  std::string mount_point;
  std::vector<std::string> controllers;  // v1: from the super options, sorted
                                          // (names like "name=systemd" included)
};

// False for a mount that is not a cgroup hierarchy.
[[nodiscard]] bool cgroup_mount_of(const MountInfo& mount, CgroupMount* out);

// What the OPTIONS field of an lxc.mount.entry asks for.
struct MountOptions {
  unsigned long flags = 0;  // MS_RDONLY, MS_NOSUID, ... and MS_REC for rbind
  bool bind = false;        // bind or rbind
  bool optional = false;    // a mount that fails is skipped (LXC's "optional")
  enum class Create { kNone, kDir, kFile } create = Create::kNone;  // create=dir|file
  std::string data;         // what the filesystem reads itself ("size=1m")
};

// Comma-separated options, as LXC reads them: empty items are skipped;
// "defaults" and "rw" set nothing; bind, rbind, optional, create=dir,
// create=file and the generic flags (ro, nosuid, nodev, noexec, noatime,
// nodiratime, relatime, strictatime) are uxc's; every other option is
// filesystem data. Errors: create= with another value, and filesystem
// data on a bind mount (the kernel would ignore it without a word).
[[nodiscard]] bool parse_mount_options(std::string_view text, MountOptions* out, std::string* why);

}  // namespace uxc::policy
