#include "user/runtime/launch.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

#include "user/common/log.h"
#include "user/host/helpers.h"
#include "user/host/netconf.h"
#include "user/runtime/fdpass.h"
#include "user/runtime/init.h"
#include "user/common/park.h"

namespace uxc {

namespace {

pid_t clone_init(const StartRequest& req, const ContainerCgroup& cgroup, int go_read, int chan_child) {
  InitPlan plan;
  plan.config = req.config;
  plan.name = req.name;
  plan.rootfs = req.rootfs;
  plan.argv = container_argv(req.command, req.config);
  plan.command = !req.command.empty();
  plan.execute = req.execute;
  plan.full_system = req.defaults.full_system;
  if (plan.full_system) plan.cgroup_tree = cgroup.tree();
  // Output to a file or pipe gets no CR before each LF.
  plan.plain_output = req.foreground && !isatty(1);
  // The command may ask for its terminal's size at once: it must not
  // wait for the monitor to copy it.
  plan.has_console_size = req.foreground && ioctl(0, TIOCGWINSZ, &plan.console_size) == 0;
  plan.go_fd = go_read;
  plan.chan_fd = chan_child;
  // No CLONE_NEWCGROUP: the init unshares its cgroup namespace once it
  // is in its own cgroup, so that cgroup is its namespace's root.
  const unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
                              CLONE_NEWNET | SIGCHLD;
  log_debug("clone: new user, mount, pid, uts, ipc and network namespaces (the cgroup namespace follows, once the init is in its cgroup)");
  std::fflush(nullptr);
  const long pid = syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) throw_errno("cannot create the container's namespaces");
  if (pid == 0) container_init(plan);
  return static_cast<pid_t>(pid);
}

// Releases the init for its next step (park.h). An init that failed and
// exited closed its end; the reason is then on the channel.
void release_init(int go_fd, int chan, char step) {
  if (release(go_fd, step)) return;
  std::vector<int> fds;
  const std::string msg = recv_message(chan, &fds);
  for (int fd : fds) close(fd);
  if (msg.rfind("error ", 0) == 0) throw Error(msg.substr(6));
  throw Error("the container's init died before it was released");
}

}  // namespace

// Steps 3-6 of DESIGN.md's start: clone, map, nics, release.
Running launch(const StartRequest& req, Log& log) {
  const policy::IdmapRequest maps = container_idmap(req.config, req.user);
  for (const auto& e : maps.uid_map)
    log.debug("uid map: " + std::to_string(e.inside) + " " + std::to_string(e.outside) + " " + std::to_string(e.count));
  for (const auto& e : maps.gid_map)
    log.debug("gid map: " + std::to_string(e.inside) + " " + std::to_string(e.outside) + " " + std::to_string(e.count));
  auto [go_read, go_write] = make_pipe();
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) throw_errno("socketpair");
  Fd chan(pair[0]), chan_child(pair[1]);

  Running run;
  // A distribution's init gets a cgroup its root owns (cgroup.h); the
  // ids that chown needs are checked before anything is made.
  const bool own_cgroup = req.defaults.full_system;
  const policy::IdmapRequest file_maps = own_cgroup ? file_work_idmap(req.config, req.user) : policy::IdmapRequest{};
  // Limits are in place before the container's first instruction.
  run.cgroup = ContainerCgroup::create(req.name, req.config, own_cgroup);
  for (const auto& dir : run.cgroup.dirs()) log.info("cgroup " + dir);
  if (run.cgroup.dirs().empty()) log.debug("no delegated cgroup: the container runs in uxc's own");
  for (const auto& s : req.config.cgroup)
    log.debug("cgroup limit " + s.key + " = " + s.value + " (lxc.cgroup" + (s.version == 2 ? "2" : "") + ", config line " +
              std::to_string(s.line) + ")");
  run.init = clone_init(req, run.cgroup, go_read.get(), chan_child.get());
  go_read.reset();
  chan_child.reset();
  log.info("init is pid " + std::to_string(run.init) + " on the host");

  // uxc-idmap and uxc-nic run at the same time. Every helper is waited
  // for before the first refusal is raised, so each veth made is known.
  // The init is released in two steps: once its ids are mapped it sets up
  // its root ("g"), and once its veths exist it configures them ("n");
  // a refusal after the first kills it like any other failure.
  std::vector<const policy::Nic*> veths;
  for (const auto& nic : req.config.nics)
    if (nic.type == "veth") veths.push_back(&nic);
  // uxc-nic goes first: it takes the longer. A helper that cannot be
  // started (not installed, a bad hwaddr) stops the starting, but those
  // already running are still finished, so their veths are known.
  std::string first_error;
  const auto note = [&](const Error& e) {
    if (first_error.empty()) first_error = e.what();
  };
  std::vector<HelperRun> nics;
  std::optional<HelperRun> idmap;
  try {
    for (const policy::Nic* nic : veths) nics.push_back(start_create_veth(run.init, *nic, peer_name(*nic)));
    idmap.emplace(start_map_user_namespace(run.init, maps));
    // While the helpers run: the init joins its cgroups (it still has
    // the user's uid, as cgroup v1 wants).
    run.cgroup.add_process(run.init);
  } catch (const Error& e) {
    note(e);
  }
  if (idmap && first_error.empty()) {
    try {
      finish_map_user_namespace(*idmap);
      log.info("uid and gid maps written by uxc-idmap");
      // Opened before the release: once the init becomes the container's
      // root it is no longer dumpable, and its /proc/PID/ns is closed to us.
      Fd userns;
      if (own_cgroup && !run.cgroup.dirs().empty()) {
        userns.reset(open(("/proc/" + std::to_string(run.init) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
        if (!userns.valid()) throw_errno("cannot open the container's user namespace");
      }
      log.debug("init moved into its cgroups; released to set up its root");
      release_init(go_write.get(), chan.get(), 'g');
      // The cgroups go to the container's root while the init sets up
      // its root: it execs only after "n".
      if (userns.valid()) {
        run.cgroup.give_to_container_root(file_maps, std::move(userns));
        log.info("cgroups given to the container's root");
      }
    } catch (const Error& e) {
      note(e);
    }
  }
  for (size_t i = 0; i < nics.size(); ++i) {
    try {
      const policy::NicAnswer a = finish_create_veth(nics[i], *veths[i], req.user);
      run.host_links.push_back(a.host);
      run.peers.push_back(a.peer_ifindex);
      log.info("veth " + a.host + " on " + veths[i]->link + " <-> " + a.peer + " in the container");
    } catch (const Error& e) {
      note(e);
    }
  }
  if (!first_error.empty()) throw Error(first_error);
  log.debug("released to configure its network");
  release_init(go_write.get(), chan.get(), 'n');
  go_write.reset();

  std::vector<int> fds;
  std::string msg = recv_message(chan.get(), &fds);
  if (msg == "fds" && fds.size() == 2 + req.config.tty_max) {
    run.console.reset(fds[0]);
    run.console_hold.reset(ioctl(fds[0], TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    run.netlink.reset(fds[1]);
    for (size_t i = 2; i < fds.size(); ++i) {
      run.ttys.emplace_back(fds[i]);
      run.tty_holds.emplace_back(ioctl(fds[i], TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    }
    fds.clear();
    log.debug("init passed the console, a netlink socket and " + std::to_string(req.config.tty_max) + " tty master(s)");
    msg = recv_message(chan.get(), &fds);  // EOF: the exec happened
  }
  for (int fd : fds) close(fd);
  if (msg.rfind("error ", 0) == 0) throw Error(msg.substr(6));
  if (!msg.empty() || !run.console.valid()) throw Error("the container's init died during set-up");
  return run;
}

}  // namespace uxc
