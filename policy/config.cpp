// The reader in one file: the key table and the parser each entry points
// at are read side by side (a new key is one table line and, at most, one
// small function), so the file is longer than most in policy/.
#include "policy/config.h"

#include <arpa/inet.h>

#include <algorithm>

#include "policy/idmap.h"
#include "policy/image.h"
#include "policy/mount.h"
#include "policy/nic.h"
#include "policy/rootfs.h"
#include "policy/text.h"

namespace uxc::policy {

namespace {

constexpr size_t kMaxErrors = 32;
constexpr uint32_t kMaxNics = 32;
constexpr size_t kMaxIncludedFiles = 32;

// uxc's equivalents of LXC's shared configs. LXC's common.conf and
// userns.conf together (an unprivileged container reads both) leave: 1024
// ptys, 4 ttys, and every capability (userns.conf clears common.conf's
// cap.drop). Their other lines have nothing to act on in uxc: devices
// cgroup rules (cleared by userns.conf too), lxc.tty.dir (uxc has no
// /dev/lxc), lxc.hook.clone (no clones), lxc.mount.auto (uxc always mounts
// proc and sys), the optional fuse connections bind and the seccomp
// profile (see README's differences from LXC).
constexpr std::string_view kBuiltinCommon =
    "lxc.pty.max = 1024\n"
    "lxc.tty.max = 4\n"
    "lxc.cap.drop = mac_admin mac_override sys_time sys_module sys_rawio\n";
constexpr std::string_view kBuiltinUserns =
    "lxc.cap.drop =\n"
    "lxc.cap.keep =\n";

// Where LXC's shared configs are named from: the image servers' spelling,
// and the path LXC's download template substitutes for it on Debian.
constexpr std::string_view kSharedConfigDirs[] = {"LXC_TEMPLATE_CONFIG/", "/usr/share/lxc/config/"};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_key_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool is_printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= 0x20 && c < 0x7f; });
}

// "A.B.C.D/LEN" (family AF_INET) or "ADDR/LEN" (AF_INET6).
bool is_valid_prefix(std::string_view text, int family) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string addr(text.substr(0, slash));
  uint32_t len = 0;
  if (!parse_u32(text.substr(slash + 1), &len)) return false;
  if (len > (family == AF_INET ? 32u : 128u)) return false;
  unsigned char buf[16];
  return inet_pton(family, addr.c_str(), buf) == 1;
}

bool is_valid_address(std::string_view text, int family) {
  const std::string addr(text);
  unsigned char buf[16];
  return inet_pton(family, addr.c_str(), buf) == 1;
}

bool is_absolute_path(std::string_view path) {
  return !path.empty() && path.front() == '/' && is_printable_ascii(path);
}

// One KEY = VALUE line on its way to the table.
struct Setting {
  std::string_view file;
  size_t line = 0;
  std::string_view key;    // as the file spells it
  std::string_view value;  // blanks and one pair of quotes removed
};

class Reader;
using Apply = void (*)(Reader&, const Setting&);
using ApplyNic = void (*)(Reader&, Nic&, const Setting&);

class Reader {
 public:
  Reader(Config* config, std::vector<std::string>* errors, const IncludeFiles* includes)
      : config_(config), errors_(errors), includes_(includes) {}

  void read(std::string_view text, std::string_view file);
  void include(const Setting& s, std::string_view file, std::string_view text);

  Config& config() { return *config_; }
  const IncludeFiles* includes() const { return includes_; }

  // "FILE:LINE: what".
  void fail_at(std::string_view file, size_t line, std::string_view what) {
    if (errors_->size() >= kMaxErrors) return;
    std::string msg(file);
    if (line != 0) msg += ":" + std::to_string(line);
    msg += ": ";
    msg += what;
    errors_->push_back(std::move(msg));
  }
  // "FILE:LINE: KEY: what", KEY as the line spells it.
  void fail(const Setting& s, std::string_view what) {
    fail_at(s.file, s.line, std::string(s.key) + ": " + std::string(what));
  }

  // Which nic spelling the file being read uses: LXC 2 appends legacy
  // lines to the last interface, which means nothing next to lxc.net.N.
  bool saw_modern_net = false;
  bool saw_legacy_net = false;

 private:
  void apply(const Setting& s);

  Config* config_;
  std::vector<std::string>* errors_;
  const IncludeFiles* includes_;
  std::vector<std::string> open_files_;  // the include chain, for cycles
  size_t files_included_ = 0;
};

// ---------------------------------------------------------------- values

template <std::string Config::*kField>
void store_text(Reader& r, const Setting& s) {
  r.config().*kField = std::string(s.value);
}

template <std::string Config::*kField>
void store_path(Reader& r, const Setting& s) {
  if (!s.value.empty() && !is_absolute_path(s.value))
    return r.fail(s, "'" + std::string(s.value) + "' is not an absolute path");
  r.config().*kField = std::string(s.value);
}

bool number(Reader& r, const Setting& s, uint32_t* out) {
  if (s.value.empty()) {  // LXC: an empty value resets to 0
    *out = 0;
    return true;
  }
  if (parse_u32(s.value, out)) return true;
  r.fail(s, "'" + std::string(s.value) + "' is not a decimal number");
  return false;
}

template <uint32_t Config::*kField>
void store_number(Reader& r, const Setting& s) {
  (void)number(r, s, &(r.config().*kField));
}

template <bool Config::*kField>
void store_flag(Reader& r, const Setting& s) {
  if (s.value != "0" && s.value != "1" && !s.value.empty()) return r.fail(s, "must be 0 or 1");
  r.config().*kField = s.value == "1";
}

template <int Config::*kField>
void store_signal(Reader& r, const Setting& s) {
  int sig = 0;
  if (!s.value.empty() && !parse_signal(s.value, &sig))
    return r.fail(s, "'" + std::string(s.value) + "' is not a signal name or number");
  r.config().*kField = sig;
}

template <std::vector<std::string> Config::*kList, bool kNoneAllowed>
void store_capabilities(Reader& r, const Setting& s) {
  auto& list = r.config().*kList;
  if (s.value.empty()) {
    list.clear();
    return;
  }
  for (std::string_view word : split_fields(s.value)) {
    if (kNoneAllowed && word == "none") {
      list.emplace_back("none");
      continue;
    }
    int cap = 0;
    if (!parse_capability(word, &cap))
      return r.fail(s, "'" + std::string(word) + "' is not a capability name");
    list.push_back(capability_name(cap));
  }
}

void ignore(Reader& r, const Setting& s) {
  r.config().ignored.push_back({s.line, std::string(s.key), std::string(s.file)});
}

void store_idmap(Reader& r, const Setting& s) {
  auto& idmap = r.config().idmap;
  if (s.value.empty()) {
    idmap.clear();
    return;
  }
  IdmapSpec spec;
  std::string why;
  if (!parse_idmap_spec(s.value, &spec, &why))
    return r.fail(s, "'" + std::string(s.value) + "': " + why + ", like 'u 0 100000 65536'");
  if (spec.extent.count == 0) return r.fail(s, "a count of 0 maps nothing");
  if (uint64_t{spec.extent.inside} + spec.extent.count - 1 > UINT32_MAX ||
      uint64_t{spec.extent.outside} + spec.extent.count - 1 > UINT32_MAX)
    return r.fail(s, "range '" + std::string(s.value) + "' runs past 4294967295");
  IdmapLine m;
  m.file = std::string(s.file);
  m.line = s.line;
  m.key = std::string(s.key);
  m.text = std::string(s.value);
  m.kind = spec.uid && spec.gid ? 'b' : spec.uid ? 'u' : 'g';
  m.inside = spec.extent.inside;
  m.outside = spec.extent.outside;
  m.count = spec.extent.count;
  idmap.push_back(std::move(m));
}

void store_rootfs(Reader& r, const Setting& s) {
  std::string_view path = s.value;
  if (starts_with(path, "overlay:") || starts_with(path, "overlayfs:")) {
    RootfsPath overlay;
    std::string why;
    if (!parse_rootfs_path(path, &overlay, &why)) return r.fail(s, why);
    r.config().rootfs = format_rootfs_path(overlay);
    return;
  }
  if (starts_with(path, "dir:")) path.remove_prefix(4);
  if (!path.empty() && !is_absolute_path(path))
    return r.fail(s, "'" + std::string(s.value) + "' is not an absolute directory path");
  r.config().rootfs = std::string(path);
}

void store_uts_name(Reader& r, const Setting& s) {
  if (!s.value.empty() && !is_valid_hostname(s.value))
    return r.fail(s, "'" + std::string(s.value) + "' is not a valid host name");
  r.config().uts_name = std::string(s.value);
}

void store_mount(Reader& r, const Setting& s) {
  auto& mounts = r.config().mounts;
  if (s.value.empty()) {
    mounts.clear();
    return;
  }
  const auto f = split_fields(s.value);
  if (f.size() < 4 || f.size() > 6)
    return r.fail(s, "expected 'SOURCE TARGET FSTYPE OPTIONS [0 0]', like '/mnt mnt none bind 0 0'");
  for (size_t i = 4; i < f.size(); ++i) {
    uint32_t n = 0;
    if (!parse_u32(f[i], &n)) return r.fail(s, "dump and pass fields must be numbers");
  }
  MountOptions options;
  std::string why;
  if (!parse_mount_options(f[3], &options, &why)) return r.fail(s, why);
  // The target is resolved under the rootfs; ".." components would
  // climb out of it before the container's mount namespace exists.
  std::string_view target = f[1];
  while (!target.empty() && target.front() == '/') target.remove_prefix(1);
  for (size_t pos = 0; pos <= target.size();) {
    const size_t end = std::min(target.find('/', pos), target.size());
    if (target.substr(pos, end - pos) == "..")
      return r.fail(s, "target '" + std::string(f[1]) + "' must not contain '..'");
    pos = end + 1;
  }
  MountEntry m;
  m.file = std::string(s.file);
  m.line = s.line;
  m.source = f[0];
  m.target = f[1];
  m.fstype = f[2];
  m.options = f[3];
  mounts.push_back(std::move(m));
}

void store_groups(Reader& r, const Setting& s) {
  auto& groups = r.config().groups;
  if (s.value.empty()) {
    groups.clear();
    return;
  }
  for (std::string_view g : split_fields(s.value)) {
    if (!std::all_of(g.begin(), g.end(), is_key_byte))
      return r.fail(s, "'" + std::string(g) + "' is not a group name");
    groups.emplace_back(g);
  }
}

void store_environment(Reader& r, const Setting& s) {
  auto& env = r.config().environment;
  if (s.value.empty()) {
    env.clear();
    return;
  }
  const size_t eq = s.value.find('=');
  const std::string_view name = s.value.substr(0, eq);
  if (eq == 0 || eq == std::string_view::npos ||
      !std::all_of(name.begin(), name.end(), [](char c) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      }))
    return r.fail(s, "expected NAME=VALUE");
  env.emplace_back(s.value);
}

// LXC's table of lxc.arch names (confile.c), with the personality each
// gets: the 32-bit ones run under PER_LINUX32, so uname -m matches.
void store_arch(Reader& r, const Setting& s) {
  struct Arch {
    std::string_view name;
    uint32_t bits;
  };
  static constexpr Arch kArches[] = {
      {"arm", 32},      {"armel", 32},       {"armhf", 32},     {"armv7l", 32},   {"athlon", 32},
      {"i386", 32},     {"i486", 32},        {"i586", 32},      {"i686", 32},     {"linux32", 32},
      {"mips", 32},     {"mipsel", 32},      {"ppc", 32},       {"powerpc", 32},  {"x32", 32},
      {"x86", 32},      {"aarch64", 64},     {"amd64", 64},     {"arm64", 64},    {"linux64", 64},
      {"loongarch64", 64}, {"loong64", 64},  {"mips64", 64},    {"mips64el", 64}, {"ppc64", 64},
      {"ppc64el", 64},  {"ppc64le", 64},     {"powerpc64", 64}, {"riscv64", 64},  {"s390x", 64},
      {"x86_64", 64}};
  Config& c = r.config();
  if (s.value.empty()) {
    c.arch.clear();
    c.arch_bits = 0;
    return;
  }
  const auto it = std::find_if(std::begin(kArches), std::end(kArches),
                               [&](const Arch& a) { return a.name == s.value; });
  if (it == std::end(kArches)) return r.fail(s, "unknown architecture '" + std::string(s.value) + "'");
  c.arch = std::string(s.value);
  c.arch_bits = it->bits;
}

void store_apparmor_profile(Reader& r, const Setting& s) {
  if (!s.value.empty() && s.value != "generated" && s.value != "unconfined")
    return r.fail(s, "uxc cannot confine a container with the AppArmor profile '" + std::string(s.value) +
                         "' (an unprivileged user can neither load nor enter one): use 'unconfined' or "
                         "'generated', or remove the line");
  r.config().apparmor_profile = std::string(s.value);
}

void store_console_path(Reader& r, const Setting& s) {
  if (!s.value.empty() && s.value != "none")
    return r.fail(s, "uxc supports only 'none' (no console) or the default");
  r.config().console_path = std::string(s.value);
}

// LXC's sizes: "auto" (128 KiB), N bytes, or N with kB, MB or GB (any
// case, powers of 1024) or B.
void store_console_buffer_size(Reader& r, const Setting& s) {
  uint64_t& size = r.config().console_buffer_size;
  if (s.value.empty() || s.value == "auto") {
    size = s.value.empty() ? 0 : uint64_t{1} << 17;
    return;
  }
  std::string_view digits = s.value;
  uint64_t unit = 1;
  const size_t end = digits.find_first_not_of("0123456789");
  if (end != std::string_view::npos) {
    std::string suffix;
    for (char c : digits.substr(end)) suffix += to_upper(c);
    digits = digits.substr(0, end);
    if (suffix == "KB") unit = uint64_t{1} << 10;
    else if (suffix == "MB") unit = uint64_t{1} << 20;
    else if (suffix == "GB") unit = uint64_t{1} << 30;
    else if (suffix != "B") digits = {};
  }
  uint64_t n = 0;
  if (!parse_u64(digits, &n) || n > UINT64_MAX / unit)
    return r.fail(s, "'" + std::string(s.value) + "' is not a size like 128kB, 1MB or auto");
  size = n * unit;
}

template <int kVersion>
void store_cgroup(Reader& r, const Setting& s) {
  auto& list = r.config().cgroup;
  const std::string_view prefix = kVersion == 2 ? "lxc.cgroup2" : "lxc.cgroup";
  const std::string_view controller_key = s.key.substr(std::min(s.key.size(), prefix.size() + 1));
  if (controller_key.empty() || s.value.empty()) {
    // `lxc.cgroup2 =` clears every setting of that version; an empty value
    // for one key clears that key.
    std::erase_if(list, [&](const CgroupSetting& c) {
      return c.version == kVersion && (controller_key.empty() || c.key == controller_key);
    });
    if (!controller_key.empty() || s.value.empty()) return;
  }
  if (controller_key.find('.') == std::string_view::npos)
    return r.fail(s, "expected a controller file like memory.max");
  list.push_back({s.line, kVersion, std::string(controller_key), std::string(s.value), std::string(s.file)});
}

// ------------------------------------------------------------------ nics

void nic_type(Reader& r, Nic& nic, const Setting& s) {
  if (s.value != "veth" && s.value != "empty" && !s.value.empty())
    return r.fail(s, "network type '" + std::string(s.value) + "' is not supported (uxc has veth and empty)");
  nic.type = std::string(s.value);
}

void nic_link(Reader& r, Nic& nic, const Setting& s) {
  if (!s.value.empty() && !is_valid_ifname(s.value))
    return r.fail(s, "'" + std::string(s.value) + "' is not an interface name");
  nic.link = std::string(s.value);
}

void nic_flags(Reader& r, Nic& nic, const Setting& s) {
  if (s.value != "up" && !s.value.empty()) return r.fail(s, "only 'up' is a valid flag");
  nic.up = s.value == "up";
}

void nic_hwaddr(Reader& r, Nic& nic, const Setting& s) {
  if (!s.value.empty() && !is_valid_hwaddr_template(s.value))
    return r.fail(s, "'" + std::string(s.value) + "' is not a unicast MAC address like 00:16:3e:xx:xx:xx");
  nic.hwaddr = std::string(s.value);
}

void nic_name(Reader& r, Nic& nic, const Setting& s) {
  if (!s.value.empty() && !is_valid_ifname(s.value))
    return r.fail(s, "'" + std::string(s.value) +
                         "' is not an interface name (1-15 bytes, no '/', ':', '%' or blanks)");
  nic.name = std::string(s.value);
}

void nic_mtu(Reader& r, Nic& nic, const Setting& s) {
  uint32_t mtu = 0;
  if (!number(r, s, &mtu)) return;
  if (mtu != 0 && (mtu < 68 || mtu > 65535)) return r.fail(s, "MTU must be between 68 and 65535");
  nic.mtu = mtu;
}

void nic_ipv4(Reader& r, Nic& nic, const Setting& s) {
  if (s.value.empty()) {
    nic.ipv4.clear();
    return;
  }
  // LXC allows an optional broadcast address after the prefix; the
  // kernel derives the same one from the prefix, so it is checked and
  // dropped.
  const auto words = split_fields(s.value);
  if (words.size() > 2 || !is_valid_prefix(words[0], AF_INET) ||
      (words.size() == 2 && !is_valid_address(words[1], AF_INET)))
    return r.fail(s, "'" + std::string(s.value) + "' is not an IPv4 address with prefix, like 10.0.3.5/24");
  nic.ipv4.emplace_back(words[0]);
}

void nic_ipv6(Reader& r, Nic& nic, const Setting& s) {
  if (s.value.empty()) {
    nic.ipv6.clear();
    return;
  }
  if (!is_valid_prefix(s.value, AF_INET6))
    return r.fail(s, "'" + std::string(s.value) + "' is not an IPv6 address with prefix, like fd00::5/64");
  nic.ipv6.emplace_back(s.value);
}

template <std::string Nic::*kField, int kFamily>
void nic_gateway(Reader& r, Nic& nic, const Setting& s) {
  if (!s.value.empty() && !is_valid_address(s.value, kFamily))
    return r.fail(s, "'" + std::string(s.value) + "' is not an " + (kFamily == AF_INET ? "IPv4" : "IPv6") +
                         " address");
  nic.*kField = std::string(s.value);
}

// The FIELD of lxc.net.N.FIELD, and what LXC 2 called it after
// lxc.network.
struct NicField {
  std::string_view modern;
  std::string_view legacy;
  ApplyNic apply;
};
constexpr NicField kNicFields[] = {
    {"type", "type", nic_type},
    {"link", "link", nic_link},
    {"flags", "flags", nic_flags},
    {"hwaddr", "hwaddr", nic_hwaddr},
    {"name", "name", nic_name},
    {"mtu", "mtu", nic_mtu},
    {"ipv4.address", "ipv4", nic_ipv4},
    {"ipv4.gateway", "ipv4.gateway", nic_gateway<&Nic::ipv4_gateway, AF_INET>},
    {"ipv6.address", "ipv6", nic_ipv6},
    {"ipv6.gateway", "ipv6.gateway", nic_gateway<&Nic::ipv6_gateway, AF_INET6>},
};

const NicField* find_nic_field(std::string_view field, bool legacy) {
  for (const NicField& f : kNicFields)
    if ((legacy ? f.legacy : f.modern) == field) return &f;
  return nullptr;
}

void unknown_key(Reader& r, const Setting& s) { r.fail_at(s.file, s.line, "unknown key " + std::string(s.key)); }

Nic* new_nic(Reader& r, const Setting& s, std::vector<Nic>::iterator where, uint32_t index, bool legacy) {
  auto& nics = r.config().nics;
  if (nics.size() >= kMaxNics) {
    r.fail_at(s.file, s.line, "more than " + std::to_string(kMaxNics) + " network interfaces");
    return nullptr;
  }
  Nic nic;
  nic.file = std::string(s.file);
  nic.line = s.line;
  nic.legacy = legacy;
  nic.index = index;
  return &*nics.insert(where, std::move(nic));
}

// lxc.net and lxc.network: an empty value removes every interface.
void clear_nics(Reader& r, const Setting& s) {
  if (!s.value.empty()) return r.fail(s, "takes only an empty value (clears every interface)");
  r.config().nics.clear();
}

// lxc.net.N.FIELD, and lxc.net.N (empty: removes interface N).
void modern_nic(Reader& r, const Setting& s) {
  if (r.saw_legacy_net)
    return r.fail_at(s.file, s.line, "mixing lxc.net.N.* with legacy lxc.network.* in one file is ambiguous; "
                                     "use lxc.net.N.* only");
  r.saw_modern_net = true;
  const std::string_view rest = s.key.substr(8);
  const size_t dot = rest.find('.');
  uint32_t index = 0;
  if (!parse_u32(rest.substr(0, dot), &index) || index >= kMaxNics) return unknown_key(r, s);
  auto& nics = r.config().nics;
  if (dot == std::string_view::npos) {
    if (!s.value.empty()) return r.fail(s, "takes only an empty value (clears the interface)");
    std::erase_if(nics, [index](const Nic& n) { return n.index == index; });
    return;
  }
  const NicField* field = find_nic_field(rest.substr(dot + 1), false);
  if (field == nullptr) return unknown_key(r, s);
  auto it = std::find_if(nics.begin(), nics.end(), [index](const Nic& n) { return n.index >= index; });
  Nic* nic = it != nics.end() && it->index == index ? &*it : new_nic(r, s, it, index, false);
  if (nic != nullptr) field->apply(r, *nic, s);
}

// lxc.network.FIELD: each lxc.network.type starts a new interface, as in
// LXC 2; every other field applies to the last one.
void legacy_nic(Reader& r, const Setting& s) {
  if (r.saw_modern_net)
    return r.fail_at(s.file, s.line, "mixing legacy lxc.network.* with lxc.net.N.* in one file is ambiguous; "
                                     "use lxc.net.N.* only");
  r.saw_legacy_net = true;
  const NicField* field = find_nic_field(s.key.substr(12), true);
  if (field == nullptr) return unknown_key(r, s);
  auto& nics = r.config().nics;
  Nic* nic = nullptr;
  if (field->apply == nic_type) {
    nic = new_nic(r, s, nics.end(), nics.empty() ? 0 : nics.back().index + 1, true);
  } else if (nics.empty()) {
    return r.fail(s, "comes before any lxc.network.type");
  } else {
    nic = &nics.back();
  }
  if (nic != nullptr) field->apply(r, *nic, s);
}

// --------------------------------------------------------------- include

void include(Reader& r, const Setting& s) {
  const std::string_view path = s.value;
  if (path.empty()) return r.fail(s, "names no file");
  for (std::string_view dir : kSharedConfigDirs) {
    if (!starts_with(path, dir)) continue;
    const char* text = builtin_include_text(path.substr(dir.size()));
    if (text == nullptr)
      return r.fail(s, "'" + std::string(path) +
                           "' is one of LXC's shared configs, which uxc does not read; uxc has equivalents of "
                           "common.conf and userns.conf only: remove the line");
    return r.include(s, "uxc:" + std::string(path.substr(dir.size())), text);
  }
  if (path.front() != '/') return r.fail(s, "'" + std::string(path) + "' is not an absolute path");
  if (path.back() == '/') return r.fail(s, "'" + std::string(path) + "' is a directory: include its files one by one");
  if (r.includes() == nullptr) return r.fail(s, "cannot read other files here");
  std::string text;
  std::string why;
  const std::string name(path);
  if (!r.includes()->read(name, &text, &why)) return r.fail(s, "cannot read " + name + ": " + why);
  r.include(s, name, text);
}

// ----------------------------------------------------------------- image

// uxc.image.FIELD: where the rootfs came from, as uxc create records it;
// checked as policy/image.h checks the image server's names.
void store_image(Reader& r, const Setting& s) {
  const std::string_view field = s.key.substr(10);
  ImageRecord& m = r.config().image;
  std::string* target = field == "dist"      ? &m.dist
                        : field == "release" ? &m.release
                        : field == "arch"    ? &m.arch
                        : field == "variant" ? &m.variant
                        : field == "build"   ? &m.build
                        : field == "server"  ? &m.server
                                             : nullptr;
  if (target == nullptr) return unknown_key(r, s);
  std::string server, why;
  const bool valid = s.value.empty() || (field == "build"    ? is_valid_build_id(s.value)
                                         : field == "server" ? parse_image_server(s.value, &server, &why)
                                                             : is_valid_image_word(s.value));
  if (!valid) return r.fail(s, "'" + std::string(s.value) + "' is not a valid value");
  *target = std::string(s.value);
}

// ----------------------------------------------------------------- table

// Every key uxc reads: LXC's name, LXC 2's spelling of it (`uxc` reads
// both; lxc-update-config lists the pairs), and where its value goes. A
// name ending in '.' is a family (lxc.cgroup2.memory.max, lxc.net.0.link).
struct KeySpec {
  std::string_view name;
  std::string_view legacy;
  Apply apply;
};

constexpr KeySpec kKeys[] = {
    {"lxc.include", "", include},
    {"lxc.idmap", "lxc.id_map", store_idmap},
    {"lxc.rootfs.path", "lxc.rootfs", store_rootfs},
    {"lxc.uts.name", "lxc.utsname", store_uts_name},
    {"lxc.mount.entry", "", store_mount},
    {"lxc.start.auto", "", store_flag<&Config::start_auto>},
    {"lxc.start.delay", "", store_number<&Config::start_delay>},
    {"lxc.start.order", "", store_number<&Config::start_order>},
    {"lxc.group", "", store_groups},
    {"lxc.cap.drop", "", store_capabilities<&Config::cap_drop, false>},
    {"lxc.cap.keep", "", store_capabilities<&Config::cap_keep, true>},
    {"lxc.signal.halt", "lxc.haltsignal", store_signal<&Config::signal_halt>},
    {"lxc.signal.reboot", "lxc.rebootsignal", store_signal<&Config::signal_reboot>},
    {"lxc.signal.stop", "lxc.stopsignal", store_signal<&Config::signal_stop>},
    {"lxc.arch", "", store_arch},
    {"lxc.autodev", "", store_flag<&Config::autodev>},
    {"lxc.ephemeral", "", store_flag<&Config::ephemeral>},
    {"lxc.apparmor.profile", "lxc.aa_profile", store_apparmor_profile},
    {"lxc.init.cmd", "lxc.init_cmd", store_text<&Config::init_cmd>},
    {"lxc.init.cwd", "", store_path<&Config::init_cwd>},
    {"lxc.init.uid", "", store_number<&Config::init_uid>},
    {"lxc.init.gid", "", store_number<&Config::init_gid>},
    {"lxc.environment", "", store_environment},
    {"lxc.tty.max", "lxc.tty", store_number<&Config::tty_max>},
    {"lxc.pty.max", "lxc.pts", store_number<&Config::pty_max>},
    {"lxc.console.path", "lxc.console", store_console_path},
    {"lxc.console.logfile", "", store_path<&Config::console_logfile>},
    {"lxc.console.buffer.size", "", store_console_buffer_size},
    {"lxc.cgroup2", "", store_cgroup<2>},
    {"lxc.cgroup2.", "", store_cgroup<2>},
    {"lxc.cgroup", "", store_cgroup<1>},
    {"lxc.cgroup.", "", store_cgroup<1>},
    {"lxc.net", "", clear_nics},
    {"lxc.net.", "", modern_nic},
    {"lxc.network", "", clear_nics},
    {"lxc.network.", "", legacy_nic},
    {"uxc.image.", "", store_image},
    // Accepted, not acted on (Config::ignored).
    {"lxc.seccomp.profile", "lxc.seccomp", ignore},
    {"lxc.mount.auto", "", ignore},
    {"lxc.tty.dir", "lxc.devttydir", ignore},
    {"lxc.apparmor.allow_nesting", "", ignore},
    {"lxc.apparmor.allow_incomplete", "lxc.aa_allow_incomplete", ignore},
};

const KeySpec* find_key(std::string_view key) {
  for (const KeySpec& k : kKeys)
    if (k.name.back() != '.' && (k.name == key || (!k.legacy.empty() && k.legacy == key))) return &k;
  for (const KeySpec& k : kKeys)
    if (k.name.back() == '.' && key.size() > k.name.size() && starts_with(key, k.name)) return &k;
  return nullptr;
}

void Reader::apply(const Setting& s) {
  if (!is_printable_ascii(s.value)) return fail(s, "value must be printable ASCII");
  const KeySpec* spec = find_key(s.key);
  if (spec == nullptr) return unknown_key(*this, s);
  config_->settings.push_back({std::string(s.file), s.line, std::string(s.key), std::string(s.value)});
  spec->apply(*this, s);
}

}  // namespace

std::vector<std::string> config_table_names() {
  std::vector<std::string> names;
  for (const KeySpec& k : kKeys) {
    if (k.name == "lxc.net." || k.name == "lxc.network.") continue;  // the fields below
    names.emplace_back(k.name);
    if (!k.legacy.empty()) names.emplace_back(k.legacy);
  }
  for (const NicField& f : kNicFields) {
    names.push_back("lxc.net.N." + std::string(f.modern));
    names.push_back("lxc.network." + std::string(f.legacy));
  }
  return names;
}

std::string canonical_config_key(std::string_view key) {
  const KeySpec* spec = find_key(key);
  if (spec == nullptr) return "";
  if (spec->name.back() == '.') return std::string(key);
  return std::string(spec->name);
}

bool is_list_config_key(std::string_view key) {
  constexpr std::string_view kLists[] = {"lxc.include", "lxc.idmap", "lxc.mount.entry", "lxc.group", "lxc.cap.drop",
                                         "lxc.cap.keep", "lxc.environment"};
  for (std::string_view l : kLists)
    if (key == l) return true;
  return starts_with(key, "lxc.cgroup.") || starts_with(key, "lxc.cgroup2.") ||
         (starts_with(key, "lxc.net.") && (key.ends_with(".ipv4.address") || key.ends_with(".ipv6.address"))) ||
         key == "lxc.network.ipv4" || key == "lxc.network.ipv6";
}

std::string replace_config_lines(std::string_view text, std::span<const size_t> lines, std::string_view replacement) {
  std::string out;
  bool placed = false;
  size_t number = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string_view::npos ? text.size() : end + 1;
    ++number;
    if (std::find(lines.begin(), lines.end(), number) == lines.end()) {
      out.append(text.substr(start, end - start));
    } else if (!placed) {
      out.append(replacement);
      placed = true;
    }
    start = end;
  }
  if (!placed) out.append(replacement);
  return out;
}

std::vector<std::string> config_values(const Config& config, std::string_view key) {
  const std::string canonical = canonical_config_key(key);
  std::vector<std::string> values;
  if (canonical.empty()) return values;
  const bool list = is_list_config_key(canonical);
  for (const RawSetting& s : config.settings) {
    if (canonical_config_key(s.key) != canonical) continue;
    if (!list || s.value.empty()) values.clear();
    if (!s.value.empty() || !list) values.push_back(s.value);
  }
  return values;
}

namespace {

void Reader::read(std::string_view text, std::string_view file) {
  if (text.size() > kMaxConfigBytes)
    return fail_at(file, 0, "larger than " + std::to_string(kMaxConfigBytes) + " bytes");
  std::vector<Line> lines;
  std::string why;
  if (!split_lines(text, kMaxConfigLineBytes, &lines, &why)) {
    // why is "line N: what"; report it as FILE:N: what.
    if (errors_->size() < kMaxErrors) errors_->push_back(std::string(file) + ":" + why.substr(5));
    return;
  }
  // The nic spelling is a property of one file.
  const bool outer_modern = saw_modern_net, outer_legacy = saw_legacy_net;
  saw_modern_net = saw_legacy_net = false;
  for (const Line& l : lines) {
    if (l.text.find('\r') != std::string_view::npos) {
      fail_at(file, l.number, "carriage return: the file has DOS (CRLF) line endings; convert it with dos2unix");
      continue;
    }
    Setting s{file, l.number, {}, {}};
    if (!split_setting(l.text, &s.key, &s.value, &why)) {
      fail_at(file, l.number, why);
      continue;
    }
    if (!s.key.empty()) apply(s);
  }
  saw_modern_net = outer_modern;
  saw_legacy_net = outer_legacy;
}

void Reader::include(const Setting& s, std::string_view file, std::string_view text) {
  if (open_files_.size() >= kMaxIncludeDepth)
    return fail(s, "includes nest deeper than " + std::to_string(kMaxIncludeDepth) + " files");
  if (std::find(open_files_.begin(), open_files_.end(), file) != open_files_.end())
    return fail(s, std::string(file) + " includes itself");
  if (++files_included_ > kMaxIncludedFiles)
    return fail(s, "more than " + std::to_string(kMaxIncludedFiles) + " included files");
  open_files_.emplace_back(file);
  read(text, file);
  open_files_.pop_back();
}

}  // namespace

bool split_setting(std::string_view line, std::string_view* key, std::string_view* value,
                   std::string* why) {
  const std::string_view t = trim_blanks(line);
  *key = {};
  *value = {};
  if (t.empty() || t.front() == '#') return true;
  const size_t eq = t.find('=');
  const std::string_view k = trim_blanks(t.substr(0, eq == std::string_view::npos ? t.size() : eq));
  if (eq == std::string_view::npos || k.empty() || !std::all_of(k.begin(), k.end(), is_key_byte)) {
    *why = "expected KEY = VALUE (comments start with '#')";
    return false;
  }
  std::string_view v = trim_blanks(t.substr(eq + 1));
  if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
    if (v.size() < 2 || v.back() != v.front()) {
      *why = std::string(k) + ": the value starts with " + v.front() + " but does not end with it";
      return false;
    }
    v = v.substr(1, v.size() - 2);
  }
  *key = k;
  *value = v;
  return true;
}

bool parse_config(std::string_view text, std::string_view file_name, Config* config,
                  std::vector<std::string>* errors, const IncludeFiles* includes) {
  errors->clear();
  Reader reader(config, errors, includes);
  reader.read(text, file_name);
  return errors->empty();
}

const char* builtin_include_text(std::string_view name) {
  if (name == "common.conf") return kBuiltinCommon.data();
  if (name == "userns.conf") return kBuiltinUserns.data();
  return nullptr;
}

bool validate_config(const Config& config, std::string_view file_name,
                     std::vector<std::string>* errors) {
  errors->clear();
  auto error = [&](const std::string& file, size_t line, const std::string& what) {
    errors->push_back((file.empty() ? std::string(file_name) : file) + ":" + std::to_string(line) + ": " + what);
  };
  std::vector<std::string> names;
  for (const Nic& nic : config.nics) {
    const std::string which = "network interface " + std::to_string(nic.index);
    const std::string prefix = nic.legacy ? "lxc.network." : "lxc.net." + std::to_string(nic.index) + ".";
    if (nic.type.empty()) {
      error(nic.file, nic.line, std::string(which).append(" has no type (add ").append(prefix).append("type = veth)"));
      continue;
    }
    if (nic.type == "veth" && nic.link.empty())
      error(nic.file, nic.line,
            std::string(which).append(" is a veth without a link (add ").append(prefix).append("link = lxcbr0)"));
    if (nic.type != "veth") continue;
    const std::string name = nic.name.empty() ? "eth" + std::to_string(nic.index) : nic.name;
    if (std::find(names.begin(), names.end(), name) != names.end())
      error(nic.file, nic.line, std::string(which).append(": name ").append(name).append(" is used twice"));
    names.push_back(name);
  }
  std::vector<IdmapSpec> specs;
  for (const IdmapLine& m : config.idmap)
    specs.push_back({m.kind != 'g', m.kind != 'u', {m.inside, m.outside, m.count}});
  IdMaps maps;
  std::string why;
  if (!specs.empty() && !collect_idmaps(specs, &maps, &why)) {
    const IdmapLine& first = config.idmap.front();
    error(first.file, first.line, first.key + ": " + why);
  }
  return errors->empty();
}

std::string instantiate_hwaddrs(std::string_view text, std::span<const uint8_t> random) {
  std::string out;
  out.reserve(text.size());
  size_t used = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool has_newline = end != std::string_view::npos;
    if (!has_newline) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    std::string_view key, value;
    std::string why;
    const bool is_hwaddr = split_setting(line, &key, &value, &why) &&
                           (key == "lxc.network.hwaddr" ||
                            (starts_with(key, "lxc.net.") && key.size() > 15 &&
                             key.substr(key.size() - 7) == ".hwaddr"));
    if (is_hwaddr && is_valid_hwaddr_template(value) && used + 12 <= random.size()) {
      const size_t value_pos = static_cast<size_t>(value.data() - line.data());
      out.append(line.substr(0, value_pos));
      out += fill_hwaddr_template(value, random.subspan(used, 12));
      out.append(line.substr(value_pos + value.size()));
      used += 12;
    } else {
      out.append(line);
    }
    if (has_newline) out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace uxc::policy
