// uxc-image fetch: an image of an LXC image server into the user's cache
// (docs/images.md), or into a private directory with --no-cache. It
// answers where the files are, then holds the cache's lock until uxc
// closes its stdin, so no other fetch replaces the build while uxc
// unpacks it. A build it downloads is streamed to the unpack as it
// arrives (stream_build).
//
// As LXC's download template: while a cached build exists and has not
// expired, the server is not asked at all (creating works offline);
// --force-cache uses any cached build; --flush-cache drops it first. A
// server that cannot be reached is not fatal while a cached build exists.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "policy/image.h"
#include "user/common/dirs.h"
#include "user/storage/image/cache.h"
#include "user/storage/image/image.h"
#include "user/storage/image/zstd_copy.h"

namespace uxc::image {

namespace {



std::string date_of(uint64_t when) {
  const time_t t = static_cast<time_t>(when);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

std::vector<policy::ImageEntry> fetch_index(Http& http, bool show) {
  if (show) say("Downloading the image index from " + http.server());
  std::string text;
  const std::string base = "/meta/1.0/index-user";
  if (!http.get_small(base + "." + std::to_string(policy::kImageCompatLevel), &text, policy::kMaxIndexBytes) &&
      !http.get_small(base, &text, policy::kMaxIndexBytes))
    throw Error(http.server() + " has no image index (" + base + "): is it an LXC image server?");
  std::vector<policy::ImageEntry> entries;
  std::vector<std::string> bad;
  std::string err;
  if (!policy::parse_image_index(text, &entries, &bad, &err))
    throw Error("the image index of " + http.server() + " is unreadable: " + err);
  return entries;
}

std::string file_sum(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw_errno("cannot open " + path);
  return sha256_file(fd.get());
}


// The server's SHA256SUMS for a build, when it offers one.
struct ServerSums {
  bool have = false;
  std::map<std::string, std::string> sums;
};

ServerSums server_sums(Http& http, const policy::ImageEntry& entry) {
  ServerSums s;
  std::string text;
  s.have = http.get_small(entry.path + "SHA256SUMS", &text, policy::kMaxMetaFileBytes);
  std::string err;
  if (s.have && !policy::parse_sha256sums(text, &s.sums, &err))
    throw Error("the SHA256SUMS of " + http.server() + " for this image is unreadable (" + err + ")");
  return s;
}

// Throws unless `sum` is what the server's SHA256SUMS says of `file`.
void check_sum(const ServerSums& s, const std::string& server, const std::string& file, const std::string& sum) {
  if (!s.have) return;
  const auto it = s.sums.find(file);
  if (it == s.sums.end())
    throw Error("the SHA256SUMS of " + server + " for this image does not list " + file +
                ": refusing an unchecked file");
  if (it->second != sum)
    throw Error(file + " from " + server + " does not match its SHA256SUMS (expected " + it->second + ", got " +
                sum + "): the download was corrupted or the mirror is inconsistent; nothing was cached, try again "
                "later");
}

// meta.tar.xz into `dir`, checked, unpacked there and removed; returns
// its line for the build's .sums.
std::string download_meta(Http& http, const policy::ImageEntry& entry, const ServerSums& sums, const std::string& dir,
                          bool show) {
  const std::string path = dir + "/meta.tar.xz";
  std::string sum;
  {
    Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd.valid()) throw_errno("cannot create " + path);
    sum = http.get_file(entry.path + "meta.tar.xz", fd.get(), "Downloading meta.tar.xz", show);
  }
  check_sum(sums, http.server(), "meta.tar.xz", sum);
  extract_meta(path, dir);
  if (unlink(path.c_str()) != 0) throw_errno("cannot remove " + path);
  if (policy::choose_meta_file("config", build_files(dir)).empty())
    throw Error("the image's meta.tar.xz has no config file: is " + http.server() + " an LXC image server?");
  return sum + "  meta.tar.xz\n";
}

// Which build the answer is about.
void put_build(Answer& answer, const CacheKey& key, const std::string& build) {
  answer.put("server", key.server);
  answer.put("dist", key.dist);
  answer.put("release", key.release);
  answer.put("arch", key.arch);
  answer.put("variant", key.variant);
  answer.put("build", build);
}

// A build that must be downloaded, into `dir` (a partial directory of
// the cache, or --no-cache's private one), and unpacked as it arrives:
// the unpack reads rootfs.tar.xz while it grows, woken by a byte on fd 5
// (a pipe) for each piece written, and finds its end when fd 5 ends. So
// decoding and unpacking run beside the download rather than after it,
// and the download itself goes at the network's pace: the decoder never
// waits for it once it is ahead.
//
// The answer comes in two parts. The first (the metadata's files,
// "stream 1") before rootfs.tar.xz is fetched: the unpack starts on a
// download no sum has vouched for yet, into the new container's rootfs,
// which nothing trusts until the create ends. The second, "ok" or
// "error ...", once the download is whole and checked against
// SHA256SUMS: uxc waits for it before it finishes the container, and
// removes the container on an error. Only then, and only after uxc
// releases it, does `commit` make the build a cache entry; on an error
// the caller removes `dir`.
int stream_build(Answer& answer, Http& http, const CacheKey& key, const policy::ImageEntry& entry,
                 const std::string& dir, bool cached, bool show, const std::function<void()>& commit) {
  const ServerSums sums = server_sums(http, entry);
  std::string record = download_meta(http, entry, sums, dir, show);
  const std::string path = dir + "/rootfs.tar.xz";
  Fd file(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!file.valid()) throw_errno("cannot create " + path);
  put_build(answer, key, entry.build);
  answer.put("rootfs", path);
  answer.put("stream", "1");
  const auto files = build_files(dir);
  for (const char* base : {"config", "templates", "excludes", "create-message"}) {
    const std::string file_name = policy::choose_meta_file(base, files);
    if (!file_name.empty()) answer.put(base, dir + "/" + file_name);
  }
  std::unique_ptr<ZstdCopy> copy;
  if (cached) copy = ZstdCopy::claim(dir);
  answer.put("tee", copy ? "1" : "0");
  answer.ok();
  // The unpack may fail and close the stream: an error, not a signal.
  signal(SIGPIPE, SIG_IGN);
  std::thread copier;
  if (copy) copier = std::thread([&] { copy->receive(4); });
  Defer join([&] {
    if (copier.joinable()) copier.join();
  });
  Fd stream(5);
  // Wake-ups are never worth waiting for (see Http::get_file).
  if (fcntl(stream.get(), F_SETFL, fcntl(stream.get(), F_GETFL) | O_NONBLOCK) != 0)
    throw_errno("cannot set up the stream to the unpack");
  std::string failure;
  bool reader_gone = false;
  try {
    // This is the progress line of the unpack too, which follows the
    // download closely (uxc keeps the unpack's own line quiet).
    const std::string sum = http.get_file(entry.path + "rootfs.tar.xz", file.get(),
                                          "Downloading and unpacking " + key.dist + " " + key.release, show,
                                          stream.get());
    check_sum(sums, http.server(), "rootfs.tar.xz", sum);
    if (!sums.have && show) say(http.server() + " offers no SHA256SUMS for this image: relying on HTTPS alone");
    record = sum + "  rootfs.tar.xz\n" + record;
    // No fsync: every use checks the file against this sum, so one a
    // crash cut short is downloaded again rather than trusted.
    write_sums(dir, record);
  } catch (const StreamClosedError& e) {
    failure = e.what();
    reader_gone = true;
  } catch (const Error& e) {
    failure = e.what();
  }
  // The end of the download: the unpack reads the file to its end.
  stream.reset();
  if (!failure.empty()) {
    if (reader_gone) answer.put("stream-closed", "1");
    answer.error(failure);
    return 1;
  }
  answer.ok();
  // Until uxc closes our stdin: it has unpacked the image (and says
  // "keep" when the whole tar went through), or died.
  std::string released;
  (void)read_all(0, &released, 4096);
  join.dismiss();
  if (copier.joinable()) copier.join();
  if (copy) {
    copy->finish(released.find("keep") != std::string::npos);
    copy.reset();  // an unfinished copy goes before its directory moves
  }
  if (commit) commit();
  return 0;
}

std::map<std::string, std::string> recorded_sums(const std::string& build_dir) {
  std::string record;
  std::map<std::string, std::string> sums;
  std::string err;
  if (!read_file(build_dir + "/.sums", &record, 4096) || !policy::parse_sha256sums(record, &sums, &err)) sums.clear();
  return sums;
}

bool file_matches(const std::string& build_dir, const std::string& file) {
  const auto sums = recorded_sums(build_dir);
  const auto it = sums.find(file);
  return it != sums.end() && path_exists(build_dir + "/" + file) && file_sum(build_dir + "/" + file) == it->second;
}

// A cached build is used only while the file to unpack is what was
// downloaded (or recompressed): a file cut short by a crash or changed on
// disk is not used. A damaged zstd copy is dropped, the xz file kept.
bool cached_build_intact(const std::string& build_dir) {
  if (path_exists(build_dir + "/" + kZstdCopy)) {
    if (file_matches(build_dir, kZstdCopy)) return true;
    unlink((build_dir + "/" + kZstdCopy).c_str());
  }
  return file_matches(build_dir, "rootfs.tar.xz");
}

// Answers uxc with the build in `dir`, then holds it until uxc is done.
// In the cache, the first create that unpacks a build also receives the
// decompressed tar from uxc-image unpack (fd 4) and keeps it as a zstd
// copy, which later creates unpack at a fraction of xz's cost.
int serve_build(Answer& answer, const CacheKey& key, const std::string& build, const std::string& dir, bool cached) {
  put_build(answer, key, build);
  const bool have_copy = cached && path_exists(dir + "/" + kZstdCopy);
  answer.put("rootfs", dir + "/" + (have_copy ? kZstdCopy : "rootfs.tar.xz"));
  const auto files = build_files(dir);
  for (const char* base : {"config", "templates", "excludes", "create-message"}) {
    const std::string file = policy::choose_meta_file(base, files);
    if (!file.empty()) answer.put(base, dir + "/" + file);
  }
  std::unique_ptr<ZstdCopy> copy;
  if (cached && !have_copy) copy = ZstdCopy::claim(dir);
  answer.put("tee", copy ? "1" : "0");
  answer.ok();
  if (copy) copy->receive(4);
  // Until uxc closes our stdin: it has unpacked the image (and says
  // "keep" when the whole tar went through), or died.
  std::string released;
  (void)read_all(0, &released, 4096);
  if (copy) copy->finish(released.find("keep") != std::string::npos);
  return 0;
}

// Partial downloads of --no-cache runs that were killed: each live one
// holds a lock on its directory.
void remove_stale_private_dirs(const std::string& root) {
  for (const auto& n : build_files(root)) {
    if (n.rfind(".nocache-", 0) != 0) continue;
    const std::string p = root + "/" + n;
    Fd fd(open(p.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.valid() && flock(fd.get(), LOCK_EX | LOCK_NB) == 0) remove_user_tree(p);
  }
}

// A private directory of the cache for one create (--no-cache's, or an
// image's metadata given to -t local), locked while in use and removed
// after; one that a killed run left is removed by the next.
struct PrivateDir {
  std::string path;
  Fd mark;
};
PrivateDir make_private_dir(const std::string& root) {
  char templ[4096];
  std::snprintf(templ, sizeof templ, "%s/.nocache-XXXXXX", root.c_str());
  if (mkdtemp(templ) == nullptr) throw_errno("cannot create a directory in " + root);
  PrivateDir dir{templ, Fd(open(templ, O_RDONLY | O_DIRECTORY | O_CLOEXEC))};
  if (!dir.mark.valid() || flock(dir.mark.get(), LOCK_EX) != 0) throw_errno("cannot lock " + dir.path);
  return dir;
}

// Parses fetch's and list's own options; the template's arguments follow "--".
std::vector<std::string> tool_options(int argc, char** argv, bool* quiet, std::string* default_server) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quiet") {
      *quiet = true;
    } else if (a == "--default-server" && i + 1 < argc) {
      std::string err;
      if (!policy::parse_image_server(argv[++i], default_server, &err)) throw Error(err);
    } else if (a == "--") {
      return std::vector<std::string>(argv + i + 1, argv + argc);
    } else {
      throw Error(std::string(argv[0]) + ": unknown option " + a);
    }
  }
  return {};
}

}  // namespace

// `uxc create -t download -- --list`: what the server offers, as LXC's
// download template prints it, filtered by -d, -r, -a and --variant.
int cmd_list(int argc, char** argv) {
  bool quiet = false;
  std::string default_server;
  const std::vector<std::string> args = tool_options(argc, argv, &quiet, &default_server);
  policy::DownloadArgs d;
  std::string err;
  if (!policy::parse_download_args(args, &d, &err)) throw UsageError(err);
  if (!d.list) throw UsageError("list: --list is missing");
  const std::string server = d.server.empty() ? default_server : d.server;
  if (server.empty()) throw Error("list: --default-server is required");
  Http http(server);
  const auto entries = fetch_index(http, progress_wanted(quiet));
  const auto shown = policy::filter_images(entries, {d.dist, d.release, d.arch, d.variant});
  if (shown.empty()) {
    std::string filters;
    const std::pair<const char*, const std::string*> given[] = {
        {"-d ", &d.dist}, {"-r ", &d.release}, {"-a ", &d.arch}, {"--variant ", &d.variant}};
    for (const auto& [flag, value] : given)
      if (!value->empty()) filters += (filters.empty() ? "" : " ") + std::string(flag) + *value;
    if (filters.empty()) throw Error(server + " offers no images");
    throw Error(server + " offers no image that matches " + filters + " (--list without them shows all it offers)");
  }
  std::fputs(policy::format_image_list(shown).c_str(), stdout);
  return 0;
}

// `uxc create -t local -- -m META -f ROOTFS`: META is an image's
// meta.tar.xz (distrobuilder's split output); its files are served as
// fetch serves a downloaded build's, from a private directory removed
// once uxc is done.
int cmd_meta(int argc, char** argv, Answer& answer) {
  std::string metadata;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--metadata" && i + 1 < argc) metadata = argv[++i];
    else throw Error("meta: unknown option " + a);
  }
  if (metadata.empty()) throw Error("meta: --metadata is required");
  if (isatty(0)) throw Error("meta holds the metadata until its stdin closes: run it from uxc create");
  const std::string root = private_cache_root();
  remove_stale_private_dirs(root);
  const PrivateDir dir = make_private_dir(root);
  Defer cleanup([&] {
    try {
      remove_user_tree(dir.path);
    } catch (const Error&) {
    }
  });
  extract_meta(metadata, dir.path, metadata);
  const auto files = build_files(dir.path);
  if (policy::choose_meta_file("config", files).empty())
    throw Error(metadata + " has no config file (config-user or config): -m takes an image's metadata tarball, "
                "the meta.tar.xz that distrobuilder or an image server makes next to rootfs.tar.xz");
  for (const char* base : {"config", "templates", "excludes", "create-message"}) {
    const std::string file = policy::choose_meta_file(base, files);
    if (!file.empty()) answer.put(base, dir.path + "/" + file);
  }
  answer.ok();
  std::string released;
  (void)read_all(0, &released, 4096);
  return 0;
}

int cmd_fetch(int argc, char** argv, Answer& answer) {
  bool quiet = false;
  std::string default_server;
  const std::vector<std::string> args = tool_options(argc, argv, &quiet, &default_server);
  if (isatty(0)) throw Error("fetch holds the image until its stdin closes: run it from uxc create");
  struct stat stream_st;
  if (fstat(5, &stream_st) != 0 || !S_ISFIFO(stream_st.st_mode))
    throw Error("fetch streams a download on fd 5, a pipe: run it from uxc create");
  policy::DownloadArgs d;
  std::string err;
  if (!policy::parse_download_args(args, &d, &err)) throw Error(err);
  if (d.list) throw Error("fetch: --list is for uxc-image list");
  struct utsname u {};
  uname(&u);
  if (d.server.empty() && default_server.empty()) throw Error("fetch: --default-server is required");
  CacheKey key{d.server.empty() ? default_server : d.server, d.dist, d.release,
               d.arch.empty() ? policy::image_arch_for_machine(u.machine) : d.arch,
               d.variant.empty() ? policy::kDefaultImageVariant : d.variant};
  const bool show = progress_wanted(quiet);
  const policy::ImageQuery query{key.dist, key.release, key.arch, key.variant};
  const std::string root = private_cache_root();
  remove_stale_private_dirs(root);

  if (d.no_cache) {
    const PrivateDir private_dir = make_private_dir(root);
    const std::string& dir = private_dir.path;
    Defer cleanup([&] {
      try {
        remove_user_tree(dir);
      } catch (const Error&) {
      }
    });
    Http http(key.server);
    const auto entries = fetch_index(http, show);
    const policy::ImageEntry* entry = policy::find_image(entries, query);
    if (entry == nullptr) throw Error(policy::describe_missing_image(entries, query, key.server));
    return stream_build(answer, http, key, *entry, dir, false, show, nullptr);
  }

  const std::string vdir = key.dir();
  VariantLock lock(vdir);
  if (d.flush_cache) {
    lock.exclusive();
    if (!current_build(vdir).empty() && show) say("Flushing the cached " + key.describe());
    prune_variant(vdir, "");
    lock.unlock();
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    // Deciding needs only the shared lock: creates of a cached image never
    // wait for each other, and a create that must download waits only for
    // a download of the same image.
    lock.shared();
    const std::string build = current_build(vdir);
    const bool intact = !build.empty() && cached_build_intact(vdir + "/" + build);
    if (!build.empty() && !intact) say("The cached " + key.describe() + " is damaged: downloading it again");
    bool use_cache = false;
    if (intact) {
      const uint64_t expiry = cached_expiry(vdir + "/" + build);
      use_cache = d.force_cache || expiry == 0 || expiry > static_cast<uint64_t>(time(nullptr));
      if (!use_cache && show)
        say("The cached " + key.describe() + " expired on " + date_of(expiry) + ": asking " + key.server +
            " for a newer build");
      else if (show)
        say("Using the cached " + key.describe() + ", build " + build);
    }
    std::unique_ptr<Http> http;
    policy::ImageEntry wanted;
    if (!use_cache) {
      http = std::make_unique<Http>(key.server);
      std::vector<policy::ImageEntry> entries;
      try {
        entries = fetch_index(*http, show);
      } catch (const UnreachableError& e) {
        if (!intact) throw;
        say(std::string(e.what()) + ": using the cached " + key.describe() + ", build " + build);
        use_cache = true;
      }
      if (!use_cache) {
        const policy::ImageEntry* entry = policy::find_image(entries, query);
        if (entry == nullptr) throw Error(policy::describe_missing_image(entries, query, key.server));
        wanted = *entry;
        use_cache = intact && wanted.build == build;
        if (use_cache && show) say("The cached " + key.describe() + " is the newest build");
      }
    }
    if (use_cache) {
      return serve_build(answer, key, build, vdir + "/" + build, true);
    }
    // A download: exclusively. A create already downloading the same
    // build is waited for through the shared lock, then its build used.
    lock.unlock();
    if (!lock.try_exclusive()) {
      lock.shared();
      const std::string now = current_build(vdir);
      if (now == wanted.build && cached_build_intact(vdir + "/" + now)) {
        return serve_build(answer, key, now, vdir + "/" + now, true);
      }
      lock.unlock();
      lock.exclusive();
    }
    const std::string now = current_build(vdir);
    if (now != wanted.build || !cached_build_intact(vdir + "/" + now)) {
      prune_variant(vdir, now);  // partial downloads of killed fetches
      char templ[4096];
      std::snprintf(templ, sizeof templ, "%s/.partial-XXXXXX", vdir.c_str());
      if (mkdtemp(templ) == nullptr) throw_errno("cannot create a directory in " + vdir);
      const std::string partial = templ;
      Defer drop([&] {
        try {
          remove_user_tree(partial);
        } catch (const Error&) {
        }
      });
      // The build becomes the cache's only once it is whole, checked and
      // uxc is done with it; until then the exclusive lock makes any
      // other create of the image wait.
      return stream_build(answer, *http, key, wanted, partial, true, show, [&] {
        const std::string target = vdir + "/" + wanted.build;
        remove_user_tree(target);
        if (rename(partial.c_str(), target.c_str()) != 0) throw_errno("cannot move the download into " + vdir);
        drop.dismiss();
        set_current_build(vdir, wanted.build);
        prune_variant(vdir, wanted.build);
      });
    }
    // Another create downloaded it while this one waited for the lock.
    lock.shared();
    if (current_build(vdir) != wanted.build) {
      lock.unlock();
      continue;
    }
    return serve_build(answer, key, wanted.build, vdir + "/" + wanted.build, true);
  }
  throw Error("the cache of " + key.describe() + " keeps changing under this create: try again");
}

}  // namespace uxc::image
