// libFuzzer harness for POSIX ACL values (policy/acl.h), which uxc check
// reads from the directories on the way to a user's containers.
//
// The first byte of the input picks the question (which of a few uids
// and groups asks, for which of r, w, x), the rest is the xattr value.
// Properties beyond "no crash":
// - malformed or not does not depend on the question;
// - whatever is allowed, every part of it is allowed too (asking for
//   less never loses a grant);
// - asking for nothing is allowed to anyone by a well-formed ACL.
#include "policy/acl.h"

#include <cstdlib>
#include <string_view>

namespace {

using uxc::policy::AclVerdict;

AclVerdict ask(std::string_view acl, unsigned question, unsigned want) {
  static const uint32_t kUids[] = {1000, 100000, 100001, 0};
  static const uint32_t kGroups[][2] = {{1000, 1000}, {100000, 100000}, {5, 100001}, {0, 0}};
  const unsigned who = question & 3;
  return uxc::policy::acl_permits(acl, 1000, 1000, kUids[who], kGroups[(question >> 2) & 3], want);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned question = data[0];
  const std::string_view acl(reinterpret_cast<const char*>(data + 1), size - 1);
  const AclVerdict first = ask(acl, question, question >> 4 & 7);
  for (unsigned want = 0; want < 8; ++want) {
    const AclVerdict v = ask(acl, question, want);
    if ((v == AclVerdict::kMalformed) != (first == AclVerdict::kMalformed)) std::abort();
    if (v != AclVerdict::kAllow) continue;
    for (unsigned part = 0; part < 8; ++part)
      if ((part & want) == part && ask(acl, question, part) != AclVerdict::kAllow) std::abort();
  }
  if (first != AclVerdict::kMalformed && ask(acl, question, 0) != AclVerdict::kAllow) std::abort();
  return 0;
}
