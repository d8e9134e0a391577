#include "policy/image.h"

#include <fnmatch.h>

#include <algorithm>
#include <set>

#include "policy/text.h"

namespace uxc::policy {

namespace {

bool is_word_byte(char c, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '+' || c == '-' || (colon && c == ':');
}

bool is_word(std::string_view word, bool colon) {
  if (word.empty() || word.size() > 64 || word[0] == '.' || word[0] == '-') return false;
  return std::all_of(word.begin(), word.end(), [colon](char c) { return is_word_byte(c, colon); });
}

std::vector<std::string_view> split_on(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(sep, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

// Levenshtein distance, capped: names longer than 64 bytes never match.
size_t edit_distance(std::string_view a, std::string_view b) {
  if (a.size() > 64 || b.size() > 64) return 1000;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string list_words(const std::set<std::string>& words) {
  std::string out;
  size_t shown = 0;
  for (const auto& w : words) {
    if (shown == 40) {
      out += ", ... (" + std::to_string(words.size() - shown) + " more)";
      break;
    }
    if (!out.empty()) out += ", ";
    out += w;
    ++shown;
  }
  return out;
}

// " (did you mean 'X'?)" for the closest of `words` within two edits, or
// one that `word` is a prefix of.
std::string did_you_mean(std::string_view word, const std::set<std::string>& words) {
  std::string best;
  size_t best_distance = 3;
  for (const auto& w : words) {
    size_t d = edit_distance(word, w);
    if (d >= best_distance && !word.empty() && lowered(w).rfind(lowered(word), 0) == 0) d = 2;
    if (d < best_distance) {
      best_distance = d;
      best = w;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

bool parse_key_value(std::string_view line, std::string_view* key, std::string_view* value) {
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) return false;
  *key = trim_blanks(line.substr(0, eq));
  *value = trim_blanks(line.substr(eq + 1));
  return !key->empty();
}

uint32_t le32(std::string_view bytes, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(bytes[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 3])) << 24;
}

// A meta file's lines: at most kMaxMetaFileBytes in all, 4 KiB a line.
bool split_meta_file(std::string_view text, std::vector<Line>* lines, std::string* err) {
  if (text.size() <= kMaxMetaFileBytes && split_lines(text, 4096, lines, err)) return true;
  if (err->empty()) *err = "larger than " + std::to_string(kMaxMetaFileBytes) + " bytes";
  return false;
}

}  // namespace

bool is_valid_image_word(std::string_view word) { return is_word(word, false); }

bool is_valid_build_id(std::string_view build) { return is_word(build, true); }

bool is_valid_image_path(std::string_view path) {
  if (path.empty() || path.size() > 1024 || path[0] != '/') return false;
  for (char c : path)
    if (!is_word_byte(c, true) && c != '/' && c != '~') return false;
  std::string_view rest = path.substr(1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return false;
  for (auto segment : split_on(rest, '/'))
    if (segment.empty() || segment == "." || segment == "..") return false;
  return true;
}

bool parse_image_index(std::string_view text, std::vector<ImageEntry>* entries, std::vector<std::string>* bad,
                       std::string* err) {
  entries->clear();
  bad->clear();
  if (text.size() > kMaxIndexBytes) {
    *err = "larger than " + std::to_string(kMaxIndexBytes) + " bytes";
    return false;
  }
  std::vector<Line> lines;
  if (!split_lines(text, kMaxIndexLineBytes, &lines, err)) return false;
  size_t bad_count = 0;
  auto reject = [&](size_t number, const std::string& why) {
    if (++bad_count <= 20) bad->push_back(std::to_string(number) + ": " + why);
  };
  for (const Line& line : lines) {
    if (trim_blanks(line.text).empty()) continue;
    const auto fields = split_on(line.text, ';');
    if (fields.size() != 6) {
      reject(line.number, "expected 6 ';'-separated fields, found " + std::to_string(fields.size()));
      continue;
    }
    if (!is_valid_image_word(fields[0]) || !is_valid_image_word(fields[1]) || !is_valid_image_word(fields[2]) ||
        !is_valid_image_word(fields[3])) {
      reject(line.number, "invalid distribution, release, architecture or variant name");
      continue;
    }
    if (!is_valid_build_id(fields[4])) {
      reject(line.number, "invalid build id");
      continue;
    }
    if (!is_valid_image_path(fields[5])) {
      reject(line.number, "invalid image path");
      continue;
    }
    ImageEntry e;
    e.line = line.number;
    e.dist = fields[0];
    e.release = fields[1];
    e.arch = fields[2];
    e.variant = fields[3];
    e.build = fields[4];
    e.path = fields[5];
    if (e.path.back() != '/') e.path += '/';
    entries->push_back(std::move(e));
  }
  if (bad_count > 20) bad->push_back("... and " + std::to_string(bad_count - 20) + " more");
  return true;
}

const ImageEntry* find_image(const std::vector<ImageEntry>& entries, const ImageQuery& query) {
  const ImageEntry* best = nullptr;
  for (const auto& e : entries) {
    if (e.dist != query.dist || e.release != query.release || e.arch != query.arch || e.variant != query.variant)
      continue;
    if (best == nullptr || e.build > best->build) best = &e;
  }
  return best;
}

std::string describe_missing_image(const std::vector<ImageEntry>& entries, const ImageQuery& query,
                                   std::string_view server) {
  const std::string at = " on " + std::string(server);
  if (entries.empty()) return std::string(server) + " offers no images for unprivileged containers (its index is empty)";
  std::set<std::string> dists, releases, arches, variants;
  for (const auto& e : entries) {
    dists.insert(e.dist);
    if (e.dist != query.dist) continue;
    releases.insert(e.release);
    if (e.release != query.release) continue;
    arches.insert(e.arch);
    if (e.arch != query.arch) continue;
    variants.insert(e.variant);
  }
  if (releases.empty())
    return "no distribution '" + query.dist + "'" + at + did_you_mean(query.dist, dists) +
           "; it offers: " + list_words(dists) + " (choose one with -d)";
  if (arches.empty())
    return "no release '" + query.release + "' of " + query.dist + at + did_you_mean(query.release, releases) +
           "; " + query.dist + " releases: " + list_words(releases) + " (choose one with -r)";
  if (variants.empty())
    return query.dist + " " + query.release + " is not offered for " + query.arch + at +
           did_you_mean(query.arch, arches) + "; architectures: " + list_words(arches) + " (choose one with -a)";
  return "no variant '" + query.variant + "' of " + query.dist + " " + query.release + " " + query.arch + at +
         did_you_mean(query.variant, variants) + "; variants: " + list_words(variants) + " (choose one with --variant)";
}

bool parse_sha256sums(std::string_view text, std::map<std::string, std::string>* sums, std::string* err) {
  sums->clear();
  if (text.size() > kMaxMetaFileBytes) {
    *err = "larger than " + std::to_string(kMaxMetaFileBytes) + " bytes";
    return false;
  }
  std::vector<Line> lines;
  if (!split_lines(text, 4096, &lines, err)) return false;
  for (const Line& line : lines) {
    const std::string_view l = line.text;
    if (trim_blanks(l).empty()) continue;
    const std::string where = "line " + std::to_string(line.number) + ": ";
    if (l.size() < 67 || !std::all_of(l.begin(), l.begin() + 64, is_hex) || l[64] != ' ' ||
        (l[65] != ' ' && l[65] != '*')) {
      *err = where + "expected 64 hex digits, two blanks (or \" *\") and a file name";
      return false;
    }
    const std::string name(l.substr(66));
    if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
      *err = where + "control character in the file name";
      return false;
    }
    const std::string sum = lowered(l.substr(0, 64));
    const auto [it, inserted] = sums->emplace(name, sum);
    if (!inserted && it->second != sum) {
      *err = where + name + " is listed twice with different sums";
      return false;
    }
  }
  return true;
}

std::string choose_meta_file(std::string_view base, const std::vector<std::string>& names, int compat) {
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  std::string file(base);
  if (has(file + "-user")) file += "-user";
  if (has(file + "." + std::to_string(compat))) file += "." + std::to_string(compat);
  return has(file) ? file : "";
}

bool normalize_member_path(std::string_view member, std::string* out) {
  if (member.empty() || member.find('\0') != std::string_view::npos) return false;
  std::string result;
  for (auto segment : split_on(member, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") return false;
    if (!result.empty()) result += '/';
    result += segment;
  }
  *out = std::move(result);
  return true;
}

bool parse_template_list(std::string_view text, std::vector<std::string>* paths, std::string* err) {
  paths->clear();
  err->clear();
  std::vector<Line> lines;
  if (!split_meta_file(text, &lines, err)) return false;
  for (const Line& line : lines) {
    const std::string_view l = trim_blanks(line.text);
    if (l.empty()) continue;
    std::string path;
    if (!normalize_member_path(l, &path) || path.empty() || l.find('\r') != std::string_view::npos) {
      *err = "line " + std::to_string(line.number) + ": not a file of the rootfs: " + std::string(l);
      return false;
    }
    if (std::find(paths->begin(), paths->end(), path) == paths->end()) paths->push_back(path);
  }
  return true;
}

bool parse_excludes(std::string_view text, std::vector<std::string>* patterns, std::string* err) {
  patterns->clear();
  err->clear();
  std::vector<Line> lines;
  if (!split_meta_file(text, &lines, err)) return false;
  for (const Line& line : lines) {
    std::string_view l = trim_blanks(line.text);
    if (l.empty()) continue;
    if (l.find('\r') != std::string_view::npos) {
      *err = "line " + std::to_string(line.number) + ": carriage return";
      return false;
    }
    while (l.substr(0, 2) == "./" || l.substr(0, 1) == "/") l.remove_prefix(l[0] == '/' ? 1 : 2);
    while (!l.empty() && l.back() == '/') l.remove_suffix(1);
    if (l.empty()) {
      *err = "line " + std::to_string(line.number) + ": would exclude the whole rootfs";
      return false;
    }
    patterns->emplace_back(l);
  }
  return true;
}

bool is_excluded(std::string_view member, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return false;
  while (member.substr(0, 2) == "./" || member.substr(0, 1) == "/") member.remove_prefix(member[0] == '/' ? 1 : 2);
  while (!member.empty() && member.back() == '/') member.remove_suffix(1);
  if (member.empty()) return false;
  for (const auto& p : patterns) {
    // The member itself, then each directory above it.
    std::string name(member);
    for (;;) {
      if (fnmatch(p.c_str(), name.c_str(), 0) == 0) return true;
      const size_t slash = name.rfind('/');
      if (slash == std::string::npos) break;
      name.resize(slash);
    }
  }
  return false;
}

bool parse_expiry(std::string_view text, uint64_t* when) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return parse_u64(trim_blanks(text), when);
}

std::string substitute_template_values(std::string_view text, const TemplateValues& values) {
  // Longest names first where one is a prefix of another (none are).
  const std::pair<std::string_view, const std::string*> names[] = {
      {"LXC_ROOTFS", &values.rootfs}, {"LXC_PATH", &values.path}, {"LXC_NAME", &values.name}};
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool replaced = false;
    if (text[i] == 'L') {
      for (const auto& [name, value] : names) {
        if (text.substr(i, name.size()) == name) {
          out += *value;
          i += name.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

bool check_image_config(std::string_view text, std::vector<std::string>* errors) {
  errors->clear();
  std::vector<Line> lines;
  std::string err;
  if (text.size() > kMaxMetaFileBytes || !split_lines(text, 4096, &lines, &err)) {
    errors->push_back(err.empty() ? "larger than " + std::to_string(kMaxMetaFileBytes) + " bytes" : err);
    return false;
  }
  for (const Line& line : lines) {
    std::string_view key, value;
    if (is_blank_or_comment(line.text) || !parse_key_value(line.text, &key, &value) || key != "lxc.include") continue;
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    bool shared = false;
    for (std::string_view dir : {"LXC_TEMPLATE_CONFIG/", "/usr/share/lxc/config/"})
      shared = shared || (value.substr(0, dir.size()) == dir && value.find("..") == std::string_view::npos);
    if (!shared)
      errors->push_back("line " + std::to_string(line.number) + ": lxc.include = " + std::string(value) +
                        ": an image may include only LXC's shared configs (LXC_TEMPLATE_CONFIG/...)");
  }
  return errors->empty();
}

bool parse_image_server(std::string_view text, std::string* out, std::string* err) {
  std::string_view s = text;
  const size_t scheme = s.find("://");
  if (scheme != std::string_view::npos) {
    const std::string name = lowered(s.substr(0, scheme));
    if (name != "https") {
      *err = "'" + std::string(text) + "': images come only over HTTPS, give the server as HOST[:PORT]";
      return false;
    }
    s.remove_prefix(scheme + 3);
  }
  if (!s.empty() && s.back() == '/') s.remove_suffix(1);
  auto bad = [&](const std::string& why) {
    *err = "'" + std::string(text) + "' is not a server name: " + why + " (give HOST or HOST:PORT)";
    return false;
  };
  if (s.empty()) return bad("it is empty");
  std::string_view host = s, port;
  if (s[0] == '[') {
    const size_t close = s.find(']');
    if (close == std::string_view::npos) return bad("'[' without ']'");
    host = s.substr(0, close + 1);
    const std::string_view inner = s.substr(1, close - 1);
    if (inner.empty() || inner.size() > 45 ||
        !std::all_of(inner.begin(), inner.end(), [](char c) { return is_hex(c) || c == ':' || c == '.'; }))
      return bad("not an IPv6 address in brackets");
    const std::string_view after = s.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("unexpected text after ']'");
      port = after.substr(1);
      if (port.empty()) return bad("empty port");
    }
  } else {
    const size_t colon = s.find(':');
    if (colon != std::string_view::npos) {
      host = s.substr(0, colon);
      port = s.substr(colon + 1);
      if (port.empty()) return bad("empty port");
    }
    if (host.empty() || host.size() > 253) return bad("the host name is empty or too long");
    for (auto label : split_on(host, '.')) {
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
        return bad("bad host name");
      for (char c : label)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
          return bad("bad host name");
    }
  }
  uint32_t port_number = 0;
  if (!port.empty() && (!parse_u32(port, &port_number) || port_number == 0 || port_number > 65535))
    return bad("the port must be a number from 1 to 65535");
  *out = lowered(host);
  if (!port.empty()) *out += ":" + std::string(port);
  return true;
}

bool parse_download_args(const std::vector<std::string>& args, DownloadArgs* out, std::string* err) {
  *out = DownloadArgs{};
  const struct {
    const char* short_name;
    const char* long_name;
    std::string DownloadArgs::*field;
    const char* what;
  } valued[] = {
      {"-d", "--dist", &DownloadArgs::dist, "distribution"},
      {"-r", "--release", &DownloadArgs::release, "release"},
      {"-a", "--arch", &DownloadArgs::arch, "architecture"},
      {nullptr, "--variant", &DownloadArgs::variant, "variant"},
      {nullptr, "--server", &DownloadArgs::server, "server"},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--flush-cache") {
      out->flush_cache = true;
      continue;
    }
    if (a == "--force-cache") {
      out->force_cache = true;
      continue;
    }
    if (a == "--no-cache") {
      out->no_cache = true;
      continue;
    }
    if (a == "-l" || a == "--list") {
      out->list = true;
      continue;
    }
    bool known = false;
    for (const auto& v : valued) {
      std::string value;
      if ((v.short_name != nullptr && a == v.short_name) || a == v.long_name) {
        if (i + 1 == args.size()) {
          *err = a + " needs a " + v.what;
          return false;
        }
        value = args[++i];
      } else if (a.rfind(std::string(v.long_name) + "=", 0) == 0) {
        value = a.substr(std::string(v.long_name).size() + 1);
      } else {
        continue;
      }
      known = true;
      if (v.field == &DownloadArgs::server) {
        if (!parse_image_server(value, &out->server, err)) return false;
      } else if (!is_valid_image_word(value)) {
        *err = "'" + value + "' is not a valid " + v.what + " name";
        return false;
      } else {
        out->*(v.field) = value;
      }
      break;
    }
    if (!known) {
      *err = a.empty() || a[0] != '-' ? "unexpected argument '" + a + "'" : "unknown option " + a;
      *err += " for the download template (it takes -d DIST -r RELEASE [-a ARCH] [--variant V] [--server HOST] "
              "[--flush-cache|--force-cache|--no-cache], or --list)";
      return false;
    }
  }
  if (out->list) {
    if (out->flush_cache || out->force_cache || out->no_cache) {
      *err = "--list asks the server for its images: it takes -d, -r, -a, --variant and --server as filters, "
             "not --flush-cache, --force-cache or --no-cache";
      return false;
    }
    return true;
  }
  if (static_cast<int>(out->flush_cache) + static_cast<int>(out->force_cache) + static_cast<int>(out->no_cache) > 1) {
    *err = "--flush-cache, --force-cache and --no-cache exclude each other: give one";
    return false;
  }
  if (out->dist.empty() || out->release.empty()) {
    *err = "the download template needs -d DIST and -r RELEASE (for example: -- -d debian -r bookworm)";
    return false;
  }
  return true;
}

std::vector<ImageEntry> filter_images(const std::vector<ImageEntry>& entries, const ImageQuery& filter) {
  std::vector<ImageEntry> out;
  for (const ImageEntry& e : entries)
    if ((filter.dist.empty() || e.dist == filter.dist) && (filter.release.empty() || e.release == filter.release) &&
        (filter.arch.empty() || e.arch == filter.arch) && (filter.variant.empty() || e.variant == filter.variant))
      out.push_back(e);
  return out;
}

std::string format_image_list(const std::vector<ImageEntry>& entries) {
  std::string out = "---\nDIST\tRELEASE\tARCH\tVARIANT\tBUILD\n---\n";
  for (const ImageEntry& e : entries)
    out += e.dist + "\t" + e.release + "\t" + e.arch + "\t" + e.variant + "\t" + e.build + "\n";
  return out + "---\n";
}

bool parse_local_args(const std::vector<std::string>& args, LocalArgs* out, std::string* err) {
  *out = LocalArgs{};
  std::string operand;
  bool fstree_given = false;
  const char* const usage = " (the local template takes -m META -f ROOTFS, or the rootfs alone: PATH)";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string* field = nullptr;
    std::string value;
    const char* what = nullptr;
    if (a == "-m" || a == "--metadata" || a.rfind("--metadata=", 0) == 0) {
      field = &out->metadata;
      what = "-m";
    } else if (a == "-f" || a == "--fstree" || a.rfind("--fstree=", 0) == 0) {
      field = &out->rootfs;
      what = "-f";
      fstree_given = true;
    }
    if (field != nullptr) {
      const size_t eq = a.find('=');
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        *err = a + " needs a path" + usage;
        return false;
      }
      if (value.empty() || value.find('\0') != std::string::npos) {
        *err = std::string(what) + " needs a path, not '" + value + "'" + usage;
        return false;
      }
      if (!field->empty()) {
        *err = std::string(what) + " is given twice" + usage;
        return false;
      }
      *field = value;
      continue;
    }
    if (!a.empty() && a[0] == '-') {
      *err = "unknown option " + a + usage;
      return false;
    }
    if (!operand.empty() || a.empty() || a.find('\0') != std::string::npos) {
      *err = "unexpected argument '" + a + "'" + usage;
      return false;
    }
    operand = a;
  }
  if (!operand.empty() && fstree_given) {
    *err = "give the rootfs once: -f ROOTFS or PATH, not both" + std::string(usage);
    return false;
  }
  if (!operand.empty()) out->rootfs = operand;
  if (out->rootfs.empty()) {
    *err = out->metadata.empty() ? std::string("-t local needs the rootfs: uxc create -n NAME -t local -- PATH, "
                                               "or -- -m META -f ROOTFS")
                                 : std::string("-m META needs the rootfs that goes with it: -f ROOTFS");
    return false;
  }
  return true;
}

std::string image_arch_for_machine(std::string_view machine) {
  static const struct {
    const char* machine;
    const char* arch;
  } kArches[] = {
      {"x86_64", "amd64"},    {"i386", "i386"},       {"i486", "i386"},     {"i586", "i386"},
      {"i686", "i386"},       {"aarch64", "arm64"},   {"arm64", "arm64"},   {"armv7l", "armhf"},
      {"armv8l", "armhf"},    {"armv6l", "armel"},    {"ppc64le", "ppc64el"}, {"s390x", "s390x"},
      {"riscv64", "riscv64"}, {"loongarch64", "loong64"},
  };
  for (const auto& a : kArches)
    if (machine == a.machine) return a.arch;
  return std::string(machine);
}

bool file_capability_for_namespace(std::string_view value, std::string* out) {
  constexpr uint32_t kRevisionMask = 0xFF000000;
  constexpr uint32_t kRevision1 = 0x01000000, kRevision2 = 0x02000000, kRevision3 = 0x03000000;
  if (value.size() < 4) return false;
  const uint32_t magic = le32(value, 0);
  const uint32_t revision = magic & kRevisionMask;
  if ((revision == kRevision1 && value.size() == 12) || (revision == kRevision2 && value.size() == 20)) {
    *out = std::string(value);
    return true;
  }
  if (revision != kRevision3 || value.size() != 24) return false;
  const uint32_t v2 = (magic & ~kRevisionMask) | kRevision2;
  std::string result(value.substr(0, 20));
  for (int i = 0; i < 4; ++i) result[static_cast<size_t>(i)] = static_cast<char>((v2 >> (8 * i)) & 0xFF);
  *out = std::move(result);
  return true;
}

OsRelease parse_os_release(std::string_view text) {
  OsRelease out;
  std::vector<Line> lines;
  std::string err;
  if (text.size() > kMaxMetaFileBytes || !split_lines(text, 4096, &lines, &err)) return out;
  for (const Line& line : lines) {
    const std::string_view l = trim_blanks(line.text);
    const size_t eq = l.find('=');
    if (l.empty() || l[0] == '#' || eq == std::string_view::npos) continue;
    const std::string_view key = l.substr(0, eq);
    std::string_view raw = l.substr(eq + 1);
    std::string value;
    if (raw.size() >= 2 && (raw.front() == '"' || raw.front() == '\'') && raw.back() == raw.front()) {
      const char quote = raw.front();
      raw = raw.substr(1, raw.size() - 2);
      for (size_t i = 0; i < raw.size(); ++i) {
        if (quote == '"' && raw[i] == '\\' && i + 1 < raw.size()) ++i;
        value += raw[i];
      }
    } else {
      value = std::string(raw);
    }
    if (key == "ID") out.id = value;
    else if (key == "VERSION_CODENAME") out.version_codename = value;
    else if (key == "VERSION_ID") out.version_id = value;
  }
  return out;
}

std::string elf_image_arch(std::string_view header) {
  if (header.size() < 20 || header.substr(0, 4) != std::string_view("\x7f" "ELF", 4)) return "";
  const int elf_class = static_cast<unsigned char>(header[4]);  // 1: 32-bit, 2: 64-bit
  const int data = static_cast<unsigned char>(header[5]);       // 1: little-endian, 2: big-endian
  const auto b0 = static_cast<unsigned char>(header[18]), b1 = static_cast<unsigned char>(header[19]);
  const unsigned machine = data == 2 ? (b0 << 8 | b1) : (b1 << 8 | b0);
  switch (machine) {
    case 62: return elf_class == 2 ? "amd64" : "";
    case 3: return "i386";
    case 183: return elf_class == 2 ? "arm64" : "";
    case 40: return "armhf";
    case 21: return elf_class == 2 && data == 1 ? "ppc64el" : "";
    case 22: return elf_class == 2 ? "s390x" : "";
    case 243: return elf_class == 2 ? "riscv64" : "";
    case 258: return elf_class == 2 ? "loong64" : "";
    default: return "";
  }
}

}  // namespace uxc::policy
