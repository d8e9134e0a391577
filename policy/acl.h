// POSIX access ACLs as the kernel hands them out: the value of the
// "system.posix_acl_access" extended attribute, and whether it lets a
// given uid and groups search (or read, or write) the file.
//
// Format (Linux's posix_acl_xattr, little-endian): a 4-byte version (2),
// then 8-byte entries { u16 tag, u16 perm, u32 id }. Tags: USER_OBJ 1,
// USER 2, GROUP_OBJ 4, GROUP 8, MASK 0x10, OTHER 0x20; perm bits r 4,
// w 2, x 1. The ids are those of the namespace of the process that read
// the attribute.
//
// Decisions recorded here:
// - Fail closed: a value that is not exactly a well-formed ACL (wrong
//   version or length, an unknown tag or perm bit, USER_OBJ, GROUP_OBJ or
//   OTHER missing or repeated, USER or GROUP entries without a MASK, a
//   named id twice) is malformed; the caller then knows nothing from it.
// - Evaluation is POSIX.1e's, as the kernel's posix_acl_permission: the
//   owner gets USER_OBJ; else a matching USER entry, limited by MASK; else
//   if the owning group or any GROUP entry matches one of the groups, the
//   request is granted when one of those matching entries (limited by
//   MASK) grants it, and denied otherwise; else OTHER. Capabilities are
//   the caller's business.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace uxc::policy {

inline constexpr unsigned kAclRead = 4, kAclWrite = 2, kAclExecute = 1;

enum class AclVerdict { kAllow, kDeny, kMalformed };

// Would the ACL `xattr` of a file owned by owner_uid:owner_gid grant all
// of `want` (kAcl* bits) to a process with fsuid `uid` and groups `gids`?
AclVerdict acl_permits(std::string_view xattr, uint32_t owner_uid, uint32_t owner_gid, uint32_t uid,
                       std::span<const uint32_t> gids, unsigned want);

}  // namespace uxc::policy
