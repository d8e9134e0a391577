// A full copy of a directory tree, run as the container's root in its
// user namespace (uxc copy -B dir): every file keeps its owner, mode
// (setuid and setgid bits included), timestamps and extended attributes
// (file capabilities, ACLs), hard links stay links, holes stay holes,
// and files are cloned (reflinks) where the filesystem can.
#pragma once

#include <cstdint>
#include <string>

namespace uxc {

struct CopyStats {
  uint64_t files = 0;  // regular files, symlinks and special files
  uint64_t dirs = 0;
  uint64_t links = 0;  // extra names of hard-linked files
  uint64_t bytes = 0;  // data copied (holes not counted)
};

// Copies the tree under the directory `src_fd` (not crossing into other
// mounts) to `dst`, which must not exist; `src_name` names the source in
// messages. On failure (a full disk, say) throws with the file and the
// reason; what was copied is left for the caller to remove.
CopyStats copy_tree(int src_fd, const std::string& src_name, const std::string& dst);

}  // namespace uxc
