#include "net-helper/netlink.h"

#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include <cstring>

namespace uxc::nic {

namespace {

template <typename T>
using Owned = std::unique_ptr<T, void (*)(T*)>;  // a libnl object and its free or put

std::string string_attr(const nlattr* attr) {
  if (attr == nullptr || nla_len(attr) < 1) return {};
  const char* data = static_cast<const char*>(nla_data(attr));
  return std::string(data, strnlen(data, static_cast<size_t>(nla_len(attr))));
}

// One RTM_NEWLINK message into a Link; anything else is skipped.
int on_link(nl_msg* msg, void* arg) {
  nlmsghdr* hdr = nlmsg_hdr(msg);
  nlattr* tb[IFLA_MAX + 1];
  nlattr* info[IFLA_INFO_MAX + 1];
  if (hdr->nlmsg_type != RTM_NEWLINK ||
      nlmsg_parse(hdr, sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0)
    return NL_SKIP;
  Link link;
  const auto* ifi = static_cast<const ifinfomsg*>(nlmsg_data(hdr));
  link.ifindex = static_cast<uint32_t>(ifi->ifi_index);
  link.name = string_attr(tb[IFLA_IFNAME]);
  link.alias = string_attr(tb[IFLA_IFALIAS]);
  if (tb[IFLA_MTU]) link.mtu = nla_get_u32(tb[IFLA_MTU]);
  if (tb[IFLA_LINK]) link.peer_ifindex = nla_get_u32(tb[IFLA_LINK]);
  if (tb[IFLA_MASTER]) link.master = nla_get_u32(tb[IFLA_MASTER]);
  link.up = (ifi->ifi_flags & IFF_UP) != 0;
  if (tb[IFLA_LINKINFO] &&
      nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], nullptr) == 0)
    link.kind = string_attr(info[IFLA_INFO_KIND]);
  static_cast<std::vector<Link>*>(arg)->push_back(std::move(link));
  return NL_OK;
}

bool set_mac(rtnl_link* link, const policy::Mac& mac) {
  const Owned<nl_addr> addr(nl_addr_build(AF_LLC, mac.data(), mac.size()), nl_addr_put);
  if (addr) rtnl_link_set_addr(link, addr.get());  // takes its own reference
  return addr != nullptr;
}

}  // namespace

Socket open_netlink() {
  // libnl's constructors read NLDBG and NLCB from the caller's environment
  // before main() runs: switch debugging off and use plain callbacks.
  nl_debug = 0;
  const Owned<nl_cb> cb(nl_cb_alloc(NL_CB_DEFAULT), nl_cb_put);
  Socket sock(cb ? nl_socket_alloc_cb(cb.get()) : nullptr, nl_socket_free);
  if (sock && nl_connect(sock.get(), NETLINK_ROUTE) < 0) sock.reset();
  return sock;
}

// One RTM_GETLINK for one name, without statistics (the helper never reads
// them). libnl asks for an acknowledgement of every request; a single
// answer is followed by one, which must be read before the next exchange.
bool get_link(nl_sock* sock, const std::string& name, Link* out) {
  std::vector<Link> links;
  const Owned<nl_msg> msg(nlmsg_alloc_simple(RTM_GETLINK, 0), nlmsg_free);
  const Owned<nl_cb> cb(nl_cb_alloc(NL_CB_DEFAULT), nl_cb_put);
  ifinfomsg ifi{};  // ifi_family AF_UNSPEC (0)
  if (!msg || !cb || nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
      nla_put_u32(msg.get(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0 ||
      nla_put_string(msg.get(), IFLA_IFNAME, name.c_str()) < 0 ||
      nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_link, &links) < 0 ||
      nl_send_auto(sock, msg.get()) < 0 || nl_recvmsgs(sock, cb.get()) < 0 ||
      nl_wait_for_ack(sock) < 0 || links.size() != 1 || links[0].name != name)
    return false;
  *out = std::move(links[0]);
  return true;
}

int create_veth(nl_sock* sock, const VethSpec& spec) {
  const Owned<rtnl_link> host(rtnl_link_veth_alloc(), rtnl_link_veth_release);
  // get_peer takes a reference of its own, which veth_release does not drop.
  const Owned<rtnl_link> peer_ref(host ? rtnl_link_veth_get_peer(host.get()) : nullptr,
                                 rtnl_link_put);
  rtnl_link* peer = peer_ref.get();
  if (peer == nullptr || !set_mac(host.get(), spec.host_mac) ||
      (spec.has_peer_mac && !set_mac(peer, spec.peer_mac)))
    return -NLE_NOMEM;
  rtnl_link_set_name(host.get(), spec.host_name.c_str());
  rtnl_link_set_mtu(host.get(), spec.mtu);
  rtnl_link_set_master(host.get(), static_cast<int>(spec.master));
  rtnl_link_set_name(peer, spec.peer_name.c_str());
  rtnl_link_set_mtu(peer, spec.mtu);
  rtnl_link_set_ns_fd(peer, spec.peer_netns_fd);
  return rtnl_link_add(sock, host.get(), NLM_F_CREATE | NLM_F_EXCL);
}

bool tag_and_up(nl_sock* sock, uint32_t ifindex, const std::string& alias) {
  const Owned<rtnl_link> orig(rtnl_link_alloc(), rtnl_link_put);
  const Owned<rtnl_link> change(rtnl_link_alloc(), rtnl_link_put);
  if (!orig || !change) return false;
  rtnl_link_set_ifindex(orig.get(), static_cast<int>(ifindex));
  rtnl_link_set_ifalias(change.get(), alias.c_str());
  rtnl_link_set_flags(change.get(), IFF_UP);
  return rtnl_link_change(sock, orig.get(), change.get(), 0) == 0;
}

bool remove_link(nl_sock* sock, uint32_t ifindex) {
  const Owned<rtnl_link> link(rtnl_link_alloc(), rtnl_link_put);
  if (link) rtnl_link_set_ifindex(link.get(), static_cast<int>(ifindex));
  return link && rtnl_link_delete(sock, link.get()) == 0;
}

}  // namespace uxc::nic
