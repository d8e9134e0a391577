#include "user/runtime/init_probe.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "policy/text.h"
#include "user/common/util.h"

namespace uxc {

namespace {

// The container's PATH (runtime/init.cpp execs with it).
constexpr const char* kContainerPath[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"};

// `path` inside the root `root_fd`: symlinks, "..", and absolute links
// all stay inside it, as they would for the container.
int open_in_root(int root_fd, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how));
}

}  // namespace

std::vector<std::string> container_argv(const std::vector<std::string>& command, const policy::Config& config) {
  std::vector<std::string> argv = command;
  if (argv.empty() && !config.init_cmd.empty())
    for (auto f : policy::split_fields(config.init_cmd)) argv.emplace_back(f);
  if (argv.empty()) argv = {"/sbin/init"};
  return argv;
}

InitProbe probe_init(const std::string& rootfs, const std::string& program) {
  InitProbe probe;
  probe.invoked = program;
  Fd root(open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid() || program.empty()) return probe;
  std::string path = program;
  if (path.find('/') == std::string::npos) {
    for (const char* dir : kContainerPath) {
      Fd f(open_in_root(root.get(), std::string(dir) + "/" + program, O_PATH));
      if (f.valid()) {
        path = std::string(dir) + "/" + program;
        break;
      }
    }
  }
  struct stat st{};
  for (int hops = 0;; ++hops) {
    if (hops == 40) return probe;  // a loop: the exec will say so
    Fd f(open_in_root(root.get(), path, O_PATH | O_NOFOLLOW));
    if (!f.valid() || fstat(f.get(), &st) != 0) return probe;
    if (!S_ISLNK(st.st_mode)) break;
    char target[4096];
    const ssize_t n = readlinkat(f.get(), "", target, sizeof target - 1);
    if (n <= 0) return probe;
    const std::string link(target, static_cast<size_t>(n));
    path = link.front() == '/' ? link : path.substr(0, path.rfind('/') + 1) + link;
  }
  probe.resolved = path;
  probe.system = policy::classify_init(probe.invoked, probe.resolved, "");
  if (probe.system != policy::InitSystem::kOther || !S_ISREG(st.st_mode)) return probe;
  // Only a name that says nothing ("init") costs a read of the program.
  const auto base = [](const std::string& p) { return p.substr(p.rfind('/') + 1); };
  if (base(probe.invoked) != "init" && base(probe.invoked) != "linuxrc" && base(probe.resolved) != "init") return probe;
  Fd file(open_in_root(root.get(), path, O_RDONLY | O_NOFOLLOW));
  if (!file.valid()) return probe;
  std::string content(std::min<size_t>(static_cast<size_t>(st.st_size), policy::kInitProbeBytes), '\0');
  size_t got = 0;
  while (got < content.size()) {
    const ssize_t n = pread(file.get(), content.data() + got, content.size() - got, static_cast<off_t>(got));
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  content.resize(got);
  probe.system = policy::classify_init(probe.invoked, probe.resolved, content);
  return probe;
}

}  // namespace uxc
