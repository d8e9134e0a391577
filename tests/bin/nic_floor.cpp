// nic_floor HOST PEER BRIDGE: the kernel's share of one uxc-nic create,
// for bench/nic.sh. It sends the netlink requests a create needs and
// nothing else: the bridge's index and MTU, one RTM_NEWLINK for the veth
// pair (host end HOST enslaved to BRIDGE, peer PEER born in the network
// namespace on fd 3), one RTM_NEWLINK for the alias and IFF_UP. No
// checks, no policy, no quota, no C++ runtime: a lower bound on what any
// helper costs. The bench installs it setuid root inside its isolated
// world only, so that it pays the same setuid exec as uxc-nic; it must
// never be installed anywhere else. Prints "ok host=HOST"; exit 1 on error.
//
// nic_floor create LXCPATH NAME PID veth BRIDGE NIC: the same, called as
// RootlessKit calls its lxc-user-nic binary (bench/engines.sh): the peer
// NIC goes into PID's network namespace, the host end is "uxcf<PID>", and
// the arguments are not checked beyond what the kernel does.
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace {

alignas(nlmsghdr) char g_buf[4096];
nlmsghdr* g_msg = reinterpret_cast<nlmsghdr*>(g_buf);

ifinfomsg* begin(uint16_t type, uint16_t flags) {
  std::memset(g_buf, 0, sizeof g_buf);
  g_msg->nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  g_msg->nlmsg_type = type;
  g_msg->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
  return static_cast<ifinfomsg*>(NLMSG_DATA(g_msg));
}

rtattr* put(uint16_t type, const void* data, size_t len) {
  auto* attr = reinterpret_cast<rtattr*>(g_buf + NLMSG_ALIGN(g_msg->nlmsg_len));
  attr->rta_type = type;
  attr->rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
  if (len > 0) std::memcpy(RTA_DATA(attr), data, len);
  g_msg->nlmsg_len = NLMSG_ALIGN(g_msg->nlmsg_len) + RTA_ALIGN(attr->rta_len);
  return attr;
}

void put_string(uint16_t type, const char* text) { put(type, text, std::strlen(text) + 1); }

void close_nest(rtattr* nest) {
  nest->rta_len = static_cast<uint16_t>(g_buf + g_msg->nlmsg_len - reinterpret_cast<char*>(nest));
}

// Sends the message; returns the kernel's error (0 on success) and, from
// an RTM_NEWLINK answer, the link's index and MTU.
int exchange(int fd, int* ifindex, uint32_t* mtu) {
  if (send(fd, g_buf, g_msg->nlmsg_len, 0) < 0) return -1;
  alignas(nlmsghdr) char answer[16384];
  for (;;) {
    const ssize_t n = recv(fd, answer, sizeof answer, 0);
    if (n <= 0) return -1;
    size_t left = static_cast<size_t>(n);
    for (auto* m = reinterpret_cast<nlmsghdr*>(answer); NLMSG_OK(m, left); m = NLMSG_NEXT(m, left)) {
      if (m->nlmsg_type == NLMSG_ERROR) return static_cast<const nlmsgerr*>(NLMSG_DATA(m))->error;
      if (m->nlmsg_type != RTM_NEWLINK) continue;
      const auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(m));
      if (ifindex != nullptr) *ifindex = ifi->ifi_index;
      size_t attrs = IFLA_PAYLOAD(m);
      for (auto* a = IFLA_RTA(ifi); RTA_OK(a, attrs); a = RTA_NEXT(a, attrs))
        if (a->rta_type == IFLA_MTU && mtu != nullptr) std::memcpy(mtu, RTA_DATA(a), sizeof *mtu);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Plain buffers: a std::string would link the shared C++ runtime and
  // add its loading (~0.8 ms, the Makefile's HELPER_STATIC) to the floor.
  char rootlesskit_host[32], netns_path[64];
  char* rootlesskit_args[4];
  if (argc == 8 && std::strcmp(argv[1], "create") == 0) {
    std::snprintf(netns_path, sizeof netns_path, "/proc/%s/ns/net", argv[4]);
    const int ns = open(netns_path, O_RDONLY);
    if (ns < 0 || dup2(ns, 3) != 3) return 1;
    std::snprintf(rootlesskit_host, sizeof rootlesskit_host, "uxcf%s", argv[4]);
    rootlesskit_args[0] = argv[0];
    rootlesskit_args[1] = rootlesskit_host;
    rootlesskit_args[2] = argv[7];
    rootlesskit_args[3] = argv[6];
    argv = rootlesskit_args;
    argc = 4;
  }
  if (argc != 4) {
    std::fprintf(stderr, "usage: nic_floor HOST PEER BRIDGE (target netns on fd 3)\n"
                         "       nic_floor create LXCPATH NAME PID veth BRIDGE NIC\n");
    return 1;
  }
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  int bridge = 0;
  uint32_t mtu = 1500;
  begin(RTM_GETLINK, 0);
  put_string(IFLA_IFNAME, argv[3]);
  if (fd < 0 || exchange(fd, &bridge, &mtu) != 0 || bridge <= 0) return 1;

  begin(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  put_string(IFLA_IFNAME, argv[1]);
  put(IFLA_MTU, &mtu, sizeof mtu);
  put(IFLA_MASTER, &bridge, sizeof bridge);
  rtattr* info = put(IFLA_LINKINFO, nullptr, 0);
  put_string(IFLA_INFO_KIND, "veth");
  rtattr* data = put(IFLA_INFO_DATA, nullptr, 0);
  rtattr* peer = put(VETH_INFO_PEER, nullptr, 0);
  g_msg->nlmsg_len += sizeof(ifinfomsg);  // the peer's (zeroed) ifinfomsg
  put_string(IFLA_IFNAME, argv[2]);
  put(IFLA_MTU, &mtu, sizeof mtu);
  const int target = 3;
  put(IFLA_NET_NS_FD, &target, sizeof target);
  close_nest(peer);
  close_nest(data);
  close_nest(info);
  if (exchange(fd, nullptr, nullptr) != 0) return 1;

  ifinfomsg* ifi = begin(RTM_NEWLINK, 0);
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  put_string(IFLA_IFNAME, argv[1]);
  put_string(IFLA_IFALIAS, "uxc-floor");
  if (exchange(fd, nullptr, nullptr) != 0) return 1;
  std::printf("ok host=%s\n", argv[1]);
  return 0;
}
