// A tarball as libarchive reads it. An xz stream is decoded by liblzma's
// multi-threaded decoder in a thread of its own, so decoding runs beside
// the writing of files (as `tar -xJ` runs xz beside tar) and, for an xz
// file of several blocks (`xz -T`), on every core; anything else goes to
// libarchive's own filters (gzip, zstd, bzip2, plain tar).
#pragma once

#include <archive.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "user/common/util.h"

namespace uxc::image {

class TarSource {
 public:
  // `fd` is a regular file or a pipe.
  // `name` is the tarball as messages call it.
  // `hint` ends the error for a file that is not a tarball: what to give instead.
  TarSource(Fd fd, std::string name,
            std::string hint = "give a .tar, .tar.gz, .tar.xz or .tar.zst file, or a directory");
  // `fd` is a file still being written (a download): reading it follows
  // its growth, waking up on each byte that arrives on `follow` (a pipe),
  // and its end is the file's end once `follow` has ended.
  void follow(Fd follow) { follow_ = std::move(follow); }
  ~TarSource();
  TarSource(const TarSource&) = delete;
  TarSource& operator=(const TarSource&) = delete;

  // Reads the first bytes (is it xz?) and opens `reader` (a new
  // archive_read with the tar formats) on this source; throws with
  // libarchive's message on failure.
  void open(struct archive* reader);
  // An xz stream's decoded bytes are also written to `fd` (a pipe), by
  // the decoder thread; a failing write ends the copy, not the unpack.
  void tee_to(int fd) { tee_fd_ = fd; }
  // After the last member: lets the decoder finish the stream (and the
  // copy), and throws if the stream was not whole.
  void drain();
  uint64_t consumed() const { return consumed_.load(); }  // compressed bytes read
  uint64_t total() const { return total_; }                // 0 for a pipe or a followed file
  bool is_xz() const { return xz_; }

 private:
  static la_ssize_t read_callback(struct archive* a, void* self, const void** buffer);
  la_ssize_t read_raw(struct archive* a, const void** buffer);
  la_ssize_t read_decoded(struct archive* a, const void** buffer);
  void decode();  // the decoder thread
  ssize_t read_input(char* buffer, size_t size);
  void read_prefix();

  Fd fd_;
  Fd follow_;
  std::string name_;
  std::string hint_;
  uint64_t total_ = 0;
  bool xz_ = false;
  std::string prefix_;  // bytes read to recognise the format
  std::atomic<uint64_t> consumed_{0};
  std::string buffer_;  // what libarchive holds between two callbacks

  std::thread decoder_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> ready_;
  bool decoded_all_ = false;
  std::atomic<bool> stop_{false};
  std::string decode_error_;
  int tee_fd_ = -1;
};

}  // namespace uxc::image
