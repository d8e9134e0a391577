// uxc-admin usage [USER]
#include <pwd.h>

#include <algorithm>
#include <cstdio>

#include "policy/nic.h"
#include "policy/text.h"
#include "user/admin/admin.h"

namespace uxc::admin {

namespace {

const CommandHelp kHelp = {
    "usage",
    "[USER]",
    "Show, for each line of " UXC_SYSCONFDIR "/uxc/usernet, how many nics exist on its bridge\n"
    "charged to it, against its allowance, and who holds them. The count comes\n"
    "from the kernel: the tag uxc-nic writes into each host end's interface alias\n"
    "(ip link show shows it as \"alias uxc:UID:OWNER:veth:BRIDGE\"), so a nic counts\n"
    "exactly as long as its container's network namespace lives. Nics charged to\n"
    "a line that is no longer in the file are listed too. With USER, only the\n"
    "lines that apply to USER (their own and their groups') and the lines USER\n"
    "holds nics under.",
    {},
};

std::string user_label(uint32_t uid) {
  if (const passwd* pw = getpwuid(uid)) return pw->pw_name;
  return std::to_string(uid);
}

}  // namespace

int cmd_usage(int argc, char** argv) {
  const CommandLine args = parse_command_line(argc, argv, kHelp);
  if (args.operands.size() > 1) throw UsageError("expected at most one USER");
  std::string user;
  uint32_t user_uid = 0;
  std::vector<std::string> user_groups;
  if (!args.operands.empty()) {
    user = args.operands[0];
    const passwd* pw = policy::is_valid_account_name(user) ? getpwnam(user.c_str()) : nullptr;
    if (pw == nullptr) throw Error("no user \"" + user + "\" in the passwd database");
    user_uid = pw->pw_uid;
    user_groups = groups_of(user, pw->pw_gid);
  }

  const PolicyFile file = read_policy_file(kUsernetPath);
  const policy::UsernetFile policy_lines = policy::parse_usernet_file(file.text);
  if (!policy_lines.ok())
    throw Error(std::string(kUsernetPath) + ": " + policy_lines.errors.front() +
                "; uxc-nic refuses every request until it is fixed (uxc-admin lint lists every problem)");

  std::vector<policy::HeldNic> held;
  size_t untagged = 0;
  std::vector<std::string> odd_tags;
  for (const LinkInfo& link : read_links()) {
    policy::HeldNic nic;
    if (policy::parse_nic_tag(link.alias, &nic))
      held.push_back(std::move(nic));
    else if (link.alias.empty() && policy::is_host_end_name(link.name))
      ++untagged;
    else if (link.alias.starts_with("uxc:"))
      odd_tags.push_back(link.name + " has the alias \"" + link.alias +
                         "\", which is not a uxc tag; it counts against no line");
  }
  const std::vector<policy::LineUsage> rows =
      policy::summarize_usage(policy_lines, held, user, user_uid, user_groups);

  struct Cells {
    std::string link, owner, type, used, allowed, holders, note;
  };
  std::vector<Cells> table{{"LINK", "OWNER", "TYPE", "USED", "ALLOWED", "HELD BY", ""}};
  for (const policy::LineUsage& row : rows) {
    Cells cells{row.key.link, (row.key.group ? "@" : "") + row.key.owner, row.key.type,
                std::to_string(row.used), row.in_policy ? std::to_string(row.allowed) : "-", "", ""};
    for (const auto& [uid, nics] : row.holders)
      cells.holders += (cells.holders.empty() ? "" : ", ") + user_label(uid) + ":" + std::to_string(nics);
    if (cells.holders.empty()) cells.holders = "-";
    if (!row.in_policy)
      cells.note = "no such line in the usernet file; these stay until their containers stop";
    else if (row.used > row.allowed)
      cells.note = "over the allowance (lowered since); no new nic until some stop";
    table.push_back(std::move(cells));
  }
  size_t w_link = 0, w_owner = 0, w_type = 0, w_used = 0, w_allowed = 0, w_holders = 0;
  for (const Cells& c : table) {
    w_link = std::max(w_link, c.link.size());
    w_owner = std::max(w_owner, c.owner.size());
    w_type = std::max(w_type, c.type.size());
    w_used = std::max(w_used, c.used.size());
    w_allowed = std::max(w_allowed, c.allowed.size());
    w_holders = std::max(w_holders, c.holders.size());
  }
  for (const Cells& c : table) {
    std::string line = c.link + std::string(w_link - c.link.size() + 2, ' ') + c.owner +
                       std::string(w_owner - c.owner.size() + 2, ' ') + c.type +
                       std::string(w_type - c.type.size() + 2, ' ') +
                       std::string(w_used - c.used.size(), ' ') + c.used + "  " +
                       std::string(w_allowed - c.allowed.size(), ' ') + c.allowed + "  " + c.holders;
    if (!c.note.empty()) line += std::string(w_holders - c.holders.size() + 2, ' ') + c.note;
    std::printf("%s\n", line.c_str());
  }
  if (rows.empty())
    std::printf("(no usernet line%s%s)\n", user.empty() ? "" : " applies to ", user.c_str());
  if (untagged > 0)
    std::printf("%zu host end%s without a tag (a uxc-nic died while creating %s; the next request removes %s)\n",
                untagged, untagged == 1 ? "" : "s", untagged == 1 ? "it" : "them",
                untagged == 1 ? "it" : "them");
  for (const std::string& note : odd_tags) std::printf("%s\n", note.c_str());
  return 0;
}

}  // namespace uxc::admin
