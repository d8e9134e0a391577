#include "policy/image.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

namespace uxc::policy {
namespace {

// ------------------------------------------------------------ the index

struct IndexCase {
  std::string name;
  std::string text;
  bool ok;           // the file as a whole is readable
  size_t entries;    // valid lines
  size_t bad;        // lines skipped
  std::string first_bad_part;
};
std::ostream& operator<<(std::ostream& os, const IndexCase& c) { return os << c.name; }

const std::string kLine = "debian;bookworm;amd64;default;20261207_05:24;/images/debian/bookworm/amd64/default/20261207_05:24/";

const IndexCase kIndexCases[] = {
    {"empty", "", true, 0, 0, ""},
    {"one line", kLine + "\n", true, 1, 0, ""},
    {"no final newline", kLine, true, 1, 0, ""},
    {"blank lines ignored", "\n  \n" + kLine + "\n\n", true, 1, 0, ""},
    {"path without trailing slash", "alpine;3.19;arm64;default;20240101_13:00;/images/alpine/3.19/arm64/default/x", true, 1, 0, ""},
    {"five fields", "debian;bookworm;amd64;default;/images/x/\n", true, 0, 1, "expected 6"},
    {"seven fields", kLine + ";extra\n", true, 0, 1, "expected 6"},
    {"empty field", "debian;;amd64;default;1;/images/x/\n", true, 0, 1, "invalid distribution"},
    {"space in name", "debian;book worm;amd64;default;1;/images/x/\n", true, 0, 1, "invalid distribution"},
    {"dot-dot release", "debian;..;amd64;default;1;/images/x/\n", true, 0, 1, "invalid distribution"},
    {"slash in dist", "deb/ian;bookworm;amd64;default;1;/images/x/\n", true, 0, 1, "invalid distribution"},
    {"leading dash", "-d;bookworm;amd64;default;1;/images/x/\n", true, 0, 1, "invalid distribution"},
    {"bad build", "debian;bookworm;amd64;default;2026/12;/images/x/\n", true, 0, 1, "invalid build"},
    {"relative path", "debian;bookworm;amd64;default;1;images/x/\n", true, 0, 1, "invalid image path"},
    {"path climbs", "debian;bookworm;amd64;default;1;/images/../../etc/\n", true, 0, 1, "invalid image path"},
    {"path with dot", "debian;bookworm;amd64;default;1;/images/./x/\n", true, 0, 1, "invalid image path"},
    {"path double slash", "debian;bookworm;amd64;default;1;/images//x/\n", true, 0, 1, "invalid image path"},
    {"path is root", "debian;bookworm;amd64;default;1;/\n", true, 0, 1, "invalid image path"},
    {"path with query", "debian;bookworm;amd64;default;1;/images/x?y=1\n", true, 0, 1, "invalid image path"},
    {"path with percent", "debian;bookworm;amd64;default;1;/images/%2e%2e/\n", true, 0, 1, "invalid image path"},
    {"carriage return", kLine + "\r\n", true, 0, 1, "invalid image path"},
    {"good and bad mixed", kLine + "\nbroken\n" + kLine + "\n", true, 2, 1, "2: expected 6"},
    {"NUL byte", kLine + "\n" + std::string("a\0b", 3) + "\n", false, 0, 0, ""},
    {"over-long line", std::string(kMaxIndexLineBytes + 1, 'a'), false, 0, 0, ""},
};

BOOST_DATA_TEST_CASE(image_index_table, boost::unit_test::data::make(kIndexCases), c) {
  std::vector<ImageEntry> entries;
  std::vector<std::string> bad;
  std::string err;
  BOOST_TEST(parse_image_index(c.text, &entries, &bad, &err) == c.ok);
  if (!c.ok) {
    BOOST_TEST(!err.empty());
    return;
  }
  BOOST_TEST(entries.size() == c.entries);
  BOOST_TEST(bad.size() == c.bad);
  if (!c.first_bad_part.empty() && !bad.empty()) BOOST_TEST(bad[0].find(c.first_bad_part) != std::string::npos);
  for (const auto& e : entries) BOOST_TEST(e.path.back() == '/');
}

BOOST_AUTO_TEST_CASE(image_index_fields) {
  std::vector<ImageEntry> entries;
  std::vector<std::string> bad;
  std::string err;
  BOOST_REQUIRE(parse_image_index("\n" + kLine + "\n", &entries, &bad, &err));
  BOOST_REQUIRE(entries.size() == 1u);
  BOOST_TEST(entries[0].line == 2u);
  BOOST_TEST(entries[0].dist == "debian");
  BOOST_TEST(entries[0].release == "bookworm");
  BOOST_TEST(entries[0].arch == "amd64");
  BOOST_TEST(entries[0].variant == "default");
  BOOST_TEST(entries[0].build == "20261207_05:24");
  BOOST_TEST(entries[0].path == "/images/debian/bookworm/amd64/default/20261207_05:24/");
}

BOOST_AUTO_TEST_CASE(image_index_keeps_twenty_complaints) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "bad\n";
  std::vector<ImageEntry> entries;
  std::vector<std::string> bad;
  std::string err;
  BOOST_REQUIRE(parse_image_index(text, &entries, &bad, &err));
  BOOST_TEST(bad.size() == 21u);
  BOOST_TEST(bad.back() == "... and 10 more");
}

// ------------------------------------------------------ finding an image

const std::string kIndex =
    "debian;bookworm;amd64;default;20260101_05:24;/images/debian/bookworm/amd64/default/20260101_05:24/\n"
    "debian;bookworm;amd64;default;20260102_05:24;/images/debian/bookworm/amd64/default/20260102_05:24/\n"
    "debian;bookworm;arm64;default;20260102_05:24;/images/debian/bookworm/arm64/default/20260102_05:24/\n"
    "debian;bookworm;amd64;cloud;20260102_05:24;/images/debian/bookworm/amd64/cloud/20260102_05:24/\n"
    "debian;trixie;amd64;default;20260102_05:24;/images/debian/trixie/amd64/default/20260102_05:24/\n"
    "ubuntu;noble;amd64;default;20260102_07:42;/images/ubuntu/noble/amd64/default/20260102_07:42/\n"
    "alpine;3.19;amd64;default;20260102_13:00;/images/alpine/3.19/amd64/default/20260102_13:00/\n";

std::vector<ImageEntry> index_entries() {
  std::vector<ImageEntry> entries;
  std::vector<std::string> bad;
  std::string err;
  BOOST_REQUIRE(parse_image_index(kIndex, &entries, &bad, &err));
  return entries;
}

BOOST_AUTO_TEST_CASE(find_image_newest_build) {
  const auto entries = index_entries();
  const ImageEntry* e = find_image(entries, {"debian", "bookworm", "amd64", "default"});
  BOOST_REQUIRE(e != nullptr);
  BOOST_TEST(e->build == "20260102_05:24");
  BOOST_TEST(find_image(entries, {"debian", "bookworm", "arm64", "cloud"}) == nullptr);
  BOOST_TEST(find_image(entries, {"Debian", "bookworm", "amd64", "default"}) == nullptr);
}

struct MissingCase {
  std::string name;
  ImageQuery query;
  std::vector<std::string> parts;  // every one must appear in the message
};
std::ostream& operator<<(std::ostream& os, const MissingCase& c) { return os << c.name; }

const MissingCase kMissingCases[] = {
    {"misspelt distribution", {"debain", "bookworm", "amd64", "default"},
     {"no distribution 'debain' on srv", "did you mean 'debian'?", "alpine, debian, ubuntu", "-d"}},
    {"unknown distribution", {"fedora", "39", "amd64", "default"}, {"no distribution 'fedora'", "alpine, debian, ubuntu"}},
    {"misspelt release", {"debian", "bookwrom", "amd64", "default"},
     {"no release 'bookwrom' of debian", "did you mean 'bookworm'?", "bookworm, trixie", "-r"}},
    {"release prefix", {"debian", "book", "amd64", "default"}, {"did you mean 'bookworm'?"}},
    {"architecture", {"debian", "trixie", "arm64", "default"},
     {"debian trixie is not offered for arm64", "architectures: amd64", "-a"}},
    {"variant", {"debian", "bookworm", "amd64", "clod"},
     {"no variant 'clod'", "did you mean 'cloud'?", "variants: cloud, default", "--variant"}},
};

BOOST_DATA_TEST_CASE(describe_missing_image_table, boost::unit_test::data::make(kMissingCases), c) {
  const auto entries = index_entries();
  const std::string message = describe_missing_image(entries, c.query, "srv");
  for (const auto& part : c.parts) BOOST_TEST(message.find(part) != std::string::npos, message << " lacks " << part);
  BOOST_TEST(message.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(describe_missing_image_empty_index) {
  BOOST_TEST(describe_missing_image({}, {"a", "b", "c", "d"}, "srv").find("index is empty") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(describe_missing_image_long_list_is_cut) {
  std::vector<ImageEntry> entries;
  for (int i = 0; i < 60; ++i) entries.push_back({1, "d" + std::to_string(100 + i), "r", "a", "v", "1", "/x/"});
  const std::string message = describe_missing_image(entries, {"zzz", "r", "a", "v"}, "srv");
  BOOST_TEST(message.find("(20 more)") != std::string::npos, message);
}

// ----------------------------------------------------------- SHA256SUMS

struct SumsCase {
  std::string name;
  std::string text;
  bool ok;
  size_t count;
};
std::ostream& operator<<(std::ostream& os, const SumsCase& c) { return os << c.name; }

const std::string kHexA(64, 'a');
const std::string kHexB = std::string(63, 'b') + "C";

const SumsCase kSumsCases[] = {
    {"empty", "", true, 0},
    {"text mode", kHexA + "  rootfs.tar.xz\n", true, 1},
    {"binary mode", kHexA + " *meta.tar.xz\n", true, 1},
    {"two files", kHexA + "  rootfs.tar.xz\n" + kHexB + "  meta.tar.xz\n", true, 2},
    {"same file twice, same sum", kHexA + "  a\n" + kHexA + "  a\n", true, 1},
    {"blank line", "\n" + kHexA + "  a\n", true, 1},
    {"same file twice, different sums", kHexA + "  a\n" + kHexB + "  a\n", false, 0},
    {"short hash", std::string(63, 'a') + "  a\n", false, 0},
    {"long hash", std::string(65, 'a') + "  a\n", false, 0},
    {"not hex", std::string(63, 'a') + "g  a\n", false, 0},
    {"one blank", kHexA + " a\n", false, 0},
    {"no name", kHexA + "  \n", false, 0},
    {"CR in name", kHexA + "  a\r\n", false, 0},
    {"NUL", kHexA + "  a" + std::string(1, '\0') + "\n", false, 0},
    {"BSD style", "SHA256 (a) = " + kHexA + "\n", false, 0},
};

BOOST_DATA_TEST_CASE(sha256sums_table, boost::unit_test::data::make(kSumsCases), c) {
  std::map<std::string, std::string> sums;
  std::string err;
  BOOST_TEST(parse_sha256sums(c.text, &sums, &err) == c.ok, err);
  if (c.ok) BOOST_TEST(sums.size() == c.count);
  else BOOST_TEST(!err.empty());
}

BOOST_AUTO_TEST_CASE(sha256sums_lowercase) {
  std::map<std::string, std::string> sums;
  std::string err;
  BOOST_REQUIRE(parse_sha256sums(kHexB + "  meta.tar.xz\n", &sums, &err));
  BOOST_TEST(sums["meta.tar.xz"] == std::string(63, 'b') + "c");
}

// ------------------------------------------------------------ meta files

struct ChooseCase {
  std::string name;
  std::string base;
  std::vector<std::string> files;
  std::string chosen;
};
std::ostream& operator<<(std::ostream& os, const ChooseCase& c) { return os << c.name; }

const ChooseCase kChooseCases[] = {
    {"user file", "config", {"config", "config-user"}, "config-user"},
    {"plain only", "config", {"config"}, "config"},
    {"compat of user", "config", {"config", "config-user", "config-user.7"}, "config-user.7"},
    {"compat of plain", "excludes", {"excludes", "excludes.7"}, "excludes.7"},
    {"other compat level ignored", "config", {"config-user", "config-user.6"}, "config-user"},
    {"missing", "templates", {"config"}, ""},
    {"only compat, no base", "expiry", {"expiry.7"}, "expiry.7"},
};

BOOST_DATA_TEST_CASE(choose_meta_file_table, boost::unit_test::data::make(kChooseCases), c) {
  BOOST_TEST(choose_meta_file(c.base, c.files) == c.chosen);
}

struct ListCase {
  std::string name;
  std::string text;
  bool ok;
  std::vector<std::string> items;
};
std::ostream& operator<<(std::ostream& os, const ListCase& c) { return os << c.name; }

const ListCase kTemplateCases[] = {
    {"absolute", "/etc/hostname\n/etc/hosts\n", true, {"etc/hostname", "etc/hosts"}},
    {"relative and dot", "etc/hostname\n./etc/hosts\n", true, {"etc/hostname", "etc/hosts"}},
    {"blanks and duplicates", "\n /etc/hostname \n/etc//hostname\n", true, {"etc/hostname"}},
    {"climbs", "/etc/../../home/u/.bashrc\n", false, {}},
    {"root itself", "/\n", false, {}},
    {"CR", "/etc/hostname\r\n", false, {}},
    {"NUL", std::string("/etc/a\0b\n", 9), false, {}},
};

BOOST_DATA_TEST_CASE(template_list_table, boost::unit_test::data::make(kTemplateCases), c) {
  std::vector<std::string> paths;
  std::string err;
  BOOST_TEST(parse_template_list(c.text, &paths, &err) == c.ok, err);
  if (c.ok) BOOST_TEST(paths == c.items, boost::test_tools::per_element());
}

const ListCase kExcludeCases[] = {
    {"lxc's list", "./dev/console\n./dev/null\n", true, {"dev/console", "dev/null"}},
    {"absolute and trailing slash", "/dev/\n", true, {"dev"}},
    {"wildcards kept", "./dev/tty*\n", true, {"dev/tty*"}},
    {"whole rootfs", "./\n", false, {}},
    {"CR", "./dev/null\r\n", false, {}},
};

BOOST_DATA_TEST_CASE(excludes_table, boost::unit_test::data::make(kExcludeCases), c) {
  std::vector<std::string> patterns;
  std::string err;
  BOOST_TEST(parse_excludes(c.text, &patterns, &err) == c.ok, err);
  if (c.ok) BOOST_TEST(patterns == c.items, boost::test_tools::per_element());
}

struct ExcludedCase {
  std::string member;
  bool excluded;
};
std::ostream& operator<<(std::ostream& os, const ExcludedCase& c) { return os << c.member; }

const ExcludedCase kExcludedCases[] = {
    {"./dev/null", true},     {"dev/null", true},          {"/dev/null", true},
    {"./dev/null/x", true},   {"./dev/nullx", false},      {"./dev/zero", false},
    {"./dev/tty1", true},     {"./dev/tty", false},        {"./var/lib/dev/null", false},
    {"./skip", true},         {"./skip/deep/file", true},  {"./dev", false},
    {"./", false},            {"./etc/a.swp", true},       {"./etc/sub/b.swp", true},
};

BOOST_DATA_TEST_CASE(is_excluded_table, boost::unit_test::data::make(kExcludedCases), c) {
  const std::vector<std::string> patterns = {"dev/null", "dev/tty?", "skip", "etc/*.swp"};
  BOOST_TEST(is_excluded(c.member, patterns) == c.excluded);
}

struct ExpiryCase {
  std::string text;
  bool ok;
  uint64_t when;
};
std::ostream& operator<<(std::ostream& os, const ExpiryCase& c) { return os << '"' << c.text << '"'; }

const ExpiryCase kExpiryCases[] = {
    {"1767225600\n", true, 1767225600}, {"1767225600", true, 1767225600}, {" 12 \n", true, 12},
    {"", false, 0},                     {"-1\n", false, 0},               {"12a\n", false, 0},
    {"12\r\n", false, 0},               {"0x10", false, 0},
};

BOOST_DATA_TEST_CASE(expiry_table, boost::unit_test::data::make(kExpiryCases), c) {
  uint64_t when = 0;
  BOOST_TEST(parse_expiry(c.text, &when) == c.ok);
  if (c.ok) BOOST_TEST(when == c.when);
}

BOOST_AUTO_TEST_CASE(template_substitution) {
  const TemplateValues v{"web1", "/home/u/.local/share/uxc/web1", "/home/u/.local/share/uxc/web1/rootfs"};
  BOOST_TEST(substitute_template_values("LXC_NAME\n", v) == "web1\n");
  BOOST_TEST(substitute_template_values("127.0.1.1 LXC_NAME\n", v) == "127.0.1.1 web1\n");
  BOOST_TEST(substitute_template_values("LXC_PATH LXC_ROOTFS", v) ==
             "/home/u/.local/share/uxc/web1 /home/u/.local/share/uxc/web1/rootfs");
  BOOST_TEST(substitute_template_values("LXC_NAMELXC_NAME LXC_", v) == "web1web1 LXC_");
  BOOST_TEST(substitute_template_values("LXC_TEMPLATE_CONFIG", v) == "LXC_TEMPLATE_CONFIG");
  // A value that is itself a name is not replaced again.
  const TemplateValues tricky{"LXC_PATH", "/p", "/r"};
  BOOST_TEST(substitute_template_values("LXC_NAME", tricky) == "LXC_PATH");
}

struct ConfigCase {
  std::string name;
  std::string text;
  bool ok;
  std::string error_part;  // in the first error
};
std::ostream& operator<<(std::ostream& os, const ConfigCase& c) { return os << c.name; }

const ConfigCase kConfigCases[] = {
    {"distribution config-user",
     "lxc.include = LXC_TEMPLATE_CONFIG/common.conf\nlxc.include = LXC_TEMPLATE_CONFIG/userns.conf\nlxc.arch = x86_64\n",
     true, ""},
    {"installed paths", "lxc.include=/usr/share/lxc/config/userns.conf\n", true, ""},
    {"quoted", "lxc.include = \"LXC_TEMPLATE_CONFIG/common.conf\"\n", true, ""},
    {"comments and other keys", "# Distribution configuration\nlxc.arch = aarch64\nlxc.bogus = 1\n", true, ""},
    {"nesting.conf is LXC's: parse_config decides", "lxc.include = LXC_TEMPLATE_CONFIG/nesting.conf\n", true, ""},
    {"include of a host file", "lxc.include = /etc/passwd\n", false, "line 1: lxc.include = /etc/passwd"},
    {"include of a user file", "\nlxc.include = /home/u/.config/uxc/default.conf\n", false, "line 2"},
    {"include climbing", "lxc.include = LXC_TEMPLATE_CONFIG/../../../etc/x/common.conf\n", false, "line 1"},
    {"include relative", "lxc.include = common.conf\n", false, "line 1"},
    {"NUL", std::string("lxc.arch = x\0\n", 14), false, "NUL"},
};

BOOST_DATA_TEST_CASE(check_image_config_table, boost::unit_test::data::make(kConfigCases), c) {
  std::vector<std::string> errors;
  BOOST_TEST(check_image_config(c.text, &errors) == c.ok);
  if (!c.ok) {
    BOOST_REQUIRE(!errors.empty());
    BOOST_TEST(errors[0].find(c.error_part) != std::string::npos, errors[0]);
  }
}

// ---------------------------------------------------------- member paths

struct MemberCase {
  std::string member;
  bool ok;
  std::string normalized;
};
std::ostream& operator<<(std::ostream& os, const MemberCase& c) { return os << '"' << c.member << '"'; }

const MemberCase kMemberCases[] = {
    {"./etc/passwd", true, "etc/passwd"},
    {"etc/passwd", true, "etc/passwd"},
    {"/etc/passwd", true, "etc/passwd"},
    {"//etc///passwd/", true, "etc/passwd"},
    {"./", true, ""},
    {".", true, ""},
    {"./a/./b", true, "a/b"},
    {"a..b/..c", true, "a..b/..c"},
    {"../etc/passwd", false, ""},
    {"./a/../../b", false, ""},
    {"a/..", false, ""},
    {"..", false, ""},
    {"", false, ""},
    {std::string("a\0b", 3), false, ""},
};

BOOST_DATA_TEST_CASE(normalize_member_path_table, boost::unit_test::data::make(kMemberCases), c) {
  std::string out = "untouched";
  BOOST_TEST(normalize_member_path(c.member, &out) == c.ok);
  BOOST_TEST(out == (c.ok ? c.normalized : std::string("untouched")));
}

// -------------------------------------------------------------- servers

struct ServerCase {
  std::string text;
  bool ok;
  std::string canonical;
};
std::ostream& operator<<(std::ostream& os, const ServerCase& c) { return os << '"' << c.text << '"'; }

const ServerCase kServerCases[] = {
    {"images.linuxcontainers.org", true, "images.linuxcontainers.org"},
    {"Mirror.Example.ORG:8443", true, "mirror.example.org:8443"},
    {"https://mirror.example.org/", true, "mirror.example.org"},
    {"HTTPS://mirror.example.org:443", true, "mirror.example.org:443"},
    {"127.0.0.1:8443", true, "127.0.0.1:8443"},
    {"localhost", true, "localhost"},
    {"[::1]:8443", true, "[::1]:8443"},
    {"[fe80::1]", true, "[fe80::1]"},
    {"http://mirror.example.org", false, ""},
    {"ftp://mirror.example.org", false, ""},
    {"mirror.example.org/images", false, ""},
    {"user@mirror.example.org", false, ""},
    {"mirror.example.org:0", false, ""},
    {"mirror.example.org:65536", false, ""},
    {"mirror.example.org:", false, ""},
    {"mirror.example.org:08443", false, ""},
    {"mirror..example.org", false, ""},
    {"-mirror.example.org", false, ""},
    {"mirror example.org", false, ""},
    {"[::1", false, ""},
    {"[zz::1]:1", false, ""},
    {"[::1]x", false, ""},
    {"", false, ""},
    {"https://", false, ""},
};

BOOST_DATA_TEST_CASE(image_server_table, boost::unit_test::data::make(kServerCases), c) {
  std::string out, err;
  BOOST_TEST(parse_image_server(c.text, &out, &err) == c.ok, err);
  if (c.ok) BOOST_TEST(out == c.canonical);
  else BOOST_TEST(!err.empty());
}

BOOST_AUTO_TEST_CASE(image_server_http_says_https) {
  std::string out, err;
  BOOST_REQUIRE(!parse_image_server("http://mirror", &out, &err));
  BOOST_TEST(err.find("only over HTTPS") != std::string::npos, err);
}

// ------------------------------------------------- the template's arguments

struct ArgsCase {
  std::string name;
  std::vector<std::string> args;
  bool ok;
  std::string dist, release, arch, variant, server;
  std::string error_part;
};
std::ostream& operator<<(std::ostream& os, const ArgsCase& c) { return os << c.name; }

const ArgsCase kArgsCases[] = {
    {"short", {"-d", "debian", "-r", "bookworm", "-a", "amd64"}, true, "debian", "bookworm", "amd64", "", "", ""},
    {"long", {"--dist", "ubuntu", "--release", "noble", "--variant", "cloud"}, true, "ubuntu", "noble", "", "cloud", "", ""},
    {"equals", {"--dist=alpine", "--release=3.19", "--server=https://m.example:8443/"}, true, "alpine", "3.19", "", "", "m.example:8443", ""},
    {"last wins", {"-d", "a", "-d", "b", "-r", "r"}, true, "b", "r", "", "", "", ""},
    {"flags", {"-d", "a", "-r", "r", "--flush-cache"}, true, "a", "r", "", "", "", ""},
    {"missing release", {"-d", "debian"}, false, "", "", "", "", "", "-d DIST and -r RELEASE"},
    {"nothing", {}, false, "", "", "", "", "", "-d DIST and -r RELEASE"},
    {"missing value", {"-d", "debian", "-r"}, false, "", "", "", "", "", "-r needs a release"},
    {"unknown option", {"-d", "a", "-r", "b", "--keyserver", "k"}, false, "", "", "", "", "", "unknown option --keyserver"},
    {"operand", {"-d", "a", "-r", "b", "extra"}, false, "", "", "", "", "", "unexpected argument 'extra'"},
    {"bad dist", {"-d", "../x", "-r", "b"}, false, "", "", "", "", "", "not a valid distribution"},
    {"http server", {"-d", "a", "-r", "b", "--server", "http://x"}, false, "", "", "", "", "", "HTTPS"},
    {"two cache flags", {"-d", "a", "-r", "b", "--flush-cache", "--no-cache"}, false, "", "", "", "", "", "exclude each other"},
    {"list alone", {"--list"}, true, "", "", "", "", "", ""},
    {"list short, filtered", {"-l", "-d", "alpine", "-a", "arm64"}, true, "alpine", "", "arm64", "", "", ""},
    {"list with server", {"--server=m.example", "--list", "--variant", "cloud"}, true, "", "", "", "cloud", "m.example", ""},
    {"list with cache flag", {"--list", "--force-cache"}, false, "", "", "", "", "", "not --flush-cache"},
    {"list with bad filter", {"--list", "-d", "a;b"}, false, "", "", "", "", "", "not a valid distribution"},
    {"list with operand", {"--list", "debian"}, false, "", "", "", "", "", "unexpected argument 'debian'"},
    {"list as a value", {"-d", "--list", "-r", "b"}, false, "", "", "", "", "", "not a valid distribution"},
};

BOOST_DATA_TEST_CASE(download_args_table, boost::unit_test::data::make(kArgsCases), c) {
  DownloadArgs out;
  std::string err;
  BOOST_TEST(parse_download_args(c.args, &out, &err) == c.ok, err);
  if (c.ok) {
    BOOST_TEST(out.dist == c.dist);
    BOOST_TEST(out.release == c.release);
    BOOST_TEST(out.arch == c.arch);
    BOOST_TEST(out.variant == c.variant);
    BOOST_TEST(out.server == c.server);
  } else {
    BOOST_TEST(err.find(c.error_part) != std::string::npos, err);
  }
}

BOOST_AUTO_TEST_CASE(download_args_list_flag) {
  DownloadArgs out;
  std::string err;
  BOOST_TEST(parse_download_args({"-d", "a", "-r", "b"}, &out, &err));
  BOOST_TEST(!out.list);
  BOOST_TEST(parse_download_args({"-d", "a", "--list"}, &out, &err));
  BOOST_TEST(out.list);
}

BOOST_AUTO_TEST_CASE(image_list_filter_and_format) {
  std::vector<ImageEntry> entries;
  std::vector<std::string> bad;
  std::string err;
  BOOST_TEST(parse_image_index("debian;bookworm;amd64;default;20260101_05:24;/images/debian/bookworm/amd64/default/1/\n"
                               "debian;bookworm;arm64;default;20260101_05:24;/images/debian/bookworm/arm64/default/1/\n"
                               "alpine;3.19;amd64;default;20260102_13:00;/images/alpine/3.19/amd64/default/2/\n"
                               "debian;trixie;amd64;cloud;20260103_05:24;/images/debian/trixie/amd64/cloud/3/\n",
                               &entries, &bad, &err));
  BOOST_TEST(filter_images(entries, {}).size() == 4u);
  BOOST_TEST(filter_images(entries, {"debian", "", "", ""}).size() == 3u);
  BOOST_TEST(filter_images(entries, {"debian", "bookworm", "amd64", ""}).size() == 1u);
  BOOST_TEST(filter_images(entries, {"", "", "amd64", "cloud"}).size() == 1u);
  BOOST_TEST(filter_images(entries, {"fedora", "", "", ""}).empty());
  BOOST_TEST(format_image_list(filter_images(entries, {"", "", "amd64", "default"})) ==
             "---\nDIST\tRELEASE\tARCH\tVARIANT\tBUILD\n---\n"
             "debian\tbookworm\tamd64\tdefault\t20260101_05:24\n"
             "alpine\t3.19\tamd64\tdefault\t20260102_13:00\n---\n");
  BOOST_TEST(format_image_list({}) == "---\nDIST\tRELEASE\tARCH\tVARIANT\tBUILD\n---\n---\n");
}

struct LocalCase {
  std::string name;
  std::vector<std::string> args;
  bool ok;
  std::string metadata, rootfs, error_part;
};
std::ostream& operator<<(std::ostream& os, const LocalCase& c) { return os << c.name; }

const LocalCase kLocalCases[] = {
    {"path", {"/x/rootfs.tar.xz"}, true, "", "/x/rootfs.tar.xz", ""},
    {"relative path", {"rootfs"}, true, "", "rootfs", ""},
    {"meta and fstree", {"-m", "meta.tar.xz", "-f", "rootfs.tar.xz"}, true, "meta.tar.xz", "rootfs.tar.xz", ""},
    {"long names", {"--fstree", "r.tar", "--metadata", "m.tar.xz"}, true, "m.tar.xz", "r.tar", ""},
    {"equals", {"--metadata=m", "--fstree=r"}, true, "m", "r", ""},
    {"fstree alone", {"-f", "r"}, true, "", "r", ""},
    {"nothing", {}, false, "", "", "needs the rootfs"},
    {"meta alone", {"-m", "m"}, false, "", "", "-m META needs the rootfs that goes with it: -f ROOTFS"},
    {"meta with path", {"-m", "m", "r"}, true, "m", "r", ""},
    {"fstree and path", {"-f", "r", "p"}, false, "", "", "not both"},
    {"two paths", {"a", "b"}, false, "", "", "unexpected argument 'b'"},
    {"meta twice", {"-m", "a", "-m", "b", "-f", "r"}, false, "", "", "-m is given twice"},
    {"missing value", {"-f", "r", "-m"}, false, "", "", "-m needs a path"},
    {"empty value", {"--metadata=", "-f", "r"}, false, "", "", "-m needs a path, not ''"},
    {"empty operand", {""}, false, "", "", "unexpected argument ''"},
    {"unknown option", {"-x", "r"}, false, "", "", "unknown option -x"},
    {"nul", {std::string("r\0x", 3)}, false, "", "", "unexpected argument"},
};

BOOST_DATA_TEST_CASE(local_args_table, boost::unit_test::data::make(kLocalCases), c) {
  LocalArgs out;
  std::string err;
  BOOST_TEST(parse_local_args(c.args, &out, &err) == c.ok, err);
  if (c.ok) {
    BOOST_TEST(out.metadata == c.metadata);
    BOOST_TEST(out.rootfs == c.rootfs);
  } else {
    BOOST_TEST(err.find(c.error_part) != std::string::npos, err);
  }
}

BOOST_AUTO_TEST_CASE(arch_names) {
  BOOST_TEST(image_arch_for_machine("x86_64") == "amd64");
  BOOST_TEST(image_arch_for_machine("aarch64") == "arm64");
  BOOST_TEST(image_arch_for_machine("i686") == "i386");
  BOOST_TEST(image_arch_for_machine("armv7l") == "armhf");
  BOOST_TEST(image_arch_for_machine("ppc64le") == "ppc64el");
  BOOST_TEST(image_arch_for_machine("sparc64") == "sparc64");
}

// ------------------------------------------------------ file capabilities

std::string cap_bytes(uint32_t magic, size_t size) {
  std::string v(size, '\x11');
  for (int i = 0; i < 4; ++i) v[static_cast<size_t>(i)] = static_cast<char>((magic >> (8 * i)) & 0xFF);
  return v;
}

BOOST_AUTO_TEST_CASE(file_capability_versions) {
  std::string out;
  const std::string v2 = cap_bytes(0x02000001, 20);
  BOOST_TEST(file_capability_for_namespace(v2, &out));
  BOOST_TEST(out == v2);
  const std::string v1 = cap_bytes(0x01000000, 12);
  BOOST_TEST(file_capability_for_namespace(v1, &out));
  BOOST_TEST(out == v1);
  // v3 with a host root id: the id goes, the effective flag stays.
  BOOST_TEST(file_capability_for_namespace(cap_bytes(0x03000001, 24), &out));
  BOOST_TEST(out == cap_bytes(0x02000001, 20));
  BOOST_TEST(!file_capability_for_namespace(cap_bytes(0x03000001, 20), &out));
  BOOST_TEST(!file_capability_for_namespace(cap_bytes(0x02000001, 24), &out));
  BOOST_TEST(!file_capability_for_namespace(cap_bytes(0x04000000, 24), &out));
  BOOST_TEST(!file_capability_for_namespace("abc", &out));
}

// ----------------------------------------------------- identifying a rootfs

BOOST_AUTO_TEST_CASE(os_release_fields) {
  const OsRelease debian = parse_os_release(
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n"
      "VERSION_CODENAME=bookworm\nID=debian\n");
  BOOST_TEST(debian.id == "debian");
  BOOST_TEST(debian.version_codename == "bookworm");
  BOOST_TEST(debian.version_id == "12");
  const OsRelease alpine = parse_os_release("ID='alpine'\nVERSION_ID=3.19.1\n# comment\nnot a line\n");
  BOOST_TEST(alpine.id == "alpine");
  BOOST_TEST(alpine.version_codename.empty());
  BOOST_TEST(alpine.version_id == "3.19.1");
  BOOST_TEST(parse_os_release("ID=\"a\\\"b\"\n").id == "a\"b");
  BOOST_TEST(parse_os_release(std::string("ID=x\0\n", 6)).id.empty());  // NUL: nothing is trusted
  BOOST_TEST(parse_os_release("").id.empty());
}

std::string elf_header(int elf_class, int data, unsigned machine) {
  std::string h(64, '\0');
  h.replace(0, 4, "\x7f" "ELF");
  h[4] = static_cast<char>(elf_class);
  h[5] = static_cast<char>(data);
  h[data == 2 ? 19 : 18] = static_cast<char>(machine & 0xFF);
  h[data == 2 ? 18 : 19] = static_cast<char>(machine >> 8);
  return h;
}

BOOST_AUTO_TEST_CASE(elf_arch_names) {
  BOOST_TEST(elf_image_arch(elf_header(2, 1, 62)) == "amd64");
  BOOST_TEST(elf_image_arch(elf_header(2, 1, 183)) == "arm64");
  BOOST_TEST(elf_image_arch(elf_header(1, 1, 3)) == "i386");
  BOOST_TEST(elf_image_arch(elf_header(1, 1, 40)) == "armhf");
  BOOST_TEST(elf_image_arch(elf_header(2, 1, 21)) == "ppc64el");
  BOOST_TEST(elf_image_arch(elf_header(2, 2, 22)) == "s390x");
  BOOST_TEST(elf_image_arch(elf_header(2, 1, 243)) == "riscv64");
  BOOST_TEST(elf_image_arch(elf_header(2, 1, 9999)) == "");
  BOOST_TEST(elf_image_arch(elf_header(1, 1, 62)) == "");  // x86-64 machine, 32-bit class: not a real binary
  BOOST_TEST(elf_image_arch("#!/bin/sh\necho not elf\n") == "");
  BOOST_TEST(elf_image_arch(std::string("\x7f" "ELF", 4)) == "");  // too short
}

}  // namespace
}  // namespace uxc::policy
