// uxc's own settings: two INI files, read with inih.
//
// The user's file, $XDG_CONFIG_HOME/uxc/uxc.conf (~/.config/uxc/uxc.conf),
// defaults for the user's own commands:
//
//   [create]
//   template = NAME          template of `uxc create` without -t
//                            ([a-z][a-z0-9_-]*; the command says whether it
//                            knows it); default: none, -t is required
//   [images]
//   server = HOST[:PORT]     image server of the download template
//                            (LXC's --server); default: the administrator's,
//                            else images.linuxcontainers.org
//   [console]
//   escape = LETTER | ^LETTER   `uxc console`'s escape key (-e); default a
//                            (Ctrl+a)
//   [log]
//   level = LEVEL            `uxc start`'s -l: TRACE DEBUG INFO NOTICE WARN
//                            ERROR CRIT ALERT FATAL (any case); default ERROR
//
// The administrator's file, SYSCONFDIR/uxc/uxc.conf (/etc/uxc/uxc.conf),
// host-wide settings the helpers and the manager must honour. The helper
// that reads it must check that it is a regular file owned by root and
// writable by nobody else, and refuse to act on one that is not, or that
// does not parse (fail closed); a missing file means every default.
//
//   [idmap]
//   setgroups = auto | deny  auto (default): uxc-idmap writes "deny" to
//                            /proc/PID/setgroups unless every gid range of
//                            the map comes from /etc/subgid (what shadow's
//                            newgidmap does); deny: before every gid map,
//                            so no process in a user namespace can drop a
//                            supplementary group the caller holds, for
//                            hosts that use negative group permissions
//                            (a file mode or ACL that denies a group)
//   [images]
//   server = HOST[:PORT]     the image server for every user who names
//                            none (a private mirror); a user's own setting
//                            and --server still win
//
// The dialect is inih's: `[section]` lines; `key = value` (or `key: value`)
// lines with blanks around either trimmed; lines starting with ';' or '#'
// are comments, and so is the rest of a line after " ;". Leading blanks are
// ignored (no continuation lines). Names are case-sensitive.
//
// Strict, as every parser in policy/: a NUL byte, a carriage return, a
// line over kMaxSettingsLineBytes, a file over kMaxSettingsBytes, a line
// that is neither, a key outside any section, an unknown section or key, a
// key set twice and a malformed value are each an error naming the file
// and line. Pure: the caller reads the file and hands its text in; no
// exceptions (the helpers are built without them).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace uxc::policy {

inline constexpr size_t kMaxSettingsBytes = 64 * 1024;
inline constexpr size_t kMaxSettingsLineBytes = 198;  // inih's 200-byte buffer, less "\n\0"

inline constexpr std::string_view kDefaultImageServer = "images.linuxcontainers.org";

struct UserSettings {
  std::string default_template;  // "": none
  std::string image_server{kDefaultImageServer};
  bool image_server_given = false;  // set in the file, not the default
  char console_escape = 1;       // the control code: 1 is Ctrl+a
  std::string log_level = "ERROR";
};

enum class SetgroupsPolicy { kAuto, kDeny };

struct AdminSettings {
  SetgroupsPolicy setgroups = SetgroupsPolicy::kAuto;
  std::string image_server;  // "": none set
};

// `text` is the whole file; `file_name` is used only in the message. On
// failure *error is one line, "FILE:LINE: what" (or "FILE: what" for the
// file as a whole), and *out is unchanged.
[[nodiscard]] bool parse_user_settings(std::string_view text, std::string_view file_name,
                                       UserSettings* out, std::string* error);
[[nodiscard]] bool parse_admin_settings(std::string_view text, std::string_view file_name,
                                        AdminSettings* out, std::string* error);

// LXC's log level names, least severe first.
inline constexpr std::string_view kLogLevelNames[] = {
    "TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "CRIT", "ALERT", "FATAL"};

// A level name in any case; *level is its index in kLogLevelNames.
[[nodiscard]] bool parse_log_level(std::string_view text, int* level);

// An escape key as LXC's lxc-console -e takes it: "a" or "^a" (any case)
// for Ctrl+a; *control is the control code (1-26).
[[nodiscard]] bool parse_escape_key(std::string_view text, char* control);

}  // namespace uxc::policy
