// What uxc-admin reads from the system: accounts and links.
#include <grp.h>
#include <pwd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include <algorithm>
#include <memory>

#include "user/admin/admin.h"

namespace uxc::admin {

Accounts read_accounts() {
  Accounts accounts;
  setpwent();
  while (const passwd* pw = getpwent()) {
    accounts.users.push_back(policy::Account{pw->pw_name, pw->pw_uid});
    accounts.uids.push_back(pw->pw_uid);
    accounts.gids.push_back(pw->pw_gid);
  }
  endpwent();
  setgrent();
  while (const group* gr = getgrent()) {
    accounts.groups.push_back(policy::Account{gr->gr_name, gr->gr_gid});
    accounts.gids.push_back(gr->gr_gid);
  }
  endgrent();
  for (auto* ids : {&accounts.uids, &accounts.gids}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  }
  return accounts;
}

std::vector<std::string> groups_of(const std::string& user, gid_t primary_gid) {
  int count = 64;
  std::vector<gid_t> gids;
  for (;;) {
    gids.resize(static_cast<size_t>(count));
    const int wanted = count;
    if (getgrouplist(user.c_str(), primary_gid, gids.data(), &count) >= 0) break;
    if (count <= wanted) count = wanted * 2;  // glibc sets it; be safe if not
  }
  gids.resize(static_cast<size_t>(count));
  std::vector<std::string> names;
  for (gid_t gid : gids)
    if (const group* gr = getgrgid(gid)) names.emplace_back(gr->gr_name);
  return names;
}

std::vector<LinkInfo> read_links() {
  // libnl's constructors read NLDBG and NLCB from the environment; keep
  // debugging output off whatever they found.
  nl_debug = 0;
  std::unique_ptr<nl_sock, decltype(&nl_socket_free)> sock(nl_socket_alloc(), nl_socket_free);
  if (!sock || nl_connect(sock.get(), NETLINK_ROUTE) < 0)
    throw Error("cannot open a netlink socket to list network links");
  nl_cache* raw = nullptr;
  const int rc = rtnl_link_alloc_cache(sock.get(), AF_UNSPEC, &raw);
  if (rc < 0) throw Error(std::string("cannot list network links: ") + nl_geterror(rc));
  std::unique_ptr<nl_cache, decltype(&nl_cache_free)> cache(raw, nl_cache_free);
  std::vector<LinkInfo> links;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr;
       obj = nl_cache_get_next(obj)) {
    auto* link = reinterpret_cast<rtnl_link*>(obj);
    LinkInfo info;
    if (const char* name = rtnl_link_get_name(link)) info.name = name;
    if (const char* kind = rtnl_link_get_type(link)) info.kind = kind;
    if (const char* alias = rtnl_link_get_ifalias(link)) info.alias = alias;
    links.push_back(std::move(info));
  }
  return links;
}

std::vector<policy::LinkState> link_states(const std::vector<LinkInfo>& links) {
  std::vector<policy::LinkState> states;
  for (const LinkInfo& link : links) states.push_back(policy::LinkState{link.name, link.kind == "bridge"});
  return states;
}

}  // namespace uxc::admin
