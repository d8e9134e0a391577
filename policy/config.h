// The container configuration reader: LXC's `key = value` format, with
// LXC's key names (modern and LXC 2 legacy spellings), read by one
// table-driven pass that looks at each line once.
//
// Syntax, exactly:
//   - one setting per line: KEY = VALUE, blanks around either side ignored;
//     KEY is [A-Za-z0-9._-]+, VALUE runs to the end of the line;
//   - a VALUE that starts and ends with the same quote (' or ") loses that
//     pair, as in LXC (`lxc.uts.name = "web"` is web); there is no escape
//     inside, and a VALUE that starts with a quote it does not end with is
//     an error (LXC would keep the quote, which is never what was meant);
//   - a line whose first non-blank byte is '#' is a comment; blank lines
//     are ignored; '#' after a value is part of the value, as in LXC;
//   - a repeated key is kept, in file order (lxc.idmap, lxc.mount.entry,
//     lxc.cgroup2.*, ...); for a single-valued key the last one wins, as in
//     LXC; an empty value of a list key clears what came before it (LXC's
//     `lxc.cap.drop =`);
//   - `lxc.net.N.FIELD` names interface N in any order; legacy
//     `lxc.network.FIELD` lines apply to the interface the last
//     `lxc.network.type` started; one file uses one of the two spellings;
//   - NUL bytes, lines over kMaxConfigLineBytes and carriage returns
//     (a CRLF file: convert it) are errors, as are `[section]` lines and
//     anything else that is not KEY = VALUE.
//
// Every message is `FILE:LINE: KEY: what`, with FILE the file that holds
// the line (an included one, say) and KEY spelled as that line spells it.
//
// Decisions:
//   - `lxc.include = FILE` reads FILE in place, through the IncludeFiles
//     the caller hands in (the manager reads it as the user). LXC's own
//     shared files, `LXC_TEMPLATE_CONFIG/common.conf` and `userns.conf`
//     (the spelling in image configs, or /usr/share/lxc/config/... once
//     LXC has substituted it), are never read: uxc applies its built-in
//     equivalents (builtin_include_text), so a config made by LXC works
//     on a host without LXC. Directories, relative paths, a file that
//     includes itself and nesting deeper than kMaxIncludeDepth are errors.
//   - Keys of LXC that name features uxc does not have but that are safe
//     to go without in an unprivileged container (lxc.seccomp.profile,
//     lxc.mount.auto, lxc.tty.dir, lxc.apparmor.allow_*) are accepted and
//     listed in Config::ignored, so the manager can warn.
//   - Keys LXC configs carry that uxc stores for its runtime, used or not
//     yet: lxc.arch, lxc.signal.{halt,reboot,stop}, lxc.autodev,
//     lxc.apparmor.profile (only generated or unconfined: uxc confines
//     with no AppArmor profile, and a named one it cannot apply is an
//     error rather than a silent downgrade), lxc.tty.max, lxc.init.cmd,
//     lxc.console.logfile, lxc.console.buffer.size.
//   - `uxc.image.{dist,release,arch,variant,build,server}` record where a
//     container's rootfs came from (written by `uxc create`, shown by
//     `uxc ls -F`); their values are checked as policy/image.h checks the
//     image server's names.
//   - Every other key is `FILE:LINE: unknown key KEY`.
//   - Values are validated here where their format is fixed: numbers via
//     parse_u32, MAC addresses (with LXC's `x` template digits), interface
//     names, IP addresses with prefix lengths, signal and capability names,
//     network types, mount entries' fields and options, id-map lines' shape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/names.h"  // the value formats the reader checks

namespace uxc::policy {

// One `lxc.idmap = u|g|b INSIDE OUTSIDE COUNT` line, shape-checked here;
// whether the host may grant it is decided against /etc/subuid later.
// Every setting below records its line and, last, the file that holds it.
struct IdmapLine {
  size_t line = 0;
  char kind = 'u';   // 'u', 'g' or 'b'
  uint32_t inside = 0;
  uint32_t outside = 0;
  uint32_t count = 0;
  std::string text;  // the value as written, e.g. "u 0 100000 65536"
  std::string file;  // where the line is
  std::string key;   // as the file spells it: lxc.idmap or lxc.id_map
};

struct Nic {
  size_t line = 0;           // where the nic was first mentioned (and `file`)
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
  std::string file;
  bool legacy = false;       // named by lxc.network.* (messages use that spelling)
};

// An fstab line: SOURCE TARGET FSTYPE OPTIONS [DUMP [PASS]].
struct MountEntry {
  size_t line = 0;
  std::string source;
  std::string target;  // relative to the rootfs (a leading '/' is allowed)
  std::string fstype;
  std::string options;  // checked with parse_mount_options (policy/mount.h)
  std::string file;
};

struct CgroupSetting {
  size_t line = 0;
  int version = 2;    // 1 for lxc.cgroup.*, 2 for lxc.cgroup2.*
  std::string key;    // controller file, e.g. "memory.max"
  std::string value;
  std::string file;
};

// Where the rootfs came from, as `uxc create` records it (uxc.image.*):
// the image server's names, or for an imported rootfs what its
// /etc/os-release and binaries say.
struct ImageRecord {
  std::string dist, release, arch, variant, build, server;
};

struct IgnoredKey {
  size_t line = 0;
  std::string key;
  std::string file;
};

// A KEY = VALUE line as read (includes followed), for `uxc info -c`.
struct RawSetting {
  std::string file;
  size_t line = 0;
  std::string key;    // as the file spells it
  std::string value;  // blanks and one pair of quotes removed
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
  std::vector<std::string> cap_keep;  // the same, or "none"
  int signal_halt = 0;    // 0: the default (SIGPWR)
  int signal_reboot = 0;  // 0: the default (SIGINT)
  int signal_stop = 0;    // 0: the default (SIGKILL)
  std::vector<CgroupSetting> cgroup;
  std::string arch;       // as written
  uint32_t arch_bits = 0;  // 32 or 64 from LXC's table; 0: lxc.arch not set
  bool autodev = true;     // lxc.autodev: a fresh /dev for the container
  std::string apparmor_profile;  // "", "generated" or "unconfined"
  std::string init_cmd;
  std::string init_cwd;  // lxc.init.cwd: absolute, in the container; "": /
  uint32_t init_uid = 0;  // lxc.init.uid, lxc.init.gid: the init's ids
  uint32_t init_gid = 0;  // in the container
  std::vector<std::string> environment;  // NAME=VALUE
  uint32_t tty_max = 0;
  uint32_t pty_max = 0;
  std::string console_path;     // "" (default: a pty) or "none"
  std::string console_logfile;  // absolute path; "": none
  uint64_t console_buffer_size = 0;  // bytes, as given ("auto": 128 KiB); 0: none
  ImageRecord image;
  std::vector<IgnoredKey> ignored;
  std::vector<RawSetting> settings;  // every setting line, in the order read
};

// Room for an overlay rootfs of the kernel's 500 lower layers on one
// lxc.rootfs.path line (policy/rootfs.h), with paths of 100 bytes each.
inline constexpr size_t kMaxConfigLineBytes = 64 * 1024;
inline constexpr size_t kMaxConfigBytes = 1 << 20;
inline constexpr size_t kMaxIncludeDepth = 4;

// Where the text of `lxc.include = PATH` comes from. The reader stays
// pure: the manager's implementation reads the file as the user; tests
// hand in strings.
class IncludeFiles {
 public:
  virtual ~IncludeFiles() = default;
  // The whole text of `path` (at most kMaxConfigBytes + 1 bytes), or
  // false with *why saying what went wrong ("No such file or directory").
  virtual bool read(const std::string& path, std::string* text, std::string* why) const = 0;
};

// Parses `text` (the contents of `file_name`, used only in messages) and
// merges it into *config, so a default file and a container file can be
// read in turn. `includes` reads the files lxc.include names; without it
// only the built-in ones can be included. On failure *errors holds one
// `FILE:LINE: what` line per problem (at most a few dozen) and false is
// returned; *config is then partly updated and must not be used.
[[nodiscard]] bool parse_config(std::string_view text, std::string_view file_name,
                                Config* config, std::vector<std::string>* errors,
                                const IncludeFiles* includes = nullptr);

// Cross-setting checks after every file is read: each nic has a type, a
// veth has a link, nic names are unique, id-map ranges do not overlap.
// Messages name the file and line of the setting; `file_name` is used
// where a setting has none.
[[nodiscard]] bool validate_config(const Config& config, std::string_view file_name,
                                   std::vector<std::string>* errors);

// uxc's equivalent of one of LXC's shared configs, for `lxc.include` of
// `LXC_TEMPLATE_CONFIG/NAME` or `/usr/share/lxc/config/NAME`; nullptr for
// a NAME uxc has none of. Built in: common.conf and userns.conf.
const char* builtin_include_text(std::string_view name);

// One KEY = VALUE line as the reader splits it: blanks trimmed, one pair
// of surrounding quotes removed. False (and *why) for a line that is not
// a setting; a blank or comment line gives true with an empty key.
[[nodiscard]] bool split_setting(std::string_view line, std::string_view* key,
                                 std::string_view* value, std::string* why);

// A key of the reader's table in its modern spelling ("lxc.idmap" for
// "lxc.id_map"; a key under a prefix, "lxc.net.0.link", as it is); ""
// for a key the reader does not know.
std::string canonical_config_key(std::string_view key);

// Every name of the reader's table: each key and its legacy spelling, a
// prefix ending in '.', and each interface field as "lxc.net.N.FIELD" and
// "lxc.network.FIELD". For the test that holds config_doc.h to it.
std::vector<std::string> config_table_names();

// Whether a key takes a list (each line adds one; an empty value clears
// the list) rather than one value (the last line wins).
bool is_list_config_key(std::string_view canonical_key);

// The values `config` gives a key (any spelling), as LXC's
// get_config_item would: every entry of a list key, in order, after the
// last empty value; the last value of another key; nothing when unset.
std::vector<std::string> config_values(const Config& config, std::string_view key);

// `text` with the lines numbered in `lines` (1-based) removed and
// `replacement` (whole lines, each ending in '\n') put where the first of
// them was; every other byte is kept. For `uxc check --fix`.
std::string replace_config_lines(std::string_view text, std::span<const size_t> lines, std::string_view replacement);

// Rewrites a configuration text for a new container: every hwaddr value
// (lxc.net.N.hwaddr, lxc.network.hwaddr, quoted or not) with template
// digits gets random ones; every other byte is kept. `random` needs 12
// bytes per hwaddr line.
std::string instantiate_hwaddrs(std::string_view text, std::span<const uint8_t> random);

}  // namespace uxc::policy
