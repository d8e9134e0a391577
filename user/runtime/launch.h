// The launcher: steps 3-6 of DESIGN.md's start. It clones the
// container's init into new namespaces, has the helpers map its ids and
// make its veths while the init prepares what needs neither, releases
// the init step by step (park.h), and hands the monitor what the init
// passes back: the console, a netlink socket and the ttys.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "policy/config.h"
#include "user/common/dirs.h"
#include "user/common/util.h"
#include "user/host/cgroup.h"
#include "user/runtime/teardown.h"

namespace uxc {

class Log;

// What `uxc start` decided: the container, its checked configuration and
// how it runs.
struct StartRequest {
  std::string name;
  std::string config_path;
  policy::Config config;
  std::string rootfs;
  std::vector<std::string> command;
  bool foreground = false;
  bool execute = false;         // `uxc execute` (runtime/execute.h)
  std::string foreground_note;
  std::string pidfile;          // the monitor's pid, while the container runs  // printed on stderr once it runs in the foreground
  User user;
  Paths paths;
};

// Everything a started container holds on the host side. Whoever holds
// it last and has not reaped the init kills it: no path out of the
// manager leaves a container without its monitor.
struct Running {
  pid_t init = -1;  // -1 once reaped
  Fd console;       // pty master
  Fd netlink;       // NETLINK_ROUTE socket in the container's namespace
  std::vector<std::string> host_links;
  std::vector<uint32_t> peers;  // the container ends' ifindexes, in its namespace
  std::vector<Fd> ttys;    // masters of /dev/tty1..N
  std::vector<Fd> tty_holds;  // a slave of each: no hangup while no getty has it open
  ContainerCgroup cgroup;  // removed after the init is gone (members go last)

  Running() = default;
  Running(Running&& other) noexcept
      : init(std::exchange(other.init, -1)),
        console(std::move(other.console)),
        netlink(std::move(other.netlink)),
        host_links(std::move(other.host_links)),
        peers(std::move(other.peers)),
        ttys(std::move(other.ttys)),
        tty_holds(std::move(other.tty_holds)),
        cgroup(std::move(other.cgroup)) {}
  Running& operator=(Running&&) = delete;
  ~Running() {
    if (init <= 0) return;
    kill_and_reap(init);
    remove_links(netlink.get(), peers, host_links);
  }
};

// Creates the container's cgroup, clones its init, runs the helpers and
// releases the init; returns once the init has exec'd. On any failure
// the init is killed; its namespaces, and with them the veths, go with
// it.
Running launch(const StartRequest& req, Log& log);

}  // namespace uxc
