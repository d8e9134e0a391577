// A container's root filesystem as lxc.rootfs.path names it, and the pure
// rules of uxc's layers: clones and snapshots (uxc copy, uxc snapshot).
//
// Forms, as LXC writes them:
//   /PATH  or  dir:/PATH                      a plain directory
//   overlay:/LOWER[:/LOWER...]:/UPPER         overlayfs (also "overlayfs:")
// The lower layers are read-only and listed top first; the last path is
// the writable upper layer, and the work directory overlayfs needs is
// `olwork` beside it, as in LXC. Paths are split at ":/", so a path may
// not hold ":/" itself (LXC's rule too).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

struct RootfsPath {
  bool overlay = false;
  std::string dir;                  // plain directory
  std::vector<std::string> lowers;  // overlay: read-only layers, top first
  std::string upper;                // overlay: the writable layer
};

// The most lower layers one overlayfs mount takes (the kernel's
// OVL_MAX_STACK).
inline constexpr size_t kMaxOverlayLowers = 500;

// Parses an lxc.rootfs.path value; an empty value is an empty `dir`.
// Every path must be absolute, printable ASCII without ',' (overlayfs'
// option separator), with no "." or ".." component, and the layers of one
// overlay must be distinct.
[[nodiscard]] bool parse_rootfs_path(std::string_view value, RootfsPath* out, std::string* err);

std::string format_rootfs_path(const RootfsPath& rootfs);

// overlayfs' work directory for `upper`: `olwork` in the same directory.
std::string overlay_work_dir(std::string_view upper);

// Whether `path` is `dir` itself or lies under it (by components).
bool path_is_within(std::string_view path, std::string_view dir);

// Unprivileged overlayfs mounts (in a user namespace) came in Linux 5.11.
// `release` is uname's, e.g. "6.1.0-18-amd64"; false also when it cannot
// be read.
inline constexpr uint32_t kUserOverlayMajor = 5, kUserOverlayMinor = 11;
bool kernel_allows_user_overlay(std::string_view release);

// Whether uname's `release` is at least MAJOR.MINOR (false if unreadable).
// overlayfs takes its lower layers one by one ("lowerdir+") from 6.8 on.
bool kernel_at_least(std::string_view release, uint32_t major, uint32_t minor);

// Snapshot names: as container names (1-64 bytes of [A-Za-z0-9_.-], not
// starting with '.' or '-'). "ALL" is reserved for `uxc snapshot -d ALL`.
bool is_valid_snapshot_name(std::string_view name);

// LXC's automatic names: the first free "snapN", N from 0.
std::string next_snapshot_name(std::span<const std::string> taken);

// A snapshot's `layers` file: one absolute path per line, top first.
[[nodiscard]] bool parse_layer_list(std::string_view text, std::vector<std::string>* layers, std::string* err);
std::string format_layer_list(std::span<const std::string> layers);

// Replaces the value of every line setting `key` (or its legacy
// spelling `legacy`, may be empty) with `value`; with no such line, adds
// one after the leading comment lines. An empty `value` removes the lines.
// Every other byte is kept.
std::string set_config_value(std::string_view text, std::string_view key, std::string_view legacy,
                             std::string_view value);

// Every value of `key` (or `legacy`) in a configuration text, in file
// order, read leniently: the rest of the file may be broken.
std::vector<std::string> config_values(std::string_view text, std::string_view key, std::string_view legacy);

// The values of every hwaddr line (lxc.net.N.hwaddr, lxc.network.hwaddr)
// of a configuration text, in file order, read leniently.
std::vector<std::string> hwaddr_values(std::string_view text);

// A new MAC for a copy of a container whose interface has `current`: the
// template digits of `templ` (the user's default.conf hwaddr for that
// interface) get new random ones when `current` matches the template's
// fixed digits; otherwise the last three octets are new, as with LXC's
// usual 00:16:3e:xx:xx:xx. `random` needs 12 bytes. Returns "" if
// `current` is not a full address.
std::string renew_hwaddr(std::string_view current, std::string_view templ, std::span<const uint8_t> random);

// What a copy changes in its source's configuration.
struct CopyEdits {
  std::string header;     // the first comment line, without "# "
  std::string rootfs;     // lxc.rootfs.path
  std::string uts_name;   // lxc.uts.name; empty keeps the source's
  bool ephemeral = false; // lxc.ephemeral = 1
  bool keep_macs = false;
  std::vector<std::string> hwaddr_templates;  // default.conf's, in order
};

// The configuration of a copy: the source's text with a new header,
// rootfs, host name and MACs (one renew_hwaddr per hwaddr line, in
// order; `random` needs 12 bytes per line), and lxc.ephemeral.
std::string copy_config(std::string_view source_text, const CopyEdits& edits, std::span<const uint8_t> random);

}  // namespace uxc::policy
