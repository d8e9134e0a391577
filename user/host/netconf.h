// Network work the manager does as the user, never through a helper:
// configuring a container's interfaces from inside its namespace (whose
// owner the user is), reading its addresses back over a netlink socket
// the container opened, and reading the host ends' counters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policy/config.h"

namespace uxc {

// In the container's network namespace: lo up. Throws Error.
void bring_up_loopback();

// In the container's network namespace: for each veth (already there,
// named and addressed at layer 2 by uxc-nic) the MTU, the addresses, the
// gateways, and up if flags = up. Throws Error.
void configure_container_network(const policy::Config& config);

// The container end's name for nic `n` of the config.
std::string peer_name(const policy::Nic& nic);

struct Address {
  int family;        // AF_INET or AF_INET6
  std::string text;  // without prefix length
};
// Global addresses of the namespace `netlink_fd` was opened in.
std::vector<Address> list_addresses(int netlink_fd);

// Deletes link `ifindex` of the namespace `netlink_fd` was opened in and
// waits for the kernel's answer. For a veth's container end this removes
// the host end too, at once, instead of when the namespace is dismantled.
// False if the kernel refused (the link is gone or was moved away).
bool delete_link(int netlink_fd, uint32_t ifindex);

// Waits until none of the links `names` is left in this process's
// network namespace (by name), at most `timeout_ms`: woken by the
// kernel's link notifications (RTMGRP_LINK, which any user may read).
// False if one is still there when the time is up.
bool wait_links_gone(const std::vector<std::string>& names, int timeout_ms);

struct LinkBytes {
  bool found = false;
  uint64_t rx = 0;
  uint64_t tx = 0;
};
LinkBytes host_link_bytes(const std::string& name);

}  // namespace uxc
