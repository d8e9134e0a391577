#include "user/host/netconf.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "user/common/log.h"
#include "user/common/util.h"

namespace uxc {

namespace {

struct SockDeleter {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
using Sock = std::unique_ptr<nl_sock, SockDeleter>;

Sock connect_route() {
  Sock sk(nl_socket_alloc());
  if (!sk) throw Error("cannot allocate a netlink socket");
  if (int err = nl_connect(sk.get(), NETLINK_ROUTE); err < 0)
    throw Error(std::string("cannot open a netlink socket: ") + nl_geterror(err));
  return sk;
}

void nl_check(int err, const std::string& what) {
  if (err < 0) throw Error(what + ": " + nl_geterror(err));
}

void set_link(nl_sock* sk, const std::string& name, uint32_t mtu, bool up) {
  rtnl_link* link = nullptr;
  nl_check(rtnl_link_get_kernel(sk, 0, name.c_str(), &link), "cannot find interface " + name);
  rtnl_link* change = rtnl_link_alloc();
  if (mtu != 0) rtnl_link_set_mtu(change, mtu);
  if (up) rtnl_link_set_flags(change, IFF_UP);
  const int err = rtnl_link_change(sk, link, change, 0);
  rtnl_link_put(change);
  rtnl_link_put(link);
  nl_check(err, "cannot configure interface " + name);
}

void add_address(nl_sock* sk, int ifindex, const std::string& text, int family, const std::string& dev) {
  nl_addr* local = nullptr;
  nl_check(nl_addr_parse(text.c_str(), family, &local), "bad address " + text);
  rtnl_addr* addr = rtnl_addr_alloc();
  rtnl_addr_set_ifindex(addr, ifindex);
  const int err_set = rtnl_addr_set_local(addr, local);
  nl_addr_put(local);
  int err = err_set;
  if (err >= 0) err = rtnl_addr_add(sk, addr, 0);
  rtnl_addr_put(addr);
  nl_check(err, "cannot add address " + text + " to " + dev);
}

void add_default_route(nl_sock* sk, int ifindex, const std::string& gateway, int family, const std::string& dev) {
  nl_addr* gw = nullptr;
  nl_check(nl_addr_parse(gateway.c_str(), family, &gw), "bad gateway " + gateway);
  nl_addr* dst = nullptr;
  nl_check(nl_addr_parse("default", family, &dst), "bad default route");
  rtnl_route* route = rtnl_route_alloc();
  rtnl_route_set_family(route, static_cast<uint8_t>(family));
  rtnl_route_set_dst(route, dst);
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  rtnl_route_nh_set_gateway(nh, gw);
  rtnl_route_nh_set_ifindex(nh, ifindex);
  rtnl_route_add_nexthop(route, nh);
  const int err = rtnl_route_add(sk, route, NLM_F_CREATE);
  rtnl_route_put(route);
  nl_addr_put(dst);
  nl_addr_put(gw);
  nl_check(err, "cannot add the default route via " + gateway + " on " + dev +
                    " (is the gateway inside the interface's subnet?)");
}

// Sends one request, a header and `body` (ifaddrmsg, ifinfomsg), to the
// kernel.
template <typename Body>
bool send_request(int fd, uint16_t type, uint16_t flags, uint32_t seq, const Body& body) {
  struct {
    nlmsghdr hdr;
    Body body;
  } req{};
  req.hdr.nlmsg_len = sizeof req;
  req.hdr.nlmsg_type = type;
  req.hdr.nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
  req.hdr.nlmsg_seq = seq;
  req.body = body;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  return sendto(fd, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) >= 0;
}

// The container's root may send netlink messages to this socket too:
// only the kernel's (sender port 0) count. 0 on EOF or error.
ssize_t recv_from_kernel(int fd, char* buf, size_t size) {
  for (;;) {
    sockaddr_nl from{};
    socklen_t len = sizeof from;
    const ssize_t n = recvfrom(fd, buf, size, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0 || (len >= sizeof from && from.nl_pid == 0)) return n < 0 ? 0 : n;
  }
}

}  // namespace

std::string peer_name(const policy::Nic& nic) {
  return nic.name.empty() ? "eth" + std::to_string(nic.index) : nic.name;
}

void bring_up_loopback() {
  Sock sk = connect_route();
  set_link(sk.get(), "lo", 0, true);
}

void configure_container_network(const policy::Config& config) {
  if (std::none_of(config.nics.begin(), config.nics.end(), [](const policy::Nic& n) { return n.type == "veth"; }))
    return;
  Sock sk = connect_route();
  for (const auto& nic : config.nics) {
    if (nic.type != "veth") continue;
    const std::string dev = peer_name(nic);
    const int ifindex = static_cast<int>(if_nametoindex(dev.c_str()));
    if (ifindex == 0) throw_errno("interface " + dev + " is missing in the container");
    log_debug("init: " + dev + ": addresses " + (nic.ipv4.empty() && nic.ipv6.empty() ? "none (DHCP is the container's)" : join(nic.ipv4, " ") + " " + join(nic.ipv6, " ")) +
              (nic.ipv4_gateway.empty() ? "" : ", gateway " + nic.ipv4_gateway) +
              (nic.ipv6_gateway.empty() ? "" : ", gateway " + nic.ipv6_gateway) + (nic.mtu ? ", mtu " + std::to_string(nic.mtu) : "") +
              ", up");
    // Addresses first: a link brought up before its address would start
    // IPv6 autoconfiguration and DAD on an address-less interface.
    for (const auto& a : nic.ipv4) add_address(sk.get(), ifindex, a, AF_INET, dev);
    for (const auto& a : nic.ipv6) add_address(sk.get(), ifindex, a, AF_INET6, dev);
    set_link(sk.get(), dev, nic.mtu, nic.up || !nic.ipv4.empty() || !nic.ipv6.empty());
    if (!nic.ipv4_gateway.empty()) add_default_route(sk.get(), ifindex, nic.ipv4_gateway, AF_INET, dev);
    if (!nic.ipv6_gateway.empty()) add_default_route(sk.get(), ifindex, nic.ipv6_gateway, AF_INET6, dev);
  }
}

std::vector<Address> list_addresses(int netlink_fd) {
  std::vector<Address> out;
  ifaddrmsg all{};  // AF_UNSPEC
  if (!send_request(netlink_fd, RTM_GETADDR, NLM_F_DUMP, 1, all)) return out;
  alignas(nlmsghdr) char buf[16384];
  for (;;) {
    const ssize_t n = recv_from_kernel(netlink_fd, buf, sizeof buf);
    if (n <= 0) return out;
    size_t len = static_cast<size_t>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return out;
      if (h->nlmsg_type != RTM_NEWADDR) continue;
      const auto* ifa = static_cast<const ifaddrmsg*>(NLMSG_DATA(h));
      if (ifa->ifa_scope != RT_SCOPE_UNIVERSE) continue;  // lo, link-local
      size_t attr_len = IFA_PAYLOAD(h);
      const void* addr = nullptr;
      for (auto* a = IFA_RTA(ifa); RTA_OK(a, attr_len); a = RTA_NEXT(a, attr_len)) {
        if (a->rta_type == IFA_LOCAL || (a->rta_type == IFA_ADDRESS && addr == nullptr)) addr = RTA_DATA(a);
      }
      if (addr == nullptr) continue;
      char text[INET6_ADDRSTRLEN] = {};
      if (inet_ntop(ifa->ifa_family, addr, text, sizeof text) == nullptr) continue;
      out.push_back({ifa->ifa_family, text});
    }
  }
}

bool delete_link(int netlink_fd, uint32_t ifindex) {
  static uint32_t seq = 1000;
  ifinfomsg link{};  // AF_UNSPEC
  link.ifi_index = static_cast<int>(ifindex);
  if (!send_request(netlink_fd, RTM_DELLINK, NLM_F_ACK, ++seq, link)) return false;
  alignas(nlmsghdr) char buf[4096];
  for (;;) {  // answers to earlier requests may still be queued: skip them
    const ssize_t n = recv_from_kernel(netlink_fd, buf, sizeof buf);
    if (n <= 0) return false;
    size_t len = static_cast<size_t>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR) continue;
      if (h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return false;
      return static_cast<const nlmsgerr*>(NLMSG_DATA(h))->error == 0;
    }
  }
}

namespace {

// Whether link `name` is still on the host, asked through any socket of
// the namespace: by name, as `ip link` and uxc-nic's quota look.
bool link_left(int sock, const std::string& name) {
  ifreq ifr{};
  if (name.size() >= sizeof ifr.ifr_name) return false;
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  return ioctl(sock, SIOCGIFINDEX, &ifr) == 0;
}

}  // namespace

bool wait_links_gone(const std::vector<std::string>& names, int timeout_ms) {
  if (names.empty()) return true;
  // Subscribed before the first look: a link that changes after it is
  // announced on this socket.
  Fd sock(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
  if (!sock.valid()) return false;
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = RTMGRP_LINK;
  const bool notified = bind(sock.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) == 0;
  bool going = !notified;
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (std::none_of(names.begin(), names.end(), [&](const std::string& n) { return link_left(sock.get(), n); }))
      return true;
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long left_us =
        timeout_ms * 1000L - ((now.tv_sec - start.tv_sec) * 1000000L + (now.tv_nsec - start.tv_nsec) / 1000L);
    if (left_us <= 0) return false;
    // The first sign of a deletion is the link going down; its name goes
    // a grace period later, unannounced (the kernel announces the
    // deletion itself later still). So once a notification has come (or
    // without them), a look every 100 us; until then, every 100 ms all
    // the same.
    const long wait_us = std::min(left_us, going ? 100L : 100000L);
    const timespec wait{0, wait_us * 1000L};
    pollfd p{sock.get(), POLLIN, 0};
    if (ppoll(&p, notified ? 1 : 0, &wait, nullptr) > 0) {
      going = true;
      char buf[8192];
      for (;;) {
        const ssize_t n = recv(sock.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0 && !(n < 0 && (errno == ENOBUFS || errno == EINTR))) break;
      }
    }
  }
}

LinkBytes host_link_bytes(const std::string& name) {
  LinkBytes bytes;
  Sock sk(nl_socket_alloc());
  if (!sk || nl_connect(sk.get(), NETLINK_ROUTE) < 0) return bytes;
  rtnl_link* link = nullptr;
  if (rtnl_link_get_kernel(sk.get(), 0, name.c_str(), &link) < 0) return bytes;
  bytes.found = true;
  bytes.rx = rtnl_link_get_stat(link, RTNL_LINK_RX_BYTES);
  bytes.tx = rtnl_link_get_stat(link, RTNL_LINK_TX_BYTES);
  rtnl_link_put(link);
  return bytes;
}

}  // namespace uxc
