#include "policy/init.h"

#include <signal.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <ostream>
#include <string>

namespace uxc::policy {

std::ostream& operator<<(std::ostream& os, InitSystem i) { return os << init_system_name(i); }

namespace {

struct ClassifyCase {
  std::string invoked;
  std::string resolved;
  std::string content;
  InitSystem want;
};
std::ostream& operator<<(std::ostream& os, const ClassifyCase& c) { return os << c.invoked << " -> " << c.resolved; }

using namespace std::string_literals;
const std::string kBusyboxBytes = "\x7f" "ELF\0\0...BusyBox v1.35.0 (Debian)..."s;
const std::string kSysvinitBytes = "\x7f" "ELF\0\0/run/initctl\0INIT_VERSION=sysvinit-3.06\0"s;

const ClassifyCase kClassifyCases[] = {
    // Debian's systemd-sysv: /sbin -> usr/sbin, init -> /lib/systemd/systemd.
    {"/sbin/init", "/sbin/../lib/systemd/systemd", "", InitSystem::kSystemd},
    {"/lib/systemd/systemd", "/lib/systemd/systemd", "\x7f" "ELF", InitSystem::kSystemd},
    {"/sbin/init", "/sbin/openrc-init", "", InitSystem::kOpenrc},
    {"/sbin/init", "/bin/busybox", "", InitSystem::kBusybox},          // uxc's busybox template, Alpine
    {"/sbin/init", "/sbin/init", kBusyboxBytes, InitSystem::kBusybox},  // a hard link to busybox
    {"/linuxrc", "/bin/busybox", "", InitSystem::kBusybox},
    {"/bin/sh", "/bin/busybox", "", InitSystem::kOther},               // busybox as a shell is no init
    {"/bin/sh", "/bin/sh", kBusyboxBytes, InitSystem::kOther},
    {"/bin/busybox", "/bin/busybox", "", InitSystem::kOther},          // `busybox` alone is no init either
    {"/sbin/init", "/usr/sbin/init", kSysvinitBytes, InitSystem::kSysvinit},  // sysvinit-core
    {"/bin/sh", "/usr/bin/dash", kSysvinitBytes, InitSystem::kOther},  // the string alone does not make an init
    {"/sbin/init", "/sbin/init", "", InitSystem::kOther},              // unreadable: nothing assumed
    {"/usr/bin/sleep", "/usr/bin/sleep", "", InitSystem::kOther},
    {"/lib/systemd/systemd-journald", "/lib/systemd/systemd-journald", "", InitSystem::kOther},
    {"/opt/systemd/init", "/opt/systemd/init", "", InitSystem::kOther},  // the directory does not count
    {"systemd", "systemd", "", InitSystem::kSystemd},
    {"", "", "", InitSystem::kOther},
};

BOOST_DATA_TEST_CASE(classify_init_table, boost::unit_test::data::make(kClassifyCases), c) {
  BOOST_TEST(classify_init(c.invoked, c.resolved, c.content) == c.want);
}

BOOST_AUTO_TEST_CASE(defaults_per_init) {
  const InitDefaults systemd = init_defaults(InitSystem::kSystemd);
  BOOST_TEST(systemd.halt_signal == SIGRTMIN + 3);
  BOOST_TEST(systemd.reboot_signal == SIGINT);
  BOOST_TEST(systemd.tty_max == 4u);
  BOOST_TEST(systemd.full_system);
  BOOST_TEST(!systemd.halt_by_runlevel);

  const InitDefaults sysv = init_defaults(InitSystem::kSysvinit);
  BOOST_TEST(sysv.halt_signal == SIGPWR);
  BOOST_TEST(sysv.halt_by_runlevel);
  BOOST_TEST(sysv.reboot_signal == SIGINT);
  BOOST_TEST(sysv.full_system);

  const InitDefaults openrc = init_defaults(InitSystem::kOpenrc);
  BOOST_TEST(openrc.halt_signal == SIGPWR);
  BOOST_TEST(openrc.reboot_signal == SIGINT);

  const InitDefaults busybox = init_defaults(InitSystem::kBusybox);
  BOOST_TEST(busybox.halt_signal == SIGUSR1);
  BOOST_TEST(busybox.reboot_signal == SIGTERM);
  BOOST_TEST(busybox.tty_max == 0u);
  BOOST_TEST(!busybox.full_system);

  const InitDefaults other = init_defaults(InitSystem::kOther);
  BOOST_TEST(other.halt_signal == SIGPWR);  // LXC's default
  BOOST_TEST(other.reboot_signal == SIGINT);
  BOOST_TEST(!other.full_system);
}

BOOST_AUTO_TEST_CASE(runlevel_request_layout) {
  char req[kInitRequestBytes];
  std::memset(req, 0x55, sizeof req);
  sysvinit_runlevel_request('0', req);
  int fields[4];
  std::memcpy(fields, req, sizeof fields);
  BOOST_TEST(fields[0] == 0x03091969);  // INIT_MAGIC
  BOOST_TEST(fields[1] == 1);           // INIT_CMD_RUNLVL
  BOOST_TEST(fields[2] == '0');
  BOOST_TEST(fields[3] == 0);
  for (size_t i = sizeof fields; i < sizeof req; ++i) BOOST_TEST_REQUIRE(req[i] == 0);
}

}  // namespace
}  // namespace uxc::policy
