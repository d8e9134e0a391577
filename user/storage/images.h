// uxc's side of uxc-image (storage/image/image.h): the program that
// downloads, caches and unpacks images, run for `create -t download`,
// `create -t local` and `uxc image`. uxc itself links none of its
// libraries.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "policy/config.h"
#include "policy/idmap.h"
#include "user/common/util.h"

namespace uxc {

// An image in the user's cache (or a private download with --no-cache),
// held by a running `uxc-image fetch` until release(): no other create
// can replace the build meanwhile.
class FetchedImage {
 public:
  // Runs `uxc-image fetch -- ARGS` (the download template's arguments)
  // and waits for its answer; throws its error. `default_server` serves
  // when ARGS name no --server (uxc.conf's [images] server).
  FetchedImage(const std::vector<std::string>& template_args, const std::string& default_server, bool quiet);
  // `-t local -- -m META`: runs `uxc-image meta`, which unpacks the
  // metadata tarball into a private directory and serves its "config",
  // "templates", "excludes" and "create-message" the same way.
  explicit FetchedImage(const std::string& metadata_tarball);
  // `-t oci -- PATH[:TAG]`: runs `uxc-image oci-inspect`, which chooses
  // the image of an OCI layout or docker save archive and serves its
  // "format", "manifest" (digest), "ref", "arch", "layers", the lines of
  // the container's config it implies ("config-line-N") and what of its
  // config they leave out ("left-out-N").
  struct OciSource {
    std::string path, tag;
  };
  explicit FetchedImage(const OciSource& source);
  ~FetchedImage();
  FetchedImage(const FetchedImage&) = delete;
  FetchedImage& operator=(const FetchedImage&) = delete;
  // "server", "dist", "release", "arch", "variant", "build", "rootfs",
  // and, when the image has them, "config", "templates", "excludes",
  // "create-message" (paths).
  std::string get(const std::string& key) const;
  // Where the unpack writes the decompressed tar, for the cache's zstd
  // copy (storage/image/zstd_copy.h); -1 when none is wanted.
  int tee_fd() const { return tee_.get(); }
  void close_tee() { tee_.reset(); }
  // A build that is being downloaded: "rootfs" is the file the download
  // is writing, and this the pipe that gets a byte each time it grows
  // (and ends when the download does), for the unpack, which takes it
  // and follows the file. nullptr for a cached build.
  Fd* stream() { return stream_.valid() ? &stream_ : nullptr; }
  // After the unpack of a stream, whether it ended or failed
  // (`unpack_error`): waits for the download's end and its check against
  // the server's SHA256SUMS, and throws unless both went well. The error
  // shown is the download's, unless the download stopped only because
  // the unpack had failed.
  void check_download(const std::string& unpack_error = "");
  // `whole`: the unpack succeeded, so the copy it fed is complete.
  void release(bool whole = false);

 private:
  pid_t pid_ = -1;
  Fd hold_;
  Fd tee_;
  Fd stream_;
  bool streaming_ = false;
  Fd answers_;           // fetch's answer pipe, for the second answer
  std::string pending_;  // what was read of it beyond the first
  std::map<std::string, std::string> answer_;
  void start(const std::vector<std::string>& args, bool download);
};

struct UnpackRequest {
  std::string rootfs;     // created by the unpack
  std::string source;     // a tarball, or a directory
  std::string label;      // for the progress line
  std::string excludes, templates;  // files of the image's metadata, or empty
  std::string name, path;           // LXC_NAME and LXC_PATH for templates
  int tee_fd = -1;                  // FetchedImage::tee_fd()
  Fd* stream = nullptr;             // FetchedImage::stream(): `source` is followed as it grows; closed
  bool quiet = false;
  // An OCI layout or docker save archive (source), applied layer by layer
  // by `uxc-image oci-unpack`: the image of oci_tag, which must still be
  // oci_manifest (FetchedImage's "manifest").
  bool oci = false;
  std::string oci_tag, oci_manifest;
};

struct UnpackResult {
  uint64_t devices = 0;         // device nodes left out
  uint64_t dropped_xattrs = 0;  // attributes the container cannot own
};

// Unpacks into req.rootfs as the container's root: `file_maps` is the
// namespace to work in (file_work_idmap), `container_maps` the ids the
// files may have (container_idmap). A directory is read by
// `uxc-image pack` as the user and streamed in. On failure the rootfs may
// be half-written: the caller removes it.
UnpackResult unpack_rootfs(const policy::IdmapRequest& file_maps, const policy::IdmapRequest& container_maps,
                           const UnpackRequest& req);

// What an unpacked rootfs says it is: /etc/os-release's ID and codename
// (or version), and the architecture of its /bin/sh. Read as the user,
// every path resolved inside the rootfs (openat2 RESOLVE_IN_ROOT), so an
// absolute symlink in the image never points at the host's files.
policy::ImageRecord identify_rootfs(const std::string& rootfs);

// A file of an unpacked rootfs (at most max_bytes of it), read the same
// way; "" when it is missing or not a regular file.
std::string read_rootfs_file(const std::string& rootfs, const char* path, size_t max_bytes);

// Runs `uxc-image ARGS...` in place of this process (uxc image ls/rm,
// create -t download -- --list).
[[noreturn]] void exec_image_tool(const std::vector<std::string>& args);

// While a create runs: SIGINT, SIGTERM and SIGHUP kill the uxc-image
// processes it started, so the create fails and removes what it made,
// then the create reports the signal.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  int signal() const;  // the signal received, or 0
};

}  // namespace uxc
