#include "policy/config.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <functional>
#include <ostream>

namespace uxc::policy {
namespace {

using Check = std::function<bool(const Config&)>;

struct ConfigCase {
  std::string name;
  std::string text;
  std::string error;  // empty: must parse; else the first error must contain it
  Check check;        // for accepted files: what the reader must have produced
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
       return c.nics.size() == 1 && c.ignored.size() == 2 && c.ignored[0].line == 5 &&
              c.ignored[1].key == "lxc.apparmor.allow_nesting";
     }},
    {"modern idmap", "lxc.idmap = b 0 100000 65536\n", "", [](const Config& c) {
       return c.idmap.size() == 1 && c.idmap[0].kind == 'b' && c.idmap[0].text == "b 0 100000 65536";
     }},
    {"no blanks around =", "lxc.uts.name=web1\n", "", [](const Config& c) { return c.uts_name == "web1"; }},
    {"indented line is not a continuation", "lxc.uts.name = a\n    lxc.start.auto = 1\n", "",
     [](const Config& c) { return c.uts_name == "a" && c.start_auto; }},
    {"value with '=' inside", "lxc.environment = PATH=/bin:/sbin\n", "",
     [](const Config& c) { return c.environment.size() == 1 && c.environment[0] == "PATH=/bin:/sbin"; }},
    {"value with ';' not after a blank", "lxc.init.cmd = /bin/sh -c true;false\n", "",
     [](const Config& c) { return c.init_cmd == "/bin/sh -c true;false"; }},
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
    {"reboot signal", "lxc.signal.reboot = SIGTERM\n", "", [](const Config& c) { return c.signal_reboot == SIGTERM; }},
    {"console log and its ring", "lxc.console.logfile = /home/a/con.log\nlxc.console.buffer.size = 65536\n", "",
     [](const Config& c) { return c.console_logfile == "/home/a/con.log" && c.console_buffer_size == 65536; }},
    {"console buffer auto", "lxc.console.buffer.size = auto\n", "", [](const Config& c) { return c.console_buffer_size == 131072; }},
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

    // ---- malformed or hostile
    {"unknown key", "lxc.rootfs.path = /r\nlxc.bogus = 1\n", "cfg:2: unknown key lxc.bogus", nullptr},
    {"unknown net field", "lxc.net.0.colour = red\n", "cfg:1: unknown key lxc.net.0.colour", nullptr},
    {"legacy spelling under modern prefix", "lxc.net.0.ipv4 = 10.0.0.1/8\n", "unknown key lxc.net.0.ipv4", nullptr},
    {"hook keys are not silently dropped", "lxc.hook.start-host = /bin/sh\n", "unknown key lxc.hook.start-host", nullptr},
    {"include refused", "lxc.include = /usr/share/lxc/config/common.conf\n", "cfg:1: lxc.include is not supported", nullptr},
    {"NUL byte drops nothing silently", std::string("lxc.uts.name = a\0lxc.bogus = 1\n", 31), "cfg:1: NUL byte", nullptr},
    {"10,000-byte line", "lxc.init.cmd = " + std::string(10000, 'a') + "\n", "cfg:1: longer than 4096 bytes", nullptr},
    {"line longer than inih's buffer cannot smuggle a key",
     "lxc.init.cmd = " + std::string(190, 'a') + "lxc.cap.keep = none\n", "cfg:1: line longer than", nullptr},
    {"CRLF line endings", "lxc.uts.name = a\r\n", "cfg:1: carriage return", nullptr},
    {"stray CR inside a value", "lxc.init.cmd = a\rb\n", "carriage return", nullptr},
    {"section header", "[lxc]\nlxc.uts.name = a\n", "cfg:1: expected KEY = VALUE", nullptr},
    {"key: value (inih dialect)", "lxc.uts.name: a\n", "cfg:1: expected KEY = VALUE", nullptr},
    {"';' comment (inih dialect)", "; comment\n", "cfg:1: expected KEY = VALUE", nullptr},
    {"inline ';' comment would cut the value", "lxc.init.cmd = /bin/sh -c true ; reboot\n", "would be read as a comment", nullptr},
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
    {"bad reboot signal", "lxc.signal.reboot = REBOOT\n", "not a signal", nullptr},
    {"relative console log", "lxc.console.logfile = con.log\n", "not an absolute path", nullptr},
    {"console buffer not a number", "lxc.console.buffer.size = 1M\n", "not a number of bytes or auto", nullptr},
    {"console buffer negative", "lxc.console.buffer.size = -1\n", "not a number of bytes or auto", nullptr},
    {"relative rootfs", "lxc.rootfs.path = rootfs\n", "not an absolute directory path", nullptr},
    {"bad host name", "lxc.uts.name = -rf\n", "not a valid host name", nullptr},
    {"mount entry too few fields", "lxc.mount.entry = /mnt mnt\n", "lxc.mount.entry: expected", nullptr},
    {"mount target escapes rootfs", "lxc.mount.entry = /etc ../../etc none bind 0 0\n", "must not contain '..'", nullptr},
    {"cgroup key without file", "lxc.cgroup2.memory = 1\n", "expected a controller file", nullptr},
    {"environment without =", "lxc.environment = PATH\n", "expected NAME=VALUE", nullptr},
    {"non-ASCII value", "lxc.uts.name = h\xC3\xA9llo\n", "printable ASCII", nullptr},
    {"error line number is right after comments", "# one\n\n# three\nlxc.nope = 1\n", "cfg:4: unknown key lxc.nope", nullptr},
};

BOOST_DATA_TEST_CASE(config_table, boost::unit_test::data::make(kCases), c) {
  Config config;
  std::vector<std::string> errors;
  const bool ok = parse_config(c.text, "cfg", &config, &errors);
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
}

}  // namespace
}  // namespace uxc::policy
