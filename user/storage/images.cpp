#include "user/storage/images.h"

#include <fcntl.h>
#include <spawn.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <tuple>

#include "policy/image.h"
#include "policy/text.h"
#include "user/host/helpers.h"
#include "user/host/userns.h"

extern char** environ;

namespace uxc {

namespace {

// The uxc-image processes of the running create, for the signal handler.
constexpr int kMaxChildren = 4;
volatile sig_atomic_t g_children[kMaxChildren] = {};
volatile sig_atomic_t g_signal = 0;

void track(pid_t pid) {
  for (auto& c : g_children)
    if (c == 0) {
      c = pid;
      return;
    }
}

void untrack(pid_t pid) {
  for (auto& c : g_children)
    if (c == pid) c = 0;
}

void on_interrupt(int sig) {
  g_signal = sig;
  for (auto& c : g_children)
    if (c > 0) kill(static_cast<pid_t>(c), SIGKILL);
}

std::string tool_path() {
  const std::string path = helper_path("uxc-image");
  if (access(path.c_str(), X_OK) != 0)
    throw Error("uxc-image is not installed at " + path + ": ask your administrator to install uxc (make install)");
  return path;
}

std::vector<char*> c_argv(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (auto& a : args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

// Starts uxc-image as the user with `in` as its stdin, `out` as its
// stdout (-1: ours), `answer` as fd 3, `extra` (if any) as fd 4 and
// `extra2` (if any) as fd 5; nothing else is inherited.
pid_t spawn_tool(std::vector<std::string> args, int in, int out, int answer, int extra = -1, int extra2 = -1) {
  const std::string path = tool_path();
  args.insert(args.begin(), "uxc-image");
  // Above 5 first, so that no dup2 clobbers another source.
  const Fd in_fd(fcntl(in, F_DUPFD_CLOEXEC, 6)), answer_fd(fcntl(answer, F_DUPFD_CLOEXEC, 6));
  const Fd out_fd(out >= 0 ? fcntl(out, F_DUPFD_CLOEXEC, 6) : fcntl(1, F_DUPFD_CLOEXEC, 6));
  const Fd extra_fd(extra >= 0 ? fcntl(extra, F_DUPFD_CLOEXEC, 6) : -1);
  const Fd extra2_fd(extra2 >= 0 ? fcntl(extra2, F_DUPFD_CLOEXEC, 6) : -1);
  if (!in_fd.valid() || !answer_fd.valid() || !out_fd.valid() || (extra >= 0 && !extra_fd.valid()) ||
      (extra2 >= 0 && !extra2_fd.valid()))
    throw_errno("cannot pass fds to uxc-image");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  Defer destroy([&] { posix_spawn_file_actions_destroy(&actions); });
  if (posix_spawn_file_actions_adddup2(&actions, in_fd.get(), 0) != 0 ||
      posix_spawn_file_actions_adddup2(&actions, out_fd.get(), 1) != 0 ||
      posix_spawn_file_actions_adddup2(&actions, answer_fd.get(), 3) != 0 ||
      (extra >= 0 && posix_spawn_file_actions_adddup2(&actions, extra_fd.get(), 4) != 0) ||
      (extra2 >= 0 && posix_spawn_file_actions_adddup2(&actions, extra2_fd.get(), 5) != 0) ||
      posix_spawn_file_actions_addclosefrom_np(&actions, extra2 >= 0 ? 6 : extra >= 0 ? 5 : 4) != 0)
    throw Error("cannot set up the run of uxc-image");
  auto argv = c_argv(args);
  pid_t pid = -1;
  if (const int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ); rc != 0) {
    errno = rc;
    throw_errno("cannot run " + path);
  }
  track(pid);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  untrack(pid);
  return status;
}

struct ToolAnswer {
  bool ok = false;
  std::string error;
  std::map<std::string, std::string> values;
};

// Reads "KEY VALUE" lines up to "ok" or "error MESSAGE" (or the end);
// what was read beyond that stays in *pending, for the next answer.
ToolAnswer read_answer(int fd, std::string* pending_text = nullptr) {
  ToolAnswer a;
  std::string local;
  std::string& pending = pending_text != nullptr ? *pending_text : local;
  char buf[4096];
  for (;;) {
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (line == "ok") {
        a.ok = true;
        return a;
      }
      const size_t space = line.find(' ');
      const std::string key = line.substr(0, space);
      const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
      if (key == "error") {
        a.error = value;
        return a;
      }
      a.values[key] = value;
    }
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || pending.size() > (1 << 20)) return a;
    pending.append(buf, static_cast<size_t>(n));
  }
}

std::string died(int status) {
  if (WIFSIGNALED(status)) return std::string("uxc-image was killed by ") + strsignal(WTERMSIG(status));
  return "uxc-image failed with status " + std::to_string(WEXITSTATUS(status));
}

// The tree's top directory belongs to the user or to one of the
// container's ids: it is read inside the namespace.
bool owned_by_user(const std::string& dir, const policy::IdmapRequest& container_maps) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) throw_errno("cannot inspect " + dir);
  if (st.st_uid == getuid()) return true;
  for (const auto& e : container_maps.uid_map)
    if (st.st_uid >= e.outside && st.st_uid - e.outside < e.count) return true;
  return false;
}

// `uxc-image pack` as the container's root: a child of ours runs the
// namespace work (run_as_container_root waits for it) while we go on to
// start the unpack. Its failure comes back on `answer` as pack's would.
pid_t fork_packer_in_userns(const policy::IdmapRequest& file_maps, std::vector<std::string> args, int out,
                            int answer) {
  const std::string path = tool_path();
  args.insert(args.begin(), "uxc-image");
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw_errno("fork");
  if (pid > 0) {
    track(pid);
    return pid;
  }
  for (auto& c : g_children) c = 0;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
  try {
    run_as_container_root(file_maps, [&] {
      Fd devnull(open("/dev/null", O_RDONLY | O_CLOEXEC));
      // Above 3 first, so that no dup2 clobbers another source.
      const int o = fcntl(out, F_DUPFD_CLOEXEC, 4), a = fcntl(answer, F_DUPFD_CLOEXEC, 4);
      if (!devnull.valid() || o < 0 || a < 0 || dup2(devnull.get(), 0) < 0 || dup2(o, 1) < 0 || dup2(a, 3) < 0)
        throw_errno("cannot pass fds to uxc-image");
      auto argv = c_argv(args);
      execv(path.c_str(), argv.data());
      throw_errno("cannot run " + path);
    });
    _exit(0);
  } catch (const std::exception& e) {
    (void)write_all(answer, std::string("error ") + e.what() + "\n");
  }
  _exit(1);
}

}  // namespace

FetchedImage::FetchedImage(const std::vector<std::string>& template_args, const std::string& default_server,
                           bool quiet) {
  std::vector<std::string> args = {"fetch", "--default-server", default_server};
  if (quiet) args.push_back("--quiet");
  args.push_back("--");
  args.insert(args.end(), template_args.begin(), template_args.end());
  start(args, true);
}

FetchedImage::FetchedImage(const std::string& metadata_tarball) { start({"meta", "--metadata", metadata_tarball}, false); }

FetchedImage::FetchedImage(const OciSource& source) {
  start({"oci-inspect", "--source", source.path, "--tag", source.tag}, false);
}

void FetchedImage::start(const std::vector<std::string>& args, bool download) {
  auto [hold_read, hold_write] = make_pipe();
  auto [answer_read, answer_write] = make_pipe();
  Fd tee_read, tee_write, stream_read, stream_write;
  if (download) {
    std::tie(tee_read, tee_write) = make_pipe();
    // The decoder writes the decoded tar there: room for a megabyte lets
    // it run ahead of the zstd copy instead of waiting on every 64 KiB.
    (void)fcntl(tee_write.get(), F_SETPIPE_SZ, 1 << 20);
    std::tie(stream_read, stream_write) = make_pipe();
  }
  pid_ = spawn_tool(args, hold_read.get(), -1, answer_write.get(), download ? tee_read.get() : -1,
                    download ? stream_write.get() : -1);
  hold_ = std::move(hold_write);
  tee_ = std::move(tee_write);
  answer_write.reset();
  stream_write.reset();  // the unpack sees the download end when fetch ends it
  const ToolAnswer a = read_answer(answer_read.get(), &pending_);
  if (!a.ok) {
    hold_.reset();
    const int status = wait_for(pid_);
    pid_ = -1;
    throw Error(!a.error.empty() ? a.error : died(status));
  }
  answer_ = a.values;
  answers_ = std::move(answer_read);
  if (get("tee") != "1") tee_.reset();
  streaming_ = get("stream") == "1";
  if (streaming_) stream_ = std::move(stream_read);
}

void FetchedImage::check_download(const std::string& unpack_error) {
  if (!streaming_) {
    if (!unpack_error.empty()) throw Error(unpack_error);
    return;
  }
  streaming_ = false;
  stream_.reset();
  const ToolAnswer a = read_answer(answers_.get(), &pending_);
  if (a.ok) {
    if (!unpack_error.empty()) throw Error(unpack_error);
    return;
  }
  if (!a.error.empty()) {
    if (a.values.count("stream-closed") != 0 && !unpack_error.empty()) throw Error(unpack_error);
    throw Error(a.error);
  }
  // No answer: fetch died.
  tee_.reset();
  hold_.reset();
  const int status = wait_for(pid_);
  pid_ = -1;
  throw Error(died(status));
}

FetchedImage::~FetchedImage() { release(); }

std::string FetchedImage::get(const std::string& key) const {
  const auto it = answer_.find(key);
  return it == answer_.end() ? "" : it->second;
}

void FetchedImage::release(bool whole) {
  if (pid_ < 0) return;
  tee_.reset();
  if (whole) (void)write_all(hold_.get(), "keep\n");
  hold_.reset();
  (void)wait_for(pid_);
  pid_ = -1;
}

UnpackResult unpack_rootfs(const policy::IdmapRequest& file_maps, const policy::IdmapRequest& container_maps,
                           const UnpackRequest& req) {
  const std::string path = tool_path();
  const bool from_directory = !req.oci && req.stream == nullptr && is_directory(req.source);
  std::vector<std::string> args = {"uxc-image", "unpack", "--rootfs", req.rootfs, "--source",
                                   from_directory ? "-" : req.source, "--label", req.label};
  if (req.oci)
    args = {"uxc-image", "oci-unpack", "--rootfs", req.rootfs, "--source", req.source,
            "--tag",     req.oci_tag,  "--manifest", req.oci_manifest};
  if (!req.excludes.empty()) args.insert(args.end(), {"--excludes", req.excludes});
  if (!req.templates.empty()) args.insert(args.end(), {"--templates", req.templates, "--name", req.name, "--path", req.path});
  for (const auto& e : container_maps.uid_map)
    args.insert(args.end(), {"--uid-range", std::to_string(e.inside) + ":" + std::to_string(e.count)});
  for (const auto& e : container_maps.gid_map)
    args.insert(args.end(), {"--gid-range", std::to_string(e.inside) + ":" + std::to_string(e.count)});
  if (req.quiet) args.push_back("--quiet");
  if (req.tee_fd >= 0) args.insert(args.end(), {"--tee-fd", "4"});
  if (req.stream != nullptr) args.push_back("--follow");

  // A directory is read by `uxc-image pack` and streamed in (pack.cpp says
  // where it runs and why).
  Fd data_read;
  Fd pack_answer;
  pid_t pack = -1;
  if (from_directory) {
    auto [r, w] = make_pipe();
    auto [ar, aw] = make_pipe();
    std::vector<std::string> pack_args = {"pack", "--dir", req.source};
    if (owned_by_user(req.source, container_maps)) {
      pack_args.insert(pack_args.end(), {"--own-uid", std::to_string(file_maps.uid_map.back().inside), "--own-gid",
                                         std::to_string(file_maps.gid_map.back().inside)});
      pack = fork_packer_in_userns(file_maps, pack_args, w.get(), aw.get());
    } else {
      for (const auto& e : container_maps.uid_map)
        pack_args.insert(pack_args.end(), {"--uid-map", std::to_string(e.inside) + " " + std::to_string(e.outside) +
                                                            " " + std::to_string(e.count)});
      for (const auto& e : container_maps.gid_map)
        pack_args.insert(pack_args.end(), {"--gid-map", std::to_string(e.inside) + " " + std::to_string(e.outside) +
                                                            " " + std::to_string(e.count)});
      Fd devnull(open("/dev/null", O_RDONLY | O_CLOEXEC));
      pack = spawn_tool(pack_args, devnull.get(), w.get(), aw.get());
    }
    data_read = std::move(r);
    pack_answer = std::move(ar);
  } else if (req.stream != nullptr) {
    data_read = std::move(*req.stream);
  }
  Defer reap_pack([&] {
    if (pack > 0) {
      kill(pack, SIGKILL);
      (void)wait_for(pack);
    }
  });

  auto [answer_read, answer_write] = make_pipe();
  pid_t unpack = -1;
  std::string failure;
  try {
    run_as_container_root(
        file_maps,
        [&] {
          for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
          // Above 4 first, so that no dup2 clobbers another source.
          const int answer_fd = fcntl(answer_write.get(), F_DUPFD_CLOEXEC, 5);
          const int tee_fd = req.tee_fd >= 0 ? fcntl(req.tee_fd, F_DUPFD_CLOEXEC, 5) : -1;
          if (answer_fd < 0 || (req.tee_fd >= 0 && tee_fd < 0) ||
              (data_read.valid() && dup2(data_read.get(), 0) < 0) || dup2(answer_fd, 3) < 0 ||
              (tee_fd >= 0 && dup2(tee_fd, 4) < 0))
            throw_errno("cannot pass fds to uxc-image");
          auto argv = c_argv(args);
          execv(path.c_str(), argv.data());
          throw_errno("cannot run " + path);
        },
        [&](pid_t pid) {
          unpack = pid;
          track(pid);
        });
  } catch (const Error& e) {
    failure = e.what();
  }
  if (unpack > 0) untrack(unpack);
  answer_write.reset();
  data_read.reset();
  const ToolAnswer a = read_answer(answer_read.get());
  if (pack > 0) {
    const ToolAnswer p = read_answer(pack_answer.get());
    const int status = wait_for(pack);
    pack = -1;
    // A pack that stopped early may have ended the stream where a member
    // ends: its failure decides even when the unpack saw nothing wrong.
    if (!p.ok) throw Error(!p.error.empty() ? p.error : died(status));
  }
  if (!a.ok || !failure.empty()) throw Error(!a.error.empty() ? a.error : failure.empty() ? "uxc-image unpack failed" : failure);
  UnpackResult result;
  uint64_t n = 0;
  if (policy::parse_u64(a.values.count("devices") ? a.values.at("devices") : "0", &n)) result.devices = n;
  if (policy::parse_u64(a.values.count("dropped-xattrs") ? a.values.at("dropped-xattrs") : "0", &n))
    result.dropped_xattrs = n;
  return result;
}

namespace {

std::string read_in_root(int root, const char* path, size_t max_bytes) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  Fd fd(static_cast<int>(syscall(SYS_openat2, root, path, &how, sizeof how)));
  std::string text;
  struct stat st;
  if (!fd.valid() || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return text;
  text.resize(max_bytes);
  const ssize_t n = pread(fd.get(), text.data(), max_bytes, 0);
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return text;
}

}  // namespace

policy::ImageRecord identify_rootfs(const std::string& rootfs) {
  policy::ImageRecord record;
  Fd root(open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root.valid()) return record;
  std::string os = read_in_root(root.get(), "etc/os-release", policy::kMaxMetaFileBytes);
  if (os.empty()) os = read_in_root(root.get(), "usr/lib/os-release", policy::kMaxMetaFileBytes);
  const policy::OsRelease release = policy::parse_os_release(os);
  if (policy::is_valid_image_word(release.id)) record.dist = release.id;
  const std::string version = !release.version_codename.empty() ? release.version_codename : release.version_id;
  if (policy::is_valid_image_word(version)) record.release = version;
  const std::string arch = policy::elf_image_arch(read_in_root(root.get(), "bin/sh", 64));
  if (policy::is_valid_image_word(arch)) record.arch = arch;
  return record;
}

std::string read_rootfs_file(const std::string& rootfs, const char* path, size_t max_bytes) {
  Fd root(open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  return root.valid() ? read_in_root(root.get(), path, max_bytes) : "";
}

void exec_image_tool(const std::vector<std::string>& tool_args) {
  const std::string path = tool_path();
  std::vector<std::string> args = {"uxc-image"};
  args.insert(args.end(), tool_args.begin(), tool_args.end());
  auto argv = c_argv(args);
  execv(path.c_str(), argv.data());
  throw_errno("cannot run " + path);
}

InterruptGuard::InterruptGuard() {
  g_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

InterruptGuard::~InterruptGuard() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::signal(sig, SIG_DFL);
}

int InterruptGuard::signal() const { return g_signal; }

}  // namespace uxc
