// libFuzzer harness for the documents of an OCI image layout or docker
// save archive: any bytes through the JSON reader and each document
// parser (part 1), the image chosen by a tag (part 2), a layer member's
// path read as a whiteout (part 3), and a User looked up in parts 1 and 3
// as /etc/passwd and /etc/group.
#include <cstdlib>
#include <string>

#include "policy/image.h"
#include "policy/json_reader.h"
#include "policy/oci.h"
#include "security/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace uxc::policy;
  const auto parts = uxc::fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size), 3);
  std::string err, hex;

  JsonValue value;
  if (parse_json(parts[0], kMaxOciJsonBytes, &value, &err)) {
    // A string the reader accepts holds no NUL: names become paths.
    if (value.is_string() && value.text.find('\0') != std::string::npos) std::abort();
  } else if (err.empty()) {
    std::abort();  // every refusal says why
  }

  std::vector<OciDescriptor> manifests;
  if (parse_oci_index(parts[0], &manifests, &err)) {
    for (const auto& m : manifests)
      if (!parse_oci_digest(m.digest, &hex) || hex != m.hex || hex.find('/') != std::string::npos) std::abort();
    std::vector<OciDescriptor> chosen;
    if (choose_oci_tag(manifests, parts[1], &chosen, &err) && chosen.empty()) std::abort();
    size_t pick = 0;
    if (!chosen.empty() && choose_oci_platform(chosen, "amd64", "", &pick, &err) && pick >= chosen.size())
      std::abort();
  }
  OciManifest manifest;
  if (parse_oci_manifest(parts[0], &manifest, &err) && manifest.layers.empty()) std::abort();
  OciImageConfig config;
  if (parse_oci_image_config(parts[0], &config, &err)) {
    std::vector<std::string> left_out;
    const std::string lines = oci_config_lines(config, &left_out);
    // Only whole lines of the init's keys, in printable ASCII: nothing else
    // can reach the container's config.
    size_t start = 0;
    while (start < lines.size()) {
      const size_t end = lines.find('\n', start);
      if (end == std::string::npos) std::abort();
      const std::string line = lines.substr(start, end - start);
      bool known = false;
      for (const char* key : {"lxc.init.cmd = ", "lxc.environment = ", "lxc.init.cwd = /", "lxc.init.uid = ",
                              "lxc.init.gid = "})
        known = known || line.rfind(key, 0) == 0;
      if (!known) std::abort();
      for (char c : line)
        if (c < 0x20 || c > 0x7e) std::abort();
      start = end + 1;
    }
    for (const auto& l : left_out)
      if (l.find('\n') != std::string::npos || l.find('\x1b') != std::string::npos) std::abort();
  }
  std::vector<DockerImage> images;
  if (parse_docker_manifest(parts[0], &images, &err)) {
    for (const auto& i : images)
      for (const auto& l : i.layers) {
        // A path inside the archive, already in the form its members take.
        std::string normal;
        if (!normalize_member_path(l, &normal) || normal != l) std::abort();
      }
    size_t pick = 0;
    if (choose_docker_tag(images, parts[1], &pick, &err) && pick >= images.size()) std::abort();
  }

  // A User looked up in files of the image (parts 1 and 2 as passwd and
  // group): an answer, or a reason.
  uint32_t uid = 0, gid = 0;
  if (!resolve_oci_user(parts[1], parts[0], parts[2], &uid, &gid, &err) && err.empty()) std::abort();

  std::string path, target;
  if (normalize_member_path(parts[2], &path)) {
    const Whiteout w = classify_whiteout(path, &target);
    // A whiteout's target is the member's own directory or a name in it.
    std::string normal;
    if (w == Whiteout::kRemove && (!normalize_member_path(target, &normal) || normal != target || target.empty()))
      std::abort();
    if (w == Whiteout::kOpaque && path.size() < target.size()) std::abort();
  }
  return 0;
}
