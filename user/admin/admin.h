// uxc-admin: the administrator's tool for hosts shared by many uxc users.
// Run by root, never setuid. The decisions live in policy/admin.h; this
// side reads the files, the account databases and the kernel's links, and
// writes the policy files so that a reader only ever sees the old or the
// new version of a file.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "paths.h"  // generated: UXC_SYSCONFDIR
#include "policy/admin.h"
#include "user/common/util.h"

namespace uxc::admin {

// Compiled in, never taken from argv or the environment.
constexpr char kSubuidPath[] = UXC_SYSCONFDIR "/subuid";
constexpr char kSubgidPath[] = UXC_SYSCONFDIR "/subgid";
constexpr char kUsernetDir[] = UXC_SYSCONFDIR "/uxc";
constexpr char kUsernetPath[] = UXC_SYSCONFDIR "/uxc/usernet";

int cmd_allocate(int argc, char** argv);
int cmd_allow(int argc, char** argv);
int cmd_compat(int argc, char** argv);
int cmd_lint(int argc, char** argv);
int cmd_usage(int argc, char** argv);

// ------------------------------------------------------------ arguments

struct Flag {
  const char* name;  // without "--"
  const char* value;  // nullptr: takes no value; else its name, for help
  const char* help;
};

struct CommandLine {
  std::vector<std::pair<std::string, std::string>> given;  // flag name, value
  std::vector<std::string> operands;
  bool has(std::string_view name) const;
  std::string get(std::string_view name) const;  // "" if absent
};

struct CommandHelp {
  const char* command;      // "allocate"
  const char* synopsis;     // "USER [--count N]"
  const char* description;  // paragraphs, '\n'-separated
  std::vector<Flag> flags;
};

// Parses argv (argv[0] is the command name): "--flag VALUE",
// "--flag=VALUE", "--" and operands. --help or -h prints the help and
// exits 0. Throws UsageError for anything else that is not in `help`.
CommandLine parse_command_line(int argc, char** argv, const CommandHelp& help);

// Strict decimal in [min, max], or a UsageError naming the flag.
uint64_t parse_number_flag(std::string_view flag, const std::string& text, uint64_t min,
                           uint64_t max);

// ------------------------------------------------------- system state

// Every account of the passwd and group databases (through NSS, as the
// helpers see them).
struct Accounts {
  std::vector<policy::Account> users;   // name, uid
  std::vector<policy::Account> groups;  // name, gid
  std::vector<uint32_t> uids;           // every uid in passwd
  std::vector<uint32_t> gids;           // every gid in group, and passwd's primary gids
};
Accounts read_accounts();

// The names of the groups `user` belongs to (getgrouplist), as uxc-nic
// decides them.
std::vector<std::string> groups_of(const std::string& user, gid_t primary_gid);

// Every link of this network namespace.
struct LinkInfo {
  std::string name;
  std::string kind;   // IFLA_INFO_KIND: "bridge", "veth", ... or ""
  std::string alias;  // IFLA_IFALIAS, "" when unset
};
std::vector<LinkInfo> read_links();
std::vector<policy::LinkState> link_states(const std::vector<LinkInfo>& links);

// ---------------------------------------------------------- policy files

struct PolicyFile {
  std::string path;
  bool exists = false;
  std::string text;
  uid_t owner = 0;
  gid_t group = 0;
  mode_t mode = 0644;  // permission bits a new file gets, or the file's
};

// A missing file reads as empty (exists false); anything else that
// fails throws.
PolicyFile read_policy_file(const std::string& path);

// Holds FILE.lock the way shadow's tools do (a link to a file holding
// the holder's pid), so that useradd, usermod and uxc-admin never edit
// subuid or subgid at the same time. A lock whose process is gone is
// removed.
class PolicyLock {
 public:
  explicit PolicyLock(const std::string& path);
  ~PolicyLock();
  PolicyLock(const PolicyLock&) = delete;
  PolicyLock& operator=(const PolicyLock&) = delete;

 private:
  std::string lock_path_;
};

// Replaces file.path with `text`, keeping file's owner, group and mode:
// a temporary file in the same directory is written and fsynced, renamed
// over the file, and the directory is fsynced. A reader sees the old or
// the new file, never a mix, whenever this process dies. Call with the
// file's PolicyLock held.
void replace_policy_file(const PolicyFile& file, std::string_view text);

}  // namespace uxc::admin
