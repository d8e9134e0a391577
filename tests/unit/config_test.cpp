#include "policy/config.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <linux/capability.h>

#include <csignal>
#include <functional>
#include <map>
#include <ostream>
#include <utility>

namespace uxc::policy {
namespace {

using Check = std::function<bool(const Config&)>;
using Files = std::vector<std::pair<std::string, std::string>>;

// lxc.include reads through this: the files a case names, nothing else.
class FakeFiles : public IncludeFiles {
 public:
  explicit FakeFiles(const Files& files) : files_(files.begin(), files.end()) {}
  bool read(const std::string& path, std::string* text, std::string* why) const override {
    const auto it = files_.find(path);
    if (it == files_.end()) {
      *why = "No such file or directory";
      return false;
    }
    *text = it->second;
    return true;
  }

 private:
  std::map<std::string, std::string> files_;
};

struct ConfigCase {
  std::string name;
  std::string text;
  std::string error;  // empty: must parse; else the first error must contain it
  Check check;        // for accepted files: what the reader must have produced
  Files files = {};   // what lxc.include may read
};
std::ostream& operator<<(std::ostream& os, const ConfigCase& c) { return os << c.name; }

const std::string kSeed =
    "lxc.network.type = veth\n"
    "lxc.network.link = lxcbr0\n"
    "lxc.network.flags = up\n"
    "lxc.network.hwaddr = 00:16:3e:xx:xx:xx\n"
    "lxc.id_map = u 0 100000 65536\n"
    "lxc.id_map = g 0 100000 65536\n";

const ConfigCase kCases[] = {
    // ---- accepted
    {"empty file", "", "", [](const Config& c) { return c.nics.empty() && c.idmap.empty(); }},
    {"only comments and blanks", "# x\n\n   \n\t# y\n", "", [](const Config& c) { return c.nics.empty(); }},
    {"seed default.conf (legacy keys)", kSeed, "", [](const Config& c) {
       return c.nics.size() == 1 && c.nics[0].type == "veth" && c.nics[0].link == "lxcbr0" &&
              c.nics[0].up && c.nics[0].hwaddr == "00:16:3e:xx:xx:xx" && c.idmap.size() == 2 &&
              c.idmap[0].kind == 'u' && c.idmap[1].kind == 'g' && c.idmap[1].outside == 100000 &&
              c.idmap[1].count == 65536;
     }},
    {"debian /etc/lxc/default.conf",
     "lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\nlxc.net.0.flags = up\n\n"
     "lxc.apparmor.profile = generated\nlxc.apparmor.allow_nesting = 1\n",
     "", [](const Config& c) {
       return c.nics.size() == 1 && c.apparmor_profile == "generated" && c.ignored.size() == 1 &&
              c.ignored[0].line == 6 && c.ignored[0].file == "cfg" &&
              c.ignored[0].key == "lxc.apparmor.allow_nesting";
     }},
    {"modern idmap", "lxc.idmap = b 0 100000 65536\n", "", [](const Config& c) {
       return c.idmap.size() == 1 && c.idmap[0].kind == 'b' && c.idmap[0].text == "b 0 100000 65536";
     }},
    {"no blanks around =", "lxc.uts.name=web1\n", "", [](const Config& c) { return c.uts_name == "web1"; }},
    {"indented line is not a continuation", "lxc.uts.name = a\n    lxc.start.auto = 1\n", "",
     [](const Config& c) { return c.uts_name == "a" && c.start_auto; }},
    {"init's working directory", "lxc.init.cwd = /srv/app\n", "",
     [](const Config& c) { return c.init_cwd == "/srv/app"; }},
    {"init's ids", "lxc.init.uid = 1000\nlxc.init.gid = 100\n", "",
     [](const Config& c) { return c.init_uid == 1000 && c.init_gid == 100; }},
    {"value with '=' inside", "lxc.environment = PATH=/bin:/sbin\n", "",
     [](const Config& c) { return c.environment.size() == 1 && c.environment[0] == "PATH=/bin:/sbin"; }},
    {"value with ';' not after a blank", "lxc.init.cmd = /bin/sh -c true;false\n", "",
     [](const Config& c) { return c.init_cmd == "/bin/sh -c true;false"; }},
    {"' ;' is part of the value, as in LXC", "lxc.init.cmd = /bin/sh -c true ; reboot\n", "",
     [](const Config& c) { return c.init_cmd == "/bin/sh -c true ; reboot"; }},
    {"'#' inside a value is kept", "lxc.init.cmd = /bin/echo #1\n", "",
     [](const Config& c) { return c.init_cmd == "/bin/echo #1"; }},
    {"repeated mount entries kept in order",
     "lxc.mount.entry = /mnt mnt none bind 0 0\nlxc.mount.entry = /srv srv none bind,create=dir,optional 0 0\n", "",
     [](const Config& c) {
       return c.mounts.size() == 2 && c.mounts[0].source == "/mnt" && c.mounts[0].target == "mnt" &&
              c.mounts[1].options == "bind,create=dir,optional" && c.mounts[1].line == 2;
     }},
    {"mount entry without dump/pass", "lxc.mount.entry = tmpfs tmp tmpfs size=1m\n", "",
     [](const Config& c) { return c.mounts.size() == 1 && c.mounts[0].fstype == "tmpfs"; }},
    {"empty mount.entry clears", "lxc.mount.entry = /a a none bind 0 0\nlxc.mount.entry =\n", "",
     [](const Config& c) { return c.mounts.empty(); }},
    {"start settings", "lxc.start.auto = 1\nlxc.start.delay = 5\nlxc.start.order = 10\nlxc.group = web db\n", "",
     [](const Config& c) {
       return c.start_auto && c.start_delay == 5 && c.start_order == 10 && c.groups.size() == 2;
     }},
    {"rootfs with dir: prefix", "lxc.rootfs.path = dir:/home/a/.local/share/uxc/c/rootfs\n", "",
     [](const Config& c) { return c.rootfs == "/home/a/.local/share/uxc/c/rootfs"; }},
    {"legacy rootfs and utsname", "lxc.rootfs = /srv/r\nlxc.utsname = old\n", "",
     [](const Config& c) { return c.rootfs == "/srv/r" && c.uts_name == "old"; }},
    {"last single value wins", "lxc.uts.name = a\nlxc.uts.name = b\n", "",
     [](const Config& c) { return c.uts_name == "b"; }},
    {"capabilities in both spellings", "lxc.cap.drop = mac_admin CAP_SYS_TIME sys_module\n", "",
     [](const Config& c) {
       return c.cap_drop.size() == 3 && c.cap_drop[1] == "sys_time";
     }},
    {"empty cap.drop clears (userns.conf)", "lxc.cap.drop = sys_time\nlxc.cap.drop =\n", "",
     [](const Config& c) { return c.cap_drop.empty(); }},
    {"signals by name and number", "lxc.signal.halt = SIGRTMIN+3\nlxc.signal.stop = 9\n", "",
     [](const Config& c) { return c.signal_halt == SIGRTMIN + 3 && c.signal_stop == SIGKILL; }},
    {"signal without SIG", "lxc.signal.halt = PWR\n", "", [](const Config& c) { return c.signal_halt == SIGPWR; }},
    {"cgroup2 and cgroup keys kept in order",
     "lxc.cgroup2.memory.max = 512M\nlxc.cgroup.devices.allow = c 1:3 rwm\nlxc.cgroup2.pids.max = 100\n", "",
     [](const Config& c) {
       return c.cgroup.size() == 3 && c.cgroup[0].version == 2 && c.cgroup[0].key == "memory.max" &&
              c.cgroup[1].version == 1 && c.cgroup[2].value == "100";
     }},
    {"empty cgroup2 key clears that key",
     "lxc.cgroup2.devices.deny = a\nlxc.cgroup2.pids.max = 5\nlxc.cgroup2.devices.deny =\n", "",
     [](const Config& c) { return c.cgroup.size() == 1 && c.cgroup[0].key == "pids.max"; }},
    {"two modern nics, out of order", "lxc.net.1.type = empty\nlxc.net.0.type = veth\nlxc.net.0.link = br1\n", "",
     [](const Config& c) {
       return c.nics.size() == 2 && c.nics[0].index == 0 && c.nics[0].link == "br1" && c.nics[1].type == "empty";
     }},
    {"two legacy nics", "lxc.network.type = veth\nlxc.network.link = a\nlxc.network.type = veth\nlxc.network.link = b\n", "",
     [](const Config& c) {
       return c.nics.size() == 2 && c.nics[0].link == "a" && c.nics[1].link == "b" && c.nics[1].index == 1;
     }},
    {"static addresses", 
     "lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\nlxc.net.0.ipv4.address = 10.0.3.50/24\n"
     "lxc.net.0.ipv4.gateway = 10.0.3.1\nlxc.net.0.ipv6.address = fd00::5/64\nlxc.net.0.ipv6.gateway = fd00::1\n"
     "lxc.net.0.name = eth0\nlxc.net.0.mtu = 1400\n", "",
     [](const Config& c) {
       const Nic& n = c.nics[0];
       return n.ipv4.size() == 1 && n.ipv4[0] == "10.0.3.50/24" && n.ipv4_gateway == "10.0.3.1" &&
              n.ipv6[0] == "fd00::5/64" && n.mtu == 1400 && n.name == "eth0";
     }},
    {"ipv4 with broadcast (LXC form)", "lxc.net.0.type = veth\nlxc.net.0.ipv4.address = 10.0.3.9/24 10.0.3.255\n", "",
     [](const Config& c) { return c.nics[0].ipv4[0] == "10.0.3.9/24"; }},
    {"legacy ipv4 key", "lxc.network.type = veth\nlxc.network.ipv4 = 10.0.3.7/24\nlxc.network.ipv4.gateway = 10.0.3.1\n", "",
     [](const Config& c) { return c.nics[0].ipv4[0] == "10.0.3.7/24" && c.nics[0].ipv4_gateway == "10.0.3.1"; }},
    {"empty lxc.net clears all nics", "lxc.net.0.type = veth\nlxc.net =\n", "", [](const Config& c) { return c.nics.empty(); }},
    {"misc keys", "lxc.arch = amd64\nlxc.tty.max = 4\nlxc.pty.max = 1024\nlxc.console.path = none\n", "",
     [](const Config& c) { return c.arch == "amd64" && c.tty_max == 4 && c.pty_max == 1024 && c.console_path == "none"; }},
    {"uppercase hex hwaddr", "lxc.net.0.type = veth\nlxc.net.0.hwaddr = 02:AB:cd:EF:01:23\n", "",
     [](const Config& c) { return c.nics[0].hwaddr == "02:AB:cd:EF:01:23"; }},
    {"cap.keep none", "lxc.cap.keep = none\n", "", [](const Config& c) { return c.cap_keep.size() == 1; }},
    {"capability numbers and any case", "lxc.cap.drop = 21 Cap_Net_Raw\n", "",
     [](const Config& c) { return c.cap_drop.size() == 2 && c.cap_drop[0] == "sys_admin" && c.cap_drop[1] == "net_raw"; }},

    // ---- quoting, as LXC reads it
    {"double-quoted value", "lxc.uts.name = \"web\"\n", "", [](const Config& c) { return c.uts_name == "web"; }},
    {"single-quoted value keeps inner quotes", "lxc.init.cmd = '/bin/sh -c \"echo hi\"'\n", "",
     [](const Config& c) { return c.init_cmd == "/bin/sh -c \"echo hi\""; }},
    {"quotes inside a value are kept", "lxc.init.cmd = /bin/sh -c 'echo hi'\n", "",
     [](const Config& c) { return c.init_cmd == "/bin/sh -c 'echo hi'"; }},
    {"quoted empty value clears", "lxc.cap.drop = sys_time\nlxc.cap.drop = \"\"\n", "",
     [](const Config& c) { return c.cap_drop.empty(); }},
    {"quoted hwaddr", "lxc.net.0.type = veth\nlxc.net.0.hwaddr = \"00:16:3e:xx:xx:xx\"\n", "",
     [](const Config& c) { return c.nics[0].hwaddr == "00:16:3e:xx:xx:xx"; }},

    // ---- keys LXC-generated configs carry
    {"arch linux64 (image configs)", "lxc.arch = linux64\n", "",
     [](const Config& c) { return c.arch == "linux64" && c.arch_bits == 64; }},
    {"arch armhf is 32-bit", "lxc.arch = armhf\n", "", [](const Config& c) { return c.arch_bits == 32; }},
    {"arch i686 then cleared", "lxc.arch = i686\nlxc.arch =\n", "",
     [](const Config& c) { return c.arch.empty() && c.arch_bits == 0; }},
    {"signals halt, reboot, stop", "lxc.signal.halt = SIGRTMIN+3\nlxc.signal.reboot = sigint\nlxc.signal.stop = SIGKILL\n", "",
     [](const Config& c) {
       return c.signal_halt == SIGRTMIN + 3 && c.signal_reboot == SIGINT && c.signal_stop == SIGKILL;
     }},
    {"legacy signal keys", "lxc.haltsignal = SIGUSR1\nlxc.rebootsignal = SIGTERM\nlxc.stopsignal = 9\n", "",
     [](const Config& c) { return c.signal_halt == SIGUSR1 && c.signal_reboot == SIGTERM && c.signal_stop == 9; }},
    {"signal aliases and RTMAX", "lxc.signal.halt = SIGIOT\nlxc.signal.stop = SIGRTMAX-2\nlxc.signal.reboot = IO\n", "",
     [](const Config& c) { return c.signal_halt == SIGABRT && c.signal_stop == SIGRTMAX - 2 && c.signal_reboot == SIGIO; }},
    {"empty signal resets to the default", "lxc.signal.halt = SIGUSR1\nlxc.signal.halt =\n", "",
     [](const Config& c) { return c.signal_halt == 0; }},
    {"autodev defaults on", "", "", [](const Config& c) { return c.autodev; }},
    {"autodev 0", "lxc.autodev = 0\n", "", [](const Config& c) { return !c.autodev; }},
    {"autodev 1", "lxc.autodev = 0\nlxc.autodev = 1\n", "", [](const Config& c) { return c.autodev; }},
    {"apparmor unconfined", "lxc.apparmor.profile = unconfined\n", "",
     [](const Config& c) { return c.apparmor_profile == "unconfined" && c.ignored.empty(); }},
    {"legacy lxc.aa_profile", "lxc.aa_profile = unconfined\n", "",
     [](const Config& c) { return c.apparmor_profile == "unconfined"; }},
    {"legacy tty, pts, init_cmd", "lxc.tty = 2\nlxc.pts = 100\nlxc.init_cmd = /sbin/init\n", "",
     [](const Config& c) { return c.tty_max == 2 && c.pty_max == 100 && c.init_cmd == "/sbin/init"; }},
    {"console log file and buffer", "lxc.console.logfile = /home/a/console.log\nlxc.console.buffer.size = 128kB\n", "",
     [](const Config& c) { return c.console_logfile == "/home/a/console.log" && c.console_buffer_size == 131072; }},
    {"console buffer auto", "lxc.console.buffer.size = auto\n", "",
     [](const Config& c) { return c.console_buffer_size == 131072; }},
    {"console buffer MB and bytes", "lxc.console.buffer.size = 2mb\n", "",
     [](const Config& c) { return c.console_buffer_size == 2u << 20; }},
    {"console buffer plain bytes", "lxc.console.buffer.size = 4096\n", "",
     [](const Config& c) { return c.console_buffer_size == 4096; }},
    {"ignored keys are recorded with file and line", "lxc.seccomp.profile = /x\nlxc.mount.auto = proc:mixed\nlxc.tty.dir = lxc\n", "",
     [](const Config& c) { return c.ignored.size() == 3 && c.ignored[2].line == 3 && c.ignored[1].key == "lxc.mount.auto"; }},

    // ---- lxc.include
    {"LXC's common.conf and userns.conf: built-in equivalents",
     "lxc.include = LXC_TEMPLATE_CONFIG/common.conf\nlxc.include = LXC_TEMPLATE_CONFIG/userns.conf\nlxc.arch = linux64\n", "",
     [](const Config& c) {
       return c.tty_max == 4 && c.pty_max == 1024 && c.cap_drop.empty() && c.cap_keep.empty() && c.arch_bits == 64;
     }},
    {"common.conf alone drops five capabilities", "lxc.include = /usr/share/lxc/config/common.conf\n", "",
     [](const Config& c) { return c.cap_drop.size() == 5 && c.cap_drop[0] == "mac_admin"; }},
    {"an LXC download container's config",
     "# Template used to create this container: /usr/share/lxc/templates/lxc-download\n"
     "lxc.include = /usr/share/lxc/config/common.conf\n"
     "lxc.include = /usr/share/lxc/config/userns.conf\n"
     "lxc.arch = linux64\n\n"
     "lxc.apparmor.profile = generated\nlxc.apparmor.allow_nesting = 1\n"
     "lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"
     "lxc.rootfs.path = dir:/home/alice/.local/share/lxc/deb/rootfs\nlxc.uts.name = deb\n"
     "lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\nlxc.net.0.flags = up\nlxc.net.0.hwaddr = 00:16:3e:12:34:56\n", "",
     [](const Config& c) {
       return c.tty_max == 4 && c.idmap.size() == 2 && c.nics.size() == 1 && c.uts_name == "deb" &&
              c.rootfs == "/home/alice/.local/share/lxc/deb/rootfs" && c.ignored.size() == 1;
     }},
    {"include a file in place", "lxc.uts.name = a\nlxc.include = /etc/uxc/net.conf\nlxc.net.0.name = wan\n", "",
     [](const Config& c) {
       return c.uts_name == "b" && c.nics.size() == 1 && c.nics[0].link == "br1" && c.nics[0].name == "wan" &&
              c.nics[0].file == "/etc/uxc/net.conf" && c.nics[0].line == 2;
     },
     {{"/etc/uxc/net.conf", "# shared\nlxc.net.0.type = veth\nlxc.net.0.link = br1\nlxc.uts.name = b\n"}}},
    {"nested include", "lxc.include = /a.conf\n", "",
     [](const Config& c) { return c.uts_name == "deep" && c.mounts.size() == 1 && c.mounts[0].file == "/b.conf"; },
     {{"/a.conf", "lxc.include = /b.conf\n"}, {"/b.conf", "lxc.uts.name = deep\nlxc.mount.entry = /x x none bind 0 0\n"}}},
    {"nic spellings are per file", "lxc.net.0.type = veth\nlxc.net.0.link = a\nlxc.include = /old.conf\n", "",
     [](const Config& c) { return c.nics.size() == 2 && c.nics[1].legacy && c.nics[1].link == "b"; },
     {{"/old.conf", "lxc.network.type = veth\nlxc.network.link = b\n"}}},
    {"image record",
     "uxc.image.dist = debian\nuxc.image.release = bookworm\nuxc.image.arch = amd64\nuxc.image.variant = default\n"
     "uxc.image.build = 20260101_05:24\nuxc.image.server = localhost:8443\n",
     "", [](const Config& c) {
       return c.image.dist == "debian" && c.image.release == "bookworm" && c.image.arch == "amd64" &&
              c.image.variant == "default" && c.image.build == "20260101_05:24" && c.image.server == "localhost:8443";
     }},

    // ---- malformed or hostile
    {"unknown key", "lxc.rootfs.path = /r\nlxc.bogus = 1\n", "cfg:2: unknown key lxc.bogus", nullptr},
    {"unknown net field", "lxc.net.0.colour = red\n", "cfg:1: unknown key lxc.net.0.colour", nullptr},
    {"legacy spelling under modern prefix", "lxc.net.0.ipv4 = 10.0.0.1/8\n", "unknown key lxc.net.0.ipv4", nullptr},
    {"hook keys are not silently dropped", "lxc.hook.start-host = /bin/sh\n", "unknown key lxc.hook.start-host", nullptr},
    {"NUL byte drops nothing silently", std::string("lxc.uts.name = a\0lxc.bogus = 1\n", 31), "cfg:1: NUL byte", nullptr},
    {"100,000-byte line", "lxc.init.cmd = " + std::string(100000, 'a') + "\n", "cfg:1: longer than 65536 bytes", nullptr},
    {"CRLF line endings", "lxc.uts.name = a\r\n", "cfg:1: carriage return", nullptr},
    {"stray CR inside a value", "lxc.init.cmd = a\rb\n", "carriage return", nullptr},
    {"section header", "[lxc]\nlxc.uts.name = a\n", "cfg:1: expected KEY = VALUE", nullptr},
    {"key: value (inih dialect)", "lxc.uts.name: a\n", "cfg:1: expected KEY = VALUE", nullptr},
    {"';' comment (inih dialect)", "; comment\n", "cfg:1: expected KEY = VALUE", nullptr},
    {"UTF-8 byte-order mark", "\xEF\xBB\xBFlxc.uts.name = a\n", "cfg:1: expected KEY = VALUE", nullptr},
    {"line without '='", "lxc.uts.name\n", "cfg:1: expected KEY = VALUE", nullptr},
    {"empty key", " = value\n", "cfg:1: expected KEY = VALUE", nullptr},
    {"idmap missing field", "lxc.idmap = u 0 100000\n", "cfg:1: lxc.idmap:", nullptr},
    {"idmap bad kind", "lxc.idmap = x 0 100000 65536\n", "lxc.idmap:", nullptr},
    {"idmap negative count", "lxc.idmap = u 0 100000 -1\n", "lxc.idmap:", nullptr},
    {"idmap huge number", "lxc.idmap = u 0 99999999999 1\n", "lxc.idmap:", nullptr},
    {"idmap count 0", "lxc.idmap = u 0 100000 0\n", "count of 0", nullptr},
    {"idmap wraps past 2^32", "lxc.idmap = u 0 4294967295 2\n", "runs past", nullptr},
    {"hwaddr too short", "lxc.net.0.type = veth\nlxc.net.0.hwaddr = 00:16:3e:xx:xx\n", "cfg:2: lxc.net.0.hwaddr", nullptr},
    {"hwaddr multicast", "lxc.net.0.type = veth\nlxc.net.0.hwaddr = 01:16:3e:00:00:01\n", "not a unicast MAC", nullptr},
    {"hwaddr bad digit", "lxc.net.0.type = veth\nlxc.net.0.hwaddr = 00:16:3g:00:00:01\n", "not a unicast MAC", nullptr},
    {"mtu not a number", "lxc.net.0.type = veth\nlxc.net.0.mtu = 1500b\n", "not a decimal number", nullptr},
    {"mtu out of range", "lxc.net.0.type = veth\nlxc.net.0.mtu = 70000\n", "between 68 and 65535", nullptr},
    {"mtu with leading zero", "lxc.net.0.type = veth\nlxc.net.0.mtu = 01500\n", "not a decimal number", nullptr},
    {"nic index too large", "lxc.net.4294967296.type = veth\n", "unknown key", nullptr},
    {"unsupported nic type", "lxc.net.0.type = macvlan\n", "not supported", nullptr},
    {"ifname too long", "lxc.net.0.type = veth\nlxc.net.0.name = abcdefghijklmnop\n", "not an interface name", nullptr},
    {"ifname with slash", "lxc.net.0.type = veth\nlxc.net.0.link = ../br\n", "not an interface name", nullptr},
    {"ipv4 without prefix", "lxc.net.0.type = veth\nlxc.net.0.ipv4.address = 10.0.3.5\n", "not an IPv4 address with prefix", nullptr},
    {"ipv4 prefix too long", "lxc.net.0.type = veth\nlxc.net.0.ipv4.address = 10.0.3.5/33\n", "not an IPv4", nullptr},
    {"ipv4 octet overflow", "lxc.net.0.type = veth\nlxc.net.0.ipv4.address = 10.0.3.256/24\n", "not an IPv4", nullptr},
    {"ipv6 gateway garbage", "lxc.net.0.type = veth\nlxc.net.0.ipv6.gateway = fd00:::1::\n", "not an IPv6 address", nullptr},
    {"legacy field before type", "lxc.network.link = lxcbr0\n", "before any lxc.network.type", nullptr},
    {"mixing legacy and modern", "lxc.net.0.type = veth\nlxc.network.type = veth\n", "mixing", nullptr},
    {"start.auto not boolean", "lxc.start.auto = yes\n", "must be 0 or 1", nullptr},
    {"start.delay negative", "lxc.start.delay = -5\n", "not a decimal number", nullptr},
    {"tty.max overflow", "lxc.tty.max = 4294967296\n", "not a decimal number", nullptr},
    {"bad capability", "lxc.cap.drop = sys_everything\n", "not a capability name", nullptr},
    {"bad signal", "lxc.signal.halt = SIGFOO\n", "not a signal", nullptr},
    {"signal out of range", "lxc.signal.halt = 65\n", "not a signal", nullptr},
    {"relative rootfs", "lxc.rootfs.path = rootfs\n", "not an absolute directory path", nullptr},
    {"bad host name", "lxc.uts.name = -rf\n", "not a valid host name", nullptr},
    {"mount entry too few fields", "lxc.mount.entry = /mnt mnt\n", "lxc.mount.entry: expected", nullptr},
    {"mount target escapes rootfs", "lxc.mount.entry = /etc ../../etc none bind 0 0\n", "must not contain '..'", nullptr},
    {"cgroup key without file", "lxc.cgroup2.memory = 1\n", "expected a controller file", nullptr},
    {"environment without =", "lxc.environment = PATH\n", "expected NAME=VALUE", nullptr},
    {"non-ASCII value", "lxc.uts.name = h\xC3\xA9llo\n", "printable ASCII", nullptr},
    {"unknown image field", "uxc.image.colour = red\n", "cfg:1: unknown key uxc.image.colour", nullptr},
    {"image dist with a slash", "uxc.image.dist = ../etc\n", "uxc.image.dist: '../etc' is not a valid value", nullptr},
    {"image server over http", "uxc.image.server = http://x\n", "not a valid value", nullptr},
    {"error line number is right after comments", "# one\n\n# three\nlxc.nope = 1\n", "cfg:4: unknown key lxc.nope", nullptr},
    {"long line is one setting", "lxc.init.cmd = " + std::string(190, 'a') + "lxc.cap.keep = none\n", "",
     [](const Config& c) { return c.cap_keep.empty() && c.init_cmd.size() == 190 + 19; }},

    // ---- messages use the file's own spelling of the key
    {"legacy idmap key named as written", "lxc.id_map = u 0 100000\n", "cfg:1: lxc.id_map: 'u 0 100000'", nullptr},
    {"legacy nic key named as written", "lxc.network.type = veth\nlxc.network.mtu = 9\n", "cfg:2: lxc.network.mtu: MTU", nullptr},
    {"legacy utsname named as written", "lxc.utsname = -x\n", "cfg:1: lxc.utsname: '-x' is not a valid host name", nullptr},

    // ---- quoting
    {"unterminated quote", "lxc.uts.name = \"web\n", "cfg:1: lxc.uts.name: the value starts with \" but does not end with it", nullptr},
    {"lone quote", "lxc.init.cmd = '\n", "starts with '", nullptr},
    {"mismatched quotes", "lxc.uts.name = \"web'\n", "does not end with it", nullptr},
    {"quotes do not make a bad value good", "lxc.uts.name = \"-rf\"\n", "not a valid host name", nullptr},

    // ---- new keys' values
    {"unknown arch", "lxc.arch = vax\n", "cfg:1: lxc.arch: unknown architecture 'vax'", nullptr},
    {"arch is case-sensitive, as in LXC", "lxc.arch = AMD64\n", "unknown architecture", nullptr},
    {"autodev not 0 or 1", "lxc.autodev = 2\n", "cfg:1: lxc.autodev: must be 0 or 1", nullptr},
    {"named AppArmor profile cannot be applied", "lxc.apparmor.profile = lxc-container-default-cgns\n",
     "cfg:1: lxc.apparmor.profile: uxc cannot confine a container with the AppArmor profile", nullptr},
    {"legacy AppArmor key named as written", "lxc.aa_profile = lxc-container-default\n", "cfg:1: lxc.aa_profile: uxc cannot", nullptr},
    {"reboot signal out of range", "lxc.signal.reboot = 99\n", "cfg:1: lxc.signal.reboot: '99' is not a signal", nullptr},
    {"signal RTMIN beyond RTMAX", "lxc.signal.halt = SIGRTMIN+40\n", "not a signal", nullptr},
    {"signal with trailing junk", "lxc.signal.halt = SIGPWR2\n", "not a signal", nullptr},
    {"signal zero", "lxc.signal.halt = 0\n", "not a signal", nullptr},
    {"init uid not a number", "lxc.init.uid = nobody\n", "cfg:1: lxc.init.uid: 'nobody' is not a decimal number", nullptr},
    {"relative init directory", "lxc.init.cwd = srv\n", "cfg:1: lxc.init.cwd: 'srv' is not an absolute path", nullptr},
    {"relative console log file", "lxc.console.logfile = console.log\n", "cfg:1: lxc.console.logfile: 'console.log' is not an absolute path", nullptr},
    {"console buffer garbage", "lxc.console.buffer.size = lots\n", "cfg:1: lxc.console.buffer.size: 'lots' is not a size", nullptr},
    {"console buffer unknown unit", "lxc.console.buffer.size = 1TB\n", "is not a size", nullptr},
    {"console buffer one-letter unit", "lxc.console.buffer.size = 12K\n", "is not a size", nullptr},
    {"console buffer overflow", "lxc.console.buffer.size = 99999999999999GB\n", "is not a size", nullptr},
    {"console buffer negative", "lxc.console.buffer.size = -1\n", "is not a size", nullptr},
    {"capability with a comma", "lxc.cap.drop = sys_admin,net_raw\n", "not a capability name", nullptr},
    {"capability name with trailing letters", "lxc.cap.drop = sys_adminx\n", "not a capability name", nullptr},
    {"capability number too large", "lxc.cap.drop = 64\n", "not a capability name", nullptr},
    {"capability prefix only", "lxc.cap.drop = cap_\n", "not a capability name", nullptr},

    // ---- mount options
    {"unknown create= value", "lxc.mount.entry = /a a none bind,create=link 0 0\n", "cfg:1: lxc.mount.entry: 'create=link': create= takes dir or file", nullptr},
    {"filesystem data on a bind mount", "lxc.mount.entry = /a a none bind,size=1m 0 0\n", "on a bind mount", nullptr},

    // ---- lxc.include
    {"include of a missing file", "lxc.include = /nope.conf\n", "cfg:1: lxc.include: cannot read /nope.conf: No such file or directory", nullptr},
    {"include of a relative path", "lxc.include = net.conf\n", "cfg:1: lxc.include: 'net.conf' is not an absolute path", nullptr},
    {"include of a directory", "lxc.include = /etc/uxc/conf.d/\n", "is a directory", nullptr},
    {"include of LXC's common.conf.d", "lxc.include = /usr/share/lxc/config/common.conf.d/\n", "one of LXC's shared configs", nullptr},
    {"include of LXC's nesting.conf", "lxc.include = LXC_TEMPLATE_CONFIG/nesting.conf\n", "uxc has equivalents of common.conf and userns.conf only", nullptr},
    {"include without a file", "lxc.include =\n", "cfg:1: lxc.include: names no file", nullptr},
    {"an included file's error names that file", "lxc.include = /inc.conf\n", "/inc.conf:2: unknown key lxc.bogus", nullptr,
     {{"/inc.conf", "lxc.uts.name = a\nlxc.bogus = 1\n"}}},
    {"a file that includes itself", "lxc.include = /loop.conf\n", "/loop.conf:1: lxc.include: /loop.conf includes itself", nullptr,
     {{"/loop.conf", "lxc.include = /loop.conf\n"}}},
    {"includes nested too deep", "lxc.include = /1\n", "nest deeper than 4", nullptr,
     {{"/1", "lxc.include = /2\n"}, {"/2", "lxc.include = /3\n"}, {"/3", "lxc.include = /4\n"}, {"/4", "lxc.include = /5\n"}, {"/5", ""}}},
    {"an included file with CRLF", "lxc.include = /dos.conf\n", "/dos.conf:1: carriage return", nullptr,
     {{"/dos.conf", "lxc.uts.name = a\r\n"}}},
    {"an included file with a NUL byte", "lxc.include = /nul.conf\n", "/nul.conf:1: NUL byte", nullptr,
     {{"/nul.conf", std::string("lxc.uts.name = a\0", 17)}}},
    {"an included file too large", "lxc.include = /big.conf\n", "/big.conf: larger than", nullptr,
     {{"/big.conf", std::string(kMaxConfigBytes + 1, '#')}}},
    {"mixing nic spellings inside one included file", "lxc.include = /mix.conf\n", "/mix.conf:2: mixing", nullptr,
     {{"/mix.conf", "lxc.net.0.type = veth\nlxc.network.type = veth\n"}}},
};

BOOST_DATA_TEST_CASE(config_table, boost::unit_test::data::make(kCases), c) {
  Config config;
  std::vector<std::string> errors;
  const FakeFiles files(c.files);
  const bool ok = parse_config(c.text, "cfg", &config, &errors, &files);
  if (c.error.empty()) {
    BOOST_TEST(ok);
    BOOST_TEST(errors.empty());
    if (ok && c.check) BOOST_TEST(c.check(config));
  } else {
    BOOST_TEST(!ok);
    BOOST_REQUIRE(!errors.empty());
    BOOST_TEST(errors[0].find(c.error) != std::string::npos, errors[0] << " lacks: " << c.error);
  }
}

BOOST_AUTO_TEST_CASE(all_errors_are_reported) {
  Config config;
  std::vector<std::string> errors;
  BOOST_TEST(!parse_config("lxc.a = 1\nlxc.uts.name = ok\nlxc.b = 2\n", "f", &config, &errors));
  BOOST_TEST(errors.size() == 2u);
  BOOST_TEST(errors[1] == "f:3: unknown key lxc.b");
}

BOOST_AUTO_TEST_CASE(default_file_then_container_file_merge) {
  Config config;
  std::vector<std::string> errors;
  BOOST_TEST(parse_config(kSeed, "default.conf", &config, &errors));
  BOOST_TEST(parse_config("lxc.mount.entry = /mnt mnt none bind 0 0\n", "config", &config, &errors));
  BOOST_TEST(config.nics.size() == 1u);
  BOOST_TEST(config.mounts.size() == 1u);
}

struct ValidateCase {
  std::string name;
  std::string text;
  std::string error;
};
std::ostream& operator<<(std::ostream& os, const ValidateCase& c) { return os << c.name; }

const ValidateCase kValidateCases[] = {
    {"veth with link", "lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\n", ""},
    {"veth without link", "lxc.net.0.type = veth\n", "cfg:1: network interface 0 is a veth without a link"},
    {"nic without type", "lxc.net.2.link = lxcbr0\n", "network interface 2 has no type"},
    {"duplicate names", "lxc.net.0.type = veth\nlxc.net.0.link = a\nlxc.net.1.type = veth\nlxc.net.1.link = a\nlxc.net.1.name = eth0\n",
     "name eth0 is used twice"},
    {"idmap ranges overlap inside", "lxc.idmap = u 0 100000 1000\nlxc.idmap = u 500 200000 10\n", "cfg:1: lxc.idmap: uid map"},
    {"idmap b and u overlap", "lxc.idmap = b 0 100000 65536\nlxc.idmap = u 0 100000 65536\n", "lxc.idmap: uid map"},
    {"idmap disjoint", "lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n", ""},
    {"legacy idmap overlap named as written", "# x\nlxc.id_map = u 0 100000 1000\nlxc.id_map = u 0 200000 10\n",
     "cfg:2: lxc.id_map: uid map"},
    {"legacy veth without link", "lxc.network.type = veth\n", "cfg:1: network interface 0 is a veth without a link (add lxc.network.link = lxcbr0)"},
    {"legacy nic without type cannot exist", "lxc.network.type =\n", "has no type (add lxc.network.type = veth)"},
};

BOOST_DATA_TEST_CASE(validate_table, boost::unit_test::data::make(kValidateCases), c) {
  Config config;
  std::vector<std::string> errors;
  BOOST_REQUIRE(parse_config(c.text, "cfg", &config, &errors));
  const bool ok = validate_config(config, "cfg", &errors);
  BOOST_TEST(ok == c.error.empty());
  if (!c.error.empty()) {
    BOOST_REQUIRE(!errors.empty());
    BOOST_TEST(errors[0].find(c.error) != std::string::npos, errors[0]);
  }
}

BOOST_AUTO_TEST_CASE(validate_names_the_included_file) {
  Config config;
  std::vector<std::string> errors;
  const FakeFiles files(Files{{"/net.conf", "\nlxc.net.3.type = veth\n"}});
  BOOST_REQUIRE(parse_config("lxc.include = /net.conf\n", "cfg", &config, &errors, &files));
  BOOST_TEST(!validate_config(config, "cfg", &errors));
  BOOST_REQUIRE(errors.size() == 1u);
  BOOST_TEST(errors[0] == "/net.conf:2: network interface 3 is a veth without a link (add lxc.net.3.link = lxcbr0)");
}

BOOST_AUTO_TEST_CASE(include_without_a_reader) {
  Config config;
  std::vector<std::string> errors;
  BOOST_TEST(!parse_config("lxc.include = /etc/x.conf\n", "cfg", &config, &errors));
  BOOST_REQUIRE(errors.size() == 1u);
  BOOST_TEST(errors[0] == "cfg:1: lxc.include: cannot read other files here");
  // The built-in ones need no reader.
  BOOST_TEST(parse_config("lxc.include = LXC_TEMPLATE_CONFIG/userns.conf\n", "cfg", &config, &errors));
}

BOOST_AUTO_TEST_CASE(builtin_includes_parse_cleanly) {
  for (const char* name : {"common.conf", "userns.conf"}) {
    const char* text = builtin_include_text(name);
    BOOST_REQUIRE(text != nullptr);
    Config config;
    std::vector<std::string> errors;
    BOOST_TEST(parse_config(text, name, &config, &errors));
    BOOST_TEST(config.ignored.empty());
  }
  BOOST_TEST(builtin_include_text("nesting.conf") == nullptr);
  BOOST_TEST(builtin_include_text("") == nullptr);
}

struct SplitCase {
  std::string line;
  bool ok;
  std::string key;
  std::string value;
};
std::ostream& operator<<(std::ostream& os, const SplitCase& c) { return os << c.line; }

const SplitCase kSplitCases[] = {
    {"", true, "", ""},
    {"   # comment = x", true, "", ""},
    {"a = b", true, "a", "b"},
    {"\t a.b-c_d =\t b c \t", true, "a.b-c_d", "b c"},
    {"a=", true, "a", ""},
    {"a = \"\"", true, "a", ""},
    {"a = 'x'", true, "a", "x"},
    {"a = \"x' \"", true, "a", "x' "},
    {"a = \"", false, "", ""},
    {"a = 'x", false, "", ""},
    {"a = x'", true, "a", "x'"},
    {"a = b = c", true, "a", "b = c"},
    {"= b", false, "", ""},
    {"a b = c", false, "", ""},
    {"[a]", false, "", ""},
    {"a: b", false, "", ""},
    {"k\xc3\xa9y = v", false, "", ""},
};

BOOST_DATA_TEST_CASE(split_setting_table, boost::unit_test::data::make(kSplitCases), c) {
  std::string_view key, value;
  std::string why;
  BOOST_TEST(split_setting(c.line, &key, &value, &why) == c.ok);
  if (c.ok) {
    BOOST_TEST(key == c.key);
    BOOST_TEST(value == c.value);
  } else {
    BOOST_TEST(!why.empty());
  }
}

BOOST_AUTO_TEST_CASE(signal_names_round_trip) {
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    const std::string name = signal_name(sig);
    if (sig > 31 && sig < SIGRTMIN) {  // glibc's own, no name
      BOOST_TEST(name.empty());
      continue;
    }
    int back = 0;
    BOOST_TEST(parse_signal(name, &back), name);
    BOOST_TEST(back == sig, name);
  }
  BOOST_TEST(signal_name(SIGPWR) == "SIGPWR");
  BOOST_TEST(signal_name(SIGRTMIN + 3) == "SIGRTMIN+3");
  BOOST_TEST(signal_name(0).empty());
  BOOST_TEST(signal_name(SIGRTMAX + 1).empty());
}

BOOST_AUTO_TEST_CASE(capability_names_round_trip) {
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    const std::string name = capability_name(cap);
    int back = -1;
    BOOST_TEST(parse_capability(name, &back), name);
    BOOST_TEST(back == cap, name);
    BOOST_TEST(name.find("cap_") != 0u);
  }
  BOOST_TEST(capability_name(CAP_SYS_ADMIN) == "sys_admin");
  int n = -1;
  BOOST_TEST(parse_capability("CAP_CHECKPOINT_RESTORE", &n));
  BOOST_TEST(n == CAP_CHECKPOINT_RESTORE);
}

// Every name LXC takes but a path, a control character or a hidden one.
struct NameCase {
  std::string name;
  std::string problem;   // "" for a valid name
  std::string hostname;  // hostname_for_container
  std::string changed;
};
std::ostream& operator<<(std::ostream& os, const NameCase& c) { return os << '"' << c.name << '"'; }

const NameCase kNameCases[] = {
    {"web-1", "", "web-1", ""},
    {"a_b", "", "a-b", "'_'"},                       // the name: valid, and a host name is derived
    {"my web", "", "my-web", "' '"},
    {"x.y", "", "x.y", ""},
    {"A9", "", "A9", ""},
    {"-rf", "", "rf", "a leading '-'"},               // LXC takes it (with -n)
    {"db__2", "", "db-2", "'_'"},                     // a run of bytes is one '-'
    {"_x_", "", "x", "'_'"},
    {"__", "", "", "'_'"},                            // nothing left of a host name
    {"caf\xc3\xa9", "a name must be printable ASCII (its config, which holds its paths, is)", "", ""},
    {"user@host", "", "user-host", "'@'"},
    {std::string(64, 'n'), "", std::string(64, 'n'), ""},
    {"x" + std::string(63, '_') , "", "x", "'_'"},
    {"", "a name must not be empty", "", ""},
    {std::string(65, 'n'), "a name has at most 64 bytes", "", ""},
    {".", "a name must not start with '.'", "", ""},
    {"..", "a name must not start with '.'", "", ""},
    {".hidden", "a name must not start with '.'", "", ""},
    {"a/b", "a name must not hold '/' (it is one directory)", "", ""},
    {"../x", "a name must not start with '.'", "", ""},
    {"a\nb", "a name must not hold control characters", "", ""},
    {"a\x1b[2J", "a name must not hold control characters", "", ""},
    {"a\x7f", "a name must not hold control characters", "", ""},
    {std::string("a\0b", 3), "a name must not hold control characters", "", ""},
};

BOOST_DATA_TEST_CASE(container_name_table, boost::unit_test::data::make(kNameCases), c) {
  BOOST_TEST(container_name_problem(c.name) == c.problem);
  BOOST_TEST(is_valid_container_name(c.name) == c.problem.empty());
  if (!c.problem.empty()) return;
  std::string changed = "untouched";
  BOOST_TEST(hostname_for_container(c.name, &changed) == c.hostname);
  BOOST_TEST(changed == c.changed);
  const std::string host = hostname_for_container(c.name);
  BOOST_TEST((host.empty() || is_valid_hostname(host)));
}

// uxc info -c KEY: what the configuration gives a key, in any spelling.
struct ValuesCase {
  std::string text;
  std::string key;
  std::vector<std::string> values;
};
std::ostream& operator<<(std::ostream& os, const ValuesCase& c) { return os << c.key; }

const ValuesCase kValuesCases[] = {
    {"lxc.uts.name = web\n", "lxc.uts.name", {"web"}},
    {"lxc.uts.name = web\n", "lxc.utsname", {"web"}},                      // asked in the legacy spelling
    {"lxc.utsname = web\n", "lxc.uts.name", {"web"}},                      // written in it
    {"lxc.uts.name = a\nlxc.uts.name = b\n", "lxc.uts.name", {"b"}},       // the last one wins
    {"lxc.uts.name = 'quoted'\n", "lxc.uts.name", {"quoted"}},
    {"lxc.start.auto = 1\n", "lxc.uts.name", {}},                          // unset
    {"lxc.id_map = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n", "lxc.idmap",
     {"u 0 100000 65536", "g 0 100000 65536"}},                              // a list, both spellings
    {"lxc.cap.drop = sys_time\nlxc.cap.drop =\nlxc.cap.drop = mknod\n", "lxc.cap.drop", {"mknod"}},  // emptied
    {"lxc.cgroup2.memory.max = 1G\nlxc.cgroup2.pids.max = 10\n", "lxc.cgroup2.memory.max", {"1G"}},
    {"lxc.net.0.type = veth\nlxc.net.0.link = br0\n", "lxc.net.0.link", {"br0"}},
    {"lxc.net.0.type = veth\nlxc.net.0.link = br0\n", "lxc.net.1.link", {}},
    {"lxc.uts.name = web\n", "lxc.nosuch", {}},                             // not a key
};

BOOST_DATA_TEST_CASE(config_values_table, boost::unit_test::data::make(kValuesCases), c) {
  Config config;
  std::vector<std::string> errors;
  BOOST_TEST_REQUIRE(parse_config(c.text, "config", &config, &errors));
  BOOST_TEST(config_values(config, c.key) == c.values, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(replace_config_lines_keeps_the_rest) {
  const std::string text = "# mine\nlxc.id_map = u 0 1 2\nlxc.net.0.type = veth\nlxc.id_map = g 0 1 2\n";
  const std::vector<size_t> both = {2, 4};
  BOOST_TEST(replace_config_lines(text, both, "lxc.id_map = u 0 5 6\nlxc.id_map = g 0 5 6\n") ==
             "# mine\nlxc.id_map = u 0 5 6\nlxc.id_map = g 0 5 6\nlxc.net.0.type = veth\n");
  const std::vector<size_t> none;
  BOOST_TEST(replace_config_lines("a = 1\n", none, "b = 2\n") == "a = 1\nb = 2\n");  // appended
  const std::vector<size_t> last = {1};
  BOOST_TEST(replace_config_lines("a = 1", last, "b = 2\n") == "b = 2\n");            // no final newline
  BOOST_TEST(replace_config_lines("", none, "") == "");
}

BOOST_AUTO_TEST_CASE(canonical_config_keys) {
  BOOST_TEST(canonical_config_key("lxc.id_map") == "lxc.idmap");
  BOOST_TEST(canonical_config_key("lxc.idmap") == "lxc.idmap");
  BOOST_TEST(canonical_config_key("lxc.rootfs") == "lxc.rootfs.path");
  BOOST_TEST(canonical_config_key("lxc.net.3.ipv4.address") == "lxc.net.3.ipv4.address");
  BOOST_TEST(canonical_config_key("lxc.nosuch") == "");
  BOOST_TEST(canonical_config_key("") == "");
  BOOST_TEST(is_list_config_key("lxc.mount.entry"));
  BOOST_TEST(!is_list_config_key("lxc.uts.name"));
}

BOOST_AUTO_TEST_CASE(hwaddr_template_filled_unicast) {
  const std::vector<uint8_t> ones(12, 0xff);
  BOOST_TEST(fill_hwaddr_template("00:16:3e:xx:xx:xx", ones) == "00:16:3e:ff:ff:ff");
  BOOST_TEST(fill_hwaddr_template("xx:xx:xx:xx:xx:xx", ones) == "fe:ff:ff:ff:ff:ff");
  const std::string text = "# net\nlxc.net.0.hwaddr = 00:16:3e:xx:xx:xx\nlxc.net.1.hwaddr = 00:16:3e:xx:xx:xx\n";
  std::vector<uint8_t> random(24);
  for (size_t i = 0; i < random.size(); ++i) random[i] = static_cast<uint8_t>(i);
  BOOST_TEST(instantiate_hwaddrs(text, random) ==
             "# net\nlxc.net.0.hwaddr = 00:16:3e:01:23:45\nlxc.net.1.hwaddr = 00:16:3e:cd:ef:01\n");
  BOOST_TEST(instantiate_hwaddrs(kSeed, random).find("00:16:3e:01:23:45") != std::string::npos);
  // Quoted values are filled inside their quotes.
  BOOST_TEST(instantiate_hwaddrs("lxc.net.0.hwaddr = \"00:16:3e:xx:xx:xx\"\n", random) ==
             "lxc.net.0.hwaddr = \"00:16:3e:01:23:45\"\n");
  // A line that is not a setting is never touched.
  BOOST_TEST(instantiate_hwaddrs("lxc.net.0.hwaddr = 'xx:xx:xx:xx:xx:xx\n", random) ==
             "lxc.net.0.hwaddr = 'xx:xx:xx:xx:xx:xx\n");
}

}  // namespace
}  // namespace uxc::policy
