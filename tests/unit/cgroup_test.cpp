#include "policy/cgroup.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

namespace uxc::policy {
namespace {

struct BelowCase {
  std::string root;
  std::string path;
  bool ok;
  std::string relative = "";
};
std::ostream& operator<<(std::ostream& os, const BelowCase& c) { return os << c.root << " | " << c.path; }

const BelowCase kBelowCases[] = {
    {"/", "/", true, ""},
    {"/", "/user.slice/a", true, "/user.slice/a"},
    {"/user.slice", "/user.slice", true, ""},
    {"/user.slice", "/user.slice/", true, ""},
    {"/user.slice", "/user.slice/user-1000.slice", true, "/user-1000.slice"},
    {"/user", "/user.slice", false},  // a prefix of the name, not of the path
    {"/user.slice", "/", false},
    {"/user.slice", "/other", false},
    {"/a/b", "/a", false},
    {"", "/", false},
    {"/", "", false},
    {"relative", "relative/x", false},
    {"/", "relative", false},
};

BOOST_DATA_TEST_CASE(cgroup_path_below_table, boost::unit_test::data::make(kBelowCases), c) {
  std::string rel = "untouched";
  BOOST_TEST(cgroup_path_below(c.root, c.path, &rel) == c.ok);
  if (c.ok) BOOST_TEST(rel == c.relative);
}

BOOST_AUTO_TEST_CASE(cgroup_file_controllers) {
  std::string c;
  BOOST_TEST(cgroup_file_controller("memory.max", &c));
  BOOST_TEST(c == "memory");
  BOOST_TEST(cgroup_file_controller("hugetlb.2MB.max", &c));
  BOOST_TEST(c == "hugetlb");
  for (const char* bad : {"memory", ".max", "memory.", "memory/../x.max", "", "a/b.c"})
    BOOST_TEST(!cgroup_file_controller(bad, &c), bad);
}

struct V1Case {
  std::string key;
  std::string value;
  bool ok;
  std::vector<std::pair<std::string, std::string>> files = {};
};
std::ostream& operator<<(std::ostream& os, const V1Case& c) { return os << c.key << " = " << c.value; }

const V1Case kV1Cases[] = {
    {"memory.max", "512M", true, {{"memory.limit_in_bytes", "512M"}}},
    {"memory.max", "max", true, {{"memory.limit_in_bytes", "-1"}}},
    {"pids.max", "100", true, {{"pids.max", "100"}}},
    {"cpu.max", "50000 100000", true, {{"cpu.cfs_period_us", "100000"}, {"cpu.cfs_quota_us", "50000"}}},
    {"cpu.max", "max", true, {{"cpu.cfs_quota_us", "-1"}}},
    {"cpu.max", "", false},
    {"cpu.max", "1 2 3", false},
    {"memory.high", "1G", false},
    {"io.max", "8:0 rbps=1", false},
};

BOOST_DATA_TEST_CASE(cgroup_v1_equivalent_table, boost::unit_test::data::make(kV1Cases), c) {
  CgroupSetting s;
  s.key = c.key;
  s.value = c.value;
  std::vector<std::pair<std::string, std::string>> files;
  BOOST_TEST(cgroup_v1_equivalent(s, &files) == c.ok);
  if (c.ok) BOOST_TEST((files == c.files));
}

struct StatCase {
  std::string name;
  std::string text;
  std::string key;
  bool found;
  uint64_t sum = 0;
};
std::ostream& operator<<(std::ostream& os, const StatCase& c) { return os << c.name; }

const StatCase kStatCases[] = {
    {"cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n", "usage_usec", true, 1500},
    {"memory.stat kernel", "anon 4096\nfile 8192\nkernel 12288\nkernel_stack 16384\n", "kernel", true, 12288},
    {"io.stat fields, two devices", "8:0 rbytes=100 wbytes=200 rios=1\n8:16 rbytes=1 wbytes=2\n", "rbytes", true, 101},
    {"blkio Total", "8:0 Read 10\n8:0 Write 20\nTotal 30\n", "Total", true, 30},
    {"key absent", "usage_usec 1\n", "kernel", false},
    {"prefix of a longer key does not count", "kernel_stack 5\n", "kernel", false},
    {"field prefix does not count", "8:0 rbytesx=5\n", "rbytes", false},
    {"value not a number", "usage_usec lots\n", "usage_usec", false},
    {"negative value", "8:0 rbytes=-1\n", "rbytes", false},
    {"saturates", "a=18446744073709551615 a=1\n", "a", true, UINT64_MAX},
    {"empty text", "", "a", false},
    {"empty key", "a 1\n", "", false},
};

BOOST_DATA_TEST_CASE(sum_cgroup_stat_table, boost::unit_test::data::make(kStatCases), c) {
  uint64_t sum = 0;
  BOOST_TEST(sum_cgroup_stat(c.text, c.key, &sum) == c.found);
  BOOST_TEST(sum == c.sum);
}

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

// The cgroup mounts of a mountinfo text, as the manager reads them.
std::vector<CgroupMount> cgroup_mounts_of(const std::string& text) {
  std::vector<CgroupMount> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    MountInfo m;
    CgroupMount c;
    std::string why;
    if (parse_mountinfo_line(std::string_view(text).substr(start, end - start), &m, &why) && cgroup_mount_of(m, &c))
      out.push_back(c);
    start = end + 1;
  }
  return out;
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
  const auto tree = container_cgroup_tree(cgroup_mounts_of(kHybrid),
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
  const auto tree = container_cgroup_tree(cgroup_mounts_of(kLegacy), {});
  BOOST_TEST_REQUIRE(tree.mounts.size() == 4u);
  BOOST_TEST(tree.mounts[1].dir == "cpu,cpuacct");
  BOOST_TEST(tree.mounts[1].options == "cpu,cpuacct");
  BOOST_TEST_REQUIRE(tree.symlinks.size() == 4u);
  BOOST_TEST(tree.symlinks[0].first == "cpu");
  BOOST_TEST(tree.symlinks[0].second == "cpu,cpuacct");
  BOOST_TEST(tree.symlinks[3].first == "net_prio");
}

BOOST_AUTO_TEST_CASE(tree_of_a_unified_host) {
  const auto tree = container_cgroup_tree(cgroup_mounts_of(kUnified), {"/sys/fs/cgroup"});
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
  const auto tree = container_cgroup_tree(cgroup_mounts_of(text), {});
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
