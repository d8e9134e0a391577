#include "policy/settings.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <ostream>

namespace uxc::policy {
namespace {

struct UserCase {
  std::string name;
  std::string text;
  std::string error;  // empty: must parse; else what the message holds
  std::function<bool(const UserSettings&)> check;
};
std::ostream& operator<<(std::ostream& os, const UserCase& c) { return os << c.name; }

const UserCase kUserCases[] = {
    // ---- accepted
    {"empty file: every default", "", "", [](const UserSettings& s) {
       return s.default_template.empty() && s.image_server == "images.linuxcontainers.org" &&
              !s.image_server_given && s.console_escape == 1 && s.log_level == "ERROR";
     }},
    {"comments and blanks", "; a comment\n# another\n\n   \n[log]\n", "", nullptr},
    {"every key", "[create]\ntemplate = busybox\n[images]\nserver = images.example.org:8443\n"
                  "[console]\nescape = ^b\n[log]\nlevel = debug\n", "",
     [](const UserSettings& s) {
       return s.default_template == "busybox" && s.image_server == "images.example.org:8443" &&
              s.image_server_given && s.console_escape == 2 && s.log_level == "DEBUG";
     }},
    {"inih's ':' separator and inline comment", "[console]\nescape: x ; Ctrl+x\n", "",
     [](const UserSettings& s) { return s.console_escape == 24; }},
    {"indented lines are not continuations", "[log]\n    level = INFO\n[console]\n\tescape = q\n", "",
     [](const UserSettings& s) { return s.log_level == "INFO" && s.console_escape == 17; }},
    {"a section may come back", "[log]\nlevel = WARN\n[console]\nescape = a\n[log]\n", "",
     [](const UserSettings& s) { return s.log_level == "WARN"; }},
    {"UTF-8 byte-order mark", "\xEF\xBB\xBF[log]\nlevel = FATAL\n", "",
     [](const UserSettings& s) { return s.log_level == "FATAL"; }},
    {"image server as an address", "[images]\nserver = 10.0.3.1\n", "",
     [](const UserSettings& s) { return s.image_server == "10.0.3.1"; }},
    {"no final newline", "[log]\nlevel = TRACE", "", [](const UserSettings& s) { return s.log_level == "TRACE"; }},

    // ---- refused, each with its file and line
    {"unknown section", "[log]\nlevel = INFO\n[colour]\n", "u.conf:3: unknown section [colour]", nullptr},
    {"unknown section with a key", "[colour]\nred = 1\n", "u.conf:1: unknown section [colour]", nullptr},
    {"section names are case-sensitive", "[Log]\nlevel = INFO\n", "u.conf:1: unknown section [Log]", nullptr},
    {"blanks inside brackets", "[ log ]\n", "u.conf:1: unknown section [ log ]", nullptr},
    {"unknown key", "[log]\nlevel = INFO\nfile = /tmp/x\n", "u.conf:3: unknown key file in [log]", nullptr},
    {"key of another section", "[console]\nlevel = INFO\n", "u.conf:2: unknown key level in [console]", nullptr},
    {"key outside any section", "level = INFO\n", "u.conf:1: level is outside any [section]", nullptr},
    {"key set twice", "[log]\nlevel = INFO\n\n[log]\nlevel = WARN\n",
     "u.conf:5: [log] level is set twice (first on line 2)", nullptr},
    {"a setting on the section line", "[log] level = INFO\n",
     "u.conf:1: text after [log]: put each setting on a line of its own", nullptr},
    {"line without a separator", "[log]\nlevel INFO\n", "u.conf:2: expected [SECTION] or KEY = VALUE", nullptr},
    {"unterminated section", "[log\n", "u.conf:1: expected [SECTION] or KEY = VALUE", nullptr},
    {"bad log level", "[log]\nlevel = LOUD\n",
     "u.conf:2: [log] level: 'LOUD' is not one of TRACE DEBUG INFO NOTICE WARN ERROR CRIT ALERT FATAL", nullptr},
    {"empty log level", "[log]\nlevel =\n", "u.conf:2: [log] level: '' is not one of", nullptr},
    {"escape of two letters", "[console]\nescape = ab\n", "u.conf:2: [console] escape: 'ab' is not a letter: use a (or ^a) for Ctrl+a", nullptr},
    {"escape a digit", "[console]\nescape = ^1\n", "[console] escape: '^1' is not a letter", nullptr},
    {"template with a slash", "[create]\ntemplate = ../busybox\n", "u.conf:2: [create] template: '../busybox' is not a template name", nullptr},
    {"template upper case", "[create]\ntemplate = Busybox\n", "is not a template name", nullptr},
    {"image server with a scheme", "[images]\nserver = https://images.example.org\n", "u.conf:2: [images] server: 'https://images.example.org' is not HOST or HOST:PORT", nullptr},
    {"image server port 0", "[images]\nserver = example.org:0\n", "is not HOST or HOST:PORT", nullptr},
    {"image server port too large", "[images]\nserver = example.org:65536\n", "is not HOST or HOST:PORT", nullptr},
    {"image server with a path", "[images]\nserver = example.org/x\n", "is not HOST or HOST:PORT", nullptr},
    {"image server with empty labels", "[images]\nserver = a..b\n", "is not HOST or HOST:PORT", nullptr},
    {"CRLF", "[log]\r\nlevel = INFO\r\n", "u.conf:1: carriage return", nullptr},
    {"NUL byte", std::string("[log]\nlevel = INFO\0\n", 19), "u.conf:2: NUL byte", nullptr},
    {"line too long for inih", "[log]\n# " + std::string(197, 'x') + "\n", "u.conf:2: longer than 198 bytes", nullptr},
    {"longest line accepted", "[log]\n#" + std::string(197, 'x') + "\nlevel = INFO\n", "", nullptr},
    {"file too large", std::string(kMaxSettingsBytes + 1, '\n'), "u.conf: larger than 65536 bytes", nullptr},
    {"first error wins", "[log]\nlevel = LOUD\nnope = 1\n", "u.conf:2: [log] level:", nullptr},
};

BOOST_DATA_TEST_CASE(user_settings_table, boost::unit_test::data::make(kUserCases), c) {
  UserSettings s;
  s.log_level = "untouched";
  std::string error;
  const bool ok = parse_user_settings(c.text, "u.conf", &s, &error);
  if (c.error.empty()) {
    BOOST_TEST(ok, error);
    if (ok && c.check) BOOST_TEST(c.check(s));
  } else {
    BOOST_TEST(!ok);
    BOOST_TEST(error.find("u.conf:") == 0u, error);  // every message names the file
    BOOST_TEST(error.find(c.error) != std::string::npos, error << " lacks: " << c.error);
    BOOST_TEST(s.log_level == "untouched");  // unchanged on failure
  }
}

struct AdminCase {
  std::string name;
  std::string text;
  std::string error;
  SetgroupsPolicy setgroups = SetgroupsPolicy::kAuto;
  std::string image_server = "";
};
std::ostream& operator<<(std::ostream& os, const AdminCase& c) { return os << c.name; }

const AdminCase kAdminCases[] = {
    {"missing settings: auto", "", "", SetgroupsPolicy::kAuto},
    {"deny", "# negative group permissions here\n[idmap]\nsetgroups = deny\n", "", SetgroupsPolicy::kDeny},
    {"auto", "[idmap]\nsetgroups = auto\n", "", SetgroupsPolicy::kAuto},
    {"inline comment", "[idmap]\nsetgroups = deny ; see THREAT-MODEL.md\n", "", SetgroupsPolicy::kDeny},
    {"bad value", "[idmap]\nsetgroups = allow\n", "a.conf:2: [idmap] setgroups: 'allow' is neither auto nor deny"},
    {"value case matters", "[idmap]\nsetgroups = Deny\n", "a.conf:2: [idmap] setgroups: 'Deny' is neither"},
    {"a comment without a blank is part of the value", "[idmap]\nsetgroups = deny;\n", "a.conf:2: [idmap] setgroups: 'deny;'"},
    {"a mirror for every user", "[images]\nserver = mirror.example.org:8443\n", "", SetgroupsPolicy::kAuto,
     "mirror.example.org:8443"},
    {"mirror with a scheme", "[images]\nserver = http://mirror\n", "a.conf:2: [images] server: 'http://mirror' is not HOST"},
    {"user sections are not the administrator's", "[log]\nlevel = INFO\n", "a.conf:1: unknown section [log]"},
    {"unknown key", "[idmap]\nsetgroup = deny\n", "a.conf:2: unknown key setgroup in [idmap]"},
    {"set twice", "[idmap]\nsetgroups = auto\nsetgroups = deny\n", "a.conf:3: [idmap] setgroups is set twice (first on line 2)"},
    {"on the section line", "[idmap] setgroups = deny\n", "a.conf:1: text after [idmap]"},
    {"continuation line cannot extend a value", "[idmap]\nsetgroups = deny\n  auto\n", "a.conf:3: expected [SECTION] or KEY = VALUE"},
};

BOOST_DATA_TEST_CASE(admin_settings_table, boost::unit_test::data::make(kAdminCases), c) {
  AdminSettings s;
  std::string error;
  const bool ok = parse_admin_settings(c.text, "a.conf", &s, &error);
  if (c.error.empty()) {
    BOOST_TEST(ok, error);
    BOOST_TEST((s.setgroups == c.setgroups));
    BOOST_TEST(s.image_server == c.image_server);
  } else {
    BOOST_TEST(!ok);
    BOOST_TEST(error.find(c.error) == 0u, error << " does not start with: " << c.error);
  }
}

BOOST_AUTO_TEST_CASE(log_levels_and_escape_keys) {
  int level = -1;
  BOOST_TEST(parse_log_level("warn", &level));
  BOOST_TEST(level == 4);
  BOOST_TEST(!parse_log_level("WARNING", &level));
  BOOST_TEST(!parse_log_level("", &level));
  BOOST_TEST(!parse_log_level("ERRORERRORERROR", &level));
  char c = 0;
  BOOST_TEST(parse_escape_key("a", &c));
  BOOST_TEST(c == 1);
  BOOST_TEST(parse_escape_key("^Z", &c));
  BOOST_TEST(c == 26);
  BOOST_TEST(!parse_escape_key("^", &c));
  BOOST_TEST(!parse_escape_key("^^", &c));
  BOOST_TEST(!parse_escape_key("", &c));
  BOOST_TEST(!parse_escape_key("\xE9", &c));
}

}  // namespace
}  // namespace uxc::policy
