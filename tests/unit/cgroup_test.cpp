#include "policy/cgroup.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>

namespace uxc::policy {
namespace {

// This kind of host: hybrid, every v1 controller on its own, name=systemd,
// cgroup2 on unified.
const char kHybrid[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n";

// A typical systemd v1 host: cpu and cpuacct co-mounted, with release_agent.
const char kLegacy[] =
    "25 20 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
    "26 25 0:23 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,release_agent=/lib/systemd/x,name=systemd\n"
    "27 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpuacct,cpu\n"
    "28 25 0:25 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
    "29 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";

const char kUnified[] =
    "24 21 0:21 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
    "99 24 0:21 /user.slice /mnt/elsewhere rw - cgroup2 cgroup2 rw\n";

BOOST_AUTO_TEST_CASE(mounts_of_a_hybrid_host) {
  const auto m = parse_cgroup_mounts(kHybrid);
  BOOST_TEST_REQUIRE(m.size() == 6u);  // the tmpfs is not a cgroup mount
  BOOST_TEST(m[0].version == 1);
  BOOST_TEST(m[0].point == "/sys/fs/cgroup/cpu");
  BOOST_TEST(m[0].controllers == std::vector<std::string>{"cpu"});
  BOOST_TEST(m[4].controllers == std::vector<std::string>{"name=systemd"});  // xattr is no controller
  BOOST_TEST(m[5].version == 2);
  BOOST_TEST(m[5].controllers.empty());
  BOOST_TEST(m[5].point == "/sys/fs/cgroup/unified");
}

BOOST_AUTO_TEST_CASE(mounts_sorted_and_release_agent_dropped) {
  const auto m = parse_cgroup_mounts(kLegacy);
  BOOST_TEST_REQUIRE(m.size() == 4u);
  BOOST_TEST(m[0].controllers == std::vector<std::string>{"name=systemd"});
  BOOST_TEST((m[1].controllers == std::vector<std::string>{"cpu", "cpuacct"}));
}

struct BadMountCase {
  std::string line;
};
std::ostream& operator<<(std::ostream& os, const BadMountCase& c) { return os << c.line; }
const BadMountCase kBadMounts[] = {
    {"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime cgroup cgroup rw,cpu"},   // no " - "
    {"32 31 0:29 / /sys/fs/cgroup/cpu - cgroup cgroup rw,cpu"},             // too few fields before
    {"32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup"},                 // no super options
    {"32 31 0:29 / /sys/fs/cgroup/x rw - cgroup cgroup rw,xattr"},          // v1 without a controller
    {"32 31 0:29 relative /sys/fs/cgroup/x rw - cgroup cgroup rw,cpu"},     // root not absolute
    {"32 31 0:29 / sys/fs/cgroup/x rw - cgroup2 cgroup2 rw"},               // point not absolute
    {"32 31 0:29 / /sys/fs/cgroup/x rw - tmpfs tmpfs rw"},
    {std::string("32 31 0:29 / /sys/fs/cgroup/x rw - cgroup2 cgroup2 rw\0", 54)},  // NUL: the text is refused
};
BOOST_DATA_TEST_CASE(malformed_mount_lines_skipped, boost::unit_test::data::make(kBadMounts), c) {
  BOOST_TEST(parse_cgroup_mounts(c.line).empty());
}

BOOST_AUTO_TEST_CASE(mount_point_escapes) {
  const auto m = parse_cgroup_mounts("1 2 0:1 / /sys/fs/cgroup/a\\040b\\134c rw - cgroup2 cgroup2 rw\n");
  BOOST_TEST_REQUIRE(m.size() == 1u);
  BOOST_TEST(m[0].point == "/sys/fs/cgroup/a b\\c");
  BOOST_TEST(unescape_mount_path("\\0") == "\\0");      // too short to be an escape
  BOOST_TEST(unescape_mount_path("\\400") == "\\400");  // past a byte
  BOOST_TEST(unescape_mount_path("\\08x") == "\\08x");  // not octal
}

BOOST_AUTO_TEST_CASE(proc_cgroup_lines) {
  const auto m = parse_proc_cgroup(
      "9:name=systemd:/\n8:pids:/a\n2:cpuacct,cpu:/a/b\n0::/a/uxc.payload.web/init.scope\n"
      "bad line\n:memory:/x\n3::/x\n0:memory:/x\n4:memory:relative\n");
  BOOST_TEST_REQUIRE(m.size() == 4u);
  BOOST_TEST(m[0].controllers == std::vector<std::string>{"name=systemd"});
  BOOST_TEST((m[2].controllers == std::vector<std::string>{"cpu", "cpuacct"}));
  BOOST_TEST(m[2].path == "/a/b");
  BOOST_TEST(m[3].version == 2);
  BOOST_TEST(m[3].path == "/a/uxc.payload.web/init.scope");
}

struct ComponentCase {
  std::string path;
  size_t end;
};
std::ostream& operator<<(std::ostream& os, const ComponentCase& c) { return os << c.path; }
const ComponentCase kComponents[] = {
    {"/u/uxc.payload.web", 18},
    {"/u/uxc.payload.web/init.scope", 18},
    {"/uxc.payload.web/system.slice/x.service", 16},
    {"/u/uxc.payload.web2", std::string::npos},        // another container's
    {"/u/xuxc.payload.web", std::string::npos},
    {"/u/uxc.payload.webby/uxc.payload.web", 36},
    {"uxc.payload.web", std::string::npos},             // never at the start of a relative path
    {"", std::string::npos},
};
BOOST_DATA_TEST_CASE(component_end_table, boost::unit_test::data::make(kComponents), c) {
  BOOST_TEST(cgroup_component_end(c.path, "uxc.payload.web") == c.end);
}

BOOST_AUTO_TEST_CASE(tree_of_a_hybrid_host) {
  const auto tree = container_cgroup_tree(parse_cgroup_mounts(kHybrid),
                                          {"/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/memory"});
  BOOST_TEST(tree.tmpfs);
  BOOST_TEST_REQUIRE(tree.mounts.size() == 6u);
  BOOST_TEST(tree.mounts[0].dir == "cpu");
  BOOST_TEST(tree.mounts[0].options == "cpu");
  BOOST_TEST(!tree.mounts[0].writable);  // not the container's: read-only
  BOOST_TEST(tree.mounts[2].dir == "memory");
  BOOST_TEST(tree.mounts[2].writable);
  BOOST_TEST(tree.mounts[4].options == "name=systemd");
  BOOST_TEST(tree.mounts[4].writable);
  BOOST_TEST(tree.mounts[5].dir == "unified");
  BOOST_TEST(tree.mounts[5].version == 2);
  BOOST_TEST(tree.mounts[5].writable);
  BOOST_TEST(tree.symlinks.empty());
}

BOOST_AUTO_TEST_CASE(tree_links_co_mounted_controllers) {
  const auto tree = container_cgroup_tree(parse_cgroup_mounts(kLegacy), {});
  BOOST_TEST_REQUIRE(tree.mounts.size() == 4u);
  BOOST_TEST(tree.mounts[1].dir == "cpu,cpuacct");
  BOOST_TEST(tree.mounts[1].options == "cpu,cpuacct");
  BOOST_TEST_REQUIRE(tree.symlinks.size() == 4u);
  BOOST_TEST(tree.symlinks[0].first == "cpu");
  BOOST_TEST(tree.symlinks[0].second == "cpu,cpuacct");
  BOOST_TEST(tree.symlinks[3].first == "net_prio");
}

BOOST_AUTO_TEST_CASE(tree_of_a_unified_host) {
  const auto tree = container_cgroup_tree(parse_cgroup_mounts(kUnified), {"/sys/fs/cgroup"});
  BOOST_TEST(!tree.tmpfs);
  BOOST_TEST_REQUIRE(tree.mounts.size() == 1u);
  BOOST_TEST(tree.mounts[0].dir == "");
  BOOST_TEST(tree.mounts[0].version == 2);
  BOOST_TEST(tree.mounts[0].writable);
}

BOOST_AUTO_TEST_CASE(tree_ignores_mounts_elsewhere_and_repeats) {
  const char text[] =
      "1 0 0:1 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "2 0 0:1 / /sys/fs/cgroup/memory2 rw - cgroup cgroup rw,memory\n"      // the same hierarchy again
      "3 0 0:2 / /sys/fs/cgroup/a/b rw - cgroup cgroup rw,pids\n"            // two levels down
      "4 0 0:3 / /mnt/cg rw - cgroup cgroup rw,blkio\n"
      "5 0 0:4 / /sys/fs/cgroupx rw - cgroup cgroup rw,cpu\n"
      "6 0 0:5 / /sys/fs/cgroup/.. rw - cgroup cgroup rw,devices\n";
  const auto tree = container_cgroup_tree(parse_cgroup_mounts(text), {});
  BOOST_TEST_REQUIRE(tree.mounts.size() == 1u);
  BOOST_TEST(tree.mounts[0].dir == "memory");
}

BOOST_AUTO_TEST_CASE(tree_without_cgroups) {
  const auto tree = container_cgroup_tree({}, {});
  BOOST_TEST(!tree.tmpfs);
  BOOST_TEST(tree.mounts.empty());
}

}  // namespace
}  // namespace uxc::policy
