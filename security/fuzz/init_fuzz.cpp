// libFuzzer harness for what the manager decides from a container's
// rootfs and the host's cgroup mounts (policy/init.h, policy/cgroup.h):
// the init program's name and first bytes are the container's to choose.
//
// Input: INVOKED 0xff RESOLVED 0xff CONTENT 0xff MOUNTINFO.
//
// Properties beyond "no crash":
// - busybox is an init only when invoked as init or linuxrc, sysvinit
//   only when the resolved file is called init;
// - a container's /sys/fs/cgroup holds each directory once, one level
//   below it, read-write only where asked, with links only to its mounts.
#include <algorithm>
#include <cstdlib>
#include <string>

#include "policy/cgroup.h"
#include "policy/init.h"
#include "policy/mount.h"
#include "security/fuzz/fuzz_input.h"

namespace {

using namespace uxc::policy;

std::string_view base_name(std::string_view p) {
  const size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = uxc::fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size), 4);
  const InitSystem init = classify_init(parts[0], parts[1], parts[2]);
  if (init == InitSystem::kBusybox && base_name(parts[0]) != "init" && base_name(parts[0]) != "linuxrc") std::abort();
  if (init == InitSystem::kSysvinit && base_name(parts[1]) != "init") std::abort();
  const InitDefaults d = init_defaults(init);
  if (d.halt_signal <= 0 || d.reboot_signal <= 0) std::abort();

  std::vector<CgroupMount> mounts;
  std::vector<std::string> writable;
  std::string_view text = parts[3];
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    MountInfo m;
    CgroupMount c;
    std::string why;
    if (parse_mountinfo_line(text.substr(0, end), &m, &why) && cgroup_mount_of(m, &c)) {
      if (mounts.size() % 2 == 0) writable.push_back(c.mount_point);
      mounts.push_back(c);
    }
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  const CgroupTree tree = container_cgroup_tree(mounts, writable);
  std::vector<std::string> dirs;
  for (const CgroupTreeMount& t : tree.mounts) {
    if (t.dir.find('/') != std::string::npos || t.dir == "." || t.dir == "..") std::abort();
    // Either cgroup2 right on /sys/fs/cgroup, alone, or a tmpfs with mounts below it.
    if (tree.tmpfs ? t.dir.empty() : (!t.dir.empty() || tree.mounts.size() != 1)) std::abort();
    if (std::find(dirs.begin(), dirs.end(), t.dir) != dirs.end()) std::abort();
    dirs.push_back(t.dir);
    const std::string point = t.dir.empty() ? "/sys/fs/cgroup" : "/sys/fs/cgroup/" + t.dir;
    if (t.writable && std::find(writable.begin(), writable.end(), point) == writable.end()) std::abort();
  }
  for (const auto& [name, to] : tree.symlinks)
    if (std::find(dirs.begin(), dirs.end(), to) == dirs.end() || std::find(dirs.begin(), dirs.end(), name) != dirs.end())
      std::abort();
  return 0;
}
