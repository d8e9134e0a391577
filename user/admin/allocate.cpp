// uxc-admin allocate USER [--count N]
#include <pwd.h>
#include <unistd.h>

#include <cstdio>

#include "policy/text.h"
#include "user/admin/admin.h"

namespace uxc::admin {

namespace {

const CommandHelp kHelp = {
    "allocate",
    "USER [--count N]",
    "Give USER a range of N subordinate uids in " UXC_SYSCONFDIR "/subuid and of N gids in\n"
    UXC_SYSCONFDIR "/subgid. A new range overlaps no other user's range and no uid or gid\n"
    "of the passwd and group databases, and starts at 100000 or above; the lowest\n"
    "free range is taken, at the same start in both files where one is free in both.\n"
    "A user who already holds a range of at least N ids in a file is left alone in\n"
    "that file, so running it again changes nothing. Each file is replaced whole,\n"
    "under shadow's lock (FILE.lock), never left half-written.",
    {{"count", "N", "how many ids (default 65536)"}},
};

std::string describe(policy::IdRange range) {
  return std::to_string(range.first) + "-" + std::to_string(range.end - 1) + " (" +
         std::to_string(range.end - range.first) + " ids)";
}

}  // namespace

int cmd_allocate(int argc, char** argv) {
  const CommandLine args = parse_command_line(argc, argv, kHelp);
  if (args.operands.size() != 1) throw UsageError("expected exactly one USER");
  const std::string& user = args.operands[0];
  const uint64_t count = args.has("count")
                             ? parse_number_flag("count", args.get("count"), 1,
                                                 policy::kSubidCeiling - policy::kSubidFloor)
                             : policy::kDefaultSubidCount;
  if (!policy::is_valid_account_name(user)) throw UsageError("\"" + user + "\" is not a user name");
  const passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) throw Error("no user \"" + user + "\" in the passwd database; create the user first");
  const uint32_t uid = pw->pw_uid;
  if (geteuid() != 0) throw Error("must run as root: it edits " + std::string(kSubuidPath) + " and " + kSubgidPath);

  const Accounts accounts = read_accounts();
  // Lock order: subuid, then subgid (as shadow's tools).
  const PolicyLock uid_lock(kSubuidPath);
  const PolicyLock gid_lock(kSubgidPath);
  const PolicyFile subuid = read_policy_file(kSubuidPath);
  const PolicyFile subgid = read_policy_file(kSubgidPath);

  policy::AllocationRequest request;
  request.user = user;
  request.uid = uid;
  request.count = count;
  request.subuid_name = kSubuidPath;
  request.subgid_name = kSubgidPath;
  request.subuid_text = subuid.text;
  request.subgid_text = subgid.text;
  request.real_uids = accounts.uids;
  request.real_gids = accounts.gids;
  policy::AllocationPlan plan;
  std::string err;
  if (!policy::plan_allocation(request, &plan, &err)) throw Error(err);

  // subuid first: if this dies in between, running it again adds only
  // the missing subgid range.
  struct Step {
    const PolicyFile* file;
    const policy::FileAllocation* alloc;
    const char* kind;
  };
  for (const Step& step : {Step{&subuid, &plan.subuid, "uids"}, Step{&subgid, &plan.subgid, "gids"}}) {
    const PolicyFile* file = step.file;
    const policy::FileAllocation* alloc = step.alloc;
    const char* kind = step.kind;
    if (!alloc->add) {
      std::printf("%s already holds %s %s in %s; left alone\n", user.c_str(), kind,
                  describe(alloc->range).c_str(), file->path.c_str());
      continue;
    }
    replace_policy_file(*file, policy::append_line(file->text,
                                                   policy::format_subid_line(user, alloc->range)));
    std::printf("%s: added %s %s to %s\n", user.c_str(), kind, describe(alloc->range).c_str(),
                file->path.c_str());
  }
  return 0;
}

}  // namespace uxc::admin
