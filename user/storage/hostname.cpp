#include "user/storage/hostname.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

#include "policy/text.h"
#include "user/common/util.h"

namespace uxc {

namespace {

std::string trimmed(const std::string& text) {
  std::string_view v = text;
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return std::string(policy::trim_blanks(v));
}

}  // namespace

void name_rootfs_after_container(const std::string& rootfs, const std::string& name) {
  Fd root(open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) throw_errno("cannot open " + rootfs);
  open_how how{};
  how.flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  Fd file(static_cast<int>(syscall(SYS_openat2, root.get(), "etc/hostname", &how, sizeof how)));
  if (!file.valid()) return;  // none: the init keeps the name uxc sets
  std::string text;
  if (!read_all(file.get(), &text, 4096)) return;
  const std::string current = trimmed(text);
  if (current.empty()) return;
  char here[HOST_NAME_MAX + 1] = {};
  std::string host_file;
  const bool builder = (gethostname(here, sizeof here - 1) == 0 && current == here) ||
                       (read_file("/etc/hostname", &host_file, 4096) && current == trimmed(host_file));
  if (!builder) return;
  if (ftruncate(file.get(), 0) != 0 || pwrite(file.get(), (name + "\n").data(), name.size() + 1, 0) !=
                                           static_cast<ssize_t>(name.size() + 1))
    throw_errno("cannot write the container's name to " + rootfs + "/etc/hostname");
}

}  // namespace uxc
