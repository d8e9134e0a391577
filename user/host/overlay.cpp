#include "user/host/overlay.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "policy/rootfs.h"

namespace uxc {

namespace {

// What the kernel said about a failed fsconfig, one line ("e overlay:
// ..." records in the fs context's log).
std::string kernel_messages(int fs) {
  std::string out;
  char buf[512];
  for (;;) {
    const ssize_t n = read(fs, buf, sizeof buf - 1);
    if (n <= 0) break;
    std::string line(buf, static_cast<size_t>(n));
    while (!line.empty() && line.back() == '\n') line.pop_back();
    if (line.size() > 2 && line[1] == ' ') line.erase(0, 2);
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

[[noreturn]] void fail(int fs, const std::string& what) {
  const int err = errno;
  const std::string said = kernel_messages(fs);
  throw Error("cannot mount the overlay: " + what + ": " + errno_text(err) + (said.empty() ? "" : " (" + said + ")"));
}

void set_string(int fs, const char* key, const std::string& value) {
  if (fsconfig(fs, FSCONFIG_SET_STRING, key, value.c_str(), 0) != 0) fail(fs, std::string(key) + "=" + value);
}

}  // namespace

Fd mount_overlay(const std::vector<int>& lowers, int upper, int work, bool read_only) {
  if (lowers.empty() || lowers.size() > policy::kMaxOverlayLowers)
    throw Error("an overlay needs 1 to " + std::to_string(policy::kMaxOverlayLowers) + " lower layers");
  utsname un{};
  (void)uname(&un);
  Fd fs(fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs.valid()) {
    if (errno == ENODEV) throw Error("this kernel has no overlayfs (modprobe overlay, as root)");
    throw_errno("cannot mount the overlay");
  }
  // The layers are named by their fds, relative to /proc/self/fd: a
  // magic link reaches the directory without a permission check on its
  // parents, and the names stay short, as one string value is at most
  // 255 bytes.
  Fd cwd(open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!cwd.valid() || chdir("/proc/self/fd") != 0) throw_errno("cannot enter /proc/self/fd");
  Defer back([&] {
    if (fchdir(cwd.get()) != 0) {
      // The directory was open a moment ago; nothing later depends on it.
    }
  });
  if (policy::kernel_at_least(un.release, 6, 8)) {
    for (int fd : lowers) set_string(fs.get(), "lowerdir+", std::to_string(fd));
  } else {
    std::string all;
    for (int fd : lowers) all += (all.empty() ? "" : ":") + std::to_string(fd);
    if (all.size() > 255)
      throw Error("Linux " + std::string(un.release) + " takes at most about 60 layers in one overlay (6.8 and later take " +
                  std::to_string(policy::kMaxOverlayLowers) + "): flatten the container with a full copy (uxc copy -B dir)");
    set_string(fs.get(), "lowerdir", all);
  }
  if (upper >= 0) {
    set_string(fs.get(), "upperdir", std::to_string(upper));
    set_string(fs.get(), "workdir", std::to_string(work));
  }
  if (fsconfig(fs.get(), FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) != 0) fail(fs.get(), "userxattr");
  set_string(fs.get(), "source", "uxc");  // what mountinfo and df name
  if (fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    if (errno == EPERM && !policy::kernel_allows_user_overlay(un.release))
      throw Error("Linux " + std::string(un.release) + " cannot mount overlayfs in a user namespace: that needs Linux " +
                  std::to_string(policy::kUserOverlayMajor) + "." + std::to_string(policy::kUserOverlayMinor) +
                  " or later");
    fail(fs.get(), "create");
  }
  Fd mnt(fsmount(fs.get(), FSMOUNT_CLOEXEC, read_only ? MOUNT_ATTR_RDONLY : 0));
  if (!mnt.valid()) fail(fs.get(), "fsmount");
  return mnt;
}

}  // namespace uxc
