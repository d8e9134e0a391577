// Root filesystems for new containers: the busybox template's small
// system and the local template's import of a directory or tarball. The
// functions that write into a rootfs run as the container's root, in a
// user namespace (host/userns.h).
#include "user/storage/rootfs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "policy/text.h"
#include "user/common/util.h"

namespace uxc {

namespace {

const char kInittab[] =
    "::sysinit:/etc/init.d/rcS\n"
    "console::respawn:/sbin/getty -L 115200 console vt100\n"
    // /dev/tty1 exists with the template's lxc.tty.max = 1 (uxc console -t 1).
    "tty1::respawn:/sbin/getty 38400 tty1\n"
    "::ctrlaltdel:/sbin/reboot\n"
    "::shutdown:/bin/sync\n";

// Interfaces with no static IPv4 address from lxc.net.N.ipv4.address get
// one by DHCP; udhcpc stays in the background to renew it.
const char kRcS[] =
    "#!/bin/sh\n"
    "mkdir -p /run /var/run /var/log /tmp\n"
    "for i in $(ip -o link show | sed -n 's/^[0-9]*: \\([^:@]*\\).*/\\1/p'); do\n"
    "  [ \"$i\" = lo ] && continue\n"
    "  ip link set \"$i\" up\n"
    "  if ! ip -4 addr show dev \"$i\" | grep -q ' inet '; then\n"
    "    udhcpc -f -i \"$i\" -s /etc/udhcpc/default.script -x hostname:\"$(hostname)\" >/dev/null 2>&1 &\n"
    "  fi\n"
    "done\n";

const char kDhcpScript[] =
    "#!/bin/sh\n"
    "case \"$1\" in\n"
    "  deconfig)\n"
    "    ip -4 addr flush dev \"$interface\"\n"
    "    ip link set \"$interface\" up ;;\n"
    "  bound|renew)\n"
    "    ip -4 addr flush dev \"$interface\"\n"
    "    ip addr add \"$ip/${mask:-24}\" dev \"$interface\"\n"
    "    if [ -n \"$router\" ]; then\n"
    "      ip route del default dev \"$interface\" 2>/dev/null\n"
    "      for r in $router; do ip route add default via \"$r\" dev \"$interface\"; break; done\n"
    "    fi\n"
    "    : > /etc/resolv.conf\n"
    "    for d in $dns; do echo \"nameserver $d\" >> /etc/resolv.conf; done ;;\n"
    "esac\n"
    "exit 0\n";

void write_new_file(const std::string& path, std::string_view data, mode_t mode) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd.valid() || !write_all(fd.get(), data) || fchmod(fd.get(), mode) != 0)
    throw_errno("cannot write " + path);
}

void make_dir(const std::string& path, mode_t mode) {
  if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) throw_errno("cannot create " + path);
  if (chmod(path.c_str(), mode) != 0) throw_errno("cannot chmod " + path);
}

void copy_file(const std::string& from, const std::string& to, mode_t mode) {
  std::string data;
  if (!read_file(from, &data, 64 << 20)) throw_errno("cannot read " + from);
  write_new_file(to, data, mode);
}

}  // namespace

// `busybox --list-full`, read before entering the namespace.
std::vector<std::string> busybox_applets(const std::string& busybox) {
  auto [out_read, out_write] = make_pipe();
  const pid_t pid = fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    dup2(out_write.get(), 1);
    execl(busybox.c_str(), "busybox", "--list-full", static_cast<char*>(nullptr));
    _exit(127);
  }
  out_write.reset();
  std::string text;
  (void)read_all(out_read.get(), &text, 1 << 20);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(busybox + " --list-full failed: install Debian's busybox-static");
  std::vector<std::string> applets;
  std::vector<policy::Line> lines;
  std::string err;
  if (!policy::split_lines(text, 4096, &lines, &err)) throw Error(busybox + ": unexpected applet list");
  for (const auto& l : lines) {
    const std::string_view a = policy::trim_blanks(l.text);
    if (a.empty() || a.find("..") != std::string_view::npos || a.front() == '/') continue;
    applets.emplace_back(a);
  }
  return applets;
}

void build_busybox_rootfs(const std::string& rootfs, const std::string& busybox,
                          const std::vector<std::string>& applets) {
  make_dir(rootfs, 0755);
  for (const char* d : {"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "etc/init.d", "etc/udhcpc", "dev",
                        "proc", "sys", "run", "var", "var/log", "mnt", "home", "lib", "root", "tmp"})
    make_dir(rootfs + "/" + d, 0755);
  make_dir(rootfs + "/root", 0700);
  make_dir(rootfs + "/tmp", 01777);
  copy_file(busybox, rootfs + "/bin/busybox", 0755);
  for (const auto& a : applets) {
    if (a == "bin/busybox") continue;
    const std::string link = rootfs + "/" + a;
    if (symlink("/bin/busybox", link.c_str()) != 0 && errno != EEXIST) throw_errno("cannot create " + link);
  }
  write_new_file(rootfs + "/etc/inittab", kInittab, 0644);
  write_new_file(rootfs + "/etc/init.d/rcS", kRcS, 0755);
  write_new_file(rootfs + "/etc/udhcpc/default.script", kDhcpScript, 0755);
  // No password: as with LXC's templates, a root password is the user's
  // to set from inside.
  write_new_file(rootfs + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
  write_new_file(rootfs + "/etc/shadow", "root:*:0:0:99999:7:::\n", 0600);
  write_new_file(rootfs + "/etc/group", "root:x:0:root\ntty:x:5:\n", 0644);
  write_new_file(rootfs + "/etc/resolv.conf", "", 0644);
  write_new_file(rootfs + "/etc/fstab", "", 0644);
}

}  // namespace uxc
