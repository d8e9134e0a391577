#include "policy/monitor.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

namespace uxc::policy {
namespace {

struct RequestCase {
  std::string text;
  bool ok;
  MonitorOp op = MonitorOp::kInfo;
  uint32_t seconds = 0;
  uint32_t tty = 0;
};
std::ostream& operator<<(std::ostream& os, const RequestCase& c) { return os << c.text; }

const RequestCase kRequests[] = {
    {"info", true, MonitorOp::kInfo},
    {"info\n", true, MonitorOp::kInfo},
    {"kill\n", true, MonitorOp::kKill},
    {"stop 60\n", true, MonitorOp::kStop, 60},
    {"stop 0", true, MonitorOp::kStop, 0},
    {"console 0\n", true, MonitorOp::kConsole, 0, 0},
    {"console 12\n", true, MonitorOp::kConsole, 0, 12},
    {"  stop\t5 ", true, MonitorOp::kStop, 5},
    {"reboot 60\n", true, MonitorOp::kReboot, 60},
    {"reboot 0", true, MonitorOp::kReboot, 0},
    {"halt 60\n", true, MonitorOp::kHalt, 60},
    {"halt 0", true, MonitorOp::kHalt, 0},
    {"", false},
    {"\n", false},
    {"INFO", false},
    {"info extra", false},
    {"kill now", false},
    {"stop", false},
    {"stop -1", false},
    {"stop 1s", false},
    {"stop 4294967296", false},
    {"stop 010", false},
    {"reboot", false},
    {"halt", false},
    {"halt -1", false},
    {"halt 1 2", false},
    {"halt forever", false},
    {"HALT 1", false},
    {"reboot now", false},
    {"reboot 1 2", false},
    {"console", false},
    {"console x", false},
    {"console 1 2", false},
    {"info\nkill\n", false},   // one request per connection
    {"info\n\n", false},
    {"kill\r\n", false},
    {std::string("info\0", 5), false},
    {"stop 1" + std::string(300, ' '), false},
    {"console \xff", false},
};

BOOST_DATA_TEST_CASE(monitor_request_table, boost::unit_test::data::make(kRequests), c) {
  MonitorRequest r;
  std::string why;
  const bool ok = parse_monitor_request(c.text, &r, &why);
  BOOST_TEST(ok == c.ok, why);
  if (!ok) {
    BOOST_TEST(!why.empty());
    return;
  }
  BOOST_TEST((r.op == c.op));
  BOOST_TEST(r.seconds == c.seconds);
  BOOST_TEST(r.tty == c.tty);
  // What the clients send reads back the same.
  MonitorRequest back;
  BOOST_TEST(parse_monitor_request(format_monitor_request(r), &back, &why));
  BOOST_TEST((back.op == r.op && back.seconds == r.seconds && back.tty == r.tty));
}

struct AnswerCase {
  std::string name;
  std::string text;
  bool ok;
  size_t v4 = 0;
  size_t v6 = 0;
};
std::ostream& operator<<(std::ostream& os, const AnswerCase& c) { return os << c.name; }

const AnswerCase kAnswers[] = {
    {"none", "", true},
    {"both", "ipv4 10.0.3.5\nipv6 fd00::5\nipv4 192.168.1.2\n", true, 2, 1},
    {"no final newline", "ipv6 2001:db8::1", true, 0, 1},
    {"unknown kind", "ipv5 1.2.3.4\n", false},
    {"family mismatch", "ipv4 fd00::1\n", false},
    {"prefix length is not an address", "ipv4 10.0.3.5/24\n", false},
    {"garbage address", "ipv4 10.0.3.256\n", false},
    {"extra field", "ipv4 10.0.3.5 x\n", false},
    {"blank line", "ipv4 10.0.3.5\n\n", false},
    {"control byte", "ipv4 10.0.3.5\x07\n", false},
    {"NUL", std::string("ipv4 10.0.0.1\0", 14), false},
};

BOOST_DATA_TEST_CASE(info_answer_table, boost::unit_test::data::make(kAnswers), c) {
  MonitorAddresses a;
  std::string why;
  const bool ok = parse_info_answer(c.text, &a, &why);
  BOOST_TEST(ok == c.ok, why);
  if (!ok) return;
  BOOST_TEST(a.ipv4.size() == c.v4);
  BOOST_TEST(a.ipv6.size() == c.v6);
  MonitorAddresses back;
  BOOST_TEST(parse_info_answer(format_info_answer(a), &back, &why));
  BOOST_TEST((back.ipv4 == a.ipv4 && back.ipv6 == a.ipv6));
}

struct StateCase {
  std::string name;
  std::string text;
  bool ok;
  uint32_t monitor = 0;
  uint32_t init = 0;
  size_t links = 0;
};
std::ostream& operator<<(std::ostream& os, const StateCase& c) { return os << c.name; }

const StateCase kStates[] = {
    {"as the monitor writes it", "monitor 100\ninit 101\nlink uxc1a2b3c4d0\nlink uxc1a2b3c4d1\n", true, 100, 101, 2},
    {"no links", "monitor 5\ninit 6\n", true, 5, 6, 0},
    {"empty: not written yet", "", true, 0, 0, 0},
    {"monitor only", "monitor 5\n", true, 5, 0, 0},
    {"pid 0", "monitor 0\ninit 6\n", false},
    {"pid twice", "monitor 5\nmonitor 6\n", false},
    {"pid not a number", "init 6x\n", false},
    {"negative pid", "init -6\n", false},
    {"bad link name", "monitor 5\nlink a/b\n", false},
    {"link too long", "link abcdefghijklmnop\n", false},
    {"unknown key", "monitor 5\ncolour red\n", false},
    {"missing value", "monitor\n", false},
};

BOOST_DATA_TEST_CASE(state_file_table, boost::unit_test::data::make(kStates), c) {
  MonitorState s;
  std::string why;
  const bool ok = parse_state_file(c.text, &s, &why);
  BOOST_TEST(ok == c.ok, why);
  if (!ok) return;
  BOOST_TEST(s.monitor_pid == c.monitor);
  BOOST_TEST(s.init_pid == c.init);
  BOOST_TEST(s.host_links.size() == c.links);
  MonitorState back;
  BOOST_TEST(parse_state_file(format_state_file(s), &back, &why));
  BOOST_TEST((back.monitor_pid == s.monitor_pid && back.init_pid == s.init_pid && back.host_links == s.host_links));
}

}  // namespace
}  // namespace uxc::policy
