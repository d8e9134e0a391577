// The per-user image cache and `uxc image ls` / `uxc image rm`.
//
//   CACHE/SERVER/DIST/RELEASE/ARCH/VARIANT/
//     .lock         flock: exclusive while a fetch decides, downloads and
//                   prunes; shared while a create unpacks from it
//     current       -> BUILD, replaced by rename
//     BUILD/        rootfs.tar.xz, the files of meta.tar.xz, .sums
//     .partial-*/   a download under way (or left by a killed one)
//
// A build directory appears only by rename once complete and checked, so
// a partial download is never an entry. Lock files are never removed:
// two processes must always lock the same file.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "policy/image.h"
#include "policy/json.h"
#include "user/common/dirs.h"
#include "user/storage/image/cache.h"
#include "user/storage/image/image.h"

namespace uxc::image {

namespace {


void remove_entries(int dir_fd, const std::string& shown) {
  DIR* d = fdopendir(dup(dir_fd));
  if (d == nullptr) throw_errno("cannot read " + shown);
  std::vector<std::pair<std::string, bool>> entries;
  while (const dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    struct stat st;
    if (fstatat(dir_fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    entries.emplace_back(n, S_ISDIR(st.st_mode));
  }
  closedir(d);
  for (const auto& [name, is_dir] : entries) {
    if (is_dir) {
      Fd sub(openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid()) throw_errno("cannot open " + shown + "/" + name);
      remove_entries(sub.get(), shown + "/" + name);
    }
    if (unlinkat(dir_fd, name.c_str(), is_dir ? AT_REMOVEDIR : 0) != 0 && errno != ENOENT)
      throw_errno("cannot remove " + shown + "/" + name);
  }
}

}  // namespace

std::string cache_root() {
  const char* xdg = getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/uxc/images";
  return current_user().home + "/.cache/uxc/images";
}

std::string private_cache_root() {
  const std::string root = cache_root();
  make_dirs(root, 0700);
  // A cache made before it was private is closed on the way: it holds the
  // user's rootfs tarballs, which are nobody else's business.
  struct stat st;
  if (lstat(root.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() && (st.st_mode & 077) != 0 &&
      chmod(root.c_str(), st.st_mode & 07700) != 0)
    throw_errno("cannot make " + root + " private");
  return root;
}

void remove_user_tree(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return;
    if (errno == ENOTDIR || errno == ELOOP) {
      if (unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno("cannot remove " + path);
      return;
    }
    throw_errno("cannot open " + path);
  }
  remove_entries(fd.get(), path);
  fd.reset();
  if (rmdir(path.c_str()) != 0 && errno != ENOENT) throw_errno("cannot remove " + path);
}

void write_sums(const std::string& build_dir, const std::string& text) {
  const std::string path = build_dir + "/.sums", tmp = path + ".new";
  Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid() || !write_all(fd.get(), text) || rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    errno = err;
    throw_errno("cannot write " + path);
  }
}

uint64_t tree_size(const std::string& path) {
  uint64_t total = 0;
  for (const auto& n : dir_names(path)) {
    struct stat st;
    const std::string p = path + "/" + n;
    if (lstat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) total += tree_size(p);
    else if (S_ISREG(st.st_mode)) total += static_cast<uint64_t>(st.st_size);
  }
  return total;
}

std::string CacheKey::dir() const {
  return cache_root() + "/" + server + "/" + dist + "/" + release + "/" + arch + "/" + variant;
}

std::string CacheKey::describe() const { return dist + " " + release + " " + arch + " (" + variant + ")"; }

VariantLock::VariantLock(const std::string& dir) {
  (void)private_cache_root();
  make_dirs(dir, 0700);
  fd_ = Fd(open((dir + "/.lock").c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd_.valid()) throw_errno("cannot open the cache lock " + dir + "/.lock");
}

void VariantLock::shared() {
  while (flock(fd_.get(), LOCK_SH) != 0)
    if (errno != EINTR) throw_errno("cannot lock the image cache");
}

bool VariantLock::try_exclusive() {
  if (flock(fd_.get(), LOCK_EX | LOCK_NB) == 0) return true;
  if (errno != EWOULDBLOCK) throw_errno("cannot lock the image cache");
  return false;
}

void VariantLock::exclusive() {
  if (try_exclusive()) return;
  if (progress_wanted(false)) say("Waiting for another uxc create that uses the same image");
  while (flock(fd_.get(), LOCK_EX) != 0)
    if (errno != EINTR) throw_errno("cannot lock the image cache");
}

void VariantLock::unlock() { (void)flock(fd_.get(), LOCK_UN); }

std::string current_build(const std::string& variant_dir) {
  char target[256];
  const ssize_t n = readlink((variant_dir + "/current").c_str(), target, sizeof target - 1);
  if (n <= 0) return "";
  const std::string build(target, static_cast<size_t>(n));
  if (!policy::is_valid_build_id(build)) return "";
  struct stat st;
  if (lstat((variant_dir + "/" + build).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return "";
  return build;
}

void set_current_build(const std::string& variant_dir, const std::string& build) {
  const std::string tmp = variant_dir + "/.current.new";
  unlink(tmp.c_str());
  if (symlink(build.c_str(), tmp.c_str()) != 0 || rename(tmp.c_str(), (variant_dir + "/current").c_str()) != 0)
    throw_errno("cannot record the current build in " + variant_dir);
}

void prune_variant(const std::string& variant_dir, const std::string& keep) {
  for (const auto& n : dir_names(variant_dir)) {
    if (n == ".lock" || n == "current" || n == keep) continue;
    const std::string p = variant_dir + "/" + n;
    if (n == ".current.new" || n.rfind(".partial-", 0) == 0 || policy::is_valid_build_id(n)) remove_user_tree(p);
  }
  if (keep.empty()) unlink((variant_dir + "/current").c_str());
}

uint64_t cached_expiry(const std::string& build_dir) {
  const std::string file = policy::choose_meta_file("expiry", dir_names(build_dir));
  if (file.empty()) return 0;
  std::string text;
  uint64_t when = 0;
  if (!read_file(build_dir + "/" + file, &text, 4096) || !policy::parse_expiry(text, &when)) return 0;
  return when;
}

std::vector<std::string> build_files(const std::string& build_dir) { return dir_names(build_dir); }

namespace {

struct Cached {
  CacheKey key;
  std::string build;
  std::string dir;  // the build's directory
};

std::vector<Cached> list_cached() {
  std::vector<Cached> out;
  const std::string root = cache_root();
  for (const auto& server : dir_names(root)) {
    if (server[0] == '.') continue;
    const std::string s = root + "/" + server;
    for (const auto& dist : dir_names(s))
      for (const auto& release : dir_names(s + "/" + dist))
        for (const auto& arch : dir_names(s + "/" + dist + "/" + release))
          for (const auto& variant : dir_names(s + "/" + dist + "/" + release + "/" + arch)) {
            const CacheKey key{server, dist, release, arch, variant};
            const std::string v = key.dir();
            for (const auto& build : dir_names(v)) {
              if (!policy::is_valid_build_id(build) || build == "current") continue;
              struct stat st;
              if (lstat((v + "/" + build).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
              out.push_back({key, build, v + "/" + build});
            }
          }
  }
  return out;
}

std::string date_of(uint64_t when) {
  if (when == 0) return "never";
  const time_t t = static_cast<time_t>(when);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return when < static_cast<uint64_t>(time(nullptr)) ? std::string(buf) + " (expired)" : buf;
}

// `uxc image ls --format json` (docs/json.md): one array, in the order
// of the table.
std::string cached_json(const std::vector<Cached>& cached) {
  const uint64_t now = static_cast<uint64_t>(time(nullptr));
  std::string out = "[";
  for (const auto& c : cached) {
    const uint64_t expiry = cached_expiry(c.dir);
    if (out.size() > 1) out += ",";
    out += "{\"server\":" + policy::json_quote(c.key.server) + ",\"dist\":" + policy::json_quote(c.key.dist) +
           ",\"release\":" + policy::json_quote(c.key.release) + ",\"arch\":" + policy::json_quote(c.key.arch) +
           ",\"variant\":" + policy::json_quote(c.key.variant) + ",\"build\":" + policy::json_quote(c.build) +
           ",\"current\":" + (current_build(c.key.dir()) == c.build ? "true" : "false") +
           ",\"size_bytes\":" + std::to_string(tree_size(c.dir)) +
           ",\"expires\":" + (expiry == 0 ? std::string("null") : std::to_string(expiry)) +
           ",\"expired\":" + (expiry != 0 && expiry < now ? "true" : "false") +
           ",\"path\":" + policy::json_quote(c.dir) + "}";
  }
  return out + "]";
}

}  // namespace

int cmd_ls(int argc, char** argv) {
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf(
          "Usage: uxc image ls [--format json]\n\nList the images uxc create -t download keeps in %s:\n"
          "server, distribution, release, architecture, variant, build, size on disk, and\n"
          "when the image server says the build expires (a create after that asks the\n"
          "server for a newer one). --format json prints them as docs/json.md describes.\n",
          cache_root().c_str());
      return 0;
    }
    std::string format;
    if (a == "--format") {
      if (i + 1 >= argc) throw UsageError("--format needs a value: json");
      format = argv[++i];
    } else if (a.rfind("--format=", 0) == 0) {
      format = a.substr(9);
    } else {
      throw UsageError("unexpected argument '" + a + "'");
    }
    if (format != "json") throw UsageError("--format takes only 'json'");
    json = true;
  }
  const auto cached = list_cached();
  if (json) {
    std::printf("%s\n", cached_json(cached).c_str());
    return 0;
  }
  if (cached.empty()) {
    std::printf("No cached images (in %s)\n", cache_root().c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"SERVER", "DIST", "RELEASE", "ARCH", "VARIANT", "BUILD", "SIZE", "EXPIRES"}};
  for (const auto& c : cached)
    rows.push_back({c.key.server, c.key.dist, c.key.release, c.key.arch, c.key.variant, c.build,
                    human_size(tree_size(c.dir)), date_of(cached_expiry(c.dir))});
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

int cmd_rm(int argc, char** argv) {
  bool all = false;
  std::vector<std::string> rest;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf(
          "Usage: uxc image rm --all | -d DIST [-r RELEASE] [-a ARCH] [--variant V] [--server HOST]\n\n"
          "Remove cached images: every one with --all, else those that match every\n"
          "option given. An image a running uxc create is unpacking is left alone.\n");
      return 0;
    }
    if (a == "--all") all = true;
    else rest.push_back(a);
  }
  std::string want_dist, want_release, want_arch, want_variant, want_server;
  for (size_t i = 0; i < rest.size(); ++i) {
    const std::string& a = rest[i];
    if (i + 1 >= rest.size()) throw UsageError(a.rfind('-', 0) == 0 ? a + " needs a value" : "unexpected argument '" + a + "'");
    const std::string& v = rest[++i];
    if (a == "-d" || a == "--dist") want_dist = v;
    else if (a == "-r" || a == "--release") want_release = v;
    else if (a == "-a" || a == "--arch") want_arch = v;
    else if (a == "--variant") want_variant = v;
    else if (a == "--server") {
      std::string err;
      if (!policy::parse_image_server(v, &want_server, &err)) throw UsageError(err);
    } else {
      throw UsageError("unknown option " + a);
    }
  }
  if (all == !want_dist.empty() || (all && !rest.empty()))
    throw UsageError("give --all, or -d DIST with any of -r, -a, --variant, --server");
  auto matches = [&](const Cached& c) {
    return all || (c.key.dist == want_dist && (want_release.empty() || c.key.release == want_release) &&
                   (want_arch.empty() || c.key.arch == want_arch) &&
                   (want_variant.empty() || c.key.variant == want_variant) &&
                   (want_server.empty() || c.key.server == want_server));
  };
  size_t removed = 0, busy = 0;
  for (const auto& c : list_cached()) {
    if (!matches(c)) continue;
    VariantLock lock(c.key.dir());
    if (!lock.try_exclusive()) {
      std::fprintf(stderr, "Kept %s %s: a uxc create is using it; try again when it has finished\n",
                   c.key.describe().c_str(), c.build.c_str());
      ++busy;
      continue;
    }
    const uint64_t size = tree_size(c.dir);
    if (current_build(c.key.dir()) == c.build) unlink((c.key.dir() + "/current").c_str());
    remove_user_tree(c.dir);
    std::printf("Removed %s %s from %s (%s)\n", c.key.describe().c_str(), c.build.c_str(), c.key.server.c_str(),
                human_size(size).c_str());
    ++removed;
  }
  if (removed == 0 && busy == 0) {
    if (all) std::printf("No cached images\n");
    else throw Error("no cached image matches (see uxc image ls)");
  }
  return busy > 0 ? 1 : 0;
}

}  // namespace uxc::image
