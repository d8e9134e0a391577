#include "policy/oci.h"

#include <algorithm>
#include <climits>

#include "policy/json_reader.h"
#include "policy/passwd.h"
#include "policy/text.h"

namespace uxc::policy {

namespace {

constexpr size_t kMaxDockerPathBytes = 4096;
constexpr size_t kMaxListed = 20;  // tags named in one message

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A member that must be a string when present; "" when absent.
bool optional_string(const JsonValue& object, std::string_view name, std::string* out, std::string* err) {
  const JsonValue* v = object.get(name);
  out->clear();
  if (v == nullptr || v->type == JsonValue::Type::kNull) return true;
  if (!v->is_string()) {
    *err = "\"" + std::string(name) + "\" is not a string";
    return false;
  }
  *out = v->text;
  return true;
}

// A member that must be an array of strings when present (null: empty).
bool optional_strings(const JsonValue& object, std::string_view name, std::vector<std::string>* out,
                      std::string* err) {
  const JsonValue* v = object.get(name);
  out->clear();
  if (v == nullptr || v->type == JsonValue::Type::kNull) return true;
  if (!v->is_array()) {
    *err = "\"" + std::string(name) + "\" is not an array of strings";
    return false;
  }
  for (const auto& item : v->items) {
    if (!item.is_string()) {
      *err = "\"" + std::string(name) + "\" is not an array of strings";
      return false;
    }
    out->push_back(item.text);
  }
  return true;
}

// An object's member names (Docker's ExposedPorts and Volumes are sets
// written as objects of empty objects).
bool optional_set(const JsonValue& object, std::string_view name, std::vector<std::string>* out, std::string* err) {
  const JsonValue* v = object.get(name);
  out->clear();
  if (v == nullptr || v->type == JsonValue::Type::kNull) return true;
  if (!v->is_object()) {
    *err = "\"" + std::string(name) + "\" is not an object";
    return false;
  }
  for (const auto& [key, value] : v->members) out->push_back(key);
  return true;
}

bool parse_descriptor(const JsonValue& v, OciDescriptor* d, std::string* err) {
  if (!v.is_object()) {
    *err = "a descriptor is not an object";
    return false;
  }
  const JsonValue* size = v.get("size");
  if (!optional_string(v, "mediaType", &d->media_type, err) || !optional_string(v, "digest", &d->digest, err))
    return false;
  if (!parse_oci_digest(d->digest, &d->hex)) {
    *err = "the digest " + quote_arg(d->digest) + " is not sha256:HEX (64 lower-case hex digits)";
    return false;
  }
  // OCI's sizes are int64: a larger one is no size.
  if (size == nullptr || !json_to_u64(*size, &d->size) || d->size > static_cast<uint64_t>(INT64_MAX)) {
    *err = "the descriptor of " + d->digest + " has no valid size";
    return false;
  }
  if (const JsonValue* annotations = v.get("annotations"); annotations != nullptr) {
    if (!annotations->is_object()) {
      *err = "the annotations of " + d->digest + " are not an object";
      return false;
    }
    if (!optional_string(*annotations, "org.opencontainers.image.ref.name", &d->ref_name, err)) return false;
  }
  if (const JsonValue* platform = v.get("platform"); platform != nullptr) {
    if (!platform->is_object()) {
      *err = "the platform of " + d->digest + " is not an object";
      return false;
    }
    if (!optional_string(*platform, "os", &d->os, err) ||
        !optional_string(*platform, "architecture", &d->architecture, err) ||
        !optional_string(*platform, "variant", &d->variant, err))
      return false;
  }
  return true;
}

bool parse_object(std::string_view text, JsonValue* root, std::string* err) {
  if (!parse_json(text, kMaxOciJsonBytes, root, err)) return false;
  if (!root->is_object()) {
    *err = "not a JSON object";
    return false;
  }
  return true;
}

bool check_schema_version(const JsonValue& root, std::string* err) {
  const JsonValue* version = root.get("schemaVersion");
  uint64_t n = 0;
  if (version == nullptr || !json_to_u64(*version, &n) || n != 2) {
    *err = "schemaVersion is not 2";
    return false;
  }
  return true;
}

bool is_layer_type(std::string_view t) {
  static constexpr std::string_view kLayerTypes[] = {
      "application/vnd.oci.image.layer.v1.tar",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+zstd",
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
      "application/vnd.docker.image.rootfs.diff.tar",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  };
  return std::find(std::begin(kLayerTypes), std::end(kLayerTypes), t) != std::end(kLayerTypes);
}

bool is_safe_archive_path(std::string_view path) {
  if (path.empty() || path.size() > kMaxDockerPathBytes || path.front() == '/') return false;
  size_t start = 0;
  for (;;) {
    const size_t end = path.find('/', start);
    const std::string_view segment = path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return std::all_of(path.begin(), path.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kMaxListed; ++i) out += (i == 0 ? "" : ", ") + quote_arg(names[i]);
  if (names.size() > kMaxListed) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

bool is_blank_free_ascii(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool is_env_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

bool is_printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

bool parse_oci_digest(std::string_view digest, std::string* hex) {
  if (!starts_with(digest, "sha256:")) return false;
  const std::string_view h = digest.substr(7);
  if (h.size() != 64 || !is_lower_hex(h)) return false;
  *hex = std::string(h);
  return true;
}

OciKind oci_kind(std::string_view media_type) {
  if (media_type == "application/vnd.oci.image.index.v1+json" ||
      media_type == "application/vnd.docker.distribution.manifest.list.v2+json")
    return OciKind::kIndex;
  if (media_type == "application/vnd.oci.image.manifest.v1+json" ||
      media_type == "application/vnd.docker.distribution.manifest.v2+json")
    return OciKind::kManifest;
  return OciKind::kOther;
}

bool parse_oci_layout(std::string_view text, std::string* err) {
  JsonValue root;
  if (!parse_object(text, &root, err)) return false;
  std::string version;
  if (!optional_string(root, "imageLayoutVersion", &version, err)) return false;
  if (!starts_with(version, "1.")) {
    *err = "imageLayoutVersion is " + (version.empty() ? std::string("missing") : quote_arg(version)) +
           ", not 1.x";
    return false;
  }
  return true;
}

bool parse_oci_index(std::string_view text, std::vector<OciDescriptor>* manifests, std::string* err) {
  manifests->clear();
  JsonValue root;
  if (!parse_object(text, &root, err) || !check_schema_version(root, err)) return false;
  const JsonValue* list = root.get("manifests");
  if (list == nullptr || !list->is_array()) {
    *err = "\"manifests\" is not an array";
    return false;
  }
  for (const auto& item : list->items) {
    OciDescriptor d;
    if (!parse_descriptor(item, &d, err)) return false;
    manifests->push_back(std::move(d));
  }
  if (manifests->empty()) {
    *err = "it lists no image";
    return false;
  }
  return true;
}

bool parse_oci_manifest(std::string_view text, OciManifest* out, std::string* err) {
  *out = OciManifest{};
  JsonValue root;
  if (!parse_object(text, &root, err) || !check_schema_version(root, err)) return false;
  std::string media_type;
  if (!optional_string(root, "mediaType", &media_type, err)) return false;
  if (!media_type.empty() && oci_kind(media_type) != OciKind::kManifest) {
    *err = "its mediaType " + quote_arg(media_type) + " is not an image manifest's";
    return false;
  }
  const JsonValue* config = root.get("config");
  if (config == nullptr || !parse_descriptor(*config, &out->config, err)) {
    if (config == nullptr) *err = "it has no config";
    return false;
  }
  if (out->config.media_type != "application/vnd.oci.image.config.v1+json" &&
      out->config.media_type != "application/vnd.docker.container.image.v1+json") {
    *err = "its config is a " + quote_arg(out->config.media_type) + ", not an image config: it is no container image";
    return false;
  }
  const JsonValue* layers = root.get("layers");
  if (layers == nullptr || !layers->is_array()) {
    *err = "\"layers\" is not an array";
    return false;
  }
  for (const auto& item : layers->items) {
    OciDescriptor d;
    if (!parse_descriptor(item, &d, err)) return false;
    if (!is_layer_type(d.media_type)) {
      *err = "its layer " + d.digest + " is a " + quote_arg(d.media_type) + ", not a tarball uxc can apply";
      return false;
    }
    out->layers.push_back(std::move(d));
  }
  if (out->layers.empty()) {
    *err = "it has no layers";
    return false;
  }
  return true;
}

bool parse_oci_image_config(std::string_view text, OciImageConfig* out, std::string* err) {
  *out = OciImageConfig{};
  JsonValue root;
  if (!parse_object(text, &root, err)) return false;
  if (!optional_string(root, "os", &out->os, err) ||
      !optional_string(root, "architecture", &out->architecture, err) ||
      !optional_string(root, "variant", &out->variant, err))
    return false;
  if (const JsonValue* c = root.get("config"); c != nullptr && c->type != JsonValue::Type::kNull) {
    if (!c->is_object()) {
      *err = "\"config\" is not an object";
      return false;
    }
    if (!optional_strings(*c, "Entrypoint", &out->entrypoint, err) || !optional_strings(*c, "Cmd", &out->cmd, err) ||
        !optional_strings(*c, "Env", &out->env, err) || !optional_string(*c, "WorkingDir", &out->working_dir, err) ||
        !optional_string(*c, "User", &out->user, err) || !optional_string(*c, "StopSignal", &out->stop_signal, err) ||
        !optional_set(*c, "ExposedPorts", &out->exposed_ports, err) || !optional_set(*c, "Volumes", &out->volumes, err))
      return false;
  }
  const JsonValue* rootfs = root.get("rootfs");
  if (rootfs == nullptr || !rootfs->is_object()) {
    *err = "\"rootfs\" is missing";
    return false;
  }
  std::string type;
  if (!optional_string(*rootfs, "type", &type, err)) return false;
  if (type != "layers") {
    *err = "rootfs.type is not \"layers\"";
    return false;
  }
  if (!optional_strings(*rootfs, "diff_ids", &out->diff_ids, err)) return false;
  std::string hex;
  for (const auto& id : out->diff_ids) {
    if (!parse_oci_digest(id, &hex)) {
      *err = "the diff_id " + quote_arg(id) + " is not sha256:HEX";
      return false;
    }
  }
  return true;
}

bool parse_docker_manifest(std::string_view text, std::vector<DockerImage>* images, std::string* err) {
  images->clear();
  JsonValue root;
  if (!parse_json(text, kMaxOciJsonBytes, &root, err)) return false;
  if (!root.is_array() || root.items.empty()) {
    *err = "not a list of images";
    return false;
  }
  for (const auto& item : root.items) {
    if (!item.is_object()) {
      *err = "an image is not an object";
      return false;
    }
    DockerImage image;
    if (!optional_string(item, "Config", &image.config, err) ||
        !optional_strings(item, "RepoTags", &image.repo_tags, err) ||
        !optional_strings(item, "Layers", &image.layers, err))
      return false;
    if (!is_safe_archive_path(image.config)) {
      *err = "the config path " + quote_arg(image.config) + " is not a path inside the archive";
      return false;
    }
    if (image.layers.empty()) {
      *err = "the image of " + quote_arg(image.config) + " has no layers";
      return false;
    }
    for (const auto& layer : image.layers) {
      if (!is_safe_archive_path(layer)) {
        *err = "the layer path " + quote_arg(layer) + " is not a path inside the archive";
        return false;
      }
    }
    images->push_back(std::move(image));
  }
  return true;
}

std::string docker_path_digest(std::string_view path) {
  std::string_view hex;
  if (starts_with(path, "blobs/sha256/")) hex = path.substr(13);
  else if (ends_with(path, ".json")) hex = path.substr(0, path.size() - 5);
  if (hex.size() != 64 || !is_lower_hex(hex)) return "";
  return std::string(hex);
}

bool choose_oci_tag(const std::vector<OciDescriptor>& manifests, std::string_view tag,
                    std::vector<OciDescriptor>* chosen, std::string* err) {
  chosen->clear();
  std::vector<std::string> names;
  for (const auto& m : manifests)
    if (!m.ref_name.empty() && std::find(names.begin(), names.end(), m.ref_name) == names.end())
      names.push_back(m.ref_name);
  if (tag.empty()) {
    if (names.size() > 1) {
      *err = "the layout holds " + std::to_string(names.size()) + " images (" + list_names(names) +
             "): name one as PATH:TAG";
      return false;
    }
    *chosen = manifests;
    return true;
  }
  for (const auto& m : manifests)
    if (m.ref_name == tag) chosen->push_back(m);
  if (!chosen->empty()) return true;
  *err = "the layout has no image tagged " + quote_arg(tag) +
         (names.empty() ? std::string(" (its images have no tags: leave :TAG out)") : "; its tags: " + list_names(names));
  return false;
}

bool choose_docker_tag(const std::vector<DockerImage>& images, std::string_view tag, size_t* chosen,
                       std::string* err) {
  std::vector<std::string> names;
  for (const auto& image : images)
    for (const auto& t : image.repo_tags) names.push_back(t);
  if (tag.empty()) {
    if (images.size() > 1) {
      *err = "the archive holds " + std::to_string(images.size()) + " images" +
             (names.empty() ? std::string(" without tags") : " (" + list_names(names) + ")") +
             ": name one as PATH:TAG";
      return false;
    }
    *chosen = 0;
    return true;
  }
  const std::string with_latest = tag.find(':') == std::string_view::npos ? std::string(tag) + ":latest" : "";
  for (size_t i = 0; i < images.size(); ++i)
    for (const auto& t : images[i].repo_tags)
      if (t == tag || (!with_latest.empty() && t == with_latest)) {
        *chosen = i;
        return true;
      }
  *err = "the archive has no image tagged " + quote_arg(tag) +
         (names.empty() ? std::string(" (its image has no tags: leave :TAG out)") : "; its tags: " + list_names(names));
  return false;
}

bool choose_oci_platform(const std::vector<OciDescriptor>& manifests, std::string_view arch, std::string_view variant,
                         size_t* chosen, std::string* err) {
  std::vector<size_t> fitting;
  std::vector<std::string> offered;
  for (size_t i = 0; i < manifests.size(); ++i) {
    const OciDescriptor& m = manifests[i];
    if (m.os.empty() && m.architecture.empty()) {
      fitting.push_back(i);
      continue;
    }
    offered.push_back(m.os + "/" + m.architecture + (m.variant.empty() ? "" : "/" + m.variant));
    if (m.os == "linux" && m.architecture == arch) fitting.push_back(i);
  }
  if (fitting.empty()) {
    *err = "the image is not made for linux/" + std::string(arch) + " (it is for " + list_names(offered) + ")";
    return false;
  }
  *chosen = fitting.front();
  if (fitting.size() > 1 && !variant.empty())
    for (size_t i : fitting)
      if (manifests[i].variant == variant) {
        *chosen = i;
        break;
      }
  return true;
}

void oci_platform_for_machine(std::string_view machine, std::string* arch, std::string* variant) {
  static constexpr struct {
    std::string_view machine, arch, variant;
  } kMachines[] = {
      {"x86_64", "amd64", ""},   {"aarch64", "arm64", "v8"}, {"armv7l", "arm", "v7"},     {"armv6l", "arm", "v6"},
      {"i686", "386", ""},       {"i586", "386", ""},        {"i386", "386", ""},         {"ppc64le", "ppc64le", ""},
      {"s390x", "s390x", ""},    {"riscv64", "riscv64", ""}, {"mips64", "mips64", ""},    {"loongarch64", "loong64", ""},
  };
  for (const auto& m : kMachines)
    if (m.machine == machine) {
      *arch = std::string(m.arch);
      *variant = std::string(m.variant);
      return;
    }
  *arch = std::string(machine);
  variant->clear();
}

Whiteout classify_whiteout(std::string_view path, std::string* target) {
  const size_t slash = path.rfind('/');
  const std::string_view dir = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (!starts_with(base, ".wh.")) return Whiteout::kNone;
  if (base == ".wh..wh..opq") {
    *target = std::string(dir);
    return Whiteout::kOpaque;
  }
  if (starts_with(base, ".wh..wh.")) return Whiteout::kSkip;
  const std::string_view name = base.substr(4);
  if (name.empty() || name == "." || name == "..") return Whiteout::kSkip;
  *target = dir.empty() ? std::string(name) : std::string(dir) + "/" + std::string(name);
  return Whiteout::kRemove;
}

bool oci_user_needs_lookup(std::string_view user) {
  uint32_t uid = 0, gid = 0;
  const size_t colon = user.find(':');
  if (user.empty() || user == "0" || user == "root") return false;
  return !(colon != std::string_view::npos && parse_u32(user.substr(0, colon), &uid) &&
           parse_u32(user.substr(colon + 1), &gid));
}

namespace {

// group(5): NAME:PASSWORD:GID:MEMBERS; the first line for `name` wins.
bool group_id(std::string_view group, std::string_view name, uint32_t* gid) {
  size_t start = 0;
  while (start < group.size()) {
    size_t end = group.find('\n', start);
    if (end == std::string_view::npos) end = group.size();
    const std::string_view line = group.substr(start, end - start);
    start = end + 1;
    const size_t a = line.find(':');
    const size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    const size_t c = b == std::string_view::npos ? b : line.find(':', b + 1);
    if (c == std::string_view::npos || line.substr(0, a) != name) continue;
    if (parse_u32(line.substr(b + 1, c - b - 1), gid)) return true;
  }
  return false;
}

// passwd(5): the first line for `name` (or, numeric, for the uid).
bool passwd_entry(std::string_view passwd, std::string_view name, bool by_uid, uint32_t uid, PasswdEntry* out) {
  size_t start = 0;
  while (start < passwd.size()) {
    size_t end = passwd.find('\n', start);
    if (end == std::string_view::npos) end = passwd.size();
    const std::string_view line = passwd.substr(start, end - start);
    start = end + 1;
    std::string why;
    if (!parse_passwd_line(line, out, &why)) continue;
    if (by_uid ? out->uid == uid : out->name == name) return true;
  }
  return false;
}

}  // namespace

bool resolve_oci_user(std::string_view user, std::string_view passwd, std::string_view group, uint32_t* uid,
                      uint32_t* gid, std::string* err) {
  const size_t colon = user.find(':');
  const std::string_view u = user.substr(0, colon);
  const std::string_view g = colon == std::string_view::npos ? std::string_view() : user.substr(colon + 1);
  if (u.empty() || (colon != std::string_view::npos && g.empty())) {
    *err = "User " + quote_arg(user) + " is not USER[:GROUP]";
    return false;
  }
  PasswdEntry entry;
  const bool numeric_user = parse_u32(u, uid);
  const bool found = passwd_entry(passwd, u, numeric_user, *uid, &entry);
  if (!numeric_user) {
    if (!found) {
      *err = "User " + quote_arg(user) + ": the image's /etc/passwd has no user " + quote_arg(u);
      return false;
    }
    *uid = entry.uid;
  }
  // Docker's rule: without a group, the user's own from /etc/passwd, or 0.
  *gid = found ? entry.gid : 0;
  if (g.empty() || parse_u32(g, gid)) return true;
  if (group_id(group, g, gid)) return true;
  *err = "User " + quote_arg(user) + ": the image's /etc/group has no group " + quote_arg(g);
  return false;
}

std::string oci_config_lines(const OciImageConfig& config, std::vector<std::string>* left_out) {
  std::string out;
  left_out->clear();
  std::vector<std::string> argv = config.entrypoint;
  argv.insert(argv.end(), config.cmd.begin(), config.cmd.end());
  if (argv.empty()) {
    left_out->push_back("the image names no command (Entrypoint, Cmd): the container runs /sbin/init");
  } else if (std::all_of(argv.begin(), argv.end(), is_blank_free_ascii)) {
    out += "lxc.init.cmd =";
    for (const auto& a : argv) out += " " + a;
    out += "\n";
  } else {
    std::string shown;
    for (const auto& a : argv) shown += (shown.empty() ? "" : " ") + quote_arg(a);
    left_out->push_back("the image's command " + shown +
                        " has an argument lxc.init.cmd cannot hold (a blank, or not ASCII): give it to uxc start "
                        "after --, or set lxc.init.cmd");
  }
  for (const auto& e : config.env) {
    const size_t eq = e.find('=');
    if (eq != std::string::npos && eq > 0 && is_env_name(std::string_view(e).substr(0, eq)) &&
        is_printable_ascii(e) && trim_blanks(e) == e)
      out += "lxc.environment = " + e + "\n";
    else
      left_out->push_back("the variable " + quote_arg(e) + " cannot be an lxc.environment line: it is left out");
  }
  const std::string& cwd = config.working_dir;
  if (!cwd.empty() && cwd != "/") {
    if (cwd.front() == '/' && is_printable_ascii(cwd) && trim_blanks(cwd) == cwd)
      out += "lxc.init.cwd = " + cwd + "\n";
    else
      left_out->push_back("WorkingDir " + quote_arg(cwd) + " cannot be an lxc.init.cwd line: the command starts in /");
  }
  // User as "UID:GID" becomes lxc.init.uid and lxc.init.gid here; any
  // other form needs the image's /etc/passwd (oci_user_needs_lookup).
  const std::string& u = config.user;
  const size_t colon = u.find(':');
  uint32_t uid = 0, gid = 0;
  if (colon != std::string::npos && parse_u32(std::string_view(u).substr(0, colon), &uid) &&
      parse_u32(std::string_view(u).substr(colon + 1), &gid)) {
    if (uid != 0) out += "lxc.init.uid = " + std::to_string(uid) + "\n";
    if (gid != 0) out += "lxc.init.gid = " + std::to_string(gid) + "\n";
  }
  if (!config.stop_signal.empty())
    left_out->push_back("StopSignal " + quote_arg(config.stop_signal) + " is not carried over: set lxc.signal.halt");
  if (!config.exposed_ports.empty())
    left_out->push_back("ExposedPorts (" + list_names(config.exposed_ports) +
                        ") are not carried over: the container has its own network");
  if (!config.volumes.empty())
    left_out->push_back("Volumes (" + list_names(config.volumes) +
                        ") are not carried over: they are directories of the rootfs; bind others with lxc.mount.entry");
  return out;
}

}  // namespace uxc::policy
