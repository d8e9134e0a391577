// The pure half of `uxc create -t oci -- PATH[:TAG]`: the documents of an
// OCI image layout (oci-layout, index.json, image indexes, manifests,
// image configs, all under blobs/sha256/) and of a `docker save` archive
// (manifest.json), which image to take from them, how a layer's members
// are read (whiteouts), and what of the image's config a container's
// config can hold. user/storage/image/oci.cpp does the I/O.
//
// Everything here comes from a file someone else made: every document is
// read with the strict reader of policy/json_reader.h under a size bound,
// every digest must be a sha256 one (64 lower-case hex digits) and is
// checked against the blob's bytes before the blob is used, and every
// path a docker archive names stays inside the archive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

// index.json, manifests, image configs, manifest.json.
inline constexpr size_t kMaxOciJsonBytes = 4 << 20;
// Nested image indexes followed before giving up.
inline constexpr int kMaxOciIndexDepth = 4;

// "sha256:HEX" with 64 lower-case hex digits; *hex gets HEX.
[[nodiscard]] bool parse_oci_digest(std::string_view digest, std::string* hex);

enum class OciKind { kIndex, kManifest, kOther };
// Image indexes (OCI's, Docker's manifest list) and image manifests
// (OCI's, Docker's schema 2) by media type.
OciKind oci_kind(std::string_view media_type);

struct OciDescriptor {
  std::string media_type;
  std::string digest;  // "sha256:HEX", checked
  std::string hex;     // its HEX
  uint64_t size = 0;
  std::string ref_name;  // org.opencontainers.image.ref.name, or ""
  std::string os, architecture, variant;  // its platform, or ""
};

// oci-layout: {"imageLayoutVersion": "1.0.0"} (1.x).
[[nodiscard]] bool parse_oci_layout(std::string_view text, std::string* err);
// index.json or an image index blob: its manifests.
[[nodiscard]] bool parse_oci_index(std::string_view text, std::vector<OciDescriptor>* manifests, std::string* err);

struct OciManifest {
  OciDescriptor config;
  std::vector<OciDescriptor> layers;
};
// An image manifest: a config of an image config media type, and layers
// that are tarballs (plain, gzip or zstd; OCI's or Docker's types).
[[nodiscard]] bool parse_oci_manifest(std::string_view text, OciManifest* out, std::string* err);

struct OciImageConfig {
  std::string os, architecture, variant;
  std::vector<std::string> entrypoint, cmd, env;
  std::string working_dir, user, stop_signal;
  std::vector<std::string> exposed_ports, volumes;
  std::vector<std::string> diff_ids;  // rootfs.diff_ids, "sha256:HEX" each
};
[[nodiscard]] bool parse_oci_image_config(std::string_view text, OciImageConfig* out, std::string* err);

// One image of a `docker save` archive's manifest.json.
struct DockerImage {
  std::string config;                  // a path in the archive
  std::vector<std::string> repo_tags;  // "busybox:latest"; may be empty
  std::vector<std::string> layers;     // paths in the archive, in order
};
// Paths are relative, without "." or ".." segments, at most 4096 bytes.
[[nodiscard]] bool parse_docker_manifest(std::string_view text, std::vector<DockerImage>* images, std::string* err);
// The sha256 a docker archive's path names: "HEX.json" (a config of the
// old layout) or "blobs/sha256/HEX" (Docker 25's); "" when it names none.
std::string docker_path_digest(std::string_view path);

// The image for `tag` ("" when none was given): the index.json entry
// whose ref name is `tag` (several when one tag has one entry per
// platform), or, without a tag, every entry when they share one name (or
// have none). *err lists the tags present when the choice fails.
[[nodiscard]] bool choose_oci_tag(const std::vector<OciDescriptor>& manifests, std::string_view tag,
                                  std::vector<OciDescriptor>* chosen, std::string* err);
// The same for manifest.json: the image whose RepoTags hold `tag`, or
// "TAG:latest" for a tag without ':'.
[[nodiscard]] bool choose_docker_tag(const std::vector<DockerImage>& images, std::string_view tag, size_t* chosen,
                                     std::string* err);
// Of an index's entries, the one for linux/`arch` (and `variant` when
// the entries tell variants apart); entries without a platform count as
// the host's. Attestations ("unknown/unknown") never match.
[[nodiscard]] bool choose_oci_platform(const std::vector<OciDescriptor>& manifests, std::string_view arch,
                                       std::string_view variant, size_t* chosen, std::string* err);

// OCI's architecture (and variant) for what uname(2) reports: x86_64 ->
// amd64, aarch64 -> arm64 (v8), armv7l -> arm (v7), i686 -> 386, ...
void oci_platform_for_machine(std::string_view machine, std::string* arch, std::string* variant);

// A layer member's path (normalized, as policy/image.h's
// normalize_member_path gives it) read as a whiteout: ".wh.NAME" removes
// NAME of the lower layers (*target is its path), ".wh..wh..opq" makes
// its directory opaque (*target is the directory, "" for the root). Other
// ".wh..wh." names are aufs' own bookkeeping and are skipped.
enum class Whiteout { kNone, kRemove, kOpaque, kSkip };
Whiteout classify_whiteout(std::string_view path, std::string* target);

// The lines of a container's config for what the image's config sets, as
// far as uxc's keys can hold it: Entrypoint + Cmd as lxc.init.cmd (when
// no argument holds a blank, which the key splits on), Env as
// lxc.environment, WorkingDir as lxc.init.cwd, a User "UID:GID" as
// lxc.init.uid and lxc.init.gid (any other User is looked up in the
// unpacked tree: oci_user_needs_lookup, resolve_oci_user). What is left out is described in *left_out, one line
// each, for the person running create.
std::string oci_config_lines(const OciImageConfig& config, std::vector<std::string>* left_out);

// A User that names no root and is not "UID:GID": its ids are in the
// image's /etc/passwd (and /etc/group).
bool oci_user_needs_lookup(std::string_view user);
// USER[:GROUP] as Docker reads it: USER a name of `passwd` or a uid,
// GROUP a name of `group` or a gid; without GROUP, the user's group in
// `passwd`, or 0 for a uid it does not list. The first matching line of
// each file wins; lines that do not parse are skipped.
[[nodiscard]] bool resolve_oci_user(std::string_view user, std::string_view passwd, std::string_view group,
                                    uint32_t* uid, uint32_t* gid, std::string* err);

}  // namespace uxc::policy
