// libFuzzer harness for everything uxc-idmap decides from hostile bytes
// (policy/idmap.h): the request decoder, lxc.idmap specs, shadow's
// newuidmap/newgidmap command line, and the whole decision
// authorise_request over fuzzed grant files.
//
// Input: first byte picks the entry point:
//   'S' SPECS (one lxc.idmap value a line)
//   'C' ARGV (space-separated words after the program name)
//   'G' REQUEST 0xff SUBUID 0xff SUBGID 0xff NAME 0xff UID 0xff GID
//   anything else: a request.
//
// Properties beyond "no crash":
// - decode(encode(x)) == x for every decoded request, and the encoding
//   is the one spelling (encode(decode(text)) == text) unless uid and
//   gid lines interleave (allowed; each map keeps its own order);
// - an allowed request writes only well-formed maps (check_map), each
//   extent's outside range inside the caller's subordinate ranges or the
//   caller's own id; a gid extent allowed only as the caller's own gid
//   always comes with setgroups deny (CVE-2018-7169); host uid 0 mapped
//   iff maps_host_root;
// - specs that collect give maps that pass check_map;
// - a shadow command that parses has a target >= 1 (>= 3 for fd:N), and
//   shadow_target_fd names exactly its fd:N (never an fd below 3).
#include "policy/idmap.h"

#include <cstdlib>
#include <string>

#include "security/fuzz/fuzz_input.h"

namespace {

using namespace uxc::policy;

void check_request_round_trip(std::string_view text, const IdmapRequest& request) {
  std::string encoded;
  if (!encode_idmap_request(request, &encoded)) std::abort();
  // uid and gid lines may interleave on the wire; the encoder writes the
  // uid map first. Anything else must be the one spelling.
  if (text.find("\ngid ") == std::string_view::npos ||
      text.find("\nuid ", text.find("\ngid ")) == std::string_view::npos)
    if (encoded != text) std::abort();
  IdmapRequest again;
  std::string err;
  if (!decode_idmap_request(encoded, &again, &err)) std::abort();
  if (again.uid_map != request.uid_map || again.gid_map != request.gid_map ||
      again.setgroups_deny != request.setgroups_deny)
    std::abort();
}

bool inside(std::span<const IdRange> ranges, const IdExtent& e) {
  for (const auto& r : ranges)
    if (e.outside >= r.first && uint64_t{e.outside} + e.count <= r.end) return true;
  return false;
}

void check_decision(const IdmapRequest& request, const CallerIds& caller,
                    const GrantFiles& grants) {
  const RequestDecision d = authorise_request(request, caller, grants);
  if (d.verdict != RequestVerdict::kAllow) {
    if (d.reason.empty()) std::abort();
    return;
  }
  const SubidFile subuid = parse_subid_file(grants.subuid_text);
  const SubidFile subgid = parse_subid_file(grants.subgid_text);
  const auto uid_ranges = subordinate_ranges(subuid.entries, caller.name, caller.uid);
  const auto gid_ranges = subordinate_ranges(subgid.entries, caller.name, caller.uid);
  bool own_gid_only = false, host_root = false;
  for (const auto& e : request.uid_map) {
    if (!inside(uid_ranges, e) && !(e.outside == caller.uid && e.count == 1)) std::abort();
    if (e.outside == 0) host_root = true;
  }
  for (const auto& e : request.gid_map) {
    if (inside(gid_ranges, e)) continue;
    if (!(e.outside == caller.gid && e.count == 1)) std::abort();
    own_gid_only = true;
  }
  if ((!request.uid_map.empty() && !subuid.ok()) || (!request.gid_map.empty() && !subgid.ok()))
    std::abort();
  if (own_gid_only && !d.setgroups_deny) std::abort();
  if (request.setgroups_deny && !d.setgroups_deny) std::abort();
  if (host_root != d.maps_host_root) std::abort();
  if (d.uid_text != (request.uid_map.empty() ? "" : format_map(request.uid_map))) std::abort();
  if (d.gid_text != (request.gid_map.empty() ? "" : format_map(request.gid_map))) std::abort();
  if (!request.uid_map.empty() && !check_map(request.uid_map).empty()) std::abort();
  if (!request.gid_map.empty() && !check_map(request.gid_map).empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string err;
  const char mode = input.empty() ? 0 : input[0];

  if (mode == 'S') {
    std::vector<IdmapSpec> specs;
    std::string_view rest = input.substr(1);
    while (!rest.empty() && specs.size() < 400) {
      const size_t nl = rest.find('\n');
      IdmapSpec spec;
      if (parse_idmap_spec(rest.substr(0, nl), &spec, &err)) {
        if (!spec.uid && !spec.gid) std::abort();
        specs.push_back(spec);
      }
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    IdMaps maps;
    if (collect_idmaps(specs, &maps, &err)) {
      if (!maps.uid.empty() && !check_map(maps.uid).empty()) std::abort();
      if (!maps.gid.empty() && !check_map(maps.gid).empty()) std::abort();
    }
    return 0;
  }
  if (mode == 'C') {
    const auto words = uxc::fuzz::split_words(input.substr(1));
    ShadowCommand command;
    const int keep = shadow_target_fd(words);
    if (keep != -1 && keep < 3) std::abort();
    if (parse_shadow_command(words, &command, &err)) {
      if (command.target < (command.target_is_fd ? 3 : 1) || command.map.empty()) std::abort();
      if (keep != (command.target_is_fd ? command.target : -1)) std::abort();
      (void)check_map(command.map);
    }
    return 0;
  }
  if (mode == 'G') {
    const auto parts = uxc::fuzz::split_parts(input.substr(1), 6);
    IdmapRequest request;
    if (!decode_idmap_request(parts[0], &request, &err)) return 0;
    const CallerIds caller{parts[3], uxc::fuzz::small_number(parts[4]),
                           uxc::fuzz::small_number(parts[5])};
    const GrantFiles grants{"subuid", parts[1], "subgid", parts[2]};
    check_decision(request, caller, grants);
    return 0;
  }

  IdmapRequest request;
  if (decode_idmap_request(input, &request, &err)) {
    if (request.uid_map.empty() && request.gid_map.empty()) std::abort();
    check_request_round_trip(input, request);
    (void)check_map(request.uid_map);
    // The same request from the caller who owns the world's ranges.
    const GrantFiles grants{"subuid", "uxtest1:100000:65536\n", "subgid",
                            "uxtest1:100000:65536\n"};
    check_decision(request, CallerIds{"uxtest1", 61001, 61001}, grants);
  } else if (err.empty()) {
    std::abort();
  }
  return 0;
}
