#include "user/host/cgroup_control.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "policy/text.h"
#include "user/common/util.h"
#include "user/host/cgroup.h"

namespace uxc {

namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

bool read_small(const std::string& path, std::string* out) { return read_file(path, out, 1 << 20); }

// "frozen 1" of cgroup.events.
bool events_frozen(const std::string& dir) {
  std::string text;
  if (!read_small(dir + "/cgroup.events", &text)) return false;
  std::vector<policy::Line> lines;
  std::string err;
  if (!policy::split_lines(text, 256, &lines, &err)) return false;
  for (const auto& l : lines) {
    const auto f = policy::split_fields(l.text);
    if (f.size() == 2 && f[0] == "frozen") return f[1] == "1";
  }
  return false;
}

struct Freezer {
  int version = 0;  // 0: none
  std::string dir;
};

Freezer find_freezer(pid_t init, const std::string& name) {
  for (const CgroupDir& d : container_cgroup_dirs(init, name)) {
    if (d.version == 2 && access((d.path + "/cgroup.freeze").c_str(), F_OK) == 0) return {2, d.path};
    if (d.version == 1 && std::find(d.controllers.begin(), d.controllers.end(), "freezer") != d.controllers.end())
      return {1, d.path};
  }
  return {};
}

FreezeState state_of(const Freezer& f) {
  std::string text;
  if (f.version == 2) {
    if (!read_small(f.dir + "/cgroup.freeze", &text)) return FreezeState::kNoFreezer;
    if (first_line(text) != "1") return FreezeState::kThawed;
    return events_frozen(f.dir) ? FreezeState::kFrozen : FreezeState::kFreezing;
  }
  if (f.version == 1 && read_small(f.dir + "/freezer.state", &text)) {
    const std::string s = first_line(text);
    return s == "FROZEN" ? FreezeState::kFrozen : s == "FREEZING" ? FreezeState::kFreezing : FreezeState::kThawed;
  }
  return FreezeState::kNoFreezer;
}

void write_value_or_throw(const std::string& file, const std::string& value) {
  Fd fd(open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) throw_errno("cannot open " + file);
  if (write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    throw_errno("cannot write '" + value + "' to " + file);
}

// CONTROLLER.FILE, no path: never a way out of the container's cgroup.
void check_key(const std::string& key) {
  const size_t dot = key.find('.');
  const bool ok = dot != std::string::npos && dot > 0 && dot + 1 < key.size() &&
                  std::all_of(key.begin(), key.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
                  });
  if (!ok) throw UsageError("'" + key + "' is not a cgroup file: use CONTROLLER.FILE, as memory.max or pids.current");
}

std::string find_file(pid_t init, const std::string& name, const std::string& key) {
  check_key(key);
  const auto dirs = container_cgroup_dirs(init, name);
  if (dirs.empty())
    throw Error(name + " has no cgroup of its own: you have no delegated cgroup (see uxc check)");
  const std::string controller = key.substr(0, key.find('.'));
  // Where the controller is: the v2 cgroup (its core files are
  // "cgroup.*"), or a v1 hierarchy of it.
  std::vector<std::string> holders;
  for (const CgroupDir& d : dirs) {
    bool has = false;
    if (d.version == 2) {
      std::string text;
      if (controller == "cgroup") has = true;
      else if (read_small(d.path + "/cgroup.controllers", &text))
        for (std::string_view c : policy::split_fields(text.substr(0, text.find('\n')))) has = has || c == controller;
    } else {
      has = std::find(d.controllers.begin(), d.controllers.end(), controller) != d.controllers.end();
    }
    if (!has) continue;
    const std::string file = d.path + "/" + key;
    if (access(file.c_str(), F_OK) == 0) return file;
    holders.push_back(d.path);
  }
  if (holders.empty())
    throw Error(name + "'s cgroups have no " + controller + " controller (cgroup v2: " + dirs.front().path +
                "); 'uxc check' says which controllers are delegated to you");
  throw Error(name + "'s cgroup has no file " + key + " (looked in " + join(holders, ", ") + ")");
}

}  // namespace

FreezeState freeze_state(pid_t init, const std::string& name) { return state_of(find_freezer(init, name)); }

void set_frozen(pid_t init, const std::string& name, bool frozen) {
  const Freezer f = find_freezer(init, name);
  if (f.version == 0)
    throw Error(name + " has no freezer: it needs a cgroup v2 (or a v1 freezer cgroup) delegated to you; see uxc check");
  if (f.version == 2) write_value_or_throw(f.dir + "/cgroup.freeze", frozen ? "1" : "0");
  else write_value_or_throw(f.dir + "/freezer.state", frozen ? "FROZEN" : "THAWED");
  const FreezeState want = frozen ? FreezeState::kFrozen : FreezeState::kThawed;
  for (int i = 0; i < 1000; ++i) {
    if (state_of(f) == want) return;
    usleep(10000);
  }
  throw Error(name + " did not " + (frozen ? "freeze" : "thaw") + " within 10 seconds (" +
              (f.version == 2 ? f.dir + "/cgroup.events" : f.dir + "/freezer.state") + ")");
}

std::string freeze_events_file(pid_t init, const std::string& name) {
  const Freezer f = find_freezer(init, name);
  return f.version == 2 ? f.dir + "/cgroup.events" : "";
}

std::string read_container_cgroup(pid_t init, const std::string& name, const std::string& key) {
  const std::string file = find_file(init, name, key);
  std::string text;
  if (!read_small(file, &text)) throw_errno("cannot read " + file);
  return text;
}

void write_container_cgroup(pid_t init, const std::string& name, const std::string& key, const std::string& value) {
  write_value_or_throw(find_file(init, name, key), value);
}

}  // namespace uxc
