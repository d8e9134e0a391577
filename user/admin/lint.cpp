// uxc-admin lint
#include <sys/stat.h>

#include <cstdio>

#include "user/admin/admin.h"

namespace uxc::admin {

namespace {

const CommandHelp kHelp = {
    "lint",
    "",
    "Check " UXC_SYSCONFDIR "/subuid, " UXC_SYSCONFDIR "/subgid and " UXC_SYSCONFDIR
    "/uxc/usernet, and print one line per\n"
    "problem, FILE:LINE: what is wrong, and what to do. It looks for malformed\n"
    "lines (the helpers refuse a file with one), subordinate ranges of different\n"
    "users that overlap (each could own the other's container files), ranges that\n"
    "cover a real uid or gid, owners that do not exist, repeated usernet lines,\n"
    "usernet lines whose slot names hash like an earlier line's,\n"
    "bridges that do not exist or are not bridges, and files or directories that\n"
    "someone other than root could change. A missing file reads as empty.\n"
    "Exit status: 0 when nothing was found, 1 otherwise.",
    {},
};

struct Report {
  std::string path;
  std::vector<policy::Finding> findings;
};

void add_ownership(Report* report, bool is_directory, uid_t owner, mode_t mode) {
  for (policy::Finding& finding : policy::lint_ownership(is_directory, owner, mode))
    report->findings.push_back(std::move(finding));
}

}  // namespace

int cmd_lint(int argc, char** argv) {
  const CommandLine args = parse_command_line(argc, argv, kHelp);
  if (!args.operands.empty()) throw UsageError("takes no operands");
  const Accounts accounts = read_accounts();
  const std::vector<policy::LinkState> links = link_states(read_links());

  std::vector<Report> reports;
  for (const char* dir : {UXC_SYSCONFDIR, kUsernetDir}) {
    struct stat st;
    if (stat(dir, &st) != 0) continue;  // no usernet directory: no usernet file
    Report report{dir, {}};
    add_ownership(&report, true, st.st_uid, st.st_mode & 07777);
    reports.push_back(std::move(report));
  }
  for (const auto& [path, is_gid] : {std::pair{kSubuidPath, false}, std::pair{kSubgidPath, true}}) {
    const PolicyFile file = read_policy_file(path);
    Report report{path, policy::lint_subid(file.text, is_gid, accounts.users,
                                           is_gid ? accounts.groups : accounts.users)};
    if (file.exists) add_ownership(&report, false, file.owner, file.mode);
    reports.push_back(std::move(report));
  }
  const PolicyFile usernet = read_policy_file(kUsernetPath);
  Report report{kUsernetPath, policy::lint_usernet(usernet.text, accounts.users, accounts.groups, links)};
  if (usernet.exists) add_ownership(&report, false, usernet.owner, usernet.mode);
  reports.push_back(std::move(report));

  size_t total = 0;
  for (const Report& r : reports) {
    for (const policy::Finding& finding : r.findings) {
      if (finding.line == 0)
        std::printf("%s: %s\n", r.path.c_str(), finding.message.c_str());
      else
        std::printf("%s:%zu: %s\n", r.path.c_str(), finding.line, finding.message.c_str());
      ++total;
    }
  }
  if (total == 0) {
    std::printf("uxc-admin lint: no problems in %s, %s, %s\n", kSubuidPath, kSubgidPath, kUsernetPath);
    return 0;
  }
  std::fflush(stdout);
  std::fprintf(stderr, "uxc-admin lint: %zu problem%s found\n", total, total == 1 ? "" : "s");
  return 1;
}

}  // namespace uxc::admin
