// libFuzzer harness for the /proc files and the container's passwd the
// manager reads (policy/proc.h, policy/passwd.h, policy/cgroup.h): each
// holds text a container chooses (its init's name, the names of cgroups
// it creates, its /etc/passwd).
//
// Input: CGROUP-LINE 0xff STATUS 0xff PASSWD 0xff MOUNT-ROOT 0xff STAT-KEY.
// STATUS is also read as a statistics file and as one-value files.
//
// Properties beyond "no crash":
// - a parsed cgroup line has an absolute path, sorted non-empty
//   controller names, and is v2 exactly when its ID is 0 and it has none;
// - a status field is found only when exactly one line carries it;
// - root's home and shell from passwd are defaults or absolute printable
//   paths found in the text;
// - a path below a mount root is "" or starts with '/', and joining it to
//   the root gives the path back.
#include <algorithm>
#include <cstdlib>
#include <string>

#include "policy/cgroup.h"
#include "policy/passwd.h"
#include "policy/proc.h"
#include "security/fuzz/fuzz_input.h"

namespace {

using namespace uxc::policy;

size_t count_field_lines(std::string_view text, std::string_view field) {
  size_t n = 0, start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    if (line.size() > field.size() && line.substr(0, field.size()) == field && line[field.size()] == ':') ++n;
    start = end + 1;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = uxc::fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size), 5);
  std::string why;
  ProcCgroup cg;
  if (parse_proc_cgroup_line(parts[0], &cg, &why)) {
    if (cg.path.empty() || cg.path.front() != '/') std::abort();
    if (!std::is_sorted(cg.controllers.begin(), cg.controllers.end())) std::abort();
    for (const auto& c : cg.controllers)
      if (c.empty()) std::abort();
    if ((cg.version == 2) != (cg.id == 0 && cg.controllers.empty())) std::abort();
    std::string rel;
    if (cgroup_path_below(parts[3], cg.path, &rel)) {
      if (!rel.empty() && rel.front() != '/') std::abort();
      const std::string root(parts[3]);
      const std::string joined = root == "/" ? (rel.empty() ? "/" : rel) : root + rel;
      if (joined != cg.path && joined + "/" != cg.path) std::abort();
    }
  } else if (why.empty()) {
    std::abort();
  }

  uint32_t ppid = 0;
  if (parse_status_u32(parts[1], "PPid", &ppid) && count_field_lines(parts[1], "PPid") != 1) std::abort();
  uint64_t sum = 0;
  (void)sum_cgroup_stat(parts[1], parts[4], &sum);
  uint64_t value = 0;
  uint32_t hex = 0;
  (void)parse_value_u64(parts[1], &value);
  (void)parse_value_hex32(parts[1], &hex);

  std::string home = "/root", shell = "/bin/sh";
  if (passwd_home_and_shell(parts[2], 0, &home, &shell)) {
    for (const std::string* p : {&home, &shell}) {
      if (p->empty() || p->front() != '/') std::abort();
      if (*p != "/root" && *p != "/bin/sh" && parts[2].find(*p) == std::string_view::npos) std::abort();
      for (char c : *p)
        if (c <= 0x20 || c >= 0x7f) std::abort();
    }
  } else if (home != "/root" || shell != "/bin/sh") {
    std::abort();
  }
  return 0;
}
