// uxc-admin: set up and check uxc's policy files on a shared host.
// Run by root; not setuid.
#include <string>

#include "user/admin/admin.h"
#include "user/common/util.h"

int main(int argc, char** argv) {
  using namespace uxc::admin;
  return uxc::run_subcommand(
      "uxc-admin",
      std::string("Manage uxc's policy files (") + kSubuidPath + ", " + kSubgidPath + ", " + kUsernetPath +
          ") on a host shared by many users.",
      {
          {"allocate", cmd_allocate, "give a user subordinate uid and gid ranges"},
          {"allow", cmd_allow, "let a user or @group put N nics on a bridge"},
          {"compat", cmd_compat, "install or remove newuidmap, newgidmap, lxc-user-nic for engines"},
          {"lint", cmd_lint, "check subuid, subgid and usernet for problems"},
          {"usage", cmd_usage, "show the nics each user holds against the allowance"},
      },
      argc, argv);
}
