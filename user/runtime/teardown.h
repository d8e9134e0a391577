// What goes when a container ends: its init, killed and reaped, and its
// veths, gone from the host before "stopped" is reported. Used by the
// launcher (a start that fails part-way) and by the monitor (an init
// that exited).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace uxc {

// SIGKILL, then waits for it; nothing for pid <= 0.
void kill_and_reap(pid_t pid);

// Deletes the container ends `peers` (ifindexes in the namespace
// `netlink_fd` was opened in; -1 for none) and waits until the host ends
// `host_links` are gone.
void remove_links(int netlink_fd, const std::vector<uint32_t>& peers, const std::vector<std::string>& host_links);

}  // namespace uxc
