#include "policy/acl.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace uxc::policy {
namespace {

struct E {
  uint16_t tag;
  uint16_t perm;
  uint32_t id;
};
constexpr uint16_t UO = 1, U = 2, GO = 4, G = 8, M = 0x10, O = 0x20;

std::string le(uint64_t v, int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}
std::string acl(const std::vector<E>& entries, uint32_t version = 2) {
  std::string s = le(version, 4);
  for (const E& e : entries) s += le(e.tag, 2) + le(e.perm, 2) + le(e.id, 4);
  return s;
}

// A directory owned by 1000:1000 (a home), asked about by the container's
// root, host uid 100000 with group 100000.
constexpr uint32_t kOwner = 1000, kRoot = 100000;
const uint32_t kRootGroups[] = {kRoot};

struct Case {
  const char* name;
  std::string xattr;
  unsigned want;
  AclVerdict verdict;
};
std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

const std::vector<E> kMinimal700 = {{UO, 7, 0}, {GO, 0, 0}, {O, 0, 0}};
const std::vector<E> kSearchFor100000 = {{UO, 7, 0}, {U, 1, kRoot}, {GO, 0, 0}, {M, 1, 0}, {O, 0, 0}};

const Case kCases[] = {
    // What `setfacl -m u:100000:x ~` leaves on a 0700 home.
    {"named user x", acl(kSearchFor100000), kAclExecute, AclVerdict::kAllow},
    {"named user x, not r", acl(kSearchFor100000), kAclRead, AclVerdict::kDeny},
    {"minimal 0700", acl(kMinimal700), kAclExecute, AclVerdict::kDeny},
    {"minimal 0701: other x", acl({{UO, 7, 0}, {GO, 0, 0}, {O, 1, 0}}), kAclExecute, AclVerdict::kAllow},
    // The mask limits named entries: chmod g-x after setfacl.
    {"named user x masked", acl({{UO, 7, 0}, {U, 1, kRoot}, {GO, 0, 0}, {M, 0, 0}, {O, 1, 0}}), kAclExecute,
     AclVerdict::kDeny},
    // A named user entry decides even when other would grant.
    {"named user without x beats other", acl({{UO, 7, 0}, {U, 0, kRoot}, {GO, 0, 0}, {M, 7, 0}, {O, 1, 0}}),
     kAclExecute, AclVerdict::kDeny},
    {"another named user", acl({{UO, 7, 0}, {U, 1, 100001}, {GO, 0, 0}, {M, 1, 0}, {O, 0, 0}}), kAclExecute,
     AclVerdict::kDeny},
    {"named group x", acl({{UO, 7, 0}, {GO, 0, 0}, {G, 1, kRoot}, {M, 1, 0}, {O, 0, 0}}), kAclExecute,
     AclVerdict::kAllow},
    // A matching group without x denies, whatever other says.
    {"matching group denies", acl({{UO, 7, 0}, {GO, 0, 0}, {G, 0, kRoot}, {M, 7, 0}, {O, 1, 0}}), kAclExecute,
     AclVerdict::kDeny},
    {"owner", acl(kMinimal700), kAclExecute, AclVerdict::kAllow},  // asked with uid = owner below
    // Malformed: fail closed.
    {"empty", "", kAclExecute, AclVerdict::kMalformed},
    {"version 1", acl(kSearchFor100000, 1), kAclExecute, AclVerdict::kMalformed},
    {"truncated entry", acl(kSearchFor100000).substr(0, 4 + 8 * 2 + 5), kAclExecute, AclVerdict::kMalformed},
    {"header only", acl({}), kAclExecute, AclVerdict::kMalformed},
    {"no other", acl({{UO, 7, 0}, {GO, 0, 0}}), kAclExecute, AclVerdict::kMalformed},
    {"two owners", acl({{UO, 7, 0}, {UO, 7, 0}, {GO, 0, 0}, {O, 0, 0}}), kAclExecute, AclVerdict::kMalformed},
    {"named without mask", acl({{UO, 7, 0}, {U, 1, kRoot}, {GO, 0, 0}, {O, 0, 0}}), kAclExecute,
     AclVerdict::kMalformed},
    {"named user twice", acl({{UO, 7, 0}, {U, 1, kRoot}, {U, 0, kRoot}, {GO, 0, 0}, {M, 1, 0}, {O, 0, 0}}),
     kAclExecute, AclVerdict::kMalformed},
    {"two masks", acl({{UO, 7, 0}, {GO, 0, 0}, {M, 1, 0}, {M, 1, 0}, {O, 0, 0}}), kAclExecute,
     AclVerdict::kMalformed},
    {"unknown tag", acl({{UO, 7, 0}, {GO, 0, 0}, {0x40, 1, 0}, {O, 0, 0}}), kAclExecute, AclVerdict::kMalformed},
    {"perm bit 8", acl({{UO, 7, 0}, {GO, 0, 0}, {O, 9, 0}}), kAclExecute, AclVerdict::kMalformed},
    {"trailing byte", acl(kSearchFor100000) + "x", kAclExecute, AclVerdict::kMalformed},
};

BOOST_DATA_TEST_CASE(acl_permits_table, boost::unit_test::data::make(kCases), c) {
  const uint32_t uid = std::string(c.name) == "owner" ? kOwner : kRoot;
  BOOST_TEST(static_cast<int>(acl_permits(c.xattr, kOwner, kOwner, uid, kRootGroups, c.want)) ==
             static_cast<int>(c.verdict));
}

// The owning group decides for members when it is the one that matches.
BOOST_AUTO_TEST_CASE(acl_owning_group_member) {
  const std::string x = acl({{UO, 7, 0}, {GO, 1, 0}, {O, 0, 0}});
  const uint32_t groups[] = {kOwner};
  BOOST_TEST(static_cast<int>(acl_permits(x, kOwner, kOwner, kRoot, groups, kAclExecute)) ==
             static_cast<int>(AclVerdict::kAllow));
}

}  // namespace
}  // namespace uxc::policy
