#include "policy/rootfs.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

#include "policy/config.h"

namespace uxc::policy {
namespace {

struct RootfsCase {
  std::string name;
  std::string value;
  bool ok;
  std::vector<std::string> lowers;  // overlay: lowers; dir: {dir}
  std::string upper;                // overlay only
  std::string error;                // substring of the error
};
std::ostream& operator<<(std::ostream& os, const RootfsCase& c) { return os << c.name; }

const RootfsCase kRootfsCases[] = {
    {"empty", "", true, {}, "", ""},
    {"plain path", "/srv/c/rootfs", true, {"/srv/c/rootfs"}, "", ""},
    {"dir: prefix", "dir:/srv/c/rootfs", true, {"/srv/c/rootfs"}, "", ""},
    {"root dir", "/", true, {"/"}, "", ""},
    {"LXC's overlay clone", "overlay:/var/lib/lxc/a/rootfs:/var/lib/lxc/b/delta0", true,
     {"/var/lib/lxc/a/rootfs"}, "/var/lib/lxc/b/delta0", ""},
    {"overlayfs: spelling", "overlayfs:/a/rootfs:/b/delta0", true, {"/a/rootfs"}, "/b/delta0", ""},
    {"three lowers, top first", "overlay:/c/delta1:/c/delta0:/c/rootfs:/c/delta2", true,
     {"/c/delta1", "/c/delta0", "/c/rootfs"}, "/c/delta2", ""},
    {"a ':' not before '/' stays in the path", "overlay:/a/x:y:/b/delta0", true, {"/a/x:y"}, "/b/delta0", ""},
    // ---- refused
    {"relative", "rootfs", false, {}, "", "not an absolute path"},
    {"relative after dir:", "dir:rootfs", false, {}, "", "not an absolute path"},
    {"overlay without upper", "overlay:/a/rootfs", false, {}, "", "overlay:/LOWER:/UPPER"},
    {"overlay with nothing", "overlay:", false, {}, "", "overlay:/LOWER:/UPPER"},
    {"relative lower", "overlay:a:/b/delta0", false, {}, "", "not an absolute path"},
    {"a ':' before ':/' belongs to the path", "overlay:/a::/b/delta0", true, {"/a:"}, "/b/delta0", ""},
    {"dot-dot", "overlay:/a/../etc:/b/delta0", false, {}, "", "'..'"},
    {"dot component", "overlay:/a/./x:/b/delta0", false, {}, "", "'.'"},
    {"double slash", "overlay:/a//x:/b/delta0", false, {}, "", "empty"},
    {"trailing slash", "overlay:/a/x/:/b/delta0", false, {}, "", "trailing"},
    {"comma smuggles an option", "overlay:/a/x,upperdir=/etc:/b/delta0", false, {}, "", "','"},
    {"blank", "overlay:/a/x y:/b/delta0", false, {}, "", "printable"},
    {"control byte", std::string("overlay:/a/x\x01:/b/delta0"), false, {}, "", "printable"},
    {"same layer twice", "overlay:/a/x:/a/x:/b/delta0", false, {}, "", "more than one layer"},
    {"upper is also a lower", "overlay:/b/delta0:/b/delta0", false, {}, "", "more than one layer"},
    {"upper at /", "overlay:/a/x:/delta0", true, {"/a/x"}, "/delta0", ""},
    {"work dir is a lower", "overlay:/b/olwork:/b/delta0", false, {}, "", "olwork"},
};

BOOST_DATA_TEST_CASE(parse_rootfs_path_table, boost::unit_test::data::make(kRootfsCases), c) {
  RootfsPath r;
  std::string err;
  const bool ok = parse_rootfs_path(c.value, &r, &err);
  BOOST_TEST(ok == c.ok);
  if (!c.ok) {
    BOOST_TEST(err.find(c.error) != std::string::npos, "error '" << err << "' lacks '" << c.error << "'");
    return;
  }
  if (c.upper.empty()) {
    BOOST_TEST(!r.overlay);
    BOOST_TEST(r.dir == (c.lowers.empty() ? "" : c.lowers[0]));
    return;
  }
  BOOST_TEST(r.overlay);
  BOOST_TEST(r.lowers == c.lowers);
  BOOST_TEST(r.upper == c.upper);
  // Formatting gives back a value that parses to the same layers.
  RootfsPath again;
  BOOST_TEST(parse_rootfs_path(format_rootfs_path(r), &again, &err));
  BOOST_TEST(again.lowers == r.lowers);
  BOOST_TEST(again.upper == r.upper);
}

BOOST_AUTO_TEST_CASE(rootfs_layer_limit) {
  std::string value = "overlay:";
  for (size_t i = 0; i < kMaxOverlayLowers; ++i) value += "/l/" + std::to_string(i) + ":";
  RootfsPath r;
  std::string err;
  BOOST_TEST(parse_rootfs_path(value + "/u/delta0", &r, &err));
  BOOST_TEST(r.lowers.size() == kMaxOverlayLowers);
  BOOST_TEST(!parse_rootfs_path(value + "/l/x:/u/delta0", &r, &err));
  BOOST_TEST(err.find("at most 500") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(config_line_holds_500_layers) {
  // The kernel's limit, with paths of 100 bytes: one config line.
  std::string value = "overlay:";
  for (size_t i = 0; i < kMaxOverlayLowers; ++i) {
    std::string layer = "/home/someone/.local/share/uxc/a-container-with-a-long-name/delta" + std::to_string(i);
    layer += std::string(100 - layer.size(), 'x');
    value += layer + ":";
  }
  Config c;
  std::vector<std::string> errors;
  BOOST_TEST(parse_config("lxc.rootfs.path = " + value + "/u/delta0\n", "f", &c, &errors));
  RootfsPath r;
  std::string err;
  BOOST_TEST(parse_rootfs_path(c.rootfs, &r, &err));
  BOOST_TEST(r.lowers.size() == kMaxOverlayLowers);
}

BOOST_AUTO_TEST_CASE(rootfs_work_dir_and_within) {
  BOOST_TEST(overlay_work_dir("/h/.local/share/uxc/b/delta0") == "/h/.local/share/uxc/b/olwork");
  BOOST_TEST(overlay_work_dir("/delta0") == "/olwork");
  BOOST_TEST(path_is_within("/d/a/rootfs", "/d/a"));
  BOOST_TEST(path_is_within("/d/a", "/d/a"));
  BOOST_TEST(!path_is_within("/d/ab/rootfs", "/d/a"));  // a prefix is not a parent
  BOOST_TEST(!path_is_within("/d", "/d/a"));
}

struct KernelCase {
  std::string release;
  bool ok;
};
std::ostream& operator<<(std::ostream& os, const KernelCase& c) { return os << c.release; }

const KernelCase kKernelCases[] = {
    {"5.11.0", true},   {"5.11", true},          {"5.10.0-28-amd64", false}, {"5.15.0-91-generic", true},
    {"6.1.0-18-amd64", true}, {"6.18.44-fc-v1300", true}, {"4.19.0", false}, {"10.0", true},
    {"5.9-rc1", false}, {"5.110", true},         {"", false},                {"5", false},
    {"x.y", false},     {"5.x", false},          {"05.11", false},           {"5.", false},
};

BOOST_DATA_TEST_CASE(kernel_overlay_table, boost::unit_test::data::make(kKernelCases), c) {
  BOOST_TEST(kernel_allows_user_overlay(c.release) == c.ok);
}

BOOST_AUTO_TEST_CASE(kernel_at_least_6_8) {
  BOOST_TEST(kernel_at_least("6.8.0", 6, 8));
  BOOST_TEST(kernel_at_least("6.18.44-fc-v1300", 6, 8));  // 18 > 8: numbers, not text
  BOOST_TEST(!kernel_at_least("6.7.12", 6, 8));
  BOOST_TEST(!kernel_at_least("5.19.0", 6, 8));
  BOOST_TEST(kernel_at_least("7.0", 6, 8));
}

BOOST_AUTO_TEST_CASE(snapshot_names) {
  BOOST_TEST(is_valid_snapshot_name("snap0"));
  BOOST_TEST(is_valid_snapshot_name("before-upgrade_2.1"));
  BOOST_TEST(!is_valid_snapshot_name(""));
  BOOST_TEST(!is_valid_snapshot_name("ALL"));
  BOOST_TEST(!is_valid_snapshot_name(".hidden"));
  BOOST_TEST(!is_valid_snapshot_name("-x"));
  BOOST_TEST(!is_valid_snapshot_name("a/b"));
  BOOST_TEST(!is_valid_snapshot_name(".."));
  BOOST_TEST(!is_valid_snapshot_name(std::string(65, 'a')));
  const std::vector<std::string> taken = {"snap0", "snap2", "mine"};
  BOOST_TEST(next_snapshot_name(taken) == "snap1");
  BOOST_TEST(next_snapshot_name(std::vector<std::string>{}) == "snap0");
}

BOOST_AUTO_TEST_CASE(layer_lists) {
  std::vector<std::string> layers;
  std::string err;
  BOOST_TEST(parse_layer_list("/c/delta0\n/c/rootfs\n", &layers, &err));
  BOOST_TEST(layers == (std::vector<std::string>{"/c/delta0", "/c/rootfs"}));
  BOOST_TEST(format_layer_list(layers) == "/c/delta0\n/c/rootfs\n");
  BOOST_TEST(!parse_layer_list("", &layers, &err));
  BOOST_TEST(!parse_layer_list("/c/ok\nrelative\n", &layers, &err));
  BOOST_TEST(err.find("line 2") != std::string::npos);
  BOOST_TEST(!parse_layer_list(std::string("/c/a\0b\n", 7), &layers, &err));
  BOOST_TEST(!parse_layer_list("/c/../etc\n", &layers, &err));
}

struct SetCase {
  std::string name, text, key, legacy, value, want;
};
std::ostream& operator<<(std::ostream& os, const SetCase& c) { return os << c.name; }

const SetCase kSetCases[] = {
    {"replace in place", "# h\nlxc.uts.name = a\nlxc.tty.max = 1\n", "lxc.uts.name", "lxc.utsname", "b",
     "# h\nlxc.uts.name = b\nlxc.tty.max = 1\n"},
    {"legacy spelling replaced", "lxc.utsname=a\n", "lxc.uts.name", "lxc.utsname", "b", "lxc.uts.name = b\n"},
    {"duplicates collapse to the first", "lxc.rootfs.path = /a\nx = 1\nlxc.rootfs = /b\n", "lxc.rootfs.path",
     "lxc.rootfs", "overlay:/a:/c/delta0", "lxc.rootfs.path = overlay:/a:/c/delta0\nx = 1\n"},
    {"added after the header", "# one\n# two\nlxc.tty.max = 1\n", "lxc.ephemeral", "", "1",
     "# one\n# two\nlxc.ephemeral = 1\nlxc.tty.max = 1\n"},
    {"added to an empty file", "", "lxc.ephemeral", "", "1", "lxc.ephemeral = 1\n"},
    {"added to comments without newline", "# x", "lxc.ephemeral", "", "1", "# x\nlxc.ephemeral = 1\n"},
    {"empty value removes", "a = 1\nlxc.ephemeral = 1\nb = 2", "lxc.ephemeral", "", "", "a = 1\nb = 2"},
    {"comment mentioning the key is kept", "# lxc.uts.name = old\nlxc.uts.name = a\n", "lxc.uts.name", "", "b",
     "# lxc.uts.name = old\nlxc.uts.name = b\n"},
    {"similar key untouched", "lxc.uts.name.x = a\n", "lxc.uts.name", "", "b", "lxc.uts.name = b\nlxc.uts.name.x = a\n"},
};

BOOST_DATA_TEST_CASE(set_config_value_table, boost::unit_test::data::make(kSetCases), c) {
  BOOST_TEST(set_config_value(c.text, c.key, c.legacy, c.value) == c.want);
}

BOOST_AUTO_TEST_CASE(hwaddr_values_in_order) {
  const std::string text =
      "lxc.net.1.hwaddr = 02:00:00:xx:xx:xx\n# lxc.net.0.hwaddr = 00:00:00:00:00:01\n"
      "lxc.net.0.link = br0\nlxc.network.hwaddr=00:16:3e:xx:xx:xx\nlxc.net.10.hwaddr = a\n";
  BOOST_TEST(hwaddr_values(text) == (std::vector<std::string>{"02:00:00:xx:xx:xx", "00:16:3e:xx:xx:xx", "a"}));
}

BOOST_AUTO_TEST_CASE(config_values_lenient) {
  const std::string text = "garbage line\nlxc.rootfs.path = /a\n[section]\nlxc.rootfs=/b\n# lxc.rootfs = /c\n";
  BOOST_TEST(config_values(text, "lxc.rootfs.path", "lxc.rootfs") == (std::vector<std::string>{"/a", "/b"}));
}

std::vector<uint8_t> bytes(size_t n, uint8_t v) { return std::vector<uint8_t>(n, v); }

struct MacCase {
  std::string name, current, templ;
  uint8_t random;
  std::string want;
};
std::ostream& operator<<(std::ostream& os, const MacCase& c) { return os << c.name; }

const MacCase kMacCases[] = {
    {"template digits renewed", "00:16:3e:12:34:56", "00:16:3e:xx:xx:xx", 0xa, "00:16:3e:aa:aa:aa"},
    {"partial template", "02:aa:bb:cc:dd:e1", "02:aa:bb:cc:dd:ex", 0x7, "02:aa:bb:cc:dd:e7"},
    {"template case ignored", "00:16:3E:12:34:56", "00:16:3e:XX:xx:xx", 0x1, "00:16:3e:11:11:11"},
    {"no template: last three octets", "10:66:6a:01:02:03", "", 0xb, "10:66:6a:bb:bb:bb"},
    {"non-matching template: last three", "10:66:6a:01:02:03", "00:16:3e:xx:xx:xx", 0x2, "10:66:6a:22:22:22"},
    {"template without x: last three", "00:16:3e:01:02:03", "00:16:3e:01:02:03", 0x3, "00:16:3e:33:33:33"},
    {"template x in first octet stays unicast", "12:16:3e:01:02:03", "x2:16:3e:01:02:0x", 0xf, "f2:16:3e:01:02:0f"},
    {"first-octet template digit is unicast", "02:16:3e:01:02:03", "0x:16:3e:01:02:03", 0xf, "0e:16:3e:01:02:03"},
    {"current still a template: nothing", "00:16:3e:xx:xx:xx", "", 0x1, ""},
    {"not a MAC: nothing", "nonsense", "", 0x1, ""},
};

BOOST_DATA_TEST_CASE(renew_hwaddr_table, boost::unit_test::data::make(kMacCases), c) {
  BOOST_TEST(renew_hwaddr(c.current, c.templ, bytes(12, c.random)) == c.want);
}

BOOST_AUTO_TEST_CASE(copy_config_rewrites) {
  const std::string src =
      "# Container a, created by 'uxc create -t busybox' from /h/.config/uxc/default.conf\n"
      "lxc.rootfs.path = dir:/h/.local/share/uxc/a/rootfs\n"
      "lxc.uts.name = a\n"
      "lxc.signal.halt = SIGUSR1\n"
      "lxc.ephemeral = 0\n"
      "lxc.net.0.type = veth\n"
      "lxc.net.0.hwaddr = 00:16:3e:12:34:56\n"
      "lxc.net.1.type = veth\n"
      "lxc.net.1.hwaddr = 02:00:00:00:00:01\n";
  CopyEdits e;
  e.header = "Container b, copied by 'uxc copy' from a";
  e.rootfs = "overlay:/h/.local/share/uxc/a/rootfs:/h/.local/share/uxc/b/delta0";
  e.uts_name = "b";
  e.ephemeral = true;
  e.hwaddr_templates = {"00:16:3e:xx:xx:xx"};
  std::vector<uint8_t> random(24, 0xc);
  const std::string out = copy_config(src, e, random);
  const std::string want =
      "# Container b, copied by 'uxc copy' from a\n"
      "lxc.rootfs.path = overlay:/h/.local/share/uxc/a/rootfs:/h/.local/share/uxc/b/delta0\n"
      "lxc.uts.name = b\n"
      "lxc.ephemeral = 1\n"
      "lxc.signal.halt = SIGUSR1\n"
      "lxc.net.0.type = veth\n"
      "lxc.net.0.hwaddr = 00:16:3e:cc:cc:cc\n"
      "lxc.net.1.type = veth\n"
      "lxc.net.1.hwaddr = 02:00:00:cc:cc:cc\n";
  BOOST_TEST(out == want);
  // What it writes is a configuration uxc reads.
  Config c;
  std::vector<std::string> errors;
  BOOST_TEST(parse_config(out, "copy", &c, &errors));
  BOOST_TEST(c.ephemeral);
  BOOST_TEST(c.uts_name == "b");
  BOOST_TEST(c.rootfs == e.rootfs);

  e.keep_macs = true;
  e.uts_name.clear();
  e.ephemeral = false;
  const std::string kept = copy_config(src, e, random);
  BOOST_TEST(kept.find("lxc.net.0.hwaddr = 00:16:3e:12:34:56\n") != std::string::npos);
  BOOST_TEST(kept.find("lxc.uts.name = a\n") != std::string::npos);
  BOOST_TEST(kept.find("lxc.ephemeral") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(config_reads_overlay_and_ephemeral) {
  Config c;
  std::vector<std::string> errors;
  BOOST_TEST(parse_config("lxc.rootfs.path = overlayfs:/a/rootfs:/b/delta0\nlxc.ephemeral = 1\n", "f", &c, &errors));
  BOOST_TEST(c.rootfs == "overlay:/a/rootfs:/b/delta0");
  BOOST_TEST(c.ephemeral);
  Config bad;
  BOOST_TEST(!parse_config("lxc.rootfs.path = overlay:/a/../x:/b/delta0\n", "f", &bad, &errors));
  BOOST_TEST(errors.back().find("f:1: lxc.rootfs.path:") != std::string::npos);
  errors.clear();
  BOOST_TEST(!parse_config("lxc.ephemeral = yes\n", "f", &bad, &errors));
  BOOST_TEST(errors.back() == "f:1: lxc.ephemeral: must be 0 or 1");
}

}  // namespace
}  // namespace uxc::policy
