#include "user/runtime/init.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "policy/mount.h"
#include "policy/rootfs.h"
#include "policy/text.h"
#include "user/common/log.h"
#include "user/common/util.h"
#include "user/host/netconf.h"
#include "user/runtime/caps.h"
#include "user/runtime/execute.h"
#include "user/runtime/fdpass.h"
#include "user/runtime/overlay_root.h"
#include "user/common/park.h"

namespace uxc {

namespace {

void do_mount(const char* source, const std::string& target, const char* type, unsigned long flags,
              const char* data = nullptr) {
  log_debug(std::string("init: mount ") + (source ? source : "none") + " on " + target + " (" + (type ? type : "-") +
            ", flags 0x" + [flags] {
              char hex[32];
              std::snprintf(hex, sizeof hex, "%lx", flags);
              return std::string(hex);
            }() + (data ? std::string(", ") + data : "") + ")");
  if (mount(source, target.c_str(), type, flags, data) != 0)
    throw_errno(std::string("cannot mount ") + (source ? source : type ? type : "?") + " on " + target);
}

// The mount points below `path` in this process's mount table: a
// non-recursive bind of `path` in a user namespace is refused when there
// are any (they are locked to it).
std::vector<std::string> mounts_below(const std::string& path) {
  std::string text;
  std::vector<std::string> out;
  if (!read_file("/proc/self/mountinfo", &text, 8 << 20)) return out;
  std::string prefix = path;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  prefix += '/';
  std::vector<policy::Line> lines;
  std::string why;
  if (!policy::split_lines(text, 65536, &lines, &why)) return out;
  for (const auto& l : lines) {
    policy::MountInfo m;
    if (!policy::parse_mountinfo_line(l.text, &m, &why)) continue;
    if (m.mount_point.compare(0, prefix.size(), prefix) == 0 &&
        std::find(out.begin(), out.end(), m.mount_point) == out.end())
      out.push_back(m.mount_point);
  }
  return out;
}

// mkdir -p for a path relative to the current directory (the rootfs).
void make_dirs_here(const std::string& rel) {
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = rel.find('/', pos + 1);
    const std::string prefix = rel.substr(0, pos);
    if (prefix.empty() || prefix == ".") continue;
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("cannot create " + prefix);
  }
}

void touch_here(const std::string& rel, mode_t mode) {
  const int fd = open(rel.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) throw_errno("cannot create " + rel);
  close(fd);
}

std::string relative(std::string target) {
  while (!target.empty() && target.front() == '/') target.erase(0, 1);
  return target.empty() ? "." : target;
}

// A detached copy of a host mount (open_tree), taken while the host's
// tree is still in this mount namespace and the process still has the
// user's own uid (so the user's 0700 home is reachable); attached inside
// the container's root after pivot_root.
int clone_host_tree(const std::string& path, bool recursive, int* err) {
  const int fd = open_tree(AT_FDCWD, path.c_str(),
                           OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
  *err = errno;
  return fd;
}

void attach_tree(int tree_fd, const std::string& target) {
  if (move_mount(tree_fd, "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    throw_errno("cannot mount on " + target);
}

int clone_host_tree_or_throw(const std::string& path) {
  int err = 0;
  const int fd = clone_host_tree(path, false, &err);
  errno = err;
  if (fd < 0) throw_errno("cannot open /" + path);
  return fd;
}

struct PreparedMount {
  const policy::MountEntry* entry;
  policy::MountOptions options;
  int tree_fd = -1;  // bind mounts
  int tree_errno = 0;
  std::vector<std::string> locked_below;  // a bind refused for the mounts below its source
};

void mount_entry(const PreparedMount& m) {
  const policy::MountEntry& e = *m.entry;
  const std::string target = relative(e.target);
  if (m.options.create == policy::MountOptions::Create::kDir) make_dirs_here(target);
  if (m.options.create == policy::MountOptions::Create::kFile) {
    const size_t slash = target.rfind('/');
    if (slash != std::string::npos) make_dirs_here(target.substr(0, slash));
    touch_here(target, 0644);
  }
  if (m.options.bind) {
    if (m.tree_fd < 0 && !m.locked_below.empty()) {
      std::vector<std::string> shown(m.locked_below.begin(), m.locked_below.begin() + std::min<size_t>(3, m.locked_below.size()));
      throw Error("cannot bind " + e.source + ": it has mounts below it (" + join(shown, ", ") +
                  (m.locked_below.size() > 3 ? ", ..." : "") +
                  "), which a user namespace keeps together with it, so the kernel allows only a recursive bind: "
                  "write rbind instead of bind");
    }
    if (m.tree_fd < 0) {
      errno = m.tree_errno;
      throw_errno("cannot open " + e.source);
    }
    log_debug("init: bind " + e.source + " on " + target + (m.options.flags & MS_REC ? " (recursive)" : ""));
    attach_tree(m.tree_fd, target);
    const unsigned long extra = m.options.flags & ~MS_REC;
    if (extra != 0) {
      // A bind mount in a user namespace keeps the locked flags of its
      // source; a remount must repeat them or the kernel refuses.
      struct statvfs sv;
      unsigned long locked = 0;
      if (statvfs(target.c_str(), &sv) == 0) {
        if (sv.f_flag & ST_NOSUID) locked |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV) locked |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC) locked |= MS_NOEXEC;
        if (sv.f_flag & ST_RDONLY) locked |= MS_RDONLY;
      }
      do_mount(nullptr, target, nullptr, MS_REMOUNT | MS_BIND | extra | locked);
    }
    return;
  }
  do_mount(e.source.c_str(), target, e.fstype.c_str(), m.options.flags,
           m.options.data.empty() ? nullptr : m.options.data.c_str());
}

constexpr const char* kHostDevices[] = {"null", "zero", "full", "random", "urandom", "tty"};
constexpr size_t kHostDeviceCount = sizeof kHostDevices / sizeof kHostDevices[0];

// A minimal /dev: a tmpfs with the host's harmless character devices
// bind-mounted in (mknod is not allowed in a user namespace), a private
// devpts instance and the console. `device_fds` are the host's devices,
// opened before the old root went away.
// A new pty of the container's devpts: the master (returned) and its
// slave in *slave.
int open_pty(int* slave) {
  const int master = open("dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) throw_errno("cannot open the container's /dev/pts/ptmx");
  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) != 0) throw_errno("cannot unlock a pty");
  *slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (*slave < 0) throw_errno("cannot open a pty");
  return master;
}

int setup_dev(const policy::Config& config, const int (&device_fds)[kHostDeviceCount], int* console_master,
              std::vector<int>* tty_masters, std::string* tty_names) {
  // lxc.autodev = 0: the rootfs's own /dev, with only the ptys added.
  if (config.autodev) {
    do_mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=1m");
    for (size_t i = 0; i < kHostDeviceCount; ++i) {
      const std::string target = std::string("dev/") + kHostDevices[i];
      touch_here(target, 0666);
      attach_tree(device_fds[i], target);
    }
  }
  for (int fd : device_fds) close(fd);
  if ((mkdir("dev/pts", 0755) != 0 && (config.autodev || errno != EEXIST)) ||
      (mkdir("dev/shm", 01777) != 0 && (config.autodev || errno != EEXIST)))
    throw_errno("cannot populate /dev");
  if (mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5") == 0)
    log_debug("init: mount devpts on dev/pts (a new instance, gid=5)");
  else
    do_mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
  do_mount("tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  const std::pair<const char*, const char*> links[] = {
      {"pts/ptmx", "dev/ptmx"}, {"/proc/self/fd", "dev/fd"}, {"/proc/self/fd/0", "dev/stdin"},
      {"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"}};
  for (const auto& [to, from] : links)
    if (symlink(to, from) != 0 && (config.autodev || errno != EEXIST)) throw_errno(std::string("cannot create ") + from);

  int slave = -1;
  const int master = open_pty(&slave);
  if (config.console_path != "none") {
    touch_here("dev/console", 0600);
    do_mount(("/proc/self/fd/" + std::to_string(slave)).c_str(), "dev/console", nullptr, MS_BIND);
  }
  // lxc.tty.max: /dev/tty1..N, each a pty whose master the monitor keeps
  // (uxc console -t N).
  for (uint32_t i = 1; i <= config.tty_max; ++i) {
    int tty_slave = -1;
    tty_masters->push_back(open_pty(&tty_slave));
    unsigned int number = 0;
    if (ioctl(tty_masters->back(), TIOCGPTN, &number) != 0) throw_errno("cannot number a pty");
    // systemd starts a getty on each pts/N that $container_ttys names.
    *tty_names += (tty_names->empty() ? "pts/" : " pts/") + std::to_string(number);
    const std::string target = "dev/tty" + std::to_string(i);
    touch_here(target, 0620);
    do_mount(("/proc/self/fd/" + std::to_string(tty_slave)).c_str(), target, nullptr, MS_BIND);
    close(tty_slave);
  }
  *console_master = master;
  return slave;
}

// What a distribution's init expects of its container, as LXC's
// common.conf sets it up: /proc/sys read-only except the network
// namespace's own /proc/sys/net, a /run of its own, and the host's
// cgroup layout on /sys/fs/cgroup (policy/cgroup.h), showing the
// container's cgroup namespace.
void setup_full_system(const policy::CgroupTree& tree) {
  const int net = clone_host_tree_or_throw("proc/sys/net");
  do_mount("proc/sys", "proc/sys", nullptr, MS_BIND);
  do_mount(nullptr, "proc/sys", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  attach_tree(net, "proc/sys/net");
  close(net);

  make_dirs_here("run");
  do_mount("tmpfs", "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=20%");

  if (tree.mounts.empty()) return;
  const std::string top = "sys/fs/cgroup";
  if (tree.tmpfs) do_mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k");
  for (const auto& m : tree.mounts) {
    const std::string target = m.dir.empty() ? top : top + "/" + m.dir;
    if (!m.dir.empty() && mkdir(target.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("cannot create /" + target);
    const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (m.writable ? 0 : MS_RDONLY);
    do_mount("cgroup", target, m.version == 2 ? "cgroup2" : "cgroup", flags,
             m.version == 2 ? nullptr : m.options.c_str());
  }
  for (const auto& [name, to] : tree.symlinks)
    if (symlink(to.c_str(), (top + "/" + name).c_str()) != 0) throw_errno("cannot create /" + top + "/" + name);
  // Nothing else belongs there: systemd finds a controller it cannot
  // mount already missing, rather than making a directory for it.
  if (tree.tmpfs) do_mount(nullptr, top, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

[[noreturn]] void fail(int chan, const std::string& message) {
  (void)send_fds(chan, "error " + message, {});
  _exit(1);
}

}  // namespace

void container_init(const InitPlan& plan) {
  const int chan = plan.chan_fd;
  try {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // A container started again by its monitor (a reboot) is cloned from
    // a process that blocks the signals it reads from a signalfd: the
    // init must get them (sysvinit never reaps a child without SIGCHLD).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // Nor does it inherit what the user's shell ignores.
    reset_signal_dispositions();
    const policy::Config& config = plan.config;
    // While the helpers map the ids and make the veths, the work that
    // needs neither runs: preparing the mount tree (still as the user's
    // own uid on the host, which the maps do not change: the rootfs and
    // the bind sources are reached through the user's directories) and
    // bringing lo up. A failure here is reported once released: before
    // that, the monitor is not reading.
    std::string early_error;
    policy::RootfsPath layers;
    std::string not_overlay;
    const bool overlay = policy::parse_rootfs_path(plan.rootfs, &layers, &not_overlay) && layers.overlay;
    OverlayRoot overlay_root;
    std::vector<PreparedMount> mounts;
    int device_fds[kHostDeviceCount];
    std::fill(std::begin(device_fds), std::end(device_fds), -1);
    try {
      do_mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE);
      if (overlay) overlay_root = open_overlay_root(layers);
      else do_mount(plan.rootfs.c_str(), plan.rootfs, nullptr, MS_BIND | MS_REC);
      for (const auto& e : config.mounts) {
        PreparedMount m{&e, {}, -1, 0, {}};
        std::string why;
        if (!policy::parse_mount_options(e.options, &m.options, &why)) throw Error("lxc.mount.entry: " + why);
        if (m.options.bind) m.tree_fd = clone_host_tree(e.source, m.options.flags & MS_REC, &m.tree_errno);
        if (m.tree_fd < 0 && m.tree_errno == EINVAL && !(m.options.flags & MS_REC)) m.locked_below = mounts_below(e.source);
        mounts.push_back(m);
      }
      for (size_t i = 0; i < kHostDeviceCount; ++i) {
        const std::string dev = std::string("/dev/") + kHostDevices[i];
        int err = 0;
        device_fds[i] = clone_host_tree(dev, false, &err);
        errno = err;
        if (device_fds[i] < 0) throw_errno("cannot open " + dev);
      }
      if (!overlay && chdir(plan.rootfs.c_str()) != 0) throw_errno("cannot enter " + plan.rootfs);
      bring_up_loopback();
    } catch (const std::exception& e) {
      early_error = e.what();
    }
    (void)park(plan.go_fd);  // "g": the ids are mapped
    if (!early_error.empty()) throw Error(early_error);
    // The monitor has put this process in the container's cgroup (if
    // any): from here on that cgroup is the root the container sees.
    if (unshare(CLONE_NEWCGROUP) != 0) throw_errno("cannot create the container's cgroup namespace");

    if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) throw_errno("cannot become the container's root");
    // A change of credentials clears the parent-death signal: set it
    // again, so the container never outlives its monitor. The monitor
    // cannot have exited yet: it is waiting for our "fds" message.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    (void)setgroups(0, nullptr);  // refused when setgroups is "deny"; nothing to drop then
    if (overlay) enter_overlay_root(overlay_root);

    // proc and sysfs must be mounted while the host's instances are still
    // in this mount namespace: the kernel allows a new one only where an
    // unobstructed one is visible.
    make_dirs_here("proc");
    make_dirs_here("sys");
    do_mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
    if (mount("sysfs", "sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, nullptr) == 0)
      log_debug("init: mount sysfs on sys (read-only)");
    else
      do_mount("/sys", "sys", nullptr, MS_BIND | MS_REC);

    log_debug("init: pivot_root into " + plan.rootfs);
    if (syscall(SYS_pivot_root, ".", ".") != 0) throw_errno("pivot_root");
    if (umount2(".", MNT_DETACH) != 0) throw_errno("cannot detach the old root");
    if (chdir("/") != 0) throw_errno("chdir /");

    // Everything below resolves inside the container's root: a symlink
    // planted in the rootfs cannot make create=dir or a mount target land
    // on the host's filesystem.
    make_dirs_here("dev");
    int master = -1;
    std::vector<int> tty_masters;
    std::string tty_names;
    const int slave = setup_dev(config, device_fds, &master, &tty_masters, &tty_names);
    if (plan.full_system) setup_full_system(plan.cgroup_tree);
    if (plan.has_console_size) ioctl(master, TIOCSWINSZ, &plan.console_size);
    if (plan.plain_output) {
      termios t;
      if (tcgetattr(slave, &t) == 0) {
        t.c_oflag &= ~static_cast<tcflag_t>(ONLCR);
        tcsetattr(slave, TCSANOW, &t);
      }
    }
    for (const auto& m : mounts) {
      try {
        mount_entry(m);
      } catch (const Error& e) {
        if (!m.options.optional) throw Error(std::string(e.what()) + " (lxc.mount.entry, config line " + std::to_string(m.entry->line) + ")");
      }
      if (m.tree_fd >= 0) close(m.tree_fd);
    }

    // The veths exist once the monitor says so ("n").
    (void)park(plan.go_fd);
    close(plan.go_fd);
    log_debug("init: configuring " + std::to_string(config.nics.size()) + " network interface(s)");
    configure_container_network(config);

    const int netlink = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (netlink < 0) throw_errno("cannot open a netlink socket");
    std::vector<int> passed = {master, netlink};
    passed.insert(passed.end(), tty_masters.begin(), tty_masters.end());
    if (!send_fds(chan, "fds", passed)) throw_errno("cannot reach the monitor");
    close(master);
    for (int fd : tty_masters) close(fd);
    close(netlink);

    const std::string host = config.uts_name.empty() ? plan.name : config.uts_name;
    log_debug("init: host name " + host);
    if (sethostname(host.c_str(), host.size()) != 0) throw_errno("cannot set the host name");

    if (setsid() < 0) throw_errno("setsid");
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) throw_errno("dup2");
    if (slave > 2) close(slave);
    // A command from `start -- CMD` gets the console as its controlling
    // terminal (a shell there has job control). An init does not, as the
    // kernel gives none to a machine's init: its getty must be able to
    // make the console the controlling terminal of a login session.
    if (plan.command && ioctl(0, TIOCSCTTY, 0) != 0)
      throw_errno("cannot make the console the controlling terminal");

    log_debug("init: dropping capabilities (lxc.cap.drop: " + join(config.cap_drop, " ") + "; lxc.cap.keep: " +
              join(config.cap_keep, " ") + ")");
    drop_capabilities(config);
    // A 32-bit x86 rootfs on a 64-bit host: uname -m must say i686, as
    // under LXC, or its package tools pick the wrong architecture.
    if (config.arch_bits == 32 && personality(PER_LINUX32) < 0)
      throw_errno("cannot set the 32-bit personality for lxc.arch = " + config.arch);

    if (!config.init_cwd.empty() && chdir(config.init_cwd.c_str()) != 0)
      throw_errno("cannot enter " + config.init_cwd + " (lxc.init.cwd) in the container");
    if (config.init_uid != 0 || config.init_gid != 0) {
      // The ids last: every step above needed the container's root. A
      // namespace whose setgroups is denied keeps the groups it has.
      const gid_t gid = config.init_gid;
      if (setgroups(1, &gid) != 0 && errno != EPERM) throw_errno("cannot set the groups of lxc.init.gid");
      if (setresgid(gid, gid, gid) != 0)
        throw_errno("cannot become group " + std::to_string(gid) + " (lxc.init.gid)");
      if (setresuid(config.init_uid, config.init_uid, config.init_uid) != 0)
        throw_errno("cannot become user " + std::to_string(config.init_uid) + " (lxc.init.uid)");
    }
    std::vector<std::string> env = {"container=lxc", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                    "TERM=linux", "HOME=/root"};
    if (!tty_names.empty()) env.push_back("container_ttys=" + tty_names);
    for (const auto& e : config.environment) env.push_back(e);
    std::vector<std::string> argv = plan.argv;

    // Every fd but the console closes at exec; the monitor's channel too,
    // which tells it the exec happened.
    if (syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) throw_errno("close_range");
    std::vector<char*> args, envp;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    log_debug(std::string("init: exec ") + join(argv, " ") + (plan.execute ? " (under the minimal init)" : ""));
    // execvpe searches the caller's PATH: make it the container's.
    setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
    if (plan.execute) {
      errno = exec_under_minimal_init(args.data(), envp.data(), chan, config.signal_halt != 0 ? config.signal_halt : SIGPWR);
    } else {
      execvpe(args[0], args.data(), envp.data());
    }
    throw_errno("cannot run " + argv[0] + " in the container");
  } catch (const std::exception& e) {
    fail(chan, e.what());
  }
  fail(chan, "unexpected return");
}

}  // namespace uxc
