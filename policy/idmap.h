// Id maps: what may be written to a user namespace's uid_map and gid_map,
// and the request the manager sends uxc-idmap to write them.
//
// A map is a list of extents "INSIDE OUTSIDE COUNT": ids INSIDE..
// INSIDE+COUNT-1 of the new namespace are ids OUTSIDE..OUTSIDE+COUNT-1 of
// the caller's. A map is well-formed (check_map) when
// - it has 1..kMaxMapExtents extents and its text fits the kernel's single
//   write (kMaxMapWriteBytes);
// - no extent has count 0;
// - no extent wraps: INSIDE+COUNT and OUTSIDE+COUNT are at most 2^32-1,
//   the kernel's rule (id 2^32-1 is (uid_t)-1 and never mappable);
// - no two extents overlap on the inside (one id would have two meanings)
//   or on the outside (one host id would appear twice in the namespace).
//
// The caller may write a well-formed map (authorise_map) when every
// extent's OUTSIDE range lies wholly inside one of the caller's
// subordinate ranges (subid.h, already merged), or is exactly the caller's
// own id with count 1. Nothing else is allowed; there is no partial allow.
//
// setgroups: if any gid extent is allowed only because it is the caller's
// own gid, the namespace must get setgroups "deny" before its gid_map is
// written. Otherwise a process in it could drop that group with
// setgroups(2) and pass "deny this group" permissions (CVE-2018-7169).
//
// Request (over policy/protocol.h, helper "uxc-idmap"):
//   uid INSIDE OUTSIDE COUNT      0..340 times, in map order
//   gid INSIDE OUTSIDE COUNT      0..340 times, in map order
//   setgroups deny                at most once: deny even if not required
// with at least one uid or gid line. Numbers are strict decimal (text.h).
// The decoder checks syntax only; check_map and authorise_map judge the
// maps, so a bad map is reported the same way from every front end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/protocol.h"
#include "policy/subid.h"

namespace uxc::policy {

inline constexpr size_t kMaxMapExtents = protocol::kMaxMapLines;
// The kernel takes a map in one write of less than a page.
inline constexpr size_t kMaxMapWriteBytes = 4095;

enum class IdKind { kUid, kGid };
std::string_view id_kind_name(IdKind kind);  // "uid", "gid"

struct IdExtent {
  uint32_t inside;
  uint32_t outside;
  uint32_t count;
  bool operator==(const IdExtent&) const = default;
};

// ------------------------------------------------------------ map checks

// Empty string when the map is well-formed, else why not (names the
// 1-based extent).
std::string check_map(std::span<const IdExtent> map);

// The text written to /proc/PID/{uid,gid}_map: "INSIDE OUTSIDE COUNT\n"
// per extent.
std::string format_map(std::span<const IdExtent> map);

enum class MapVerdict {
  kAllow,
  kMalformed,  // check_map failed: no caller may write it
  kNotOwned,   // an extent is not the caller's to map
};

struct MapDecision {
  MapVerdict verdict = MapVerdict::kNotOwned;
  size_t extent = 0;   // deny: 0-based index of the offending extent
  std::string reason;  // deny: one line for a person
  // allow, gid maps: setgroups must be "deny" (see above).
  bool needs_setgroups_deny = false;
};

// subordinate: the caller's merged ranges (subordinate_ranges()).
// own_id: the caller's real uid (for a uid map) or real gid.
MapDecision authorise_map(IdKind kind, std::span<const IdExtent> map,
                          std::span<const IdRange> subordinate, uint32_t own_id);

// ----------------------------------------------- lxc.idmap configuration

// One value of lxc.idmap (or legacy lxc.id_map): "u|g|b INSIDE OUTSIDE
// COUNT", fields separated by blanks. "b" is both a uid and a gid extent.
struct IdmapSpec {
  bool uid = false;
  bool gid = false;
  IdExtent extent{};
};
[[nodiscard]] bool parse_idmap_spec(std::string_view value, IdmapSpec* out,
                                    std::string* err);

struct IdMaps {
  std::vector<IdExtent> uid;
  std::vector<IdExtent> gid;
};
// Gathers specs in order into the two maps; each non-empty map must pass
// check_map.
[[nodiscard]] bool collect_idmaps(std::span<const IdmapSpec> specs, IdMaps* out,
                                  std::string* err);

// ------------------------------------------------------- helper request

struct IdmapRequest {
  std::vector<IdExtent> uid_map;
  std::vector<IdExtent> gid_map;
  bool setgroups_deny = false;
};

inline constexpr protocol::KeySpec kIdmapRequestSchema[] = {
    {"uid", 3, 3, kMaxMapExtents},
    {"gid", 3, 3, kMaxMapExtents},
    {"setgroups", 1, 1, 1},
};

[[nodiscard]] bool decode_idmap_request(std::string_view text, IdmapRequest* out,
                                        std::string* err);
[[nodiscard]] bool encode_idmap_request(const IdmapRequest& request,
                                        std::string* out);

// ------------------------------------------------------ whole requests

// The grant files' text (already read) and their names for messages,
// and the administrator's settings file (policy/settings.h; "" when it
// does not exist: every default).
struct GrantFiles {
  std::string_view subuid_name;
  std::string_view subuid_text;
  std::string_view subgid_name;
  std::string_view subgid_text;
  std::string_view settings_name;
  std::string_view settings_text;
};

struct CallerIds {
  std::string_view name;  // from passwd, for owner-by-name lines
  uint32_t uid;           // real uid
  uint32_t gid;           // real gid
};

enum class RequestVerdict {
  kAllow,
  kBadGrants,  // a grant file this request needs has a malformed line
  kMalformed,  // a map fails check_map
  kNotOwned,   // a map uses ids that are not the caller's
};

struct RequestDecision {
  RequestVerdict verdict = RequestVerdict::kNotOwned;
  std::string reason;    // deny: one line for a person
  std::string uid_text;  // allow: format_map() of each map, "" when absent
  std::string gid_text;
  bool setgroups_deny = false;  // allow: write "deny" before gid_map
  bool maps_host_root = false;  // allow: host uid 0 is mapped (CAP_SETFCAP)
};

// Decides a whole request: parses only the grant files the request needs
// (a malformed one refuses, see subid.h), and the settings (a malformed
// file refuses every request: fail closed), authorises each map, and says
// what to write. setgroups is denied, for a request with a gid map, when
// the request asks for it, a gid extent is allowed only as the caller's
// own gid, or the administrator set "[idmap] setgroups = deny".
RequestDecision authorise_request(const IdmapRequest& request, const CallerIds& caller,
                                  const GrantFiles& grants);

// ------------------------------------------- shadow's newuidmap/newgidmap

// argv after the program name: "PID|fd:N INSIDE OUTSIDE COUNT ...".
struct ShadowCommand {
  bool target_is_fd = false;
  int target = 0;  // a pid (>= 1), or an fd (>= 3: 0-2 are the stdio fds)
  std::vector<IdExtent> map;
};
[[nodiscard]] bool parse_shadow_command(std::span<const std::string_view> args,
                                        ShadowCommand* out, std::string* err);
// The fd that "fd:N" as the first argument names (N as parse_shadow_command
// accepts it), else -1. uxc-idmap's hygiene keeps that fd open, and reads
// nothing else of argv before its hygiene step.
int shadow_target_fd(std::span<const std::string_view> args);

}  // namespace uxc::policy
