#include "policy/acl.h"

#include <algorithm>
#include <vector>

namespace uxc::policy {

namespace {

constexpr uint16_t kUserObj = 0x01, kUser = 0x02, kGroupObj = 0x04, kGroup = 0x08, kMask = 0x10,
                   kOther = 0x20;
constexpr uint32_t kVersion = 2;
constexpr size_t kEntryBytes = 8;

struct Entry {
  uint16_t tag;
  uint16_t perm;
  uint32_t id;
};

uint32_t le32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3])) << 24;
}
uint16_t le16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(s[at]) | static_cast<unsigned char>(s[at + 1]) << 8);
}

bool parse(std::string_view xattr, std::vector<Entry>* entries) {
  if (xattr.size() < 4 || (xattr.size() - 4) % kEntryBytes != 0 || le32(xattr, 0) != kVersion) return false;
  int user_obj = 0, group_obj = 0, other = 0, mask = 0, named = 0;
  for (size_t at = 4; at < xattr.size(); at += kEntryBytes) {
    const Entry e{le16(xattr, at), le16(xattr, at + 2), le32(xattr, at + 4)};
    if ((e.perm & ~7u) != 0) return false;
    switch (e.tag) {
      case kUserObj: ++user_obj; break;
      case kGroupObj: ++group_obj; break;
      case kOther: ++other; break;
      case kMask: ++mask; break;
      case kUser:
      case kGroup:
        ++named;
        for (const Entry& seen : *entries)
          if (seen.tag == e.tag && seen.id == e.id) return false;
        break;
      default: return false;
    }
    entries->push_back(e);
  }
  return user_obj == 1 && group_obj == 1 && other == 1 && mask <= 1 && (named == 0 || mask == 1);
}

}  // namespace

AclVerdict acl_permits(std::string_view xattr, uint32_t owner_uid, uint32_t owner_gid, uint32_t uid,
                       std::span<const uint32_t> gids, unsigned want) {
  std::vector<Entry> entries;
  if (!parse(xattr, &entries)) return AclVerdict::kMalformed;
  unsigned mask = 7;
  for (const Entry& e : entries)
    if (e.tag == kMask) mask = e.perm;
  auto grant = [want](unsigned perm) { return (perm & want) == want ? AclVerdict::kAllow : AclVerdict::kDeny; };
  auto tagged = [&entries](uint16_t tag) {
    return *std::find_if(entries.begin(), entries.end(), [tag](const Entry& e) { return e.tag == tag; });
  };
  if (uid == owner_uid) return grant(tagged(kUserObj).perm);
  for (const Entry& e : entries)
    if (e.tag == kUser && e.id == uid) return grant(e.perm & mask);
  auto in_groups = [gids](uint32_t gid) { return std::find(gids.begin(), gids.end(), gid) != gids.end(); };
  bool group_matched = false;
  for (const Entry& e : entries) {
    const bool matches = (e.tag == kGroupObj && in_groups(owner_gid)) || (e.tag == kGroup && in_groups(e.id));
    if (!matches) continue;
    group_matched = true;
    if (grant(e.perm & mask) == AclVerdict::kAllow) return AclVerdict::kAllow;
  }
  if (group_matched) return AclVerdict::kDeny;
  return grant(tagged(kOther).perm);
}

}  // namespace uxc::policy
