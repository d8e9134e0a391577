// uxc-image oci-inspect and oci-unpack: `uxc create -t oci -- PATH[:TAG]`,
// an OCI image layout (a directory, or a tarball of one) or a `docker
// save` archive (a tarball, or a directory it was unpacked into).
//
// oci-inspect runs as the user: it chooses the image (policy/oci.h),
// reads its manifest and config, each checked against its digest, and
// answers with what the container's config takes from the image.
// oci-unpack runs as the container's root in its user namespace, as
// unpack does: it makes the same choice again (and refuses if the image
// is no longer the one inspected), checks every layer against its digest
// before the first one is applied, chroots into the new rootfs and
// applies the layers in order with the extraction of `-t local`
// (extract.h), honouring whiteouts.
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "policy/image.h"
#include "policy/oci.h"
#include "policy/text.h"
#include "user/storage/image/extract.h"
#include "user/storage/image/image.h"

namespace uxc::image {

namespace {

constexpr size_t kChunk = 1 << 20;

struct ArchiveFree {
  void operator()(struct archive* a) const {
    if (a != nullptr) archive_free(a);
  }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

// The bytes of one file of the image.
class Stream {
 public:
  virtual ~Stream() = default;
  // Like read(2): 0 at the end; throws on failure.
  virtual size_t read(void* buffer, size_t size) = 0;
};

// The image's files, by their path in the layout or archive.
class Store {
 public:
  virtual ~Store() = default;
  virtual bool has(const std::string& path) = 0;
  // Runs `use` on the file's bytes; false when there is no such file.
  virtual bool open(const std::string& path, const std::function<void(Stream&)>& use) = 0;
  // Runs `use` on each file of `paths` present, in the store's order.
  virtual void each(const std::set<std::string>& paths, const std::function<void(const std::string&, Stream&)>& use) {
    for (const auto& p : paths) open(p, [&](Stream& s) { use(p, s); });
  }
  const std::string& name() const { return name_; }

 protected:
  std::string name_;
};

// ------------------------------------------------------------ directory

class FdStream : public Stream {
 public:
  FdStream(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  size_t read(void* buffer, size_t size) override {
    for (;;) {
      const ssize_t n = ::read(fd_, buffer, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) throw_errno("cannot read " + name_);
    }
  }

 private:
  int fd_;
  std::string name_;
};

class DirStore : public Store {
 public:
  DirStore(Fd dir, const std::string& name) : dir_(std::move(dir)) { name_ = name; }
  bool has(const std::string& path) override {
    Fd fd = open_beneath(path);
    return fd.valid();
  }
  bool open(const std::string& path, const std::function<void(Stream&)>& use) override {
    Fd fd = open_beneath(path);
    if (!fd.valid()) return false;
    struct stat st;
    if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) throw Error(name_ + "/" + path + " is not a file");
    FdStream stream(fd.get(), name_ + "/" + path);
    use(stream);
    return true;
  }

 private:
  Fd dir_;
  // Inside the layout only, even after the chroot: no "..", no absolute
  // symlink, no other file system's magic links.
  Fd open_beneath(const std::string& path) {
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    Fd fd(static_cast<int>(syscall(SYS_openat2, dir_.get(), path.c_str(), &how, sizeof how)));
    if (!fd.valid() && errno != ENOENT && errno != ENOTDIR) throw_errno("cannot open " + name_ + "/" + path);
    if (fd.valid()) {
      // Reads block from here on (a FIFO would have opened without a writer).
      const int flags = fcntl(fd.get(), F_GETFL);
      if (flags < 0 || fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) throw_errno("cannot read " + path);
    }
    return fd;
  }
};

// ------------------------------------------------------------ tarball

class MemberStream : public Stream {
 public:
  MemberStream(struct archive* a, std::string name) : a_(a), name_(std::move(name)) {}
  size_t read(void* buffer, size_t size) override {
    const la_ssize_t n = archive_read_data(a_, buffer, size);
    if (n < 0) throw Error("cannot read " + name_ + ": " + archive_why(a_));
    return static_cast<size_t>(n);
  }

 private:
  struct archive* a_;
  std::string name_;
};

// A tarball read from the start for every look-up; libarchive skips the
// members in between by seeking when the tarball is not compressed.
class TarStore : public Store {
 public:
  TarStore(Fd fd, const std::string& name) : fd_(std::move(fd)) {
    name_ = name;
    scan([&](const std::string& path, struct archive*) {
      if (++count_[path] > 1)
        throw Error(name_ + " holds " + path + " twice: which one is meant cannot be told; it is refused");
      return false;
    });
    if (count_.empty()) throw Error(name_ + " holds no files");
  }
  bool has(const std::string& path) override { return count_.count(path) != 0; }
  bool open(const std::string& path, const std::function<void(Stream&)>& use) override {
    if (!has(path)) return false;
    bool found = false;
    scan([&](const std::string& member, struct archive* a) {
      if (member != path) return false;
      MemberStream stream(a, name_ + ":" + path);
      use(stream);
      found = true;
      return true;
    });
    if (!found) throw Error(name_ + " changed while it was read");
    return true;
  }
  void each(const std::set<std::string>& paths,
            const std::function<void(const std::string&, Stream&)>& use) override {
    scan([&](const std::string& member, struct archive* a) {
      if (paths.count(member) == 0) return false;
      MemberStream stream(a, name_ + ":" + member);
      use(member, stream);
      return false;
    });
  }

 private:
  Fd fd_;
  std::map<std::string, int> count_;

  // Calls `visit` with each regular member's normalized path until it
  // returns true.
  void scan(const std::function<bool(const std::string&, struct archive*)>& visit) {
    if (lseek(fd_.get(), 0, SEEK_SET) != 0) throw_errno("cannot read " + name_ + " again");
    ArchivePtr a(archive_read_new());
    if (!a) throw Error("cannot set up libarchive");
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    archive_read_support_filter_all(a.get());
    if (archive_read_open_fd(a.get(), fd_.get(), kChunk) != ARCHIVE_OK)
      throw Error(name_ + " is not an OCI layout or docker save archive uxc can read (" + archive_why(a.get()) + ")");
    struct archive_entry* entry = nullptr;
    for (;;) {
      const int r = archive_read_next_header(a.get(), &entry);
      if (r == ARCHIVE_EOF) return;
      if (r < ARCHIVE_OK) throw Error("cannot read " + name_ + ": " + archive_why(a.get()));
      if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry) != nullptr) continue;
      std::string path;
      const char* member = archive_entry_pathname(entry);
      if (member == nullptr || !policy::normalize_member_path(member, &path) || path.empty()) continue;
      if (visit(path, a.get())) return;
    }
  }
};

std::unique_ptr<Store> open_store(const std::string& source) {
  Fd fd(::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) throw_errno("cannot open " + source);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) throw_errno("cannot inspect " + source);
  if (S_ISDIR(st.st_mode)) return std::make_unique<DirStore>(std::move(fd), source);
  if (!S_ISREG(st.st_mode)) throw Error(source + " is neither a directory nor a file");
  const int flags = fcntl(fd.get(), F_GETFL);
  if (flags < 0 || fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) throw_errno("cannot read " + source);
  return std::make_unique<TarStore>(std::move(fd), source);
}

// ------------------------------------------------------------ the image

std::string read_small(Store& store, const std::string& path, size_t max_bytes) {
  std::string text;
  const bool found = store.open(path, [&](Stream& s) {
    char buffer[65536];
    for (;;) {
      const size_t n = s.read(buffer, sizeof buffer);
      if (n == 0) break;
      if (text.size() + n > max_bytes)
        throw Error(store.name() + ": " + path + " is larger than " + std::to_string(max_bytes) + " bytes");
      text.append(buffer, n);
    }
  });
  if (!found) throw Error(store.name() + " has no " + path);
  return text;
}

// Hashes a stream to its end; *size gets its length.
std::string hash_stream(Stream& s, uint64_t* size) {
  Sha256 sha;
  std::string buffer(kChunk, '\0');
  *size = 0;
  for (;;) {
    const size_t n = s.read(buffer.data(), buffer.size());
    if (n == 0) break;
    sha.add(buffer.data(), n);
    *size += n;
  }
  return sha.hex();
}

std::string mismatch(const Store& store, const std::string& path, const std::string& expected,
                     const std::string& actual) {
  return "the image is refused: " + store.name() + ": " + path + " should have the sha256 digest " + expected +
         " but has " + actual + " (a damaged or altered file)";
}

// A JSON blob, checked against its digest (and size, when known) before
// it is read.
std::string read_blob(Store& store, const std::string& path, const std::string& hex, int64_t size) {
  if (size > static_cast<int64_t>(policy::kMaxOciJsonBytes))
    throw Error(store.name() + ": " + path + " is larger than " + std::to_string(policy::kMaxOciJsonBytes) + " bytes");
  const std::string text = read_small(store, path, policy::kMaxOciJsonBytes);
  Sha256 sha;
  sha.add(text.data(), text.size());
  const std::string actual = sha.hex();
  if (actual != hex) throw Error(mismatch(store, path, hex, actual));
  if (size >= 0 && static_cast<uint64_t>(size) != text.size())
    throw Error("the image is refused: " + store.name() + ": " + path + " has " + std::to_string(text.size()) +
                " bytes, its descriptor says " + std::to_string(size));
  return text;
}

struct Layer {
  std::string path;  // in the store
  std::string hex;   // its sha256
  int64_t size = -1;  // -1: unknown (a docker archive's); OCI's sizes are int64 (policy/oci.h)
};

struct Image {
  std::string format;    // "oci" or "docker"
  std::string id;        // the manifest's digest (the config's for a docker archive)
  std::string ref;       // the tag it was chosen by, or its only name
  policy::OciImageConfig config;
  std::vector<Layer> layers;
};

std::string blob_path(const std::string& hex) { return "blobs/sha256/" + hex; }

void host_platform(std::string* arch, std::string* variant) {
  struct utsname u;
  if (uname(&u) != 0) throw_errno("uname");
  policy::oci_platform_for_machine(u.machine, arch, variant);
}

void check_config_platform(const Store& store, const policy::OciImageConfig& c, const std::string& arch) {
  if ((!c.os.empty() && c.os != "linux") || (!c.architecture.empty() && c.architecture != arch))
    throw Error(store.name() + " holds an image for " + c.os + "/" + c.architecture + ", and this machine is linux/" +
                arch + ": it would not run here");
}

Image load_oci(Store& store, const std::string& tag, const std::string& arch, const std::string& variant) {
  Image image;
  image.format = "oci";
  std::string err;
  if (!policy::parse_oci_layout(read_small(store, "oci-layout", 4096), &err))
    throw Error(store.name() + ": oci-layout: " + err);
  std::vector<policy::OciDescriptor> entries, chosen;
  if (!policy::parse_oci_index(read_small(store, "index.json", policy::kMaxOciJsonBytes), &entries, &err))
    throw Error(store.name() + ": index.json: " + err);
  if (!policy::choose_oci_tag(entries, tag, &chosen, &err)) throw Error(store.name() + ": " + err);
  size_t pick = 0;
  if (!policy::choose_oci_platform(chosen, arch, variant, &pick, &err)) throw Error(store.name() + ": " + err);
  policy::OciDescriptor d = chosen[pick];
  image.ref = !tag.empty() ? tag : d.ref_name;
  std::string manifest_text;
  for (int depth = 0;; ++depth) {
    if (depth > policy::kMaxOciIndexDepth)
      throw Error(store.name() + ": image indexes nest deeper than " + std::to_string(policy::kMaxOciIndexDepth));
    const policy::OciKind kind = policy::oci_kind(d.media_type);
    if (kind == policy::OciKind::kOther)
      throw Error(store.name() + ": " + d.digest + " is a " + policy::quote_arg(d.media_type) +
                  ", neither an image index nor an image manifest");
    const std::string text = read_blob(store, blob_path(d.hex), d.hex, static_cast<int64_t>(d.size));
    if (kind == policy::OciKind::kManifest) {
      manifest_text = text;
      break;
    }
    if (!policy::parse_oci_index(text, &entries, &err)) throw Error(store.name() + ": the index " + d.digest + ": " + err);
    if (!policy::choose_oci_platform(entries, arch, variant, &pick, &err)) throw Error(store.name() + ": " + err);
    d = entries[pick];
  }
  image.id = d.digest;
  policy::OciManifest manifest;
  if (!policy::parse_oci_manifest(manifest_text, &manifest, &err))
    throw Error(store.name() + ": the manifest " + d.digest + ": " + err);
  const auto& c = manifest.config;
  if (!policy::parse_oci_image_config(read_blob(store, blob_path(c.hex), c.hex, static_cast<int64_t>(c.size)),
                                      &image.config, &err))
    throw Error(store.name() + ": the image config " + c.digest + ": " + err);
  check_config_platform(store, image.config, arch);
  if (image.config.diff_ids.size() != manifest.layers.size())
    throw Error(store.name() + ": the manifest " + d.digest + " lists " + std::to_string(manifest.layers.size()) +
                " layers and its config " + std::to_string(image.config.diff_ids.size()));
  for (const auto& l : manifest.layers) image.layers.push_back({blob_path(l.hex), l.hex, static_cast<int64_t>(l.size)});
  return image;
}

Image load_docker(Store& store, const std::string& tag, const std::string& arch) {
  Image image;
  image.format = "docker";
  std::string err;
  std::vector<policy::DockerImage> images;
  if (!policy::parse_docker_manifest(read_small(store, "manifest.json", policy::kMaxOciJsonBytes), &images, &err))
    throw Error(store.name() + ": manifest.json: " + err);
  size_t pick = 0;
  if (!policy::choose_docker_tag(images, tag, &pick, &err)) throw Error(store.name() + ": " + err);
  const policy::DockerImage& chosen = images[pick];
  image.ref = !tag.empty() ? tag : chosen.repo_tags.empty() ? "" : chosen.repo_tags.front();
  const std::string config_hex = policy::docker_path_digest(chosen.config);
  if (config_hex.empty())
    throw Error("the image is refused: " + store.name() + ": its config " + policy::quote_arg(chosen.config) +
                " is not named by its digest (HEX.json or blobs/sha256/HEX), so it cannot be checked");
  image.id = "sha256:" + config_hex;
  if (!policy::parse_oci_image_config(read_blob(store, chosen.config, config_hex, -1), &image.config, &err))
    throw Error(store.name() + ": the image config " + chosen.config + ": " + err);
  check_config_platform(store, image.config, arch);
  if (image.config.diff_ids.size() != chosen.layers.size())
    throw Error(store.name() + ": manifest.json lists " + std::to_string(chosen.layers.size()) +
                " layers and the image config " + std::to_string(image.config.diff_ids.size()));
  for (size_t i = 0; i < chosen.layers.size(); ++i) {
    // Docker 25 names a layer by its digest; older archives hold
    // uncompressed layer.tar files, whose digests are the config's diff_ids.
    std::string hex = policy::docker_path_digest(chosen.layers[i]);
    if (hex.empty() && !policy::parse_oci_digest(image.config.diff_ids[i], &hex))
      throw Error(store.name() + ": bad diff_id");
    image.layers.push_back({chosen.layers[i], hex, -1});
  }
  return image;
}

// A docker archive's manifest.json decides when there is one (Docker 25
// writes index.json beside it, whose tags are not the ones people give).
Image load_image(Store& store, const std::string& tag) {
  std::string arch, variant;
  host_platform(&arch, &variant);
  if (store.has("manifest.json")) return load_docker(store, tag, arch);
  if (store.has("index.json")) return load_oci(store, tag, arch, variant);
  throw Error(store.name() + " is neither an OCI image layout (oci-layout, index.json, blobs/) nor a docker save "
              "archive (manifest.json): give one of those, or use -t local for a rootfs tarball");
}

// Every layer against its digest, before the first is applied.
void verify_layers(Store& store, const Image& image) {
  std::set<std::string> paths;
  for (const auto& l : image.layers) paths.insert(l.path);
  std::map<std::string, std::pair<std::string, uint64_t>> seen;
  store.each(paths, [&](const std::string& path, Stream& s) {
    uint64_t size = 0;
    const std::string hex = hash_stream(s, &size);
    seen[path] = {hex, size};
  });
  for (const auto& l : image.layers) {
    const auto it = seen.find(l.path);
    if (it == seen.end()) throw Error("the image is refused: " + store.name() + " has no layer " + l.path);
    if (it->second.first != l.hex) throw Error(mismatch(store, l.path, l.hex, it->second.first));
    if (l.size >= 0 && static_cast<uint64_t>(l.size) != it->second.second)
      throw Error("the image is refused: " + store.name() + ": " + l.path + " has " +
                  std::to_string(it->second.second) + " bytes, its descriptor says " + std::to_string(l.size));
  }
}

// ------------------------------------------------------------ layers

// Paths resolved in the rootfs without following any symlink: a whiteout
// names a file of the image, never where a lower layer's link points.
class RootfsPaths {
 public:
  explicit RootfsPaths(int root) : root_(root) {}
  // The directory holding `path`, and its last segment; invalid when that
  // directory does not exist (then neither does the path).
  Fd parent(const std::string& path, std::string* name) const {
    const size_t slash = path.rfind('/');
    *name = slash == std::string::npos ? path : path.substr(slash + 1);
    if (slash == std::string::npos) return Fd(fcntl(root_, F_DUPFD_CLOEXEC, 3));
    return open_dir(path.substr(0, slash));
  }
  Fd open_dir(const std::string& path) const {
    if (path.empty()) return Fd(fcntl(root_, F_DUPFD_CLOEXEC, 3));
    open_how how{};
    how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV;
    Fd fd(static_cast<int>(syscall(SYS_openat2, root_, path.c_str(), &how, sizeof how)));
    if (!fd.valid() && errno == ELOOP)
      throw Error("the image is refused: a layer reaches /" + path + " through a symlink");
    if (!fd.valid() && errno != ENOENT && errno != ENOTDIR) throw_errno("cannot open /" + path + " of the rootfs");
    return fd;
  }

 private:
  int root_;
};

// Removes `name` in `dir` and, for a directory, all it holds; never
// follows a symlink.
void remove_at(int dir, const std::string& name, const std::string& shown) {
  struct stat st;
  if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    throw_errno("cannot inspect /" + shown + " of the rootfs");
  }
  if (S_ISDIR(st.st_mode)) {
    Fd sub(openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub.valid()) throw_errno("cannot open /" + shown + " of the rootfs");
    std::vector<std::string> names;
    {
      DIR* d = fdopendir(fcntl(sub.get(), F_DUPFD_CLOEXEC, 3));
      if (d == nullptr) throw_errno("cannot list /" + shown + " of the rootfs");
      Defer close_dir([&] { closedir(d); });
      while (const dirent* e = readdir(d))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
    }
    for (const auto& n : names) remove_at(sub.get(), n, shown + "/" + n);
  }
  if (unlinkat(dir, name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0 && errno != ENOENT)
    throw_errno("cannot remove /" + shown + " of the rootfs");
}

// One layer applied over the ones below it. Whiteouts remove what lower
// layers made, never what this layer makes, whatever the order of the
// members: the paths this layer wrote (and their parents) are kept.
class LayerApplier {
 public:
  explicit LayerApplier(int root) : paths_(root) {}

  // extract.h's MemberHook.
  bool before_write(const std::string& path, mode_t type) {
    if (path.empty()) return false;
    std::string target;
    switch (policy::classify_whiteout(path, &target)) {
      case policy::Whiteout::kSkip: return true;
      case policy::Whiteout::kRemove: {
        // What this layer wrote stays; a directory it wrote into loses
        // what lower layers put there, as if the whiteout came first.
        std::string name;
        const Fd dir = paths_.parent(target, &name);
        struct stat st;
        if (dir.valid() && written_.count(target) == 0) remove_at(dir.get(), name, target);
        else if (dir.valid() && fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
          make_opaque(target);
        ++whiteouts_;
        return true;
      }
      case policy::Whiteout::kOpaque:
        make_opaque(target);
        note(target);
        ++whiteouts_;
        return true;
      case policy::Whiteout::kNone: break;
    }
    note(path);
    // A file where a lower layer has a directory (or the other way round)
    // replaces it: libarchive would only remove an empty directory.
    std::string name;
    const Fd dir = paths_.parent(path, &name);
    struct stat st;
    if (dir.valid() && fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISDIR(st.st_mode) != (type == AE_IFDIR))
      remove_at(dir.get(), name, path);
    return false;
  }
  uint64_t whiteouts() const { return whiteouts_; }

 private:
  RootfsPaths paths_;
  std::set<std::string> written_;
  uint64_t whiteouts_ = 0;

  void note(const std::string& path) {
    for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
      written_.insert(path.substr(0, slash));
    written_.insert(path);
  }

  // Everything under `dir` that lower layers made goes; what this layer
  // wrote there stays.
  void make_opaque(const std::string& dir) {
    const Fd fd = paths_.open_dir(dir);
    if (!fd.valid()) return;
    std::vector<std::string> names;
    {
      DIR* d = fdopendir(fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
      if (d == nullptr) throw_errno("cannot list /" + dir + " of the rootfs");
      Defer close_dir([&] { closedir(d); });
      while (const dirent* e = readdir(d))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
    }
    for (const auto& n : names) {
      const std::string path = dir.empty() ? n : dir + "/" + n;
      struct stat st;
      if (written_.count(path) == 0) remove_at(fd.get(), n, path);
      else if (fstatat(fd.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) make_opaque(path);
    }
  }
};

// libarchive reads a layer through this.
struct LayerSource {
  Stream* stream;
  std::string buffer;
  uint64_t consumed = 0;
  std::string error;
};

la_ssize_t read_layer(struct archive* a, void* self, const void** buffer) {
  auto* source = static_cast<LayerSource*>(self);
  source->buffer.resize(kChunk);
  try {
    const size_t n = source->stream->read(source->buffer.data(), source->buffer.size());
    source->consumed += n;
    *buffer = source->buffer.data();
    return static_cast<la_ssize_t>(n);
  } catch (const Error& e) {
    source->error = e.what();
    archive_set_error(a, EIO, "%s", e.what());
    return -1;
  }
}

void apply_layer(Stream& stream, const std::string& label, uint64_t total, int root, const ExtractRules& base,
                 bool show_progress, ExtractCounts* counts, uint64_t* whiteouts) {
  LayerSource source{&stream, {}, 0, {}};
  ArchivePtr reader(archive_read_new());
  ArchivePtr disk(make_disk_writer());
  if (!reader) throw Error("cannot set up libarchive");
  archive_read_support_format_tar(reader.get());
  archive_read_support_format_gnutar(reader.get());
  archive_read_support_filter_all(reader.get());
  if (archive_read_open(reader.get(), &source, nullptr, read_layer, nullptr) != ARCHIVE_OK)
    throw Error(label + " is not a tarball uxc can read (" + archive_why(reader.get()) + ")");
  Progress progress("Applying " + label, total, show_progress);
  LayerApplier applier(root);
  ExtractRules rules = base;
  rules.source = label;
  rules.before_write = [&](const std::string& path, mode_t type) { return applier.before_write(path, type); };
  rules.on_member = [&] { progress.update(source.consumed); };
  extract_members(reader.get(), disk.get(), rules, counts);
  progress.finish();
  *whiteouts += applier.whiteouts();
}

struct Options {
  std::string rootfs, source, tag, manifest;
  std::vector<IdRange> uids, gids;
  bool quiet = false;
};

Options parse_options(int argc, char** argv, bool unpack) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (i + 1 >= argc) throw Error("oci: " + a + " needs a value");
    const std::string v = argv[++i];
    if (a == "--source") o.source = v;
    else if (a == "--tag") o.tag = v;
    else if (unpack && a == "--rootfs") o.rootfs = v;
    else if (unpack && a == "--manifest") o.manifest = v;
    else if (unpack && a == "--uid-range") o.uids.push_back(parse_range(v));
    else if (unpack && a == "--gid-range") o.gids.push_back(parse_range(v));
    else throw Error("oci: unknown option " + a);
  }
  if (o.source.empty()) throw Error("oci: --source is required");
  if (unpack && (o.rootfs.empty() || o.rootfs[0] != '/' || o.manifest.empty() || o.uids.empty() || o.gids.empty()))
    throw Error("oci-unpack: --rootfs, --manifest, --uid-range and --gid-range are required");
  return o;
}

}  // namespace

int cmd_oci_inspect(int argc, char** argv, Answer& answer) {
  const Options o = parse_options(argc, argv, false);
  if (isatty(0)) throw Error("oci-inspect answers uxc create and waits for its stdin to close: run it from uxc create");
  const auto store = open_store(o.source);
  const Image image = load_image(*store, o.tag);
  std::vector<std::string> left_out;
  const std::string lines = policy::oci_config_lines(image.config, &left_out);
  // A user name is looked up in the unpacked tree (uxc create does).
  const std::string& user = image.config.user;
  if (policy::oci_user_needs_lookup(user)) {
    if (std::all_of(user.begin(), user.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
      answer.put("user", user);
    else
      left_out.push_back("User " + policy::quote_arg(user) + " is not USER[:GROUP]: the command runs as root");
  }
  answer.put("format", image.format);
  answer.put("manifest", image.id);
  // Names from the image reach a config comment and this answer's lines.
  if (!image.ref.empty()) answer.put("ref", policy::quote_arg(image.ref, 256));
  if (policy::is_valid_image_word(image.config.architecture)) answer.put("arch", image.config.architecture);
  answer.put("layers", std::to_string(image.layers.size()));
  size_t n = 0;
  for (size_t start = 0; start < lines.size();) {
    const size_t end = lines.find('\n', start);
    answer.put("config-line-" + std::to_string(n++), lines.substr(start, end - start));
    start = end + 1;
  }
  for (size_t i = 0; i < left_out.size(); ++i) answer.put("left-out-" + std::to_string(i), left_out[i]);
  answer.ok();
  std::string released;
  (void)read_all(0, &released, 4096);
  return 0;
}

int cmd_oci_unpack(int argc, char** argv, Answer& answer) {
  const Options o = parse_options(argc, argv, true);
  const auto store = open_store(o.source);
  const Image image = load_image(*store, o.tag);
  if (image.id != o.manifest)
    throw Error(o.source + " changed while the container was made (its image is now " + image.id + ", not " +
                o.manifest + "): try again");
  verify_layers(*store, image);

  // The layout's files are read through the descriptors opened above.
  const Fd root = enter_new_rootfs(o.rootfs);
  umask(022);

  ExtractRules rules;
  rules.root = root.get();
  rules.uids = o.uids;
  rules.gids = o.gids;
  ExtractCounts counts;
  uint64_t whiteouts = 0;
  const bool show = progress_wanted(o.quiet);
  for (size_t i = 0; i < image.layers.size(); ++i) {
    const Layer& l = image.layers[i];
    const std::string label = "layer " + std::to_string(i + 1) + " of " + std::to_string(image.layers.size()) + " (" +
                              l.path + ")";
    const bool found = store->open(l.path, [&](Stream& s) {
      apply_layer(s, label, l.size > 0 ? static_cast<uint64_t>(l.size) : 0, root.get(), rules, show, &counts,
                  &whiteouts);
    });
    if (!found) throw Error(store->name() + " has no " + l.path);
  }
  if (mkdir("/dev", 0755) != 0 && errno != EEXIST) throw_errno("cannot create /dev in the rootfs");
  answer.put("devices", std::to_string(counts.devices));
  answer.put("members", std::to_string(counts.members));
  answer.put("dropped-xattrs", std::to_string(counts.dropped_xattrs));
  answer.put("whiteouts", std::to_string(whiteouts));
  answer.put("manifest", image.id);
  answer.ok();
  return 0;
}

}  // namespace uxc::image
