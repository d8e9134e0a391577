#include "policy/proc.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

namespace uxc::policy {
namespace {

struct CgroupLineCase {
  std::string line;
  bool ok;
  uint32_t id = 0;
  int version = 1;
  std::vector<std::string> controllers = {};
  std::string path = "";
};
std::ostream& operator<<(std::ostream& os, const CgroupLineCase& c) { return os << c.line; }

const CgroupLineCase kCgroupLines[] = {
    {"0::/user.slice/user-1000.slice/session-2.scope", true, 0, 2, {}, "/user.slice/user-1000.slice/session-2.scope"},
    {"0::/", true, 0, 2, {}, "/"},
    {"12:memory:/user.slice", true, 12, 1, {"memory"}, "/user.slice"},
    {"4:cpuacct,cpu:/", true, 4, 1, {"cpu", "cpuacct"}, "/"},
    {"1:name=systemd:/user.slice/user-1000.slice", true, 1, 1, {"name=systemd"}, "/user.slice/user-1000.slice"},
    {"7:net_cls,net_prio:/", true, 7, 1, {"net_cls", "net_prio"}, "/"},
    {"0::/a:b c", true, 0, 2, {}, "/a:b c"},  // ':' and blanks in a cgroup's name
    {"0::/x\\n", true, 0, 2, {}, "/x\\n"},
    {"", false},
    {"0:", false},
    {"0::", false},
    {"0::relative", false},
    {"x::/", false},
    {"-1::/", false},
    {"01:memory:/", false},
    {"4294967296:memory:/", false},
    {"3::/", false},  // no controllers but not the v2 hierarchy
    {"3:memory,:/", false},
    {"3:,memory:/", false},
    {"3:mem ory:/", false},
    {"3:memory/x:/", false},
    {std::string("0::/a\0b", 7), false},
};

BOOST_DATA_TEST_CASE(proc_cgroup_table, boost::unit_test::data::make(kCgroupLines), c) {
  ProcCgroup cg;
  std::string why;
  const bool ok = parse_proc_cgroup_line(c.line, &cg, &why);
  BOOST_TEST(ok == c.ok, why);
  if (!ok) {
    BOOST_TEST(!why.empty());
    return;
  }
  BOOST_TEST(cg.id == c.id);
  BOOST_TEST(cg.version == c.version);
  BOOST_TEST(cg.controllers == c.controllers);
  BOOST_TEST(cg.path == c.path);
}

struct StatusCase {
  std::string name;
  std::string text;
  bool ok;
  uint32_t value = 0;
};
std::ostream& operator<<(std::ostream& os, const StatusCase& c) { return os << c.name; }

const StatusCase kStatusCases[] = {
    {"kernel's layout", "Name:\tinit\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\nPid:\t4242\nPPid:\t4241\n", true, 4241},
    {"no final newline", "Name:\tinit\nPPid:\t7", true, 7},
    {"blanks around", "PPid:   12  \n", true, 12},
    {"TracerPid is another field", "TracerPid:\t0\nPPid:\t3\n", true, 3},
    {"missing", "Name:\tinit\nPid:\t1\n", false},
    {"empty value", "PPid:\t\n", false},
    {"not a number", "PPid:\tx\n", false},
    {"negative", "PPid:\t-1\n", false},
    {"overflow", "PPid:\t4294967296\n", false},
    {"two lines: a forged one cannot win", "Name:\tx\nPPid:\t1\nPPid:\t2\n", false},
    {"name without colon", "PPid\t3\n", false},
    {"prefix only", "PPidx:\t3\n", false},
    {"empty", "", false},
};

BOOST_DATA_TEST_CASE(proc_status_table, boost::unit_test::data::make(kStatusCases), c) {
  uint32_t v = 99;
  const bool ok = parse_status_u32(c.text, "PPid", &v);
  BOOST_TEST(ok == c.ok);
  BOOST_TEST(v == (ok ? c.value : 99u));
}

BOOST_AUTO_TEST_CASE(one_value_files) {
  uint64_t n = 0;
  BOOST_TEST(parse_value_u64("1\n", &n));
  BOOST_TEST(n == 1u);
  BOOST_TEST(parse_value_u64("18446744073709551615", &n));
  BOOST_TEST(!parse_value_u64("18446744073709551616\n", &n));
  BOOST_TEST(!parse_value_u64("", &n));
  BOOST_TEST(!parse_value_u64("\n", &n));
  BOOST_TEST(!parse_value_u64("1\n2\n", &n));
  BOOST_TEST(!parse_value_u64("max\n", &n));
  BOOST_TEST(!parse_value_u64("-1\n", &n));
  uint32_t h = 0;
  BOOST_TEST(parse_value_hex32("0x1003\n", &h));
  BOOST_TEST(h == 0x1003u);
  BOOST_TEST(parse_value_hex32("0xffffffff", &h));
  BOOST_TEST(h == 0xffffffffu);
  BOOST_TEST(!parse_value_hex32("0x100000000\n", &h));
  BOOST_TEST(!parse_value_hex32("0x\n", &h));
  BOOST_TEST(!parse_value_hex32("1003\n", &h));
  BOOST_TEST(!parse_value_hex32("0X1003\n", &h));
  BOOST_TEST(!parse_value_hex32("0x10g3\n", &h));
  BOOST_TEST(!parse_value_hex32("0xABC\n", &h));  // sysfs writes lower case
  BOOST_TEST(!parse_value_hex32("0x1\n0x2\n", &h));
}

}  // namespace
}  // namespace uxc::policy
