#include "policy/rootfs.h"

#include <algorithm>
#include <optional>

#include "policy/config.h"
#include "policy/text.h"

namespace uxc::policy {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// An absolute path a layer may have: printable ASCII, no ',' (overlayfs
// splits its options there), no ":/" (the layer separator), no empty,
// "." or ".." component, no trailing '/'.
bool check_layer_path(std::string_view path, std::string* err) {
  const std::string shown = "'" + std::string(path) + "'";
  if (path.empty() || path.front() != '/') {
    *err = shown + " is not an absolute path";
    return false;
  }
  for (char c : path) {
    if (c < 0x21 || c > 0x7e || c == ',') {
      *err = shown + ": a rootfs path may hold only printable ASCII without blanks or ','";
      return false;
    }
  }
  if (path.find(":/") != std::string_view::npos) {
    *err = shown + ": a rootfs path may not hold ':/'";
    return false;
  }
  if (path.size() > 1 && path.back() == '/') {
    *err = shown + ": remove the trailing '/'";
    return false;
  }
  size_t start = 1;
  while (start <= path.size() && path.size() > 1) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      *err = shown + ": empty, '.' and '..' components are not allowed";
      return false;
    }
    start = end + 1;
  }
  return true;
}

struct ConfigLine {
  std::string_view key;    // trimmed; empty for comments and blanks
  std::string_view value;  // trimmed
  size_t value_pos = 0;    // offset of value in the line
};

ConfigLine read_config_line(std::string_view line) {
  ConfigLine l;
  if (is_blank_or_comment(line)) return l;
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) return l;
  l.key = trim_blanks(line.substr(0, eq));
  l.value = trim_blanks(line.substr(eq + 1));
  l.value_pos = l.value.empty() ? line.size() : static_cast<size_t>(l.value.data() - line.data());
  return l;
}

bool is_key(std::string_view key, std::string_view name, std::string_view legacy) {
  return key == name || (!legacy.empty() && key == legacy);
}

bool is_hwaddr_key(std::string_view key) {
  return key == "lxc.network.hwaddr" ||
         (starts_with(key, "lxc.net.") && key.size() > 15 && key.substr(key.size() - 7) == ".hwaddr");
}

// Calls `f(line)` for each line of `text` (without its '\n'); `f`
// returns what to write instead, or nullopt to drop the line. Keeps a
// missing final newline missing.
template <typename F>
std::string map_lines(std::string_view text, F f) {
  std::string out;
  out.reserve(text.size() + 128);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool has_newline = end != std::string_view::npos;
    if (!has_newline) end = text.size();
    const std::optional<std::string> replaced = f(text.substr(start, end - start));
    if (replaced) {
      out += *replaced;
      if (has_newline) out += '\n';
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

bool parse_rootfs_path(std::string_view value, RootfsPath* out, std::string* err) {
  *out = RootfsPath{};
  std::string_view rest = value;
  if (starts_with(rest, "overlay:") || starts_with(rest, "overlayfs:")) {
    rest.remove_prefix(rest.find(':') + 1);
    std::vector<std::string> paths;
    while (!rest.empty()) {
      const size_t sep = rest.find(":/");
      paths.emplace_back(rest.substr(0, sep));
      if (sep == std::string_view::npos) break;
      rest.remove_prefix(sep + 1);
    }
    if (paths.size() < 2) {
      *err = "'" + std::string(value) + "': an overlay rootfs needs overlay:/LOWER:/UPPER";
      return false;
    }
    for (const auto& p : paths)
      if (!check_layer_path(p, err)) return false;
    for (size_t i = 0; i < paths.size(); ++i)
      for (size_t j = i + 1; j < paths.size(); ++j)
        if (paths[i] == paths[j]) {
          *err = "'" + paths[i] + "' is more than one layer of the overlay";
          return false;
        }
    if (paths.size() - 1 > kMaxOverlayLowers) {
      *err = "an overlay takes at most " + std::to_string(kMaxOverlayLowers) + " lower layers";
      return false;
    }
    out->overlay = true;
    out->upper = paths.back();
    paths.pop_back();
    out->lowers = std::move(paths);
    if (overlay_work_dir(out->upper) == out->upper ||
        std::find(out->lowers.begin(), out->lowers.end(), overlay_work_dir(out->upper)) != out->lowers.end()) {
      *err = "'" + out->upper + "': the upper layer's directory must have room for olwork beside it";
      return false;
    }
    return true;
  }
  if (starts_with(rest, "dir:")) rest.remove_prefix(4);
  if (rest.empty()) return true;
  if (!check_layer_path(rest, err)) return false;
  out->dir = std::string(rest);
  return true;
}

std::string format_rootfs_path(const RootfsPath& rootfs) {
  if (!rootfs.overlay) return rootfs.dir.empty() ? "" : "dir:" + rootfs.dir;
  std::string out = "overlay:";
  for (const auto& l : rootfs.lowers) out += l + ":";
  return out + rootfs.upper;
}

std::string overlay_work_dir(std::string_view upper) {
  const size_t slash = upper.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/olwork";
  return std::string(upper.substr(0, slash)) + "/olwork";
}

bool path_is_within(std::string_view path, std::string_view dir) {
  if (!starts_with(path, dir)) return false;
  return path.size() == dir.size() || path[dir.size()] == '/' || dir == "/";
}

bool kernel_allows_user_overlay(std::string_view release) {
  return kernel_at_least(release, kUserOverlayMajor, kUserOverlayMinor);
}

bool kernel_at_least(std::string_view release, uint32_t want_major, uint32_t want_minor) {
  uint32_t major = 0, minor = 0;
  const size_t dot = release.find('.');
  if (dot == std::string_view::npos || !parse_u32(release.substr(0, dot), &major)) return false;
  std::string_view rest = release.substr(dot + 1);
  size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
  if (digits == 0 || !parse_u32(rest.substr(0, digits), &minor)) return false;
  return major > want_major || (major == want_major && minor >= want_minor);
}

bool is_valid_snapshot_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && name[0] != '.' && name[0] != '-' && name != "ALL" &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '.' || c == '-';
         });
}

std::string next_snapshot_name(std::span<const std::string> taken) {
  for (size_t n = 0;; ++n) {
    std::string name = "snap" + std::to_string(n);
    if (std::find(taken.begin(), taken.end(), name) == taken.end()) return name;
  }
}

bool parse_layer_list(std::string_view text, std::vector<std::string>* layers, std::string* err) {
  layers->clear();
  std::vector<Line> lines;
  if (!split_lines(text, 4096, &lines, err)) return false;
  for (const Line& l : lines) {
    if (l.text.empty()) continue;
    if (!check_layer_path(l.text, err)) {
      *err = "line " + std::to_string(l.number) + ": " + *err;
      return false;
    }
    layers->emplace_back(l.text);
  }
  if (layers->empty()) {
    *err = "no layers";
    return false;
  }
  if (layers->size() > kMaxOverlayLowers) {
    *err = "more than " + std::to_string(kMaxOverlayLowers) + " layers";
    return false;
  }
  return true;
}

std::string format_layer_list(std::span<const std::string> layers) {
  std::string out;
  for (const auto& l : layers) out += l + "\n";
  return out;
}

std::string set_config_value(std::string_view text, std::string_view key, std::string_view legacy,
                             std::string_view value) {
  bool found = false;
  std::string out = map_lines(text, [&](std::string_view line) -> std::optional<std::string> {
    const ConfigLine l = read_config_line(line);
    if (!is_key(l.key, key, legacy)) return std::string(line);
    if (value.empty() || found) return std::nullopt;
    found = true;
    return std::string(key) + " = " + std::string(value);
  });
  if (found || value.empty()) return out;
  // After the leading comments (a header), before the first setting.
  size_t pos = 0;
  while (pos < out.size()) {
    const size_t end = out.find('\n', pos);
    const std::string_view line = std::string_view(out).substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (trim_blanks(line).empty() || trim_blanks(line).front() != '#') break;
    pos = end == std::string::npos ? out.size() : end + 1;
  }
  std::string insert = std::string(key) + " = " + std::string(value) + "\n";
  if (pos == out.size() && !out.empty() && out.back() != '\n') insert = "\n" + insert;
  out.insert(pos, insert);
  return out;
}

std::vector<std::string> config_values(std::string_view text, std::string_view key, std::string_view legacy) {
  std::vector<std::string> values;
  (void)map_lines(text, [&](std::string_view line) -> std::optional<std::string> {
    const ConfigLine l = read_config_line(line);
    if (is_key(l.key, key, legacy)) values.emplace_back(l.value);
    return std::string(line);
  });
  return values;
}

std::vector<std::string> hwaddr_values(std::string_view text) {
  std::vector<std::string> values;
  (void)map_lines(text, [&](std::string_view line) -> std::optional<std::string> {
    const ConfigLine l = read_config_line(line);
    if (is_hwaddr_key(l.key)) values.emplace_back(l.value);
    return std::string(line);
  });
  return values;
}

std::string renew_hwaddr(std::string_view current, std::string_view templ, std::span<const uint8_t> random) {
  if (!is_valid_hwaddr_template(current) ||
      std::any_of(current.begin(), current.end(), [](char c) { return c == 'x' || c == 'X'; }))
    return "";
  bool matches = templ.size() == current.size() && is_valid_hwaddr_template(templ);
  bool has_template_digit = false;
  for (size_t i = 0; matches && i < templ.size(); ++i) {
    if (templ[i] == 'x' || templ[i] == 'X') has_template_digit = true;
    else if (lower(templ[i]) != lower(current[i])) matches = false;
  }
  if (matches && has_template_digit) return fill_hwaddr_template(templ, random);
  std::string fallback(current.substr(0, 9));
  fallback += "xx:xx:xx";
  for (char& c : fallback) c = is_hex(c) ? lower(c) : c;
  return fill_hwaddr_template(fallback, random);
}

std::string copy_config(std::string_view source_text, const CopyEdits& edits, std::span<const uint8_t> random) {
  size_t nic = 0;
  bool first = true;
  std::string body = map_lines(source_text, [&](std::string_view line) -> std::optional<std::string> {
    // create's and copy's header line names where the file came from;
    // the copy gets its own.
    if (first) {
      first = false;
      if (starts_with(line, "# Container ")) return std::nullopt;
    }
    const ConfigLine l = read_config_line(line);
    if (is_key(l.key, "lxc.rootfs.path", "lxc.rootfs") || is_key(l.key, "lxc.ephemeral", "") ||
        (!edits.uts_name.empty() && is_key(l.key, "lxc.uts.name", "lxc.utsname")))
      return std::nullopt;
    if (is_hwaddr_key(l.key) && !edits.keep_macs) {
      const std::string_view templ = nic < edits.hwaddr_templates.size() ? std::string_view(edits.hwaddr_templates[nic]) : "";
      const size_t offset = 12 * nic;
      ++nic;
      const std::string renewed =
          offset + 12 <= random.size() ? renew_hwaddr(l.value, templ, random.subspan(offset, 12)) : "";
      if (!renewed.empty()) return std::string(line.substr(0, l.value_pos)) + renewed;
    }
    return std::string(line);
  });
  std::string out = "# " + edits.header + "\n";
  out += "lxc.rootfs.path = " + edits.rootfs + "\n";
  if (!edits.uts_name.empty()) out += "lxc.uts.name = " + edits.uts_name + "\n";
  if (edits.ephemeral) out += "lxc.ephemeral = 1\n";
  return out + body;
}

}  // namespace uxc::policy
