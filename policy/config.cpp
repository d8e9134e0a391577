#include "policy/config.h"

#include <arpa/inet.h>
#include <ini.h>
#include <signal.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "policy/idmap.h"
#include "policy/rootfs.h"
#include "policy/text.h"

namespace uxc::policy {

namespace {

constexpr size_t kMaxErrors = 32;
constexpr uint32_t kMaxNics = 32;

// Kernel capability numbers, by name (linux/capability.h).
constexpr std::array<std::string_view, 41> kCapabilityNames = {
    "chown",          "dac_override",    "dac_read_search", "fowner",
    "fsetid",         "kill",            "setgid",          "setuid",
    "setpcap",        "linux_immutable", "net_bind_service", "net_broadcast",
    "net_admin",      "net_raw",         "ipc_lock",        "ipc_owner",
    "sys_module",     "sys_rawio",       "sys_chroot",      "sys_ptrace",
    "sys_pacct",      "sys_admin",       "sys_boot",        "sys_nice",
    "sys_resource",   "sys_time",        "sys_tty_config",  "mknod",
    "lease",          "audit_write",     "audit_control",   "setfcap",
    "mac_override",   "mac_admin",       "syslog",          "wake_alarm",
    "block_suspend",  "audit_read",      "perfmon",         "bpf",
    "checkpoint_restore",
};

struct SignalName {
  std::string_view name;
  int number;
};
constexpr SignalName kSignalNames[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},
    {"ILL", SIGILL},       {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},
    {"IOT", SIGIOT},       {"BUS", SIGBUS},       {"FPE", SIGFPE},
    {"KILL", SIGKILL},     {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},
    {"TERM", SIGTERM},     {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},     {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH},   {"IO", SIGIO},
    {"POLL", SIGPOLL},     {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

constexpr std::string_view kIgnoredKeys[] = {
    "lxc.apparmor.profile", "lxc.apparmor.allow_nesting",
    "lxc.apparmor.allow_incomplete", "lxc.seccomp.profile",
    "lxc.mount.auto", "lxc.tty.dir",
};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_key_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool is_template_digit(char c) { return c == 'x' || c == 'X'; }

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

// The same rule as uxc-nic's (nic.h): what the kernel takes as-is, and
// no '%', which the kernel would expand into a name of its choosing.
bool is_kernel_ifname(std::string_view name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c > 0x20 && c < 0x7f && c != '/' && c != ':' && c != '%';
  });
}

bool is_valid_path(std::string_view path) {
  return !path.empty() && is_printable_ascii(path);
}

class Reader {
 public:
  Reader(std::string_view file, Config* config, std::vector<std::string>* errors)
      : file_(file), config_(config), errors_(errors) {}

  void error(size_t line, std::string_view what) {
    if (errors_->size() >= kMaxErrors) return;
    std::string msg(file_);
    if (line != 0) msg += ":" + std::to_string(line);
    msg += ": ";
    msg += what;
    errors_->push_back(std::move(msg));
  }

  void apply(size_t line, std::string_view key, std::string_view value);

 private:
  void apply_nic(size_t line, Nic* nic, std::string_view field,
                 std::string_view key, std::string_view value);
  Nic* modern_nic(size_t line, uint32_t index);
  void apply_idmap(size_t line, std::string_view value);
  void apply_mount(size_t line, std::string_view value);
  void apply_caps(size_t line, std::vector<std::string>* list, std::string_view key,
                  std::string_view value);
  void apply_cgroup(size_t line, int version, std::string_view key,
                    std::string_view controller_key, std::string_view value);
  bool number(size_t line, std::string_view key, std::string_view value, uint32_t* out);

  std::string_view file_;
  Config* config_;
  std::vector<std::string>* errors_;
  bool saw_modern_net_ = false;
  bool saw_legacy_net_ = false;
};

bool Reader::number(size_t line, std::string_view key, std::string_view value,
                    uint32_t* out) {
  if (parse_u32(value, out)) return true;
  error(line, std::string(key) + ": '" + std::string(value) +
                  "' is not a decimal number");
  return false;
}

Nic* Reader::modern_nic(size_t line, uint32_t index) {
  auto& nics = config_->nics;
  auto it = std::find_if(nics.begin(), nics.end(),
                         [index](const Nic& n) { return n.index >= index; });
  if (it != nics.end() && it->index == index) return &*it;
  if (nics.size() >= kMaxNics) {
    error(line, "more than " + std::to_string(kMaxNics) + " network interfaces");
    return nullptr;
  }
  Nic nic;
  nic.line = line;
  nic.index = index;
  return &*nics.insert(it, nic);
}

void Reader::apply_nic(size_t line, Nic* nic, std::string_view field,
                       std::string_view key, std::string_view value) {
  const std::string k(key);
  const std::string v(value);
  if (field == "type") {
    if (value != "veth" && value != "empty" && !value.empty()) {
      error(line, k + ": network type '" + v + "' is not supported (uxc has veth and empty)");
      return;
    }
    nic->type = v;
  } else if (field == "link") {
    if (!value.empty() && !is_kernel_ifname(value)) {
      error(line, k + ": '" + v + "' is not an interface name");
      return;
    }
    nic->link = v;
  } else if (field == "flags") {
    if (value != "up" && !value.empty()) {
      error(line, k + ": only 'up' is a valid flag");
      return;
    }
    nic->up = value == "up";
  } else if (field == "hwaddr") {
    if (!value.empty() && !is_valid_hwaddr_template(value)) {
      error(line, k + ": '" + v + "' is not a unicast MAC address like 00:16:3e:xx:xx:xx");
      return;
    }
    nic->hwaddr = v;
  } else if (field == "name") {
    if (!value.empty() && !is_kernel_ifname(value)) {
      error(line, k + ": '" + v + "' is not an interface name (1-15 bytes, no '/', ':', '%' or blanks)");
      return;
    }
    nic->name = v;
  } else if (field == "mtu") {
    uint32_t mtu = 0;
    if (value.empty()) {
      nic->mtu = 0;
    } else if (number(line, key, value, &mtu)) {
      if (mtu < 68 || mtu > 65535) {
        error(line, k + ": MTU must be between 68 and 65535");
        return;
      }
      nic->mtu = mtu;
    }
  } else if (field == "ipv4.address" || field == "ipv4") {
    if (value.empty()) {
      nic->ipv4.clear();
      return;
    }
    // LXC allows an optional broadcast address after the prefix; the
    // kernel derives the same one from the prefix, so it is checked and
    // dropped.
    const auto words = split_fields(value);
    if (words.size() > 2 || !is_valid_prefix(words[0], AF_INET) ||
        (words.size() == 2 && !is_valid_address(words[1], AF_INET))) {
      error(line, k + ": '" + v + "' is not an IPv4 address with prefix, like 10.0.3.5/24");
      return;
    }
    nic->ipv4.emplace_back(words[0]);
  } else if (field == "ipv4.gateway") {
    if (!value.empty() && !is_valid_address(value, AF_INET)) {
      error(line, k + ": '" + v + "' is not an IPv4 address");
      return;
    }
    nic->ipv4_gateway = v;
  } else if (field == "ipv6.address" || field == "ipv6") {
    if (value.empty()) {
      nic->ipv6.clear();
      return;
    }
    if (!is_valid_prefix(value, AF_INET6)) {
      error(line, k + ": '" + v + "' is not an IPv6 address with prefix, like fd00::5/64");
      return;
    }
    nic->ipv6.push_back(v);
  } else if (field == "ipv6.gateway") {
    if (!value.empty() && !is_valid_address(value, AF_INET6)) {
      error(line, k + ": '" + v + "' is not an IPv6 address");
      return;
    }
    nic->ipv6_gateway = v;
  } else {
    error(line, "unknown key " + k);
  }
}

void Reader::apply_idmap(size_t line, std::string_view value) {
  if (value.empty()) {
    config_->idmap.clear();
    return;
  }
  IdmapSpec spec;
  std::string why;
  if (!parse_idmap_spec(value, &spec, &why)) {
    error(line, "lxc.idmap: '" + std::string(value) + "': " + why +
                    ", like 'u 0 100000 65536'");
    return;
  }
  IdmapLine m;
  m.line = line;
  m.text = std::string(value);
  m.kind = spec.uid && spec.gid ? 'b' : spec.uid ? 'u' : 'g';
  m.inside = spec.extent.inside;
  m.outside = spec.extent.outside;
  m.count = spec.extent.count;
  if (m.count == 0) {
    error(line, "lxc.idmap: a count of 0 maps nothing");
    return;
  }
  if (uint64_t{m.inside} + m.count - 1 > UINT32_MAX ||
      uint64_t{m.outside} + m.count - 1 > UINT32_MAX) {
    error(line, "lxc.idmap: range '" + std::string(value) + "' runs past 4294967295");
    return;
  }
  config_->idmap.push_back(std::move(m));
}

void Reader::apply_mount(size_t line, std::string_view value) {
  if (value.empty()) {
    config_->mounts.clear();
    return;
  }
  const auto f = split_fields(value);
  if (f.size() < 4 || f.size() > 6) {
    error(line, "lxc.mount.entry: expected 'SOURCE TARGET FSTYPE OPTIONS [0 0]', like '/mnt mnt none bind 0 0'");
    return;
  }
  for (size_t i = 4; i < f.size(); ++i) {
    uint32_t n = 0;
    if (!parse_u32(f[i], &n)) {
      error(line, "lxc.mount.entry: dump and pass fields must be numbers");
      return;
    }
  }
  MountEntry m;
  m.line = line;
  m.source = f[0];
  m.target = f[1];
  m.fstype = f[2];
  m.options = f[3];
  std::string_view target = f[1];
  while (!target.empty() && target.front() == '/') target.remove_prefix(1);
  // The target is resolved under the rootfs; ".." components would
  // climb out of it before the container's mount namespace exists.
  size_t pos = 0;
  while (pos <= target.size()) {
    size_t end = target.find('/', pos);
    if (end == std::string_view::npos) end = target.size();
    if (target.substr(pos, end - pos) == "..") {
      error(line, "lxc.mount.entry: target '" + m.target + "' must not contain '..'");
      return;
    }
    pos = end + 1;
  }
  config_->mounts.push_back(std::move(m));
}

void Reader::apply_caps(size_t line, std::vector<std::string>* list,
                        std::string_view key, std::string_view value) {
  if (value.empty()) {
    list->clear();
    return;
  }
  for (std::string_view word : split_fields(value)) {
    if (word == "none" && key == "lxc.cap.keep") {
      list->push_back("none");
      continue;
    }
    int number = 0;
    if (!parse_capability(word, &number)) {
      error(line, std::string(key) + ": '" + std::string(word) + "' is not a capability name");
      return;
    }
    list->push_back(std::string(kCapabilityNames[static_cast<size_t>(number)]));
  }
}

void Reader::apply_cgroup(size_t line, int version, std::string_view key,
                          std::string_view controller_key, std::string_view value) {
  auto& list = config_->cgroup;
  if (controller_key.empty() || value.empty()) {
    // `lxc.cgroup2 =` clears every setting of that version; an empty value
    // for one key clears that key.
    std::erase_if(list, [&](const CgroupSetting& s) {
      return s.version == version && (controller_key.empty() || s.key == controller_key);
    });
    if (!controller_key.empty() || value.empty()) return;
  }
  if (controller_key.find('.') == std::string_view::npos) {
    error(line, std::string(key) + ": expected a controller file like memory.max");
    return;
  }
  if (!is_printable_ascii(value)) {
    error(line, std::string(key) + ": value must be printable ASCII");
    return;
  }
  list.push_back({line, version, std::string(controller_key), std::string(value)});
}

void Reader::apply(size_t line, std::string_view key, std::string_view value) {
  Config& c = *config_;
  const std::string k(key);
  const std::string v(value);
  if (!is_printable_ascii(value)) {
    error(line, k + ": value must be printable ASCII");
    return;
  }

  if (key == "lxc.idmap" || key == "lxc.id_map") return apply_idmap(line, value);

  if (key == "lxc.net" || key == "lxc.network") {
    if (!value.empty()) return error(line, k + " takes only an empty value (clears every interface)");
    c.nics.clear();
    return;
  }
  if (starts_with(key, "lxc.net.")) {
    if (saw_legacy_net_) return error(line, "mixing lxc.net.N.* with legacy lxc.network.* in one file is ambiguous; use lxc.net.N.* only");
    saw_modern_net_ = true;
    const std::string_view rest = key.substr(8);
    const size_t dot = rest.find('.');
    uint32_t index = 0;
    if (!parse_u32(rest.substr(0, dot), &index) || index >= kMaxNics)
      return error(line, "unknown key " + k);
    if (dot == std::string_view::npos) {
      if (!value.empty()) return error(line, k + " takes only an empty value (clears the interface)");
      std::erase_if(c.nics, [index](const Nic& n) { return n.index == index; });
      return;
    }
    const std::string_view field = rest.substr(dot + 1);
    if (field == "ipv4" || field == "ipv6") return error(line, "unknown key " + k);
    Nic* nic = modern_nic(line, index);
    if (nic != nullptr) apply_nic(line, nic, field, key, value);
    return;
  }
  if (starts_with(key, "lxc.network.")) {
    if (saw_modern_net_) return error(line, "mixing legacy lxc.network.* with lxc.net.N.* in one file is ambiguous; use lxc.net.N.* only");
    saw_legacy_net_ = true;
    const std::string_view field = key.substr(12);
    if (field == "type") {
      // As in LXC 2, each lxc.network.type starts a new interface.
      if (c.nics.size() >= kMaxNics) return error(line, "more than " + std::to_string(kMaxNics) + " network interfaces");
      Nic nic;
      nic.line = line;
      nic.index = c.nics.empty() ? 0 : c.nics.back().index + 1;
      c.nics.push_back(nic);
    } else if (field == "ipv4.address" || field == "ipv6.address") {
      return error(line, "unknown key " + k);
    } else if (c.nics.empty()) {
      return error(line, k + " comes before any lxc.network.type");
    }
    return apply_nic(line, &c.nics.back(), field, key, value);
  }

  if (key == "lxc.rootfs.path" || key == "lxc.rootfs") {
    std::string_view path = value;
    if (starts_with(path, "overlay:") || starts_with(path, "overlayfs:")) {
      RootfsPath overlay;
      std::string why;
      if (!parse_rootfs_path(path, &overlay, &why)) return error(line, k + ": " + why);
      c.rootfs = format_rootfs_path(overlay);
      return;
    }
    if (starts_with(path, "dir:")) path.remove_prefix(4);
    if (!path.empty() && (path.front() != '/' || !is_valid_path(path)))
      return error(line, k + ": '" + v + "' is not an absolute directory path");
    c.rootfs = std::string(path);
    return;
  }
  if (key == "lxc.ephemeral") {
    if (value != "0" && value != "1") return error(line, k + ": must be 0 or 1");
    c.ephemeral = value == "1";
    return;
  }
  if (key == "lxc.uts.name" || key == "lxc.utsname") {
    if (!value.empty() && !is_valid_hostname(value))
      return error(line, k + ": '" + v + "' is not a valid host name");
    c.uts_name = v;
    return;
  }
  if (key == "lxc.mount.entry") return apply_mount(line, value);
  if (key == "lxc.start.auto") {
    if (value != "0" && value != "1") return error(line, k + ": must be 0 or 1");
    c.start_auto = value == "1";
    return;
  }
  if (key == "lxc.start.delay") {
    (void)number(line, key, value, &c.start_delay);
    return;
  }
  if (key == "lxc.start.order") {
    (void)number(line, key, value, &c.start_order);
    return;
  }
  if (key == "lxc.group") {
    if (value.empty()) {
      c.groups.clear();
      return;
    }
    for (std::string_view g : split_fields(value)) {
      if (!std::all_of(g.begin(), g.end(), is_key_byte))
        return error(line, k + ": '" + std::string(g) + "' is not a group name");
      c.groups.emplace_back(g);
    }
    return;
  }
  if (key == "lxc.cap.drop") return apply_caps(line, &c.cap_drop, key, value);
  if (key == "lxc.cap.keep") return apply_caps(line, &c.cap_keep, key, value);
  if (key == "lxc.signal.halt" || key == "lxc.signal.stop") {
    int sig = 0;
    if (!value.empty() && !parse_signal(value, &sig))
      return error(line, k + ": '" + v + "' is not a signal name or number");
    (key == "lxc.signal.halt" ? c.signal_halt : c.signal_stop) = sig;
    return;
  }
  if (key == "lxc.cgroup2" || starts_with(key, "lxc.cgroup2."))
    return apply_cgroup(line, 2, key, key.substr(std::min(key.size(), size_t{12})), value);
  if (key == "lxc.cgroup" || starts_with(key, "lxc.cgroup."))
    return apply_cgroup(line, 1, key, key.substr(std::min(key.size(), size_t{11})), value);
  if (key == "lxc.arch") {
    static constexpr std::string_view kArches[] = {
        "x86_64", "amd64", "i386", "i486", "i586", "i686", "x86",
        "aarch64", "arm64", "armhf", "armel", "armv7l", "ppc64le", "s390x", "riscv64"};
    if (!value.empty() && std::find(std::begin(kArches), std::end(kArches), value) == std::end(kArches))
      return error(line, k + ": unknown architecture '" + v + "'");
    c.arch = v;
    return;
  }
  if (key == "lxc.init.cmd") {
    c.init_cmd = v;
    return;
  }
  if (key == "lxc.environment") {
    if (value.empty()) {
      c.environment.clear();
      return;
    }
    const size_t eq = value.find('=');
    if (eq == 0 || eq == std::string_view::npos ||
        !std::all_of(value.begin(), value.begin() + static_cast<ptrdiff_t>(eq),
                     [](char ch) { return ch == '_' || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); }))
      return error(line, k + ": expected NAME=VALUE");
    c.environment.push_back(v);
    return;
  }
  if (key == "lxc.tty.max") {
    (void)number(line, key, value, &c.tty_max);
    return;
  }
  if (key == "lxc.pty.max") {
    (void)number(line, key, value, &c.pty_max);
    return;
  }
  if (key == "lxc.console.path") {
    if (!value.empty() && value != "none")
      return error(line, k + ": uxc supports only 'none' (no console) or the default");
    c.console_path = v;
    return;
  }
  if (key == "lxc.include")
    return error(line, "lxc.include is not supported: copy the settings you need into this file");
  if (std::find(std::begin(kIgnoredKeys), std::end(kIgnoredKeys), key) != std::end(kIgnoredKeys)) {
    c.ignored.push_back({line, k});
    return;
  }
  error(line, "unknown key " + k);
}

// inih reads through this: one pre-checked line per call.
struct Feed {
  const std::vector<std::string_view>* lines = nullptr;
  const std::vector<size_t>* numbers = nullptr;
  size_t next = 0;        // index of the next line to hand out
  size_t current = 0;     // line number of the last line handed out
  size_t calls = 0;       // handler calls for the current line
  bool too_long = false;  // a line did not fit inih's buffer
  Reader* reader = nullptr;
};

char* feed_line(char* str, int num, void* stream) {
  auto* feed = static_cast<Feed*>(stream);
  if (feed->next > 0 && feed->calls != 1 && !feed->too_long)
    feed->reader->error(feed->current, "line not read as one setting");
  if (feed->next >= feed->lines->size()) return nullptr;
  const std::string_view line = (*feed->lines)[feed->next];
  feed->current = (*feed->numbers)[feed->next];
  ++feed->next;
  feed->calls = 0;
  feed->too_long = false;
  if (num < 2) return nullptr;
  // Room for the line, '\n' and the terminating NUL; never split a line.
  if (line.size() + 2 > static_cast<size_t>(num)) {
    feed->too_long = true;
    feed->reader->error(feed->current, "line longer than " + std::to_string(num - 2) + " bytes");
    str[0] = '\n';
    str[1] = '\0';
    return str;
  }
  std::memcpy(str, line.data(), line.size());
  str[line.size()] = '\n';
  str[line.size() + 1] = '\0';
  return str;
}

int on_setting(void* user, const char* section, const char* name, const char* value) {
  auto* feed = static_cast<Feed*>(user);
  ++feed->calls;
  const std::string_view key = name;
  const std::string_view val = value;
  const std::string_view line = (*feed->lines)[feed->next - 1];
  const size_t eq = line.find('=');
  const std::string_view our_key = trim_blanks(line.substr(0, eq));
  const std::string_view our_value = trim_blanks(line.substr(eq + 1));
  if (section[0] != '\0' || key != our_key) {
    feed->reader->error(feed->current, "not a KEY = VALUE line");
    return 1;
  }
  if (val != our_value) {
    feed->reader->error(feed->current, std::string(our_key) +
                                           ": ' ;' in a value would be read as a comment; remove it");
    return 1;
  }
  feed->reader->apply(feed->current, our_key, our_value);
  return 1;
}

}  // namespace

bool parse_config(std::string_view text, std::string_view file_name, Config* config,
                  std::vector<std::string>* errors) {
  errors->clear();
  Reader reader(file_name, config, errors);
  if (text.size() > kMaxConfigBytes) {
    reader.error(0, "larger than " + std::to_string(kMaxConfigBytes) + " bytes");
    return false;
  }
  std::vector<Line> lines;
  std::string split_err;
  if (!split_lines(text, kMaxConfigLineBytes, &lines, &split_err)) {
    // split_err is "line N: what"; report it as FILE:N: what.
    std::string msg(file_name);
    msg += ":" + split_err.substr(5);
    errors->push_back(std::move(msg));
    return false;
  }

  std::vector<std::string_view> settings;
  std::vector<size_t> numbers;
  for (const Line& l : lines) {
    if (l.text.find('\r') != std::string_view::npos) {
      reader.error(l.number, "carriage return: the file has DOS (CRLF) line endings; convert it with dos2unix");
      continue;
    }
    const std::string_view t = trim_blanks(l.text);
    if (t.empty() || t.front() == '#') continue;
    const size_t eq = t.find('=');
    const std::string_view key =
        trim_blanks(t.substr(0, eq == std::string_view::npos ? t.size() : eq));
    if (eq == std::string_view::npos || key.empty() ||
        !std::all_of(key.begin(), key.end(), is_key_byte)) {
      reader.error(l.number, "expected KEY = VALUE (comments start with '#')");
      continue;
    }
    settings.push_back(t);  // leading blanks gone: never a continuation line
    numbers.push_back(l.number);
  }
  if (!errors->empty()) return false;

  Feed feed;
  feed.lines = &settings;
  feed.numbers = &numbers;
  feed.reader = &reader;
  const int rc = ini_parse_stream(feed_line, &feed, on_setting, &feed);
  if (rc != 0 && errors->empty())
    reader.error(rc > 0 ? numbers[static_cast<size_t>(rc) - 1] : 0, "inih could not read this line");
  return errors->empty();
}

bool validate_config(const Config& config, std::string_view file_name,
                     std::vector<std::string>* errors) {
  errors->clear();
  auto error = [&](size_t line, const std::string& what) {
    errors->push_back(std::string(file_name) + ":" + std::to_string(line) + ": " + what);
  };
  std::vector<std::string> names;
  for (const Nic& nic : config.nics) {
    const std::string which = "network interface " + std::to_string(nic.index);
    if (nic.type.empty()) {
      error(nic.line, which + " has no type (add lxc.net." +
                                 std::to_string(nic.index) + ".type = veth)");
      continue;
    }
    if (nic.type == "veth" && nic.link.empty())
      error(nic.line, which + " is a veth without a link (add lxc.net." +
                                 std::to_string(nic.index) + ".link = lxcbr0)");
    if (nic.type != "veth") continue;
    const std::string name = nic.name.empty() ? "eth" + std::to_string(nic.index) : nic.name;
    if (std::find(names.begin(), names.end(), name) != names.end())
      error(nic.line, std::string(which).append(": name ").append(name).append(" is used twice"));
    names.push_back(name);
  }
  std::vector<IdmapSpec> specs;
  for (const IdmapLine& m : config.idmap)
    specs.push_back({m.kind != 'g', m.kind != 'u', {m.inside, m.outside, m.count}});
  IdMaps maps;
  std::string why;
  if (!specs.empty() && !collect_idmaps(specs, &maps, &why))
    error(config.idmap.front().line, "lxc.idmap: " + why);
  return errors->empty();
}

bool is_valid_hwaddr_template(std::string_view text) {
  if (text.size() != 17) return false;
  for (size_t i = 0; i < 17; ++i) {
    const char c = text[i];
    if (i % 3 == 2) {
      if (c != ':') return false;
    } else if (!is_hex(c) && !is_template_digit(c)) {
      return false;
    }
  }
  // The first octet's low bit marks a multicast address, which no
  // interface may carry.
  if (is_hex(text[1]) && (hex_value(text[1]) & 1) != 0) return false;
  bool all_zero = true;
  for (size_t i = 0; i < 17; ++i)
    if (i % 3 != 2 && text[i] != '0') all_zero = false;
  return !all_zero;
}

std::string fill_hwaddr_template(std::string_view text, std::span<const uint8_t> random) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(text);
  size_t r = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!is_template_digit(out[i])) continue;
    unsigned nibble = r < random.size() ? random[r] & 0xfu : 0u;
    ++r;
    if (i == 1) nibble &= 0xeu;  // unicast
    out[i] = kDigits[nibble];
  }
  return out;
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
    const size_t eq = line.find('=');
    const std::string_view key = trim_blanks(line.substr(0, eq == std::string_view::npos ? 0 : eq));
    const bool is_hwaddr = key == "lxc.network.hwaddr" ||
                           (starts_with(key, "lxc.net.") && key.size() > 15 &&
                            key.substr(key.size() - 7) == ".hwaddr");
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : trim_blanks(line.substr(eq + 1));
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

bool parse_signal(std::string_view text, int* out) {
  uint32_t n = 0;
  if (parse_u32(text, &n)) {
    if (n < 1 || n > static_cast<uint32_t>(SIGRTMAX)) return false;
    *out = static_cast<int>(n);
    return true;
  }
  std::string_view name = text;
  if (starts_with(name, "SIG")) name.remove_prefix(3);
  for (const auto& s : kSignalNames) {
    if (s.name == name) {
      *out = s.number;
      return true;
    }
  }
  // SIGRTMIN+N and SIGRTMAX-N, as LXC and kill(1) write them.
  const bool plus = starts_with(name, "RTMIN+");
  const bool minus = starts_with(name, "RTMAX-");
  if (name == "RTMIN" || name == "RTMAX" || plus || minus) {
    uint32_t offset = 0;
    if ((plus || minus) && !parse_u32(name.substr(6), &offset)) return false;
    const int base = starts_with(name, "RTMIN") ? SIGRTMIN : SIGRTMAX;
    const int sig = minus ? base - static_cast<int>(offset) : base + static_cast<int>(offset);
    if (offset > 64 || sig < SIGRTMIN || sig > SIGRTMAX) return false;
    *out = sig;
    return true;
  }
  return false;
}

bool parse_capability(std::string_view text, int* out) {
  std::string lower;
  for (char c : text) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  std::string_view name = lower;
  if (starts_with(name, "cap_")) name.remove_prefix(4);
  for (size_t i = 0; i < kCapabilityNames.size(); ++i) {
    if (kCapabilityNames[i] == name) {
      *out = static_cast<int>(i);
      return true;
    }
  }
  return false;
}

bool is_valid_hostname(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '-' || name.front() == '.')
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.';
  });
}

}  // namespace uxc::policy
