#include "user/host/helpers.h"

#include <fcntl.h>
#include <spawn.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "paths.h"  // generated: UXC_SYSCONFDIR, UXC_LIBEXECDIR
#include "policy/protocol.h"
#include "policy/subid.h"
#include "policy/usernet.h"
#include "user/common/log.h"
#include "user/common/util.h"

namespace uxc {

namespace {

using policy::IdExtent;
using policy::IdKind;
using policy::IdmapRequest;

struct HelperResult {
  protocol::Response response;
  std::string diagnostics;  // the helper's stderr
};

HelperRun start_helper(const std::string& name, const std::string& request, int target_fd) {
  const std::string path = helper_path(name);
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    throw Error(name + " is not installed at " + path +
                ": ask your administrator to install uxc (make install, as root)");
  if (st.st_uid != 0 || (st.st_mode & S_ISUID) == 0)
    throw Error(name + " at " + path + " is not setuid root: ask your administrator to run 'chown root " +
                path + " && chmod 4755 " + path + "'");

  auto [req_read, req_write] = make_pipe();
  auto [resp_read, resp_write] = make_pipe();
  auto [diag_read, diag_write] = make_pipe();
  // The helper's fds: 0 request, 1 response, 2 diagnostics, 3 target,
  // nothing else. The sources go above 3 first, so that no dup2 clobbers
  // one. posix_spawn shares this process's memory until the exec instead
  // of copying its page tables, which a fork would do for each helper.
  const Fd in(fcntl(req_read.get(), F_DUPFD_CLOEXEC, 4)), out(fcntl(resp_write.get(), F_DUPFD_CLOEXEC, 4)),
      err(fcntl(diag_write.get(), F_DUPFD_CLOEXEC, 4)), target(fcntl(target_fd, F_DUPFD_CLOEXEC, 4));
  if (!in.valid() || !out.valid() || !err.valid() || !target.valid()) throw_errno("cannot pass fds to " + name);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  Defer destroy([&] { posix_spawn_file_actions_destroy(&actions); });
  if (posix_spawn_file_actions_adddup2(&actions, in.get(), 0) != 0 ||
      posix_spawn_file_actions_adddup2(&actions, out.get(), 1) != 0 ||
      posix_spawn_file_actions_adddup2(&actions, err.get(), 2) != 0 ||
      posix_spawn_file_actions_adddup2(&actions, target.get(), 3) != 0 ||
      posix_spawn_file_actions_addclosefrom_np(&actions, 4) != 0)
    throw Error("cannot set up the run of " + name);
  char* const argv[] = {const_cast<char*>(name.c_str()), nullptr};
  char* const envp[] = {nullptr};
  pid_t pid = -1;
  if (const int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, envp); rc != 0) {
    errno = rc;
    throw_errno("cannot run " + path);
  }
  req_read.reset();
  resp_write.reset();
  diag_write.reset();
  HelperRun run;
  run.name = name;
  run.pid = pid;
  // A request fits in the pipe (protocol::kMaxRequestBytes), so this never
  // waits for the helper. One that exits early closes its end; the answer
  // says why.
  run.sent = write_all(req_write.get(), request);
  {
    std::string shown = request;
    while (!shown.empty() && shown.back() == '\n') shown.pop_back();
    for (char& c : shown)
      if (c == '\n') c = '|';
    log_debug(name + " (pid " + std::to_string(pid) + ") request: " + shown);
  }
  run.answer = std::move(resp_read);
  run.diagnostics = std::move(diag_read);
  return run;
}

HelperResult finish_helper(HelperRun& run) {
  HelperResult result;
  std::string answer;
  (void)read_all(run.answer.get(), &answer, protocol::kMaxResponseBytes);
  (void)read_all(run.diagnostics.get(), &result.diagnostics, 4096);
  run.answer.reset();
  run.diagnostics.reset();
  int status = 0;
  while (waitpid(run.pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.pid = -1;
  const std::string& name = run.name;
  while (!result.diagnostics.empty() && result.diagnostics.back() == '\n') result.diagnostics.pop_back();
  log_debug(name + " answer: " + answer.substr(0, answer.find('\n')) + ", exit status " +
            std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) +
            (result.diagnostics.empty() ? "" : ", stderr: " + result.diagnostics));
  std::string err;
  if (!protocol::decode_response(answer, &result.response, &err)) {
    std::string why = name + " gave no answer";
    if (!run.sent) why += " (it did not read the request)";
    if (!result.diagnostics.empty()) why += ": " + result.diagnostics;
    else if (WIFEXITED(status)) why += " (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
    throw Error(why);
  }
  if (result.response.ok != (WIFEXITED(status) && WEXITSTATUS(status) == 0))
    throw Error(name + " answered '" + answer.substr(0, answer.find('\n')) + "' but exited with status " +
                std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
  return result;
}

std::vector<policy::IdRange> subordinate(const std::string& file, const User& user) {
  std::string text;
  if (!read_file(file, &text)) return {};
  const policy::SubidFile parsed = policy::parse_subid_file(text);
  if (!parsed.ok())
    throw Error(file + ": " + parsed.errors.front() + ": ask your administrator to fix the file");
  return policy::subordinate_ranges(parsed.entries, user.name, user.uid);
}

std::string subid_hint(const std::string& file, const User& user) {
  return "ask your administrator to add a line like '" + user.name + ":100000:65536' to " + file;
}

std::string range_text(uint64_t first, uint64_t count) {
  return std::to_string(first) + "-" + std::to_string(first + count - 1);
}

bool within(const std::vector<policy::IdRange>& ranges, uint64_t first, uint64_t count, uint32_t own) {
  if (count == 1 && first == own) return true;
  for (const auto& r : ranges)
    if (first >= r.first && first + count <= r.end) return true;
  return false;
}

// A config line of lxc.idmap that maps ids the user does not have: its
// file, line and spelling, what it asks, what the user has, and the
// lines to write instead.
void check_idmap_lines(const policy::Config& config, const User& user) {
  const std::string subuid_file = std::string(UXC_SYSCONFDIR) + "/subuid";
  const std::string subgid_file = std::string(UXC_SYSCONFDIR) + "/subgid";
  const auto uids = subordinate(subuid_file, user), gids = subordinate(subgid_file, user);
  for (const policy::IdmapLine& m : config.idmap) {
    for (const bool uid : {true, false}) {
      if ((uid && m.kind == 'g') || (!uid && m.kind == 'u')) continue;
      const auto& ranges = uid ? uids : gids;
      if (ranges.empty() || within(ranges, m.outside, m.count, uid ? user.uid : user.gid)) continue;
      std::vector<std::string> have;
      for (const auto& r : ranges) have.push_back(range_text(r.first, r.end - r.first));
      const std::string finding = m.file + ":" + std::to_string(m.line) + ": " + m.key + " = " + m.text + ": " +
                                  (uid ? "uids " : "gids ") + range_text(m.outside, m.count) + " are not yours: " +
                                  (uid ? subuid_file : subgid_file) + " gives " + user.name + " " + join(have, ", ");
      const auto lines = idmap_lines_for(user, m.key);
      const bool a_default = m.file.size() >= 13 && m.file.compare(m.file.size() - 13, 13, "/default.conf") == 0;
      throw IdmapLineError(finding + "; write these lines instead" +
                               (a_default ? " (uxc check --fix writes them into your default.conf)" : "") + ":\n  " +
                               join(lines, "\n  "),
                           m.file, m.line, finding, lines);
    }
  }
}

// Refuses early, naming the file, when the maps are not the user's.
void check_maps(const IdmapRequest& request, const User& user) {
  const std::string subuid_file = std::string(UXC_SYSCONFDIR) + "/subuid";
  const std::string subgid_file = std::string(UXC_SYSCONFDIR) + "/subgid";
  for (IdKind kind : {IdKind::kUid, IdKind::kGid}) {
    const bool uid = kind == IdKind::kUid;
    const auto& map = uid ? request.uid_map : request.gid_map;
    const std::string& file = uid ? subuid_file : subgid_file;
    const auto ranges = subordinate(file, user);
    const auto decision = policy::authorise_map(kind, map, ranges, uid ? user.uid : user.gid);
    if (decision.verdict == policy::MapVerdict::kAllow) continue;
    if (ranges.empty())
      throw Error("no subordinate " + std::string(uid ? "uids" : "gids") + " for " + user.name + " in " + file +
                  ": " + subid_hint(file, user));
    throw Error("lxc.idmap: " + decision.reason + " (" + user.name + "'s ranges are in " + file +
                "; these lines use them:\n  " + join(idmap_lines_for(user, "lxc.idmap"), "\n  ") + ")");
  }
}

}  // namespace

std::vector<std::string> idmap_lines_for(const User& user, const std::string& key) {
  std::vector<std::string> lines;
  for (const bool uid : {true, false}) {
    const std::string file = std::string(UXC_SYSCONFDIR) + (uid ? "/subuid" : "/subgid");
    const auto ranges = subordinate(file, user);
    if (ranges.empty())
      throw Error("no subordinate " + std::string(uid ? "uids" : "gids") + " for " + user.name + " in " + file + ": " +
                  subid_hint(file, user));
    const uint64_t count = std::min<uint64_t>(ranges.front().end - ranges.front().first, 65536);
    lines.push_back(key + " = " + (uid ? "u" : "g") + " 0 " + std::to_string(ranges.front().first) + " " +
                    std::to_string(count));
  }
  return lines;
}

std::string helper_path(const std::string& name) {
  const char* dir = getenv("UXC_HELPER_DIR");
  return std::string(dir != nullptr && dir[0] == '/' ? dir : UXC_LIBEXECDIR) + "/" + name;
}

IdmapRequest container_idmap(const policy::Config& config, const User& user) {
  IdmapRequest request;
  check_idmap_lines(config, user);
  if (!config.idmap.empty()) {
    for (const auto& m : config.idmap) {
      const IdExtent e{m.inside, m.outside, m.count};
      if (m.kind != 'g') request.uid_map.push_back(e);
      if (m.kind != 'u') request.gid_map.push_back(e);
    }
    if (request.uid_map.empty() || request.gid_map.empty())
      throw Error("lxc.idmap maps only " + std::string(request.uid_map.empty() ? "gids" : "uids") +
                  ": add a '" + (request.uid_map.empty() ? "u" : "g") + " 0 START COUNT' line");
  } else {
    const std::string files[2] = {std::string(UXC_SYSCONFDIR) + "/subuid",
                                  std::string(UXC_SYSCONFDIR) + "/subgid"};
    for (int i = 0; i < 2; ++i) {
      const auto ranges = subordinate(files[i], user);
      if (ranges.empty())
        throw Error("no subordinate " + std::string(i == 0 ? "uids" : "gids") + " for " + user.name + " in " +
                    files[i] + ": " + subid_hint(files[i], user));
      const uint64_t count = std::min<uint64_t>(ranges.front().end - ranges.front().first, 65536);
      (i == 0 ? request.uid_map : request.gid_map)
          .push_back({0, static_cast<uint32_t>(ranges.front().first), static_cast<uint32_t>(count)});
    }
  }
  check_maps(request, user);
  return request;
}

IdmapRequest file_work_idmap(const policy::Config& config, const User& user) {
  IdmapRequest request = container_idmap(config, user);
  auto add_own = [](std::vector<IdExtent>* map, uint32_t own) {
    uint64_t top = 0;
    for (const auto& e : *map) top = std::max<uint64_t>(top, uint64_t{e.inside} + e.count);
    map->push_back({static_cast<uint32_t>(top), own, 1});
  };
  add_own(&request.uid_map, user.uid);
  add_own(&request.gid_map, user.gid);
  // The own gid is mapped: the namespace must not be able to drop it.
  request.setgroups_deny = true;
  return request;
}

HelperRun start_map_user_namespace(pid_t pid, const IdmapRequest& request) {
  const std::string proc = "/proc/" + std::to_string(pid);
  Fd target(open(proc.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!target.valid()) throw_errno("cannot open " + proc);
  std::string text;
  if (!policy::encode_idmap_request(request, &text)) throw Error("internal error: cannot encode the id map request");
  return start_helper("uxc-idmap", text, target.get());
}

void finish_map_user_namespace(HelperRun& run) {
  const HelperResult r = finish_helper(run);
  if (!r.response.ok)
    throw Error("uxc-idmap refused the id map (" + std::string(protocol::error_code_name(r.response.code)) +
                "): " + r.response.message);
}

void map_user_namespace(pid_t pid, const IdmapRequest& request) {
  HelperRun run = start_map_user_namespace(pid, request);
  finish_map_user_namespace(run);
}

HelperRun start_create_veth(pid_t pid, const policy::Nic& nic, const std::string& peer_name) {
  const std::string ns = "/proc/" + std::to_string(pid) + "/ns/net";
  Fd target(open(ns.c_str(), O_RDONLY | O_CLOEXEC));
  if (!target.valid()) throw_errno("cannot open " + ns);
  policy::NicRequest req;
  req.op = policy::NicOp::kCreate;
  req.type = "veth";
  req.link = nic.link;
  req.name = peer_name;
  if (!nic.hwaddr.empty()) {
    if (!policy::parse_mac(nic.hwaddr, &req.hwaddr))
      throw Error("lxc.net." + std::to_string(nic.index) + ".hwaddr " + nic.hwaddr +
                  " still holds template digits: recreate the container or write a full address");
    req.has_hwaddr = true;
  }
  std::string text;
  if (!policy::encode_nic_request(req, &text)) throw Error("internal error: cannot encode the nic request");
  return start_helper("uxc-nic", text, target.get());
}

namespace {

// The key as the nic's file spells it.
std::string nic_key(const policy::Nic& nic, const char* field) {
  return (nic.legacy ? std::string("lxc.network.") : "lxc.net." + std::to_string(nic.index) + ".") + field;
}

bool is_up_bridge(const std::string& link) { return is_directory("/sys/class/net/" + link + "/bridge"); }

}  // namespace

std::vector<policy::AllowedLink> usable_bridge_list(const User& user) {
  std::vector<policy::AllowedLink> out;
  std::string text;
  if (!read_file(std::string(UXC_SYSCONFDIR) + "/uxc/usernet", &text, policy::kMaxUsernetFileBytes + 1)) return out;
  const policy::UsernetFile file = policy::parse_usernet_file(text);
  for (const auto& l : policy::allowed_links(file, user.name, user_group_names(user), "veth"))
    if (l.count > 0 && is_up_bridge(l.link)) out.push_back(l);
  return out;
}

namespace {

// The bridges of the usernet file that exist here and give the user at
// least one veth: "lxcbr0 (10 veths), br1 (1 veth)"; "" for none.
std::string usable_bridges(const User& user) {
  std::vector<std::string> items;
  for (const auto& l : usable_bridge_list(user))
    items.push_back(l.link + " (" + std::to_string(l.count) + (l.count == 1 ? " veth)" : " veths)"));
  return join(items, ", ");
}

// What to do about a link the user may not or cannot use.
std::string link_advice(const policy::Nic& nic, const User& user) {
  const std::string usernet = std::string(UXC_SYSCONFDIR) + "/uxc/usernet";
  const std::string bridges = usable_bridges(user);
  if (bridges.empty())
    return usernet + " gives you no bridge on this host: ask your administrator for a line like '" + user.name +
           " veth lxcbr0 10' (and the bridge)";
  return "the bridges you may use (" + usernet + "): " + bridges + ": set " + nic_key(nic, "link") + " to one of them";
}

}  // namespace

void check_veth_links(const policy::Config& config, const std::string& file, const User& user) {
  for (const auto& nic : config.nics) {
    if (nic.type != "veth") continue;
    const std::string where = (nic.file.empty() ? file : nic.file) + ":" + std::to_string(nic.line) + ": " +
                              nic_key(nic, "link") + " = " + nic.link + ": ";
    const std::string sys = "/sys/class/net/" + nic.link;
    if (!is_directory(sys))
      throw Error(where + "there is no network interface " + nic.link + " on this host; " + link_advice(nic, user));
    if (!is_directory(sys + "/bridge"))
      throw Error(where + nic.link + " is not a bridge; " + link_advice(nic, user));
  }
}

policy::NicAnswer finish_create_veth(HelperRun& run, const policy::Nic& nic, const User& user) {
  const HelperResult r = finish_helper(run);
  const std::string usernet = std::string(UXC_SYSCONFDIR) + "/uxc/usernet";
  if (!r.response.ok) {
    const std::string msg = r.response.message;
    switch (r.response.code) {
      case protocol::ErrorCode::kDenied:
      {
        const std::string ask = "ask your administrator to add '" + user.name + " veth " + nic.link + " 10' to " + usernet;
        const std::string bridges = usable_bridges(user);
        if (bridges.empty()) throw Error("no usernet line lets " + user.name + " put a veth on " + nic.link + " (" + msg + "): " + ask);
        throw Error("no usernet line lets " + user.name + " put a veth on " + nic.link + " (" + msg +
                    "); the bridges you may use: " + bridges + ": set " + nic_key(nic, "link") + " to one of them, or " + ask);
      }
      case protocol::ErrorCode::kQuota:
        throw Error("your veth quota on " + nic.link + " is used up (" + msg +
                    "): stop another container or ask your administrator to raise it in " + usernet);
      case protocol::ErrorCode::kLink:
        throw Error("cannot create a veth on " + nic.link + " (" + msg +
                    "): check that the bridge exists (ip link show " + nic.link + ") or change lxc.net." +
                    std::to_string(nic.index) + ".link");
      default:
        throw Error("uxc-nic failed (" + std::string(protocol::error_code_name(r.response.code)) + "): " + msg);
    }
  }
  policy::NicAnswer answer;
  if (!policy::parse_nic_answer(r.response.words, &answer))
    throw Error("uxc-nic gave an answer uxc cannot read: ok " + join(r.response.words, " "));
  return answer;
}

policy::NicAnswer create_veth(pid_t pid, const policy::Nic& nic, const std::string& peer_name,
                              const User& user) {
  HelperRun run = start_create_veth(pid, nic, peer_name);
  return finish_create_veth(run, nic, user);
}

HelperRun::~HelperRun() {
  if (pid <= 0) return;
  answer.reset();  // a helper still writing gets EPIPE, not a reader that never comes
  diagnostics.reset();
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace uxc
