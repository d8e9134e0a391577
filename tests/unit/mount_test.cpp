#include "policy/mount.h"

#include <sys/mount.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <ostream>

namespace uxc::policy {
namespace {

struct MountinfoCase {
  std::string name;
  std::string line;
  bool ok;
  std::function<bool(const MountInfo&)> check;
};
std::ostream& operator<<(std::ostream& os, const MountinfoCase& c) { return os << c.name; }

const MountinfoCase kMountinfoCases[] = {
    // ---- the kernel's lines
    {"proc(5)'s example", "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue", true,
     [](const MountInfo& m) {
       return m.mount_id == 36 && m.parent_id == 35 && m.major == 98 && m.minor == 0 && m.root == "/mnt1" &&
              m.mount_point == "/mnt2" && m.options == "rw,noatime" && m.optional_fields.size() == 1 &&
              m.optional_fields[0] == "master:1" && m.fstype == "ext3" && m.source == "/dev/root" &&
              m.super_options == "rw,errors=continue";
     }},
    {"no optional fields", "25 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw", true,
     [](const MountInfo& m) { return m.optional_fields.empty() && m.fstype == "sysfs"; }},
    {"two optional fields", "30 25 0:26 / /sys/fs/cgroup rw shared:9 master:3 - cgroup2 cgroup2 rw,nsdelegate", true,
     [](const MountInfo& m) { return m.optional_fields.size() == 2 && m.fstype == "cgroup2"; }},
    {"escaped space, tab, newline, backslash",
     "40 25 8:1 /a\\040b /mnt/x\\011y\\012z\\134w rw - ext4 /dev/my\\040disk rw", true,
     [](const MountInfo& m) {
       return m.root == "/a b" && m.mount_point == "/mnt/x\ty\nz\\w" && m.source == "/dev/my disk";
     }},
    {"fuse subtype", "50 25 0:50 / /home/u/remote rw - fuse.sshfs u@host:/ rw,user_id=1000", true,
     [](const MountInfo& m) { return m.fstype == "fuse.sshfs" && m.source == "u@host:/"; }},
    {"a mount point named '-'", "51 25 0:51 / /- rw - tmpfs tmpfs rw", true,
     [](const MountInfo& m) { return m.mount_point == "/-" && m.fstype == "tmpfs"; }},
    {"UTF-8 in a path is not escaped", "52 25 0:52 / /m\xC3\xA9 rw - tmpfs tmpfs rw", true,
     [](const MountInfo& m) { return m.mount_point == "/m\xC3\xA9"; }},
    {"a backslash that starts no escape stays", "53 25 0:53 / /a\\9 rw - tmpfs tmpfs rw", true,
     [](const MountInfo& m) { return m.mount_point == "/a\\9"; }},

    // ---- anything else
    {"empty", "", false, nullptr},
    {"no separator", "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 ext3 /dev/root rw", false, nullptr},
    {"separator too early", "36 35 98:0 /mnt1 - ext3 /dev/root rw", false, nullptr},
    {"missing super options", "36 35 98:0 / /mnt rw - ext3 /dev/root", false, nullptr},
    {"extra field after separator", "36 35 98:0 / /mnt rw - ext3 /dev/root rw extra", false, nullptr},
    {"two spaces", "36 35 98:0 /  /mnt rw - ext3 /dev/root rw", false, nullptr},
    {"leading space", " 36 35 98:0 / /mnt rw - ext3 /dev/root rw", false, nullptr},
    {"trailing space", "36 35 98:0 / /mnt rw - ext3 /dev/root rw ", false, nullptr},
    {"tab instead of escape", "36 35 98:0 /a\tb /mnt rw - ext3 /dev/root rw", false, nullptr},
    {"raw control byte", "36 35 98:0 / /mn\x01t rw - ext3 /dev/root rw", false, nullptr},
    {"id not a number", "x 35 98:0 / /mnt rw - ext3 /dev/root rw", false, nullptr},
    {"id overflow", "4294967296 35 98:0 / /mnt rw - ext3 /dev/root rw", false, nullptr},
    {"device without colon", "36 35 980 / /mnt rw - ext3 /dev/root rw", false, nullptr},
    {"device minor missing", "36 35 98: / /mnt rw - ext3 /dev/root rw", false, nullptr},
    {"relative root", "36 35 98:0 mnt /mnt rw - ext3 /dev/root rw", false, nullptr},
    {"relative mount point", "36 35 98:0 / mnt rw - ext3 /dev/root rw", false, nullptr},
};

BOOST_DATA_TEST_CASE(mountinfo_table, boost::unit_test::data::make(kMountinfoCases), c) {
  MountInfo m;
  std::string why;
  const bool ok = parse_mountinfo_line(c.line, &m, &why);
  BOOST_TEST(ok == c.ok, why);
  if (ok && c.check) BOOST_TEST(c.check(m));
  if (!ok) BOOST_TEST(!why.empty());
}

BOOST_AUTO_TEST_CASE(cgroup_mounts_from_mountinfo) {
  MountInfo m;
  std::string why;
  CgroupMount c;
  BOOST_REQUIRE(parse_mountinfo_line(
      "33 29 0:29 /user.slice /sys/fs/cgroup/memory rw,nosuid shared:14 - cgroup cgroup rw,memory,clone_children", &m, &why));
  BOOST_REQUIRE(cgroup_mount_of(m, &c));
  BOOST_TEST(c.version == 1);
  BOOST_TEST(c.root == "/user.slice");
  BOOST_TEST(c.mount_point == "/sys/fs/cgroup/memory");
  BOOST_TEST(c.controllers == std::vector<std::string>{"memory"});
  BOOST_REQUIRE(parse_mountinfo_line(
      "34 29 0:30 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpuacct,cpu,release_agent=/x", &m, &why));
  BOOST_REQUIRE(cgroup_mount_of(m, &c));
  BOOST_TEST((c.controllers == std::vector<std::string>{"cpu", "cpuacct"}));
  BOOST_REQUIRE(parse_mountinfo_line("35 29 0:31 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd", &m, &why));
  BOOST_REQUIRE(cgroup_mount_of(m, &c));
  BOOST_TEST(c.controllers == std::vector<std::string>{"name=systemd"});
  BOOST_REQUIRE(parse_mountinfo_line("36 29 0:32 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate", &m, &why));
  BOOST_REQUIRE(cgroup_mount_of(m, &c));
  BOOST_TEST(c.version == 2);
  BOOST_TEST(c.controllers.empty());
  BOOST_REQUIRE(parse_mountinfo_line("37 29 0:33 / /tmp rw - tmpfs cgroup rw", &m, &why));
  BOOST_TEST(!cgroup_mount_of(m, &c));  // the fstype decides, not the source
}

struct OptionsCase {
  std::string text;
  bool ok;
  unsigned long flags = 0;
  bool bind = false;
  bool optional = false;
  MountOptions::Create create = MountOptions::Create::kNone;
  std::string data = "";
};
std::ostream& operator<<(std::ostream& os, const OptionsCase& c) { return os << c.text; }

const OptionsCase kOptionsCases[] = {
    {"defaults", true},
    {"rw", true},
    {"", true},
    {"bind", true, 0, true},
    {"rbind", true, MS_REC, true},
    {"bind,ro,nosuid,nodev,noexec", true, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, true},
    {"bind,create=dir,optional", true, 0, true, true, MountOptions::Create::kDir},
    {"bind,create=file", true, 0, true, false, MountOptions::Create::kFile},
    {"size=1m,create=dir", true, 0, false, false, MountOptions::Create::kDir, "size=1m"},
    {"mode=755,uid=0,noatime", true, MS_NOATIME, false, false, MountOptions::Create::kNone, "mode=755,uid=0"},
    {"bind,,ro,", true, MS_RDONLY, true},  // LXC skips empty items
    {"relatime,strictatime,nodiratime", true, MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME},
    {"create=link", false},
    {"create=", false},
    {"create=DIR", false},
    {"bind,size=1m", false},
    {"rbind,mode=700", false},
};

BOOST_DATA_TEST_CASE(mount_options_table, boost::unit_test::data::make(kOptionsCases), c) {
  MountOptions o;
  std::string why;
  const bool ok = parse_mount_options(c.text, &o, &why);
  BOOST_TEST(ok == c.ok, why);
  if (!ok) {
    BOOST_TEST(!why.empty());
    return;
  }
  BOOST_TEST(o.flags == c.flags);
  BOOST_TEST(o.bind == c.bind);
  BOOST_TEST(o.optional == c.optional);
  BOOST_TEST((o.create == c.create));
  BOOST_TEST(o.data == c.data);
}

BOOST_AUTO_TEST_CASE(unescape_mount_fields) {
  BOOST_TEST(unescape_mount_field("a\\040b") == "a b");
  BOOST_TEST(unescape_mount_field("\\134\\134") == "\\\\");
  BOOST_TEST(unescape_mount_field("\\400") == "\\400");  // above \377: not an escape
  BOOST_TEST(unescape_mount_field("\\04") == "\\04");    // too short
  BOOST_TEST(unescape_mount_field("end\\") == "end\\");
  BOOST_TEST(unescape_mount_field("\\0000") == std::string("\0" "0", 2));
}

}  // namespace
}  // namespace uxc::policy
