#include "policy/idmap.h"

#include <climits>

#include "policy/settings.h"
#include "policy/text.h"

namespace uxc::policy {

namespace {

// The kernel rejects an extent whose first + count does not fit in 32
// bits, so the last mappable id is 2^32 - 2.
constexpr uint64_t kMaxExtentEnd = 0xffffffffu;

uint64_t end_of(uint32_t first, uint32_t count) { return uint64_t{first} + count; }

bool intervals_overlap(uint32_t a, uint32_t b, uint32_t count_a, uint32_t count_b) {
  return uint64_t{a} < end_of(b, count_b) && uint64_t{b} < end_of(a, count_a);
}

std::string describe(IdKind kind, const IdExtent& e) {
  return std::string(id_kind_name(kind)) + " " + std::to_string(e.inside) + " " +
         std::to_string(e.outside) + " " + std::to_string(e.count);
}

bool parse_extent(std::span<const std::string_view> words, IdExtent* out) {
  return words.size() == 3 && parse_u32(words[0], &out->inside) &&
         parse_u32(words[1], &out->outside) && parse_u32(words[2], &out->count);
}

}  // namespace

std::string_view id_kind_name(IdKind kind) {
  return kind == IdKind::kUid ? "uid" : "gid";
}

std::string check_map(std::span<const IdExtent> map) {
  if (map.empty()) return "empty map";
  if (map.size() > kMaxMapExtents)
    return "more than " + std::to_string(kMaxMapExtents) + " extents";
  for (size_t i = 0; i < map.size(); ++i) {
    const IdExtent& e = map[i];
    const std::string at = "extent " + std::to_string(i + 1) + ": ";
    if (e.count == 0) return at + "count 0";
    if (end_of(e.inside, e.count) > kMaxExtentEnd ||
        end_of(e.outside, e.count) > kMaxExtentEnd)
      return at + "range wraps past 2^32-2";
    for (size_t j = 0; j < i; ++j) {
      const IdExtent& f = map[j];
      const char* side = intervals_overlap(e.inside, f.inside, e.count, f.count)     ? "inside"
                         : intervals_overlap(e.outside, f.outside, e.count, f.count) ? "outside"
                                                                                     : nullptr;
      if (side == nullptr) continue;
      std::string why = at;
      why.append(side).append(" range overlaps extent ").append(std::to_string(j + 1));
      return why;
    }
  }
  if (format_map(map).size() > kMaxMapWriteBytes)
    return "map text longer than " + std::to_string(kMaxMapWriteBytes) + " bytes";
  return {};
}

std::string format_map(std::span<const IdExtent> map) {
  std::string text;
  for (const IdExtent& e : map) {
    text += std::to_string(e.inside) + " " + std::to_string(e.outside) + " " +
            std::to_string(e.count) + "\n";
  }
  return text;
}

MapDecision authorise_map(IdKind kind, std::span<const IdExtent> map,
                          std::span<const IdRange> subordinate, uint32_t own_id) {
  MapDecision decision;
  if (std::string why = check_map(map); !why.empty()) {
    decision.verdict = MapVerdict::kMalformed;
    decision.reason = std::string(id_kind_name(kind)) + " map: " + why;
    return decision;
  }
  for (size_t i = 0; i < map.size(); ++i) {
    const IdExtent& e = map[i];
    bool granted = false;
    for (const IdRange& r : subordinate)
      granted = granted || (r.first <= e.outside && end_of(e.outside, e.count) <= r.end);
    if (granted) continue;
    // The caller's own id needs no grant: the kernel lets any user map it
    // into a namespace they own (with setgroups denied, for a gid).
    if (e.count == 1 && e.outside == own_id) {
      decision.needs_setgroups_deny = kind == IdKind::kGid;
      continue;
    }
    decision.verdict = MapVerdict::kNotOwned;
    decision.extent = i;
    decision.needs_setgroups_deny = false;
    decision.reason = describe(kind, e) + ": host " + std::string(id_kind_name(kind)) +
                      "s " + std::to_string(e.outside) + ".." +
                      std::to_string(end_of(e.outside, e.count) - 1) +
                      " are not in your subordinate range nor your own id";
    return decision;
  }
  decision.verdict = MapVerdict::kAllow;
  return decision;
}

bool parse_idmap_spec(std::string_view value, IdmapSpec* out, std::string* err) {
  const std::vector<std::string_view> words = split_fields(value);
  if (words.size() != 4) {
    *err = "expected \"u|g|b INSIDE OUTSIDE COUNT\"";
    return false;
  }
  IdmapSpec spec;
  if (words[0] == "u" || words[0] == "b") spec.uid = true;
  if (words[0] == "g" || words[0] == "b") spec.gid = true;
  if (!spec.uid && !spec.gid) {
    *err = "id type must be u, g or b";
    return false;
  }
  if (!parse_extent(std::span(words).subspan(1), &spec.extent)) {
    *err = "INSIDE, OUTSIDE and COUNT must be decimal numbers below 2^32";
    return false;
  }
  *out = spec;
  return true;
}

bool collect_idmaps(std::span<const IdmapSpec> specs, IdMaps* out, std::string* err) {
  IdMaps maps;
  for (const IdmapSpec& spec : specs) {
    if (spec.uid) maps.uid.push_back(spec.extent);
    if (spec.gid) maps.gid.push_back(spec.extent);
  }
  for (IdKind kind : {IdKind::kUid, IdKind::kGid}) {
    const std::vector<IdExtent>& map = kind == IdKind::kUid ? maps.uid : maps.gid;
    if (map.empty()) continue;
    if (std::string why = check_map(map); !why.empty()) {
      *err = std::string(id_kind_name(kind)) + " map: " + why;
      return false;
    }
  }
  *out = std::move(maps);
  return true;
}

bool decode_idmap_request(std::string_view text, IdmapRequest* out, std::string* err) {
  protocol::Request request;
  if (!protocol::decode_request(text, protocol::kIdmapHelper, kIdmapRequestSchema,
                                &request, err))
    return false;
  IdmapRequest decoded;
  for (size_t i = 0; i < request.fields.size(); ++i) {
    const protocol::Field& field = request.fields[i];
    // The header is line 1 and the grammar has no blank lines.
    const std::string at = "line " + std::to_string(i + 2) + ": ";
    if (field.key == "setgroups") {
      if (field.args[0] != "deny") {
        *err = at + "setgroups takes only \"deny\"";
        return false;
      }
      decoded.setgroups_deny = true;
      continue;
    }
    IdExtent extent{};
    if (!parse_extent(field.args, &extent)) {
      *err = at + "INSIDE, OUTSIDE and COUNT must be decimal numbers below 2^32";
      return false;
    }
    (field.key == "uid" ? decoded.uid_map : decoded.gid_map).push_back(extent);
  }
  if (decoded.uid_map.empty() && decoded.gid_map.empty()) {
    *err = "no uid or gid line";
    return false;
  }
  *out = std::move(decoded);
  return true;
}

bool encode_idmap_request(const IdmapRequest& request, std::string* out) {
  std::vector<protocol::OutField> fields;
  for (IdKind kind : {IdKind::kUid, IdKind::kGid}) {
    for (const IdExtent& e : kind == IdKind::kUid ? request.uid_map : request.gid_map) {
      fields.push_back({std::string(id_kind_name(kind)),
                        {std::to_string(e.inside), std::to_string(e.outside),
                         std::to_string(e.count)}});
    }
  }
  if (request.setgroups_deny) fields.push_back({"setgroups", {"deny"}});
  return protocol::encode_request(protocol::kIdmapHelper, fields, out);
}

RequestDecision authorise_request(const IdmapRequest& request, const CallerIds& caller,
                                  const GrantFiles& grants) {
  RequestDecision decision;
  AdminSettings settings;
  std::string error;
  if (!parse_admin_settings(grants.settings_text, grants.settings_name, &settings, &error)) {
    decision.verdict = RequestVerdict::kBadGrants;
    decision.reason = error + "; an administrator must fix it";
    return decision;
  }
  for (IdKind kind : {IdKind::kUid, IdKind::kGid}) {
    const bool uid = kind == IdKind::kUid;
    const std::vector<IdExtent>& map = uid ? request.uid_map : request.gid_map;
    if (map.empty()) continue;
    const SubidFile file = parse_subid_file(uid ? grants.subuid_text : grants.subgid_text);
    if (!file.ok()) {
      decision.verdict = RequestVerdict::kBadGrants;
      decision.reason = std::string(uid ? grants.subuid_name : grants.subgid_name) + ": " +
                        file.errors.front() + "; an administrator must fix it";
      return decision;
    }
    const std::vector<IdRange> ranges = subordinate_ranges(file.entries, caller.name, caller.uid);
    MapDecision d = authorise_map(kind, map, ranges, uid ? caller.uid : caller.gid);
    if (d.verdict != MapVerdict::kAllow) {
      RequestDecision denial;  // says nothing about what to write
      denial.verdict = d.verdict == MapVerdict::kMalformed ? RequestVerdict::kMalformed
                                                           : RequestVerdict::kNotOwned;
      denial.reason = std::move(d.reason);
      return denial;
    }
    (uid ? decision.uid_text : decision.gid_text) = format_map(map);
    decision.setgroups_deny = decision.setgroups_deny || d.needs_setgroups_deny;
  }
  // The administrator's switch: before every gid map.
  decision.setgroups_deny = decision.setgroups_deny || request.setgroups_deny ||
                            (settings.setgroups == SetgroupsPolicy::kDeny && !request.gid_map.empty());
  for (const IdExtent& e : request.uid_map)
    decision.maps_host_root = decision.maps_host_root || e.outside == 0;
  decision.verdict = RequestVerdict::kAllow;
  return decision;
}

namespace {

// "PID" (1..INT_MAX) or "fd:N" (3..INT_MAX), strict decimal.
bool parse_shadow_target(std::string_view target, ShadowCommand* out) {
  out->target_is_fd = target.starts_with("fd:");
  if (out->target_is_fd) target.remove_prefix(3);
  uint32_t number = 0;
  const uint32_t lowest = out->target_is_fd ? 3 : 1;
  if (!parse_u32(target, &number) || number < lowest || number > INT_MAX) return false;
  out->target = static_cast<int>(number);
  return true;
}

}  // namespace

int shadow_target_fd(std::span<const std::string_view> args) {
  ShadowCommand command;
  return !args.empty() && parse_shadow_target(args[0], &command) && command.target_is_fd
             ? command.target
             : -1;
}

bool parse_shadow_command(std::span<const std::string_view> args, ShadowCommand* out,
                          std::string* err) {
  if (args.size() < 4 || (args.size() - 1) % 3 != 0) {
    *err = "expected PID|fd:N followed by INSIDE OUTSIDE COUNT triples";
    return false;
  }
  ShadowCommand command;
  if (!parse_shadow_target(args[0], &command)) {
    *err = command.target_is_fd ? "fd:N needs a descriptor number of 3 or more"
                                : "PID must be a positive decimal process id";
    return false;
  }
  for (size_t i = 1; i < args.size(); i += 3) {
    IdExtent extent{};
    if (!parse_extent(args.subspan(i, 3), &extent)) {
      *err = "INSIDE, OUTSIDE and COUNT must be decimal numbers below 2^32";
      return false;
    }
    command.map.push_back(extent);
  }
  *out = std::move(command);
  return true;
}

}  // namespace uxc::policy
