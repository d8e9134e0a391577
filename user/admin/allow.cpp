// uxc-admin allow USER|@GROUP --link BRIDGE --nics N [--type veth]
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "policy/nic.h"
#include "policy/text.h"
#include "user/admin/admin.h"

namespace uxc::admin {

namespace {

const CommandHelp kHelp = {
    "allow",
    "USER|@GROUP --link BRIDGE --nics N [--type veth]",
    "Let USER, or every member of GROUP together, hold up to N veth nics on BRIDGE:\n"
    "writes the line \"OWNER veth BRIDGE N\" into " UXC_SYSCONFDIR "/uxc/usernet, in place of\n"
    "any line for the same owner, type and bridge, or at the end. N of 0 takes the\n"
    "allowance away. The file is replaced whole (temporary file, fsync, rename), so\n"
    "uxc-nic reads the old or the new policy, never a half-written one.",
    {{"link", "BRIDGE", "the bridge (must exist and be a bridge)"},
     {"nics", "N", "how many nics, 0 to 1000000"},
     {"type", "TYPE", "the nic type; only \"veth\" exists (the default)"}},
};

void ensure_usernet_dir() {
  if (mkdir(kUsernetDir, 0755) == 0 || errno == EEXIST) return;
  throw_errno("cannot create " + std::string(kUsernetDir));
}

}  // namespace

int cmd_allow(int argc, char** argv) {
  const CommandLine args = parse_command_line(argc, argv, kHelp);
  if (args.operands.size() != 1) throw UsageError("expected exactly one USER or @GROUP");
  if (!args.has("link")) throw UsageError("--link BRIDGE is required");
  if (!args.has("nics")) throw UsageError("--nics N is required");

  policy::UsernetLine line;
  std::string_view owner = args.operands[0];
  line.key.group = owner.starts_with('@');
  if (line.key.group) owner.remove_prefix(1);
  if (!policy::is_valid_account_name(owner))
    throw UsageError("\"" + args.operands[0] + "\" is not a user name or @group");
  line.key.owner = std::string(owner);
  line.key.type = args.has("type") ? args.get("type") : std::string(policy::kVethType);
  if (line.key.type != policy::kVethType)
    throw UsageError("--type must be veth (the only nic type uxc-nic creates)");
  line.key.link = args.get("link");
  if (!policy::is_valid_ifname(line.key.link))
    throw UsageError("\"" + line.key.link + "\" is not an interface name");
  line.count = static_cast<uint32_t>(
      parse_number_flag("nics", args.get("nics"), 0, policy::kMaxUsernetCount));

  if (line.key.group ? getgrnam(line.key.owner.c_str()) == nullptr
                     : getpwnam(line.key.owner.c_str()) == nullptr)
    throw Error(line.key.group ? "no group \"" + line.key.owner + "\" in the group database; create it first"
                               : "no user \"" + line.key.owner + "\" in the passwd database; create it first");
  const std::vector<LinkInfo> links = read_links();
  const auto link = std::find_if(links.begin(), links.end(),
                                 [&](const LinkInfo& l) { return l.name == line.key.link; });
  if (link == links.end())
    throw Error("no link \"" + line.key.link + "\" here; create the bridge first (ip link add " +
                line.key.link + " type bridge)");
  if (link->kind != "bridge")
    throw Error("\"" + line.key.link + "\" is not a bridge (its kind is \"" + link->kind +
                "\"); uxc-nic puts nics only on bridges");
  if (geteuid() != 0) throw Error("must run as root: it edits " + std::string(kUsernetPath));

  ensure_usernet_dir();
  const PolicyLock lock(kUsernetPath);
  const PolicyFile file = read_policy_file(kUsernetPath);
  std::string edited, err;
  if (!policy::set_usernet_line(file.text, line, &edited, &err))
    throw Error(std::string(kUsernetPath) + ": " + err);
  const std::string shown = policy::format_usernet_line(line);
  const std::string_view text = std::string_view(shown).substr(0, shown.size() - 1);
  if (file.exists && edited == file.text) {
    std::printf("%s: \"%.*s\" already in place; nothing changed\n", kUsernetPath,
                static_cast<int>(text.size()), text.data());
    return 0;
  }
  const policy::UsernetFile before = policy::parse_usernet_file(file.text);
  const auto old = std::find_if(before.lines.begin(), before.lines.end(),
                                [&](const policy::UsernetLine& l) { return l.key == line.key; });
  replace_policy_file(file, edited);
  if (old == before.lines.end())
    std::printf("%s: added \"%.*s\"\n", kUsernetPath, static_cast<int>(text.size()), text.data());
  else
    std::printf("%s: \"%.*s\" (was %u)\n", kUsernetPath, static_cast<int>(text.size()), text.data(),
                old->count);
  return 0;
}

}  // namespace uxc::admin
