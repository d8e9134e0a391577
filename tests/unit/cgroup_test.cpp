#include "policy/cgroup.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

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

}  // namespace
}  // namespace uxc::policy
