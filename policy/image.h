// The pure half of distribution images: what LXC's image servers publish
// (the index, SHA256SUMS, the files of meta.tar.xz), the download
// template's arguments, and the paths of a rootfs tarball. docs/images.md
// describes the protocol; user/storage/image/ (uxc-image) does the I/O.
//
// Everything a server sends is hostile until checked here. Names that
// become directories of the user's cache (distribution, release,
// architecture, variant, build) are restricted to a small alphabet, and
// a path on the server never climbs out of its root.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

// LXC's download template asks for files of this compatibility level
// first (index-user.7, config-user.7, ...) and falls back to plain names.
inline constexpr int kImageCompatLevel = 7;
inline constexpr const char* kDefaultImageVariant = "default";

inline constexpr size_t kMaxIndexBytes = 16 << 20;
inline constexpr size_t kMaxIndexLineBytes = 4096;
inline constexpr size_t kMaxMetaFileBytes = 1 << 20;

// Distribution, release, architecture and variant names: 1-64 bytes of
// [A-Za-z0-9._+-], not starting with '.' or '-' (they name cache
// directories and appear in messages).
bool is_valid_image_word(std::string_view word);
// Build ids ("20261207_05:24"): the same alphabet plus ':'.
bool is_valid_build_id(std::string_view build);
// An image's directory on the server: starts with '/', at most 1024 bytes
// of [A-Za-z0-9._:+~/-], no empty, "." or ".." segment (a trailing '/'
// is allowed).
bool is_valid_image_path(std::string_view path);

// One line of meta/1.0/index-user: dist;release;arch;variant;build;path.
struct ImageEntry {
  size_t line = 0;
  std::string dist, release, arch, variant, build, path;
};

// Parses an index. A line that does not have exactly six valid fields is
// skipped and described in *bad ("LINE: what"; at most 20 kept) so a
// server that adds a line uxc cannot read does not hide the rest; blank
// lines are ignored. Fails (with *err) only on what makes the whole file
// unreadable: NUL bytes, an over-long line, more than kMaxIndexBytes.
[[nodiscard]] bool parse_image_index(std::string_view text, std::vector<ImageEntry>* entries,
                                     std::vector<std::string>* bad, std::string* err);

struct ImageQuery {
  std::string dist, release, arch, variant;
};

// The entry for `query`: of several builds, the greatest build id (build
// ids are dates). nullptr when none matches.
const ImageEntry* find_image(const std::vector<ImageEntry>& entries, const ImageQuery& query);

// What to tell a user whose query matched nothing: the closest level that
// does match (distribution, release, architecture, variant) and what the
// index offers there, with a "did you mean" when one name is close.
std::string describe_missing_image(const std::vector<ImageEntry>& entries, const ImageQuery& query,
                                   std::string_view server);

// SHA256SUMS: "HEX  NAME" or "HEX *NAME" lines (sha256sum's two modes).
// Fails closed on any malformed line or a name listed twice with two
// different sums: the file is there to be trusted or not at all.
[[nodiscard]] bool parse_sha256sums(std::string_view text, std::map<std::string, std::string>* sums,
                                    std::string* err);

// The file of meta.tar.xz to read for `base` ("config", "templates",
// "excludes", "create-message", "expiry"), as LXC's download template
// chooses it for an unprivileged container: BASE-user when present, then
// that name with ".COMPAT" appended when present. Empty when none exists.
std::string choose_meta_file(std::string_view base, const std::vector<std::string>& names,
                             int compat = kImageCompatLevel);

// `templates`: one path per line, absolute or relative to the rootfs
// (LXC prepends the rootfs); returned relative ("etc/hostname"), without
// duplicates. NUL, ".." segments and empty names are errors.
[[nodiscard]] bool parse_template_list(std::string_view text, std::vector<std::string>* paths, std::string* err);

// `excludes-user`: one pattern per line ("./dev/console"), matched as
// `tar --anchored --exclude` does: against the whole member name with
// fnmatch wildcards (which match '/'), and a match on a directory covers
// everything under it. Leading "./" and "/" are ignored on both sides.
[[nodiscard]] bool parse_excludes(std::string_view text, std::vector<std::string>* patterns, std::string* err);
bool is_excluded(std::string_view member, const std::vector<std::string>& patterns);

// `expiry`: a Unix time in decimal, blanks and a final newline allowed.
[[nodiscard]] bool parse_expiry(std::string_view text, uint64_t* when);

// The values LXC's template substitutes in the files `templates` lists.
struct TemplateValues {
  std::string name;    // LXC_NAME
  std::string path;    // LXC_PATH: the container's directory
  std::string rootfs;  // LXC_ROOTFS
};
// One pass over `text`: every LXC_ROOTFS, LXC_PATH and LXC_NAME is
// replaced, and no replacement is scanned again (a container named
// "LXC_PATH" stays "LXC_PATH").
std::string substitute_template_values(std::string_view text, const TemplateValues& values);

// config-user of an image, checked before it becomes part of a
// container's config: an include may name only LXC's shared configs
// (LXC_TEMPLATE_CONFIG/... or /usr/share/lxc/config/...), which
// parse_config replaces with uxc's built-in equivalents; an include of any
// other file is an error naming the line (an image server does not get to
// make uxc read files of the user's). Every other line is left to
// parse_config. NUL, over-long lines and oversized files are errors.
[[nodiscard]] bool check_image_config(std::string_view text, std::vector<std::string>* errors);

// A member name of a rootfs tarball, as it will be created under the
// rootfs: leading "./" and "/" removed, "." segments dropped. Fails on a
// ".." segment, NUL or an empty result other than the root itself ("."
// gives ""). Used for member names and hard-link targets alike.
[[nodiscard]] bool normalize_member_path(std::string_view member, std::string* out);

// `--server` and the `server` setting: HOST, HOST:PORT, [IPV6]:PORT, or
// any of those after "https://" (with an optional trailing '/').
// "http://" is refused: images come only over verified HTTPS. *out is the
// canonical HOST[:PORT].
[[nodiscard]] bool parse_image_server(std::string_view text, std::string* out, std::string* err);

// The download template's arguments, LXC's names: -d/--dist, -r/--release,
// -a/--arch, --variant, --server, --flush-cache, --force-cache, and
// --no-cache; "--opt=value" works for the long ones. -l/--list asks for
// the server's list instead: then -d and -r are optional filters (as are
// -a and --variant) and the cache options are refused.
struct DownloadArgs {
  std::string dist, release, arch, variant, server;
  bool flush_cache = false;
  bool force_cache = false;
  bool no_cache = false;
  bool list = false;
};
[[nodiscard]] bool parse_download_args(const std::vector<std::string>& args, DownloadArgs* out, std::string* err);

// `--list`: the index's entries that match every non-empty field of
// `filter`, in the index's order.
std::vector<ImageEntry> filter_images(const std::vector<ImageEntry>& entries, const ImageQuery& filter);
// LXC's listing, for scripts that read it: "---", a tab-separated
// DIST RELEASE ARCH VARIANT BUILD header, "---", one line per entry, "---".
std::string format_image_list(const std::vector<ImageEntry>& entries);

// The local template's arguments, LXC's lxc-local: -m/--metadata META (an
// image's meta.tar.xz, as distrobuilder writes it next to rootfs.tar.xz)
// with -f/--fstree ROOTFS; or the rootfs alone, as -f ROOTFS or one PATH.
// "--opt=value" works for the long ones. Paths are returned as given.
struct LocalArgs {
  std::string metadata;  // empty: none
  std::string rootfs;
};
[[nodiscard]] bool parse_local_args(const std::vector<std::string>& args, LocalArgs* out, std::string* err);


// The image server's name for the architecture uname(2) reports
// ("x86_64" -> "amd64", "aarch64" -> "arm64", ...); an unknown one is
// returned unchanged.
std::string image_arch_for_machine(std::string_view machine);

// A security.capability value from a tarball, made ready to be written
// by the container's root: a v3 (namespaced) value loses its root id and
// becomes v2, which the kernel then records as belonging to the writer's
// namespace. v2 and v1 values are returned as they are; anything else is
// an error (false).
[[nodiscard]] bool file_capability_for_namespace(std::string_view value, std::string* out);

// What an imported rootfs says it is, for the record in its config:
// /etc/os-release's ID, VERSION_CODENAME and VERSION_ID (values unquoted;
// lines that are not KEY=VALUE are skipped, as systemd does).
struct OsRelease {
  std::string id, version_codename, version_id;
};
OsRelease parse_os_release(std::string_view text);

// The image server's architecture name for a binary, from its ELF
// header (at least 20 bytes): "amd64", "arm64", ... Empty when it is not
// an ELF file or the machine is one uxc does not name.
std::string elf_image_arch(std::string_view header);

}  // namespace uxc::policy
