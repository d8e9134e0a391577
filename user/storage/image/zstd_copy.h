// The zstd copy of a cached build's rootfs (fetch.cpp's serve_build): the
// tar that the first unpack of the build decompressed, recompressed with
// zstd at a fast level. xz decoding is most of the time of a create, and
// cannot use a second core for an image of one xz block (as image
// servers publish them); zstd decodes the same tar about ten times
// faster. rootfs.tar.xz stays: it is what the server's SHA256SUMS vouch
// for.
#pragma once

#include <memory>
#include <string>

#include "user/common/util.h"

namespace uxc::image {

inline constexpr const char* kZstdCopy = "rootfs.tar.zst";

class ZstdCopy {
 public:
  // The right to write `dir`'s copy, held with a lock on the partial
  // file; nullptr while another create holds it.
  static std::unique_ptr<ZstdCopy> claim(const std::string& dir);
  ~ZstdCopy();
  ZstdCopy(const ZstdCopy&) = delete;
  ZstdCopy& operator=(const ZstdCopy&) = delete;
  // Compresses what arrives on `fd` until its end. It always reads to the
  // end, so the unpack that writes there never waits on a failed copy.
  void receive(int fd);
  // keep: the copy is renamed into place and its sum added to the
  // build's .sums; otherwise it is removed.
  void finish(bool keep);

 private:
  ZstdCopy(std::string dir, Fd fd) : dir_(std::move(dir)), fd_(std::move(fd)) {}
  std::string partial() const { return dir_ + "/." + kZstdCopy + ".partial"; }
  std::string dir_;
  Fd fd_;
  bool ok_ = false;
  bool done_ = false;
  std::string sum_;
};

}  // namespace uxc::image
