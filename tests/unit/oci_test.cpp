#include "policy/oci.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

namespace uxc::policy {
namespace {

const std::string kHexA(64, 'a');
const std::string kHexB(64, 'b');
const std::string kHexC(64, 'c');

std::string descriptor(const std::string& media_type, const std::string& hex, const std::string& extra = "") {
  return R"({"mediaType":")" + media_type + R"(","digest":"sha256:)" + hex + R"(","size":42)" + extra + "}";
}

// ------------------------------------------------------------ digests

struct DigestCase {
  std::string digest;
  bool ok;
};
std::ostream& operator<<(std::ostream& os, const DigestCase& c) { return os << c.digest; }

const DigestCase kDigestCases[] = {
    {"sha256:" + kHexA, true},
    {"sha256:" + std::string(63, 'a'), false},
    {"sha256:" + std::string(65, 'a'), false},
    {"sha256:" + std::string(64, 'A'), false},  // upper case is not the canonical form
    {"sha512:" + kHexA, false},                 // only sha256 is checked
    {"sha256:" + std::string(62, 'a') + "/x", false},
    {"sha256:../../../../etc/passwd" + std::string(35, 'a'), false},
    {kHexA, false},
    {"", false},
};

BOOST_DATA_TEST_CASE(oci_digest_table, boost::unit_test::data::make(kDigestCases), c) {
  std::string hex;
  BOOST_TEST(parse_oci_digest(c.digest, &hex) == c.ok);
  if (c.ok) BOOST_TEST(hex == c.digest.substr(7));
}

// ------------------------------------------------------------ documents

struct DocCase {
  std::string text;
  bool ok;
  std::string error;  // a part of it
};
std::ostream& operator<<(std::ostream& os, const DocCase& c) { return os << c.text; }

const DocCase kIndexCases[] = {
    {R"({"schemaVersion":2,"manifests":[)" + descriptor("application/vnd.oci.image.manifest.v1+json", kHexA) + "]}",
     true, ""},
    {R"({"schemaVersion":2,"manifests":[]})", false, "lists no image"},
    {R"({"schemaVersion":1,"manifests":[]})", false, "schemaVersion is not 2"},
    {R"({"manifests":[]})", false, "schemaVersion"},
    {R"({"schemaVersion":2})", false, "\"manifests\" is not an array"},
    {R"({"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:abc","size":1}]})", false,
     "is not sha256:HEX"},
    {R"({"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:)" + kHexA + R"("}]})", false,
     "no valid size"},
    {R"({"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:)" + kHexA + R"(","size":-1}]})", false,
     "no valid size"},
    {R"({"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:)" + kHexA +
         R"(","size":9223372036854775808}]})",
     false, "no valid size"},  // past int64, as OCI's sizes are
    {R"({"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:)" + kHexA +
         R"(","size":9223372036854775807}]})",
     true, ""},
    {R"({"schemaVersion":2,"manifests":[)" + descriptor("x", kHexA, R"(,"annotations":[])") + "]}", false,
     "annotations"},
    {R"({"schemaVersion":2,"manifests":[)" +
         descriptor("x", kHexA, R"(,"annotations":{"org.opencontainers.image.ref.name":7})") + "]}",
     false, "is not a string"},
    {R"({"schemaVersion":2,"manifests":[)" + descriptor("x", kHexA, R"(,"platform":"linux")") + "]}", false,
     "platform"},
    {"[]", false, "not a JSON object"},
    {R"({"schemaVersion":2,"manifests":[],})", false, "1:"},
};

BOOST_DATA_TEST_CASE(oci_index_table, boost::unit_test::data::make(kIndexCases), c) {
  std::vector<OciDescriptor> manifests;
  std::string err;
  BOOST_TEST(parse_oci_index(c.text, &manifests, &err) == c.ok);
  if (!c.ok) BOOST_TEST(err.find(c.error) != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(oci_index_reads_names_and_platforms) {
  const std::string text =
      R"({"schemaVersion":2,"manifests":[)" +
      descriptor("application/vnd.oci.image.index.v1+json", kHexA,
                 R"(,"annotations":{"org.opencontainers.image.ref.name":"latest"})") +
      "," +
      descriptor("application/vnd.oci.image.manifest.v1+json", kHexB,
                 R"(,"platform":{"os":"linux","architecture":"arm","variant":"v7"})") +
      "]}";
  std::vector<OciDescriptor> m;
  std::string err;
  BOOST_REQUIRE(parse_oci_index(text, &m, &err));
  BOOST_REQUIRE(m.size() == 2);
  BOOST_TEST(m[0].ref_name == "latest");
  BOOST_TEST(m[0].hex == kHexA);
  BOOST_TEST(m[0].size == 42u);
  BOOST_TEST((oci_kind(m[0].media_type) == OciKind::kIndex));
  BOOST_TEST(m[1].architecture == "arm");
  BOOST_TEST(m[1].variant == "v7");
  BOOST_TEST((oci_kind(m[1].media_type) == OciKind::kManifest));
}

const std::string kConfigType = "application/vnd.oci.image.config.v1+json";
const std::string kLayerType = "application/vnd.oci.image.layer.v1.tar+gzip";

const DocCase kManifestCases[] = {
    {R"({"schemaVersion":2,"config":)" + descriptor(kConfigType, kHexA) + R"(,"layers":[)" +
         descriptor(kLayerType, kHexB) + "]}",
     true, ""},
    {R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":)" +
         descriptor("application/vnd.docker.container.image.v1+json", kHexA) + R"(,"layers":[)" +
         descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", kHexB) + "]}",
     true, ""},
    {R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","config":)" +
         descriptor(kConfigType, kHexA) + R"(,"layers":[]})",
     false, "not an image manifest's"},
    {R"({"schemaVersion":2,"config":)" + descriptor("application/vnd.cncf.helm.config.v1+json", kHexA) +
         R"(,"layers":[)" + descriptor(kLayerType, kHexB) + "]}",
     false, "it is no container image"},
    {R"({"schemaVersion":2,"config":)" + descriptor(kConfigType, kHexA) + R"(,"layers":[)" +
         descriptor("application/vnd.oci.image.layer.v1.tar+bzip3", kHexB) + "]}",
     false, "not a tarball uxc can apply"},
    {R"({"schemaVersion":2,"config":)" + descriptor(kConfigType, kHexA) + R"(,"layers":[]})", false,
     "has no layers"},
    {R"({"schemaVersion":2,"layers":[]})", false, "has no config"},
    {R"({"schemaVersion":2,"config":)" + descriptor(kConfigType, kHexA) + "}", false, "\"layers\" is not an array"},
};

BOOST_DATA_TEST_CASE(oci_manifest_table, boost::unit_test::data::make(kManifestCases), c) {
  OciManifest m;
  std::string err;
  BOOST_TEST(parse_oci_manifest(c.text, &m, &err) == c.ok);
  if (!c.ok) BOOST_TEST(err.find(c.error) != std::string::npos, err);
}

const std::string kRootfs = R"("rootfs":{"type":"layers","diff_ids":["sha256:)" + kHexA + R"("]})";

const DocCase kConfigCases[] = {
    {R"({"architecture":"amd64","os":"linux",)" + kRootfs + "}", true, ""},
    {R"({"architecture":"amd64","os":"linux","config":null,)" + kRootfs + "}", true, ""},
    {R"({"architecture":"amd64","os":"linux","config":{"Cmd":"/bin/sh"},)" + kRootfs + "}", false,
     "\"Cmd\" is not an array of strings"},
    {R"({"architecture":"amd64","os":"linux","config":{"Env":["A=1",2]},)" + kRootfs + "}", false,
     "\"Env\" is not an array of strings"},
    {R"({"architecture":"amd64","os":"linux","config":{"ExposedPorts":["80"]},)" + kRootfs + "}", false,
     "\"ExposedPorts\" is not an object"},
    {R"({"architecture":"amd64","os":"linux"})", false, "\"rootfs\" is missing"},
    {R"({"architecture":"amd64","rootfs":{"type":"tree","diff_ids":[]}})", false, "rootfs.type"},
    {R"({"architecture":"amd64","rootfs":{"type":"layers","diff_ids":["md5:00"]}})", false, "diff_id"},
    {R"({"architecture":7,)" + kRootfs + "}", false, "\"architecture\" is not a string"},
};

BOOST_DATA_TEST_CASE(oci_image_config_table, boost::unit_test::data::make(kConfigCases), c) {
  OciImageConfig config;
  std::string err;
  BOOST_TEST(parse_oci_image_config(c.text, &config, &err) == c.ok);
  if (!c.ok) BOOST_TEST(err.find(c.error) != std::string::npos, err);
}

const DocCase kDockerCases[] = {
    {R"([{"Config":")" + kHexA + R"(.json","RepoTags":["busybox:latest"],"Layers":["x/layer.tar"]}])", true, ""},
    {R"([{"Config":")" + kHexA + R"(.json","RepoTags":null,"Layers":["blobs/sha256/)" + kHexB + R"("]}])", true, ""},
    {"[]", false, "not a list of images"},
    {"{}", false, "not a list of images"},
    {R"([{"Config":"../)" + kHexA + R"(.json","Layers":["x/layer.tar"]}])", false, "not a path inside the archive"},
    {R"([{"Config":"/etc/passwd","Layers":["x/layer.tar"]}])", false, "not a path inside the archive"},
    {R"([{"Config":"a.json","Layers":["x/../../layer.tar"]}])", false, "not a path inside the archive"},
    {R"([{"Config":"a.json","Layers":["x//layer.tar"]}])", false, "not a path inside the archive"},
    {R"([{"Config":"a.json","Layers":["x/layer\u001b.tar"]}])", false, "not a path inside the archive"},
    {R"([{"Config":"a.json","Layers":[]}])", false, "has no layers"},
    {R"([{"Config":"a.json","RepoTags":"busybox","Layers":["l"]}])", false, "\"RepoTags\" is not an array"},
    {R"([7])", false, "an image is not an object"},
};

BOOST_DATA_TEST_CASE(docker_manifest_table, boost::unit_test::data::make(kDockerCases), c) {
  std::vector<DockerImage> images;
  std::string err;
  BOOST_TEST(parse_docker_manifest(c.text, &images, &err) == c.ok);
  if (!c.ok) BOOST_TEST(err.find(c.error) != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(oci_layout_file) {
  std::string err;
  BOOST_TEST(parse_oci_layout(R"({"imageLayoutVersion": "1.0.0"})", &err));
  BOOST_TEST(!parse_oci_layout(R"({"imageLayoutVersion": "2.0.0"})", &err));
  BOOST_TEST(!parse_oci_layout(R"({})", &err));
  BOOST_TEST(err.find("missing") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(docker_path_digests) {
  BOOST_TEST(docker_path_digest(kHexA + ".json") == kHexA);
  BOOST_TEST(docker_path_digest("blobs/sha256/" + kHexB) == kHexB);
  BOOST_TEST(docker_path_digest("config.json") == "");
  BOOST_TEST(docker_path_digest("x/layer.tar") == "");
  BOOST_TEST(docker_path_digest("blobs/sha256/" + std::string(64, 'G')) == "");
}

// ------------------------------------------------------------ choices

OciDescriptor entry(const std::string& ref, const std::string& os = "", const std::string& arch = "",
                    const std::string& variant = "") {
  OciDescriptor d;
  d.ref_name = ref;
  d.os = os;
  d.architecture = arch;
  d.variant = variant;
  return d;
}

BOOST_AUTO_TEST_CASE(oci_tag_choice) {
  std::vector<OciDescriptor> chosen;
  std::string err;
  const std::vector<OciDescriptor> two = {entry("latest"), entry("other")};
  BOOST_TEST(choose_oci_tag(two, "other", &chosen, &err));
  BOOST_TEST((chosen.size() == 1 && chosen[0].ref_name == "other"));
  BOOST_TEST(!choose_oci_tag(two, "", &chosen, &err));
  BOOST_TEST(err == R"(the layout holds 2 images ("latest", "other"): name one as PATH:TAG)");
  BOOST_TEST(!choose_oci_tag(two, "nope", &chosen, &err));
  BOOST_TEST(err == R"(the layout has no image tagged "nope"; its tags: "latest", "other")");
  // One tag, one entry per platform: all of them, for the platform choice.
  const std::vector<OciDescriptor> per_platform = {entry("v1", "linux", "amd64"), entry("v1", "linux", "arm64")};
  BOOST_TEST(choose_oci_tag(per_platform, "", &chosen, &err));
  BOOST_TEST(chosen.size() == 2u);
  const std::vector<OciDescriptor> untagged = {entry("")};
  BOOST_TEST(choose_oci_tag(untagged, "", &chosen, &err));
  BOOST_TEST(!choose_oci_tag(untagged, "latest", &chosen, &err));
  BOOST_TEST(err.find("have no tags: leave :TAG out") != std::string::npos);
  // A hostile name cannot drive the terminal through the message.
  const std::vector<OciDescriptor> hostile = {entry("a\x1b[2J"), entry("b")};
  BOOST_TEST(!choose_oci_tag(hostile, "", &chosen, &err));
  BOOST_TEST(err.find('\x1b') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(docker_tag_choice) {
  std::vector<DockerImage> images(2);
  images[0].repo_tags = {"busybox:latest", "busybox:1.36"};
  images[1].repo_tags = {"alpine:3.20"};
  size_t chosen = 9;
  std::string err;
  BOOST_TEST(choose_docker_tag(images, "alpine:3.20", &chosen, &err));
  BOOST_TEST(chosen == 1u);
  BOOST_TEST(choose_docker_tag(images, "busybox", &chosen, &err));  // :latest implied
  BOOST_TEST(chosen == 0u);
  BOOST_TEST(!choose_docker_tag(images, "alpine", &chosen, &err));  // no alpine:latest
  BOOST_TEST(err == R"(the archive has no image tagged "alpine"; its tags: "busybox:latest", "busybox:1.36", "alpine:3.20")");
  BOOST_TEST(!choose_docker_tag(images, "", &chosen, &err));
  BOOST_TEST(err.find("holds 2 images") != std::string::npos);
  images.resize(1);
  BOOST_TEST(choose_docker_tag(images, "", &chosen, &err));
  BOOST_TEST(chosen == 0u);
}

BOOST_AUTO_TEST_CASE(oci_platform_choice) {
  size_t chosen = 9;
  std::string err;
  const std::vector<OciDescriptor> list = {entry("", "linux", "arm64"), entry("", "unknown", "unknown"),
                                           entry("", "linux", "arm", "v6"), entry("", "linux", "arm", "v7"),
                                           entry("", "linux", "amd64"), entry("", "windows", "amd64")};
  BOOST_TEST(choose_oci_platform(list, "amd64", "", &chosen, &err));
  BOOST_TEST(chosen == 4u);
  BOOST_TEST(choose_oci_platform(list, "arm", "v7", &chosen, &err));
  BOOST_TEST(chosen == 3u);
  BOOST_TEST(!choose_oci_platform(list, "s390x", "", &chosen, &err));
  BOOST_TEST(err.find("not made for linux/s390x") != std::string::npos);
  BOOST_TEST(err.find("\"linux/arm/v7\"") != std::string::npos);
  // An entry that names no platform is taken for the host's.
  BOOST_TEST(choose_oci_platform({entry("latest")}, "riscv64", "", &chosen, &err));
  BOOST_TEST(chosen == 0u);
  std::string arch, variant;
  oci_platform_for_machine("x86_64", &arch, &variant);
  BOOST_TEST((arch == "amd64" && variant.empty()));
  oci_platform_for_machine("aarch64", &arch, &variant);
  BOOST_TEST((arch == "arm64" && variant == "v8"));
}

// ------------------------------------------------------------ whiteouts

struct WhiteoutCase {
  std::string path;
  Whiteout kind;
  std::string target;
};
std::ostream& operator<<(std::ostream& os, const WhiteoutCase& c) { return os << c.path; }

const WhiteoutCase kWhiteoutCases[] = {
    {"etc/passwd", Whiteout::kNone, ""},
    {"etc/.wh.removed", Whiteout::kRemove, "etc/removed"},
    {".wh.top", Whiteout::kRemove, "top"},
    {"opt/data/.wh..wh..opq", Whiteout::kOpaque, "opt/data"},
    {".wh..wh..opq", Whiteout::kOpaque, ""},  // the root itself
    {"a/.wh..wh.plnk", Whiteout::kSkip, ""},   // aufs' bookkeeping
    {"a/.wh.", Whiteout::kSkip, ""},
    {"a/.wh...", Whiteout::kSkip, ""},         // ".." is no name
    {"a/.whx", Whiteout::kNone, ""},
    {"a/x.wh.y", Whiteout::kNone, ""},
    {".wh.dir/file", Whiteout::kNone, ""},    // only the last segment counts
};

BOOST_DATA_TEST_CASE(whiteout_table, boost::unit_test::data::make(kWhiteoutCases), c) {
  std::string target;
  BOOST_TEST((classify_whiteout(c.path, &target) == c.kind));
  if (c.kind == Whiteout::kRemove || c.kind == Whiteout::kOpaque) BOOST_TEST(target == c.target);
}

// ------------------------------------------------------------ the config

BOOST_AUTO_TEST_CASE(oci_config_lines_carry_what_uxc_can_hold) {
  OciImageConfig c;
  c.entrypoint = {"/docker-entrypoint.sh"};
  c.cmd = {"nginx", "-g", "daemon-off;"};
  c.env = {"PATH=/usr/local/bin:/usr/bin", "EMPTY=", "BAD NAME=x", "NOEQUALS", "TAB=a\tb", "TRAIL=x "};
  c.working_dir = "/srv";
  c.user = "nginx";
  c.stop_signal = "SIGQUIT";
  c.exposed_ports = {"80/tcp"};
  std::vector<std::string> left_out;
  const std::string lines = oci_config_lines(c, &left_out);
  BOOST_TEST(lines ==
             "lxc.init.cmd = /docker-entrypoint.sh nginx -g daemon-off;\n"
             "lxc.environment = PATH=/usr/local/bin:/usr/bin\n"
             "lxc.environment = EMPTY=\n"
             "lxc.init.cwd = /srv\n");
  BOOST_REQUIRE(left_out.size() == 6u);  // the user name is looked up later
  BOOST_TEST(left_out[0].find("\"BAD NAME=x\"") != std::string::npos);
  BOOST_TEST(left_out[4].find("StopSignal") != std::string::npos);
  BOOST_TEST(left_out[5].find("ExposedPorts") != std::string::npos);
  c.working_dir = "srv";  // relative: the key takes only absolute paths
  (void)oci_config_lines(c, &left_out);
  BOOST_TEST(left_out.at(4).find("WorkingDir \"srv\" cannot be an lxc.init.cwd line") != std::string::npos);
}

struct UserCase {
  std::string user;
  std::string lines;  // what oci_config_lines says at once
  bool lookup;        // oci_user_needs_lookup
};
std::ostream& operator<<(std::ostream& os, const UserCase& c) { return os << c.user; }

const UserCase kUserCases[] = {
    {"", "", false},
    {"0", "", false},
    {"0:0", "", false},
    {"root", "", false},
    {"1000:100", "lxc.init.uid = 1000\nlxc.init.gid = 100\n", false},
    {"0:100", "lxc.init.gid = 100\n", false},
    {"1000", "", true},  // its group is in /etc/passwd
    {"nginx", "", true},
    {"nginx:nginx", "", true},
    {"1000:staff", "", true},
    {"root:staff", "", true},
    {"01000:1", "", true},  // not numbers as a person writes them: names
};

BOOST_DATA_TEST_CASE(oci_config_user_table, boost::unit_test::data::make(kUserCases), c) {
  OciImageConfig config;
  config.cmd = {"/bin/true"};
  config.user = c.user;
  std::vector<std::string> left_out;
  BOOST_TEST(oci_config_lines(config, &left_out) == "lxc.init.cmd = /bin/true\n" + c.lines);
  BOOST_TEST(left_out.empty());
  BOOST_TEST(oci_user_needs_lookup(c.user) == c.lookup);
}

struct ResolveCase {
  std::string user;
  bool ok;
  uint32_t uid, gid;
  std::string error;
};
std::ostream& operator<<(std::ostream& os, const ResolveCase& c) { return os << c.user; }

const char kPasswd[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "broken line\n"
    "nginx:x:101:102:nginx:/var/cache/nginx:/sbin/nologin\n"
    "app:x:1000:1000::/home/app:/bin/sh\n"
    "app:x:2000:2000::/home/app2:/bin/sh\n";  // the first line wins
const char kGroup[] = "root:x:0:\nstaff:x:50:app\nnginx:x:102:\nbad\n";

const ResolveCase kResolveCases[] = {
    {"nginx", true, 101, 102, ""},
    {"app", true, 1000, 1000, ""},
    {"app:staff", true, 1000, 50, ""},
    {"app:7", true, 1000, 7, ""},
    {"1000", true, 1000, 1000, ""},      // a listed uid: its group
    {"4242", true, 4242, 0, ""},         // an unlisted uid: group 0, as Docker
    {"4242:staff", true, 4242, 50, ""},
    {"ghost", false, 0, 0, "has no user \"ghost\""},
    {"app:ghosts", false, 0, 0, "has no group \"ghosts\""},
    {"app:", false, 0, 0, "is not USER[:GROUP]"},
    {":staff", false, 0, 0, "is not USER[:GROUP]"},
    {"broken line", false, 0, 0, "has no user"},
};

BOOST_DATA_TEST_CASE(oci_resolve_user_table, boost::unit_test::data::make(kResolveCases), c) {
  uint32_t uid = 99, gid = 99;
  std::string err;
  BOOST_TEST(resolve_oci_user(c.user, kPasswd, kGroup, &uid, &gid, &err) == c.ok);
  if (c.ok) BOOST_TEST((uid == c.uid && gid == c.gid), uid << ":" << gid);
  if (!c.ok) BOOST_TEST(err.find(c.error) != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(oci_config_lines_leave_out_a_command_with_blanks) {
  OciImageConfig c;
  c.cmd = {"/bin/sh", "-c", "echo hello world"};
  c.user = "0:0";
  c.working_dir = "/";
  std::vector<std::string> left_out;
  BOOST_TEST(oci_config_lines(c, &left_out) == "");
  BOOST_REQUIRE(left_out.size() == 1u);
  BOOST_TEST(left_out[0].find("\"echo hello world\"") != std::string::npos);
  c.cmd.clear();
  BOOST_TEST(oci_config_lines(c, &left_out) == "");
  BOOST_TEST(left_out.at(0).find("names no command") != std::string::npos);
  c.cmd = {"/bin/echo", "\xc3\xa9"};  // not ASCII: a config value cannot hold it
  BOOST_TEST(oci_config_lines(c, &left_out) == "");
}

}  // namespace
}  // namespace uxc::policy
