#include "policy/passwd.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

namespace uxc::policy {
namespace {

struct LineCase {
  std::string line;
  bool ok;
  uint32_t uid = 0;
  std::string home = "";
  std::string shell = "";
};
std::ostream& operator<<(std::ostream& os, const LineCase& c) { return os << c.line; }

const LineCase kLines[] = {
    {"root:x:0:0:root:/root:/bin/bash", true, 0, "/root", "/bin/bash"},
    {"daemon:*:1:1:daemon:/usr/sbin:/usr/sbin/nologin", true, 1, "/usr/sbin", "/usr/sbin/nologin"},
    {"u:x:1000:1000:Some One,,,:/home/u:", true, 1000, "/home/u", ""},
    {"u:::::/:/bin/sh", false},  // uid and gid must be numbers
    {"u:x:1000:1000::/home/u", false},
    {"u:x:1000:1000::/home/u:/bin/sh:extra", false},
    {":x:0:0::/:/bin/sh", false},
    {"u:x:-1:0::/:/bin/sh", false},
    {"u:x:4294967296:0::/:/bin/sh", false},
    {"u:x:00:0::/:/bin/sh", false},
    {"u:x: 0:0::/:/bin/sh", false},
    {"", false},
    {"+::::::", false},
    {std::string("r\0:x:0:0::/:/bin/sh", 19), false},
};

BOOST_DATA_TEST_CASE(passwd_line_table, boost::unit_test::data::make(kLines), c) {
  PasswdEntry e;
  std::string why;
  const bool ok = parse_passwd_line(c.line, &e, &why);
  BOOST_TEST(ok == c.ok, why);
  if (!ok) return;
  BOOST_TEST(e.uid == c.uid);
  BOOST_TEST(e.home == c.home);
  BOOST_TEST(e.shell == c.shell);
}

struct RootCase {
  std::string name;
  std::string text;
  bool found;
  std::string home;
  std::string shell;
};
std::ostream& operator<<(std::ostream& os, const RootCase& c) { return os << c.name; }

const RootCase kRootCases[] = {
    {"debian", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n", true, "/root", "/bin/bash"},
    {"busybox, no final newline", "root:x:0:0:root:/root:/bin/sh", true, "/root", "/bin/sh"},
    {"first entry wins", "root:x:0:0::/first:/bin/sh\ntoor:x:0:0::/second:/bin/zsh\n", true, "/first", "/bin/sh"},
    {"bad lines are skipped", "garbage\nroot:x:0\n\nroot:x:0:0::/r:/bin/ash\n", true, "/r", "/bin/ash"},
    {"empty shell keeps the default", "root:x:0:0:::\n", true, "/default-home", "/default/sh"},
    {"relative home keeps the default", "root:x:0:0::root:bin/sh\n", true, "/default-home", "/default/sh"},
    {"control bytes keep the default", "root:x:0:0::/ro\x1bot:/bin/s h\n", true, "/default-home", "/default/sh"},
    {"no root", "daemon:x:1:1::/:/bin/sh\n", false, "/default-home", "/default/sh"},
    {"uid 00 is not 0", "root:x:00:0::/r:/bin/sh\n", false, "/default-home", "/default/sh"},
    {"empty file", "", false, "/default-home", "/default/sh"},
};

BOOST_DATA_TEST_CASE(passwd_root_table, boost::unit_test::data::make(kRootCases), c) {
  std::string home = "/default-home", shell = "/default/sh";
  BOOST_TEST(passwd_home_and_shell(c.text, 0, &home, &shell) == c.found);
  BOOST_TEST(home == c.home);
  BOOST_TEST(shell == c.shell);
}

}  // namespace
}  // namespace uxc::policy
