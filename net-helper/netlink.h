// uxc-nic's netlink operations (libnl-route) in the helper's own network
// namespace. They act; policy/ decides.
#pragma once

#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "policy/nic.h"

namespace uxc::nic {

struct Link {
  uint32_t ifindex = 0, mtu = 0, master = 0;
  uint32_t peer_ifindex = 0;  // veth: IFLA_LINK, the peer's index in its namespace
  std::string name, alias;    // alias: IFLA_IFALIAS, "" when unset
  std::string kind;           // IFLA_INFO_KIND: "veth", "bridge", ...
  bool up = false;
};

// Both ends: names and MACs (the peer's only if has_peer_mac), one MTU;
// the host end's bridge, and the namespace the peer is born in.
struct VethSpec {
  std::string peer_name, host_name;
  policy::Mac peer_mac{}, host_mac{};
  bool has_peer_mac = false;
  uint32_t mtu = 0, master = 0;
  int peer_netns_fd = -1;
};

using Socket = std::unique_ptr<nl_sock, void (*)(nl_sock*)>;

// A NETLINK_ROUTE socket, or null. The kernel checks CAP_NET_ADMIN
// against the credentials a socket was opened with, so open it while the
// capability is raised.
Socket open_netlink();
// One link by name; false if there is none (or on error).
[[nodiscard]] bool get_link(nl_sock* sock, const std::string& name, Link* out);
// One RTM_NEWLINK: both ends named, with MACs and MTU, the host end
// enslaved to spec.master, the peer created directly in its namespace,
// both down. 0 or a libnl error; on error nothing exists.
[[nodiscard]] int create_veth(nl_sock* sock, const VethSpec& spec);
// One RTM_NEWLINK on an existing link: the alias and IFF_UP at once.
[[nodiscard]] bool tag_and_up(nl_sock* sock, uint32_t ifindex, const std::string& alias);
// Deleting either end of a veth removes both.
[[nodiscard]] bool remove_link(nl_sock* sock, uint32_t ifindex);

}  // namespace uxc::nic
