#include "user/runtime/teardown.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "user/host/netconf.h"

namespace uxc {

void kill_and_reap(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Once the init is gone, its veths go: "stopped" leaves no interface
// behind and frees the quota slots for the next start. Deleting the
// container end over the netlink socket the container opened removes
// both ends (the user owns the namespace). The kernel takes the links
// off the host within a millisecond but answers only after RCU grace
// periods, 15 to 30 ms later, so a child process (named "uxc-veth-del")
// sends the request, waits for that answer and exits by itself, while
// this one waits only for the links to go. Without a socket (the
// container never got that far), or if the container moved its end away,
// the kernel removes the veths when it dismantles the dead namespace,
// which takes longer. Either way the links are waited for (the kernel's
// link notifications, netconf.h) for at most five seconds. (A `uxc stop`
// of a detached container waits for them itself: monitor.cpp.)
void remove_links(int netlink_fd, const std::vector<uint32_t>& peers, const std::vector<std::string>& host_links) {
  if (netlink_fd >= 0 && !peers.empty()) {
    std::fflush(nullptr);
    const pid_t child = fork();
    if (child == 0) {
      prctl(PR_SET_NAME, "uxc-veth-del");
      // Nothing else outlives this process through the child: not the
      // runtime lock ("running"), not the caller's pipes on fds 0-2.
      const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
      for (int fd = 0; fd < 3; ++fd) null >= 0 ? dup2(null, fd) : close(fd);
      if (netlink_fd > 3) close_range(3, static_cast<unsigned>(netlink_fd) - 1, 0);
      close_range(static_cast<unsigned>(netlink_fd) + 1, ~0U, 0);
      for (uint32_t ifindex : peers) (void)delete_link(netlink_fd, ifindex);
      _exit(0);
    }
    if (child < 0)
      for (uint32_t ifindex : peers) (void)delete_link(netlink_fd, ifindex);
  }
  (void)wait_links_gone(host_links, 5000);
}
}  // namespace uxc
