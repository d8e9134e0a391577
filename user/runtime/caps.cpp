#include "user/runtime/caps.h"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <cerrno>
#include <string>
#include <vector>

#include "user/common/util.h"

namespace uxc {

void drop_capabilities(const policy::Config& config) {
  std::vector<int> drop;
  if (!config.cap_keep.empty()) {
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
      bool keep = false;
      for (const auto& name : config.cap_keep) {
        int n = -1;
        if (name != "none" && policy::parse_capability(name, &n) && n == cap) keep = true;
      }
      if (!keep) drop.push_back(cap);
    }
  }
  for (const auto& name : config.cap_drop) {
    int n = -1;
    if (policy::parse_capability(name, &n) && n <= CAP_LAST_CAP) drop.push_back(n);
  }
  if (drop.empty()) return;
  cap_t caps = cap_get_proc();
  if (caps == nullptr) throw_errno("cannot read capabilities");
  for (int cap : drop) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) throw_errno("cannot drop capability " + std::to_string(cap));
    const cap_value_t v = cap;
    cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_CLEAR);
  }
  const int rc = cap_set_proc(caps);
  cap_free(caps);
  if (rc != 0) throw_errno("cannot set capabilities");
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}
}  // namespace uxc
