#include "policy/nic.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

namespace uxc::policy {
namespace {

// ------------------------------------------------------ interface names

struct NameCase {
  std::string name;
  bool ok;
};
std::ostream& operator<<(std::ostream& os, const NameCase& c) { return os << '"' << c.name << '"'; }

const NameCase kIfnameCases[] = {
    {"eth0", true},
    {"lxcbr0", true},
    {"a", true},
    {"br-lan.10", true},
    {"abcdefghijklmno", true},     // 15 bytes
    {"...", true},                 // only "." and ".." are special
    {"", false},
    {"abcdefghijklmnop", false},   // 16 bytes
    {std::string(10000, 'e'), false},
    {".", false},
    {"..", false},
    {"a/b", false},
    {"/", false},
    {"a b", false},
    {" eth0", false},
    {"eth0\t", false},
    {"eth0\n", false},
    {"eth0\r", false},
    {std::string("eth\0", 4), false},
    {"eth:0", false},              // the kernel refuses ':'
    {"eth%d", false},              // kernel name template
    {"\xc3\xa9th0", false},        // non-ASCII
    {"eth\x7f", false},
};

BOOST_DATA_TEST_CASE(ifname_table, boost::unit_test::data::make(kIfnameCases), c) {
  BOOST_TEST(is_valid_ifname(c.name) == c.ok);
}

// ---------------------------------------------------------------- MACs

struct MacCase {
  std::string text;
  bool ok;
  std::string canonical;
};
std::ostream& operator<<(std::ostream& os, const MacCase& c) { return os << '"' << c.text << '"'; }

const MacCase kMacCases[] = {
    {"00:16:3e:12:34:56", true, "00:16:3e:12:34:56"},
    {"00:16:3E:AB:cd:Ef", true, "00:16:3e:ab:cd:ef"},
    {"fe:ff:ff:ff:ff:ff", true, "fe:ff:ff:ff:ff:ff"},
    {"02:00:00:00:00:00", true, "02:00:00:00:00:00"},
    {"00:00:00:00:00:01", true, "00:00:00:00:00:01"},
    {"00:00:00:00:00:00", false, ""},   // all-zero
    {"01:00:5e:00:00:01", false, ""},   // multicast
    {"ff:ff:ff:ff:ff:ff", false, ""},   // broadcast
    {"33:33:00:00:00:01", false, ""},   // IPv6 multicast
    {"", false, ""},
    {"00:16:3e:12:34", false, ""},
    {"00:16:3e:12:34:56:78", false, ""},
    {"00-16-3e-12-34-56", false, ""},
    {"0:16:3e:12:34:56:", false, ""},
    {"00:16:3e:12:34:5g", false, ""},
    {"00:16:3e:xx:xx:xx", false, ""},   // LXC's template is the manager's job
    {"00:16:3e:12:34:56 ", false, ""},
    {std::string("00:16:3e:12:34:5\0", 17), false, ""},
    {"0x0016:3e:12:34:5", false, ""},
};

BOOST_DATA_TEST_CASE(mac_table, boost::unit_test::data::make(kMacCases), c) {
  Mac mac{9, 9, 9, 9, 9, 9};
  BOOST_TEST(parse_mac(c.text, &mac) == c.ok);
  if (c.ok) BOOST_TEST(format_mac(mac) == c.canonical);
  else BOOST_TEST(format_mac(mac) == "09:09:09:09:09:09");
}

// ------------------------------------------------------------- requests

struct RequestCase {
  std::string name;
  std::string text;
  bool ok;
  std::string expect;  // ok: "op link name hwaddr|host", else an error substring
};
std::ostream& operator<<(std::ostream& os, const RequestCase& c) { return os << c.name; }

std::string summary(const NicRequest& r) {
  if (r.op == NicOp::kDelete) return "delete " + r.host;
  return "create " + r.link + " " + r.name + " " + (r.has_hwaddr ? format_mac(r.hwaddr) : "-");
}

const std::string kH = "uxc-nic 1\n";

const RequestCase kRequestCases[] = {
    {"create minimal", kH + "op create\ntype veth\nlink lxcbr0\nend\n", true,
     "create lxcbr0 eth0 -"},
    {"create full", kH + "op create\ntype veth\nlink br1\nname net1\nhwaddr 00:16:3E:00:00:01\nend\n",
     true, "create br1 net1 00:16:3e:00:00:01"},
    {"create any order", kH + "op create\nname n\nlink b\ntype veth\nend\n", true, "create b n -"},
    {"delete", kH + "op delete\nhost uxc0123abcd\nend\n", true, "delete uxc0123abcd"},
    // malformed and hostile
    {"no op", kH + "type veth\nlink br0\nend\n", false, "first field"},
    {"op not first", kH + "type veth\nop create\nlink br0\nend\n", false, "first field"},
    {"unknown op", kH + "op destroy\nend\n", false, "op must be"},
    {"missing link", kH + "op create\ntype veth\nend\n", false, "needs"},
    {"missing type", kH + "op create\nlink br0\nend\n", false, "needs"},
    {"bad type", kH + "op create\ntype macvlan\nlink br0\nend\n", false, "veth"},
    {"repeated link", kH + "op create\ntype veth\nlink a\nlink b\nend\n", false, "too many"},
    {"repeated op", kH + "op create\nop delete\ntype veth\nlink a\nend\n", false, "too many"},
    {"unknown key", kH + "op create\ntype veth\nlink a\nnetns 1\nend\n", false, "unknown key"},
    {"host in create", kH + "op create\ntype veth\nlink a\nhost x\nend\n", false, "does not belong"},
    {"link in delete", kH + "op delete\nhost x\nlink a\nend\n", false, "does not belong"},
    {"delete without host", kH + "op delete\nend\n", false, "needs \"host\""},
    {"long name", kH + "op create\ntype veth\nlink a\nname abcdefghijklmnop\nend\n", false,
     "interface name"},
    {"slash in name", kH + "op create\ntype veth\nlink a\nname a/b\nend\n", false, "interface name"},
    {"dotdot name", kH + "op create\ntype veth\nlink a\nname ..\nend\n", false, "interface name"},
    {"template name", kH + "op create\ntype veth\nlink a\nname eth%d\nend\n", false,
     "interface name"},
    {"space in name", kH + "op create\ntype veth\nlink a\nname a b\nend\n", false, "arguments"},
    {"slash in link", kH + "op create\ntype veth\nlink ../x\nend\n", false, "link name"},
    {"long link", kH + "op create\ntype veth\nlink " + std::string(10000, 'b') + "\nend\n", false,
     "link name"},
    {"slash in host", kH + "op delete\nhost ../../x\nend\n", false, "host interface"},
    {"garbage MAC", kH + "op create\ntype veth\nlink a\nhwaddr zz:zz\nend\n", false, "hwaddr"},
    {"multicast MAC", kH + "op create\ntype veth\nlink a\nhwaddr 01:00:00:00:00:01\nend\n",
     false, "hwaddr"},
    {"zero MAC", kH + "op create\ntype veth\nlink a\nhwaddr 00:00:00:00:00:00\nend\n", false,
     "hwaddr"},
    {"NUL", std::string("uxc-nic 1\nop create\ntype veth\nlink a\0b\nend\n", 43), false,
     "printable"},
    {"CRLF", "uxc-nic 1\r\nop create\r\ntype veth\r\nlink a\r\nend\r\n", false, "printable"},
    {"other helper", "uxc-idmap 1\nop create\ntype veth\nlink a\nend\n", false, "header"},
    {"no end", kH + "op create\ntype veth\nlink a\n", false, "truncated"},
    {"over the cap", kH + "op create\ntype veth\nlink a\nname " + std::string(20000, 'n') +
     "\nend\n", false, "larger"},
};

BOOST_DATA_TEST_CASE(nic_request_table, boost::unit_test::data::make(kRequestCases), c) {
  NicRequest r;
  std::string err;
  const bool ok = decode_nic_request(c.text, &r, &err);
  BOOST_TEST(ok == c.ok, err);
  if (c.ok) BOOST_TEST(summary(r) == c.expect);
  else BOOST_TEST(err.find(c.expect) != std::string::npos, err);
  BOOST_TEST(err.find('\n') == std::string::npos);  // one line, whatever the input
}

BOOST_AUTO_TEST_CASE(nic_request_round_trip) {
  NicRequest r;
  r.type = "veth";
  r.link = "lxcbr0";
  r.name = "eth1";
  r.has_hwaddr = parse_mac("00:16:3e:aa:bb:cc", &r.hwaddr);
  std::string text, err;
  BOOST_TEST_REQUIRE(encode_nic_request(r, &text));
  NicRequest back;
  BOOST_TEST_REQUIRE(decode_nic_request(text, &back, &err));
  BOOST_TEST(summary(back) == summary(r));
  r.name = "bad/name";  // the encoder refuses what the helper would refuse
  BOOST_TEST(!encode_nic_request(r, &text));
  BOOST_TEST(text.empty());
}

// ------------------------------------------------- lxc-user-nic's argv

struct ArgvCase {
  std::string name;
  std::vector<std::string> args;
  bool ok;
  std::string expect;  // ok: summary + " pid", else an error substring
};
std::ostream& operator<<(std::ostream& os, const ArgvCase& c) { return os << c.name; }

const ArgvCase kArgvCases[] = {
    {"create as LXC calls it", {"create", "/home/u/.local/share/lxc", "c1", "1234", "veth", "lxcbr0"},
     true, "create lxcbr0 eth0 - 1234"},
    {"create with nicname", {"create", "p", "c1", "99", "veth", "br1", "net0"}, true,
     "create br1 net0 - 99"},
    {"create as RootlessKit calls it", {"create", "/dev/null", "dummy", "4321", "veth", "lxcbr0", "eth0"},
     true, "create lxcbr0 eth0 - 4321"},
    {"delete as LXC calls it", {"delete", "p", "c1", "/proc/42/fd/7", "veth", "br0", "uxc00aa00bb"},
     true, "delete uxc00aa00bb 0"},
    // Every refusal names the argument it is about (quoted), or the one
    // that is missing.
    {"too few", {"create", "p", "c1", "99", "veth"}, false, "missing LINK (usage"},
    {"delete too few", {"delete", "p", "c1", "/proc/1/fd/3", "veth", "br0"}, false,
     "missing NICNAME"},
    {"too many", {"create", "p", "c1", "99", "veth", "br0", "eth0", "x"}, false,
     "unexpected argument \"x\" after NICNAME (usage"},
    {"an engine's option", {"create", "/dev/null", "dummy", "5", "veth", "br0", "eth0", "--mtu=9000"},
     false, "unexpected argument \"--mtu=9000\""},
    {"nothing", {}, false, "missing the command (usage"},
    {"unknown command", {"destroy", "p", "c1", "99", "veth", "br0"}, false,
     "unknown command \"destroy\""},
    {"empty lxcpath", {"create", "", "c1", "5", "veth", "br0"}, false, "LXCPATH \"\" must be"},
    {"newline in name", {"create", "p", "c\n1", "5", "veth", "br0"}, false,
     "NAME \"c\\x0a1\" must be"},
    {"long lxcpath", {"create", std::string(4097, 'p'), "c1", "5", "veth", "br0"}, false,
     "LXCPATH \"pppp"},
    {"longest lxcpath", {"create", std::string(4096, 'p'), "c1", "5", "veth", "br0"}, true,
     "create br0 eth0 - 5"},
    {"empty netns path", {"delete", "p", "c1", "", "veth", "br0", "uxc00aa00bb"}, false,
     "NETNS_PATH \"\""},
    {"pid zero", {"create", "p", "c1", "0", "veth", "br0"}, false, "PID \"0\" is not"},
    {"negative pid", {"create", "p", "c1", "-1", "veth", "br0"}, false, "PID \"-1\""},
    {"pid with junk", {"create", "p", "c1", "12x", "veth", "br0"}, false, "PID \"12x\""},
    {"pid too big", {"create", "p", "c1", "99999999999", "veth", "br0"}, false, "PID"},
    {"pid path", {"create", "p", "c1", "/proc/1/ns/net", "veth", "br0"}, false,
     "PID \"/proc/1/ns/net\""},
    {"macvlan", {"create", "p", "c1", "5", "macvlan", "br0"}, false,
     "TYPE \"macvlan\" is not supported (only \"veth\")"},
    {"delete macvlan", {"delete", "p", "c1", "/x", "macvlan", "br0", "uxc00aa00bb"}, false,
     "TYPE \"macvlan\""},
    {"slash in link", {"create", "p", "c1", "5", "veth", "none/"}, false, "LINK \"none/\""},
    {"empty nicname", {"create", "p", "c1", "5", "veth", "br0", ""}, false, "NICNAME \"\""},
    {"long nicname", {"create", "p", "c1", "5", "veth", "br0", "abcdefghijklmnop"}, false,
     "NICNAME \"abcdefghijklmnop\" is not an interface name"},
    {"escape in nicname", {"create", "p", "c1", "5", "veth", "br0", "\x1b[2J"}, false,
     "NICNAME \"\\x1b[2J\""},
    {"delete bad nicname", {"delete", "p", "c1", "/x", "veth", "br0", "a b"}, false,
     "NICNAME \"a b\""},
};

BOOST_DATA_TEST_CASE(lxc_user_nic_argv_table, boost::unit_test::data::make(kArgvCases), c) {
  std::vector<std::string_view> args(c.args.begin(), c.args.end());
  LxcUserNicArgs parsed;
  std::string err;
  const bool ok = parse_lxc_user_nic_args(args, &parsed, &err);
  BOOST_TEST(ok == c.ok, err);
  if (c.ok) BOOST_TEST(summary(parsed.request) + " " + std::to_string(parsed.pid) == c.expect);
  else BOOST_TEST(err.find(c.expect) != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(lxc_user_nic_front_end_selection) {
  const std::vector<std::string_view> none;
  const std::vector<std::string_view> create = {"create"};
  BOOST_TEST(is_lxc_user_nic_call("/usr/libexec/lxc/lxc-user-nic", none));
  BOOST_TEST(is_lxc_user_nic_call("lxc-user-nic", none));
  BOOST_TEST(is_lxc_user_nic_call("uxc-nic", create));
  BOOST_TEST(!is_lxc_user_nic_call("/usr/libexec/uxc/uxc-nic", none));
  BOOST_TEST(!is_lxc_user_nic_call("lxc-user-nic-old", none));
}

// --------------------------------------------------------------- answers

BOOST_AUTO_TEST_CASE(nic_answer_formats) {
  const NicAnswer a{"uxc0011aabb", 731, "eth0", 2};
  BOOST_TEST(format_lxc_user_nic_answer(a) == "eth0:2:uxc0011aabb:731\n");
  // A delete's answer (no ifindex): lxc-user-nic prints nothing.
  BOOST_TEST(format_lxc_user_nic_answer({"uxc0011aabb", 0, "", 0}).empty());
  const std::vector<std::string> words = nic_answer_words(a);
  BOOST_TEST_REQUIRE(words.size() == 4u);
  BOOST_TEST(words[0] == "host=uxc0011aabb");
  BOOST_TEST(words[3] == "peer_ifindex=2");
  NicAnswer back;
  BOOST_TEST_REQUIRE(parse_nic_answer(words, &back));
  BOOST_TEST(back.host_ifindex == 731u);
  BOOST_TEST(back.peer == "eth0");
  const std::vector<std::string> bad = {"host=uxc0011aabb", "host_ifindex=0731", "peer=eth0",
                                        "peer_ifindex=2"};
  BOOST_TEST(!parse_nic_answer(bad, &back));
  const std::vector<std::string> swapped = {"peer=eth0", "host_ifindex=1", "host=x",
                                            "peer_ifindex=2"};
  BOOST_TEST(!parse_nic_answer(swapped, &back));
}

BOOST_AUTO_TEST_CASE(host_end_macs) {
  const Mac mac = host_end_mac(0x0102030405);
  BOOST_TEST(format_mac(mac) == "fe:01:02:03:04:05");
  BOOST_TEST(format_mac(host_end_mac(0xabcd0102030405)) == "fe:01:02:03:04:05");  // low 40 bits
  BOOST_TEST(format_mac(host_end_mac(0)) == "fe:00:00:00:00:00");
  Mac parsed;
  BOOST_TEST(parse_mac(format_mac(mac), &parsed));  // unicast, non-zero
}

}  // namespace
}  // namespace uxc::policy
