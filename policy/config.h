// The container configuration reader: LXC's `key = value` format, read
// with inih, with LXC's key names (modern and LXC 2 legacy spellings).
//
// Syntax, exactly:
//   - one setting per line: KEY = VALUE, blanks around either side ignored;
//     KEY is [A-Za-z0-9._-]+, VALUE runs to the end of the line;
//   - a line whose first non-blank byte is '#' is a comment; blank lines
//     are ignored;
//   - a repeated key is kept, in file order (lxc.idmap, lxc.mount.entry,
//     lxc.cgroup2.*, ...); for a single-valued key the last one wins, as in
//     LXC; an empty value of a list key clears what came before it (LXC's
//     `lxc.cap.drop =`).
//
// inih alone reads a wider dialect than LXC's, so every line is checked
// before inih sees it, and what inih returns is checked against that:
//   - NUL bytes are rejected (inih would stop reading at the first one and
//     silently drop the rest of the file);
//   - lines longer than inih's line buffer are rejected (inih would read
//     the rest of an over-long line as a new line, so a long value could
//     smuggle in a second setting);
//   - '\r' anywhere is rejected with a hint to convert the file: a CRLF
//     file is an editor accident, and stripping CRs quietly would accept
//     a stray CR inside a value too;
//   - `[section]` lines, `key: value`, lines starting with ';', a UTF-8
//     byte-order mark and indented continuation lines (inih's multi-line
//     values) are not LXC syntax and are errors; leading blanks are
//     removed before the line is handed to inih, so inih never sees a
//     continuation line;
//   - inih ends a value at " ;" (an inline comment); LXC does not, so a
//     value containing " ;" is an error rather than silently cut short.
//
// Decisions:
//   - `lxc.include` is rejected: a container's configuration is one file,
//     which `uxc create` writes in full.
//   - Keys of LXC that name features uxc does not have but that are safe
//     to go without in an unprivileged container (AppArmor, seccomp,
//     lxc.mount.auto, lxc.tty.dir) are accepted and listed in
//     Config::ignored, so the manager can warn.
//   - Every other key outside the table is `FILE:LINE: unknown key KEY`.
//   - Values are validated here where their format is fixed: numbers via
//     parse_u32, MAC addresses (with LXC's `x` template digits), interface
//     names, IP addresses with prefix lengths, signal and capability names,
//     network types, mount entries' field counts, id-map lines' shape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

// One `lxc.idmap = u|g|b INSIDE OUTSIDE COUNT` line, shape-checked here;
// whether the host may grant it is decided against /etc/subuid later.
struct IdmapLine {
  size_t line = 0;
  char kind = 'u';  // 'u', 'g' or 'b'
  uint32_t inside = 0;
  uint32_t outside = 0;
  uint32_t count = 0;
  std::string text;  // the value as written, e.g. "u 0 100000 65536"
};

struct Nic {
  size_t line = 0;           // where the nic was first mentioned
  uint32_t index = 0;        // N of lxc.net.N; order of appearance for legacy
  std::string type;          // "veth" or "empty"
  std::string link;          // host bridge
  bool up = false;           // flags = up
  std::string hwaddr;        // may still hold 'x' template digits
  std::string name;          // name inside the container; empty: ethN
  uint32_t mtu = 0;          // 0: kernel default
  std::vector<std::string> ipv4;  // "A.B.C.D/LEN" (optional " BCAST" dropped)
  std::string ipv4_gateway;
  std::vector<std::string> ipv6;  // "ADDR/LEN"
  std::string ipv6_gateway;
};

// An fstab line: SOURCE TARGET FSTYPE OPTIONS [DUMP [PASS]].
struct MountEntry {
  size_t line = 0;
  std::string source;
  std::string target;  // relative to the rootfs (a leading '/' is allowed)
  std::string fstype;
  std::string options;
};

struct CgroupSetting {
  size_t line = 0;
  int version = 2;    // 1 for lxc.cgroup.*, 2 for lxc.cgroup2.*
  std::string key;    // controller file, e.g. "memory.max"
  std::string value;
};

struct IgnoredKey {
  size_t line = 0;
  std::string key;
};

struct Config {
  std::vector<IdmapLine> idmap;
  std::vector<Nic> nics;  // ordered by index
  std::string rootfs;     // absolute path, "dir:" prefix removed; or "overlay:..." (policy/rootfs.h)
  bool ephemeral = false; // lxc.ephemeral: destroyed when it stops
  std::string uts_name;
  std::vector<MountEntry> mounts;
  bool start_auto = false;
  uint32_t start_delay = 0;
  uint32_t start_order = 0;
  std::vector<std::string> groups;
  std::vector<std::string> cap_drop;  // lower-case names without "cap_"
  std::vector<std::string> cap_keep;
  int signal_halt = 0;  // 0: the default (SIGPWR)
  int signal_stop = 0;  // 0: the default (SIGKILL)
  std::vector<CgroupSetting> cgroup;
  std::string arch;
  std::string init_cmd;
  std::vector<std::string> environment;  // NAME=VALUE
  uint32_t tty_max = 0;
  uint32_t pty_max = 0;
  std::string console_path;  // "" (default: a pty) or "none"
  std::vector<IgnoredKey> ignored;
};

// Longest line accepted (inih's own buffer may lower it further; see above).
inline constexpr size_t kMaxConfigLineBytes = 4096;
inline constexpr size_t kMaxConfigBytes = 1 << 20;

// Parses `text` (the contents of `file_name`, used only in messages) and
// merges it into *config, so a default file and a container file can be
// read in turn. On failure *errors holds one `FILE:LINE: what` line per
// problem (at most a few dozen) and false is returned; *config is then
// partly updated and must not be used.
[[nodiscard]] bool parse_config(std::string_view text, std::string_view file_name,
                                Config* config, std::vector<std::string>* errors);

// Cross-setting checks after every file is read: each nic has a type, a
// veth has a link, nic names are unique. Messages as above, without line
// numbers where a setting is missing.
[[nodiscard]] bool validate_config(const Config& config, std::string_view file_name,
                                   std::vector<std::string>* errors);

// `xx:xx:...`: six ':'-separated octets of two hex digits, where any digit
// may be the template 'x' (or 'X'). A fully given address must be unicast.
bool is_valid_hwaddr_template(std::string_view text);

// Replaces every template digit with one from `random` (one byte per
// digit, at least 12). The multicast bit of the first octet is cleared if
// it came from the template, so the result is always a unicast address.
std::string fill_hwaddr_template(std::string_view text, std::span<const uint8_t> random);

// Rewrites a configuration text for a new container: every hwaddr value
// (lxc.net.N.hwaddr, lxc.network.hwaddr) with template digits gets random
// ones; every other byte is kept. `random` needs 12 bytes per hwaddr line.
std::string instantiate_hwaddrs(std::string_view text, std::span<const uint8_t> random);

// Signals as LXC writes them: "SIGPWR", "PWR", "30", "SIGRTMIN+3".
[[nodiscard]] bool parse_signal(std::string_view text, int* out);

// Capability names as LXC writes them ("sys_admin", "CAP_SYS_ADMIN");
// *out is the kernel's number.
[[nodiscard]] bool parse_capability(std::string_view text, int* out);

// Host names for lxc.uts.name: 1-64 bytes of [A-Za-z0-9-.], not starting
// with '-' or '.'.
bool is_valid_hostname(std::string_view name);

}  // namespace uxc::policy
