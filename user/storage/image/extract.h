// The extraction of a tarball's members into a rootfs, shared by
// `uxc-image unpack` (one rootfs tarball) and `uxc-image oci-unpack` (an
// image's layers, one over the other). Runs inside the container's user
// namespace as its root, after the process has chrooted into the rootfs
// (unpack.cpp says why).
#pragma once

#include <archive.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "user/common/util.h"

namespace uxc::image {

struct IdRange {
  uint32_t start = 0;
  uint32_t count = 0;
};
// "START:COUNT"; throws on anything else.
IdRange parse_range(const std::string& text);

// Called for each member about to be written, with its normalized path
// ("" is the rootfs itself) and type (AE_IFREG, AE_IFDIR, ...; a hard link
// is AE_IFREG): true when the member is taken care of (a layer's
// whiteout) and must not be written.
// Makes the rootfs directory (it must not exist), enters it and chroots
// into it; returns it open, as the root for ExtractRules.
Fd enter_new_rootfs(const std::string& rootfs);

using MemberHook = std::function<bool(const std::string& path, mode_t type)>;

struct ExtractRules {
  int root = -1;                       // the rootfs, "/" since the chroot
  std::string source;                  // the tarball, as messages name it
  std::vector<std::string> excludes;   // the image's excludes-user
  std::vector<IdRange> uids, gids;     // the ids files may have
  MemberHook before_write;             // may be empty
  std::function<void()> on_member;     // progress; may be empty
};

struct ExtractCounts {
  uint64_t devices = 0;         // device nodes left out
  uint64_t dropped_xattrs = 0;  // attributes the container cannot own
  uint64_t members = 0;
};

// Reads every member of `reader` and writes it with `disk` (an
// archive_write_disk set up by make_disk_writer), then closes `disk`,
// which sets the directories' modes and times. Throws on the first member
// that cannot be written or is refused; the caller removes the rootfs.
void extract_members(struct archive* reader, struct archive* disk, const ExtractRules& rules, ExtractCounts* counts);

// archive_write_disk with the options of every extraction: owners,
// modes, times, ACLs, xattrs, sparse files, and no path that leaves the
// rootfs or goes through a symlink.
struct archive* make_disk_writer();

// libarchive's message, with the system's words for its errno.
std::string archive_why(struct archive* a);

}  // namespace uxc::image
