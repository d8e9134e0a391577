// uxc-image: the program behind `uxc create -t download`, `-t local` and
// `uxc image`. It is the only part of uxc that links libcurl, libarchive
// and liblzma, so that `uxc` itself (exec'd on every start, and the
// monitor of every running container) maps none of them.
//
// uxc runs it as the user for the network and the cache (fetch, pack, ls,
// rm) and, for unpack, inside the container's user namespace as its root.
// Internal commands answer on fd 3, "KEY VALUE" lines then "ok", or one
// "error MESSAGE" line; stderr carries what a person should see.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "user/common/util.h"

namespace uxc::image {

// ------------------------------------------------------------- answers
class Answer {
 public:
  Answer();  // fd 3, checked to be a pipe or socket (uxc's)
  void put(const std::string& key, const std::string& value);
  void ok();
  void error(const std::string& message);

 private:
  Fd fd_;
};

// ------------------------------------------------------------- progress
// One line on stderr, rewritten at most five times a second, when stderr
// is a terminal and --quiet was not given: "WHAT: 12.3 of 45.6 MiB,
// 5.6 MiB/s, 6 s left". finish() clears it.
class Progress {
 public:
  Progress(std::string what, uint64_t total, bool enabled);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();
  void update(uint64_t done, uint64_t total = 0);
  void finish();

 private:
  std::string what_;
  uint64_t total_;
  bool enabled_;
  bool shown_ = false;
  uint64_t start_ns_;
  uint64_t last_ns_ = 0;
};
bool progress_wanted(bool quiet);  // stderr is a terminal and not quiet
std::string human_size(uint64_t bytes);

// A note for the person running uxc (stderr): always printed, even with
// --quiet, for what changes the outcome (a cache used while the server is
// down, say).
void say(const std::string& line);

// ------------------------------------------------------------- download
// HTTPS only, verified against the system's CA store; no plain-HTTP
// fallback and no redirect to anything but HTTPS.
class UnreachableError : public Error {
 public:
  using Error::Error;
};

// The reader of a streamed download (the unpack) is gone: it failed, and
// its error is the one to show.
class StreamClosedError : public Error {
 public:
  using Error::Error;
};

class Http {
 public:
  explicit Http(std::string server);
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;
  // GET into *out (at most max_bytes). False when the server answers 404;
  // every other failure throws (UnreachableError when the server cannot
  // be reached at all).
  bool get_small(const std::string& path, std::string* out, size_t max_bytes);
  // GET into fd, with a progress line that starts with `label` when
  // show_progress; returns the SHA-256 of what was written (lower-case hex). Throws on any failure, a short body included.
  // With a stream_fd (a non-blocking pipe), each piece written to fd is
  // followed by a byte there, which wakes a reader that follows the file:
  // StreamClosedError when that reader is gone.
  std::string get_file(const std::string& path, int fd, const std::string& label, bool show_progress,
                       int stream_fd = -1);
  const std::string& server() const { return server_; }

 private:
  std::string server_;
  void* curl_;
};

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void add(const void* data, size_t size);
  std::string hex();  // lower-case; once

 private:
  void* ctx_;  // OpenSSL's EVP_MD_CTX
};

// A build's .sums (`sha256sum` lines of its rootfs files), replaced by
// rename but not fsync'ed: a torn one only makes the build look damaged,
// and it is downloaded again.
void write_sums(const std::string& build_dir, const std::string& text);

// The SHA-256 of a file (lower-case hex).
std::string sha256_file(int fd);

// ---------------------------------------------------------------- cache
// $XDG_CACHE_HOME/uxc/images (default ~/.cache/uxc/images).
std::string cache_root();
// The same, created if need be; its directories are the user's alone
// (0700), and one an older uxc made open is closed.
std::string private_cache_root();
// Removes a tree of the user's own files, not following symlinks.
void remove_user_tree(const std::string& path);
// Total size of the regular files under path.
uint64_t tree_size(const std::string& path);

// ------------------------------------------------------------- commands
int cmd_fetch(int argc, char** argv, Answer& answer);
int cmd_meta(int argc, char** argv, Answer& answer);
int cmd_list(int argc, char** argv);
int cmd_unpack(int argc, char** argv, Answer& answer);
int cmd_pack(int argc, char** argv, Answer& answer);
int cmd_ls(int argc, char** argv);
int cmd_rm(int argc, char** argv);
int cmd_oci_inspect(int argc, char** argv, Answer& answer);  // oci.cpp
int cmd_oci_unpack(int argc, char** argv, Answer& answer);

// Extracts meta.tar.xz's top-level regular files into dir (as the user);
// `label` names the tarball in errors.
void extract_meta(const std::string& tarball, const std::string& dir, const std::string& label = "meta.tar.xz");

}  // namespace uxc::image
