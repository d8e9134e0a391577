#include "policy/settings.h"

#include <ini.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <vector>

#include "policy/names.h"
#include "policy/text.h"

namespace uxc::policy {

static_assert(kMaxSettingsLineBytes + 2 <= INI_MAX_LINE, "a line, '\\n' and NUL must fit inih's buffer");

namespace {

char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// One known key: its section, its name, and what its value sets.
template <typename Settings>
struct SettingSpec {
  std::string_view section;
  std::string_view key;
  bool (*apply)(std::string_view value, Settings* out, std::string* why);
};

bool set_template(std::string_view v, UserSettings* out, std::string* why) {
  const bool ok = !v.empty() && v.size() <= 32 && v.front() >= 'a' && v.front() <= 'z' &&
                  std::all_of(v.begin(), v.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
                  });
  if (!ok) {
    *why = "'" + std::string(v) + "' is not a template name (busybox, local, ...)";
    return false;
  }
  out->default_template = std::string(v);
  return true;
}

// HOST or HOST:PORT, HOST a DNS name or an IPv4 address: what LXC's
// download template puts between "https://" and "/meta/".
bool valid_image_server(std::string_view v, std::string* why) {
  const size_t colon = v.find(':');
  const std::string_view host = v.substr(0, colon);
  uint32_t port = 443;
  const bool ok = is_valid_hostname(host) && host.find("..") == std::string_view::npos &&
                  host.back() != '.' && host.back() != '-' &&
                  (colon == std::string_view::npos ||
                   (parse_u32(v.substr(colon + 1), &port) && port >= 1 && port <= 65535));
  if (!ok) {
    *why = "'" + std::string(v) + "' is not HOST or HOST:PORT, like " + std::string(kDefaultImageServer);
    return false;
  }
  return true;
}

bool set_image_server(std::string_view v, UserSettings* out, std::string* why) {
  if (!valid_image_server(v, why)) return false;
  out->image_server = std::string(v);
  out->image_server_given = true;
  return true;
}

bool set_admin_image_server(std::string_view v, AdminSettings* out, std::string* why) {
  if (!valid_image_server(v, why)) return false;
  out->image_server = std::string(v);
  return true;
}

bool set_escape(std::string_view v, UserSettings* out, std::string* why) {
  if (!parse_escape_key(v, &out->console_escape)) {
    *why = "'" + std::string(v) + "' is not a letter: use a (or ^a) for Ctrl+a";
    return false;
  }
  return true;
}

bool set_log_level(std::string_view v, UserSettings* out, std::string* why) {
  int level = 0;
  if (!parse_log_level(v, &level)) {
    *why = "'" + std::string(v) + "' is not one of TRACE DEBUG INFO NOTICE WARN ERROR CRIT ALERT FATAL";
    return false;
  }
  out->log_level = std::string(kLogLevelNames[level]);
  return true;
}

bool set_setgroups(std::string_view v, AdminSettings* out, std::string* why) {
  if (v == "auto") out->setgroups = SetgroupsPolicy::kAuto;
  else if (v == "deny") out->setgroups = SetgroupsPolicy::kDeny;
  else {
    *why = "'" + std::string(v) + "' is neither auto nor deny";
    return false;
  }
  return true;
}

constexpr SettingSpec<UserSettings> kUserSettings[] = {
    {"create", "template", set_template},
    {"images", "server", set_image_server},
    {"console", "escape", set_escape},
    {"log", "level", set_log_level},
};

constexpr SettingSpec<AdminSettings> kAdminSettings[] = {
    {"idmap", "setgroups", set_setgroups},
    {"images", "server", set_admin_image_server},
};

// What inih's callbacks share: the lines, where the reader is, and the
// first error (the file is refused as a whole, so one is enough).
template <typename Settings>
struct Parse {
  std::span<const SettingSpec<Settings>> table;
  std::string_view file;
  std::vector<Line> lines;
  size_t next = 0;        // index of the next line to hand to inih
  size_t current = 0;     // number of the line inih is reading
  Settings settings;
  std::vector<std::pair<const SettingSpec<Settings>*, size_t>> seen;  // key, line
  std::string error;

  void fail(size_t line, const std::string& what) {
    if (!error.empty()) return;
    error = std::string(file);
    if (line != 0) error += ":" + std::to_string(line);
    error += ": " + what;
  }
  bool known_section(std::string_view name) const {
    return std::any_of(table.begin(), table.end(), [&](const auto& s) { return s.section == name; });
  }
};

// inih's line source: one line per call, so inih's line count is ours.
template <typename Settings>
char* next_line(char* buffer, int size, void* stream) {
  auto* p = static_cast<Parse<Settings>*>(stream);
  if (p->next >= p->lines.size() || size < 2) return nullptr;
  const Line& line = p->lines[p->next++];
  p->current = line.number;
  // Leading blanks go: inih would read an indented line as the
  // continuation of the value above it.
  const std::string_view text = trim_blanks(line.text);
  // split_lines already capped the length; this cannot truncate.
  const size_t n = std::min(text.size(), static_cast<size_t>(size) - 2);
  std::memcpy(buffer, text.data(), n);
  buffer[n] = '\n';
  buffer[n + 1] = '\0';
  // A section line is checked here: inih tells the handler only about
  // keys, so an unknown section with none would go unnoticed.
  // inih ignores whatever follows "]": "[idmap] setgroups = deny" would
  // be a section line and no setting at all.
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return buffer;  // inih's own error
    const std::string_view name = text.substr(1, close - 1);
    const std::string_view rest = trim_blanks(text.substr(close + 1));
    if (!p->known_section(name)) p->fail(line.number, "unknown section [" + std::string(name) + "]");
    else if (!rest.empty() && rest.front() != ';' && rest.front() != '#')
      p->fail(line.number, "text after [" + std::string(name) + "]: put each setting on a line of its own");
  }
  return buffer;
}

template <typename Settings>
int on_setting(void* user, const char* section, const char* name, const char* value) {
  auto* p = static_cast<Parse<Settings>*>(user);
  const std::string_view s = section, k = name, v = value;
  if (s.empty()) {
    p->fail(p->current, k.empty() ? "expected [SECTION] or KEY = VALUE" : std::string(k) + " is outside any [section]");
    return 1;
  }
  if (!p->known_section(s)) {
    p->fail(p->current, "unknown section [" + std::string(s) + "]");
    return 1;
  }
  const auto spec = std::find_if(p->table.begin(), p->table.end(),
                                 [&](const auto& e) { return e.section == s && e.key == k; });
  if (spec == p->table.end()) {
    p->fail(p->current, "unknown key " + std::string(k) + " in [" + std::string(s) + "]");
    return 1;
  }
  const std::string where = "[" + std::string(s) + "] " + std::string(k);
  for (const auto& [seen, line] : p->seen) {
    if (seen == &*spec) {
      p->fail(p->current, where + " is set twice (first on line " + std::to_string(line) + ")");
      return 1;
    }
  }
  p->seen.emplace_back(&*spec, p->current);
  std::string why;
  if (!spec->apply(v, &p->settings, &why)) p->fail(p->current, where + ": " + why);
  return 1;
}

template <typename Settings>
bool parse_settings(std::string_view text, std::string_view file, std::span<const SettingSpec<Settings>> table,
                    Settings* out, std::string* error) {
  Parse<Settings> p;
  p.table = table;
  p.file = file;
  if (text.size() > kMaxSettingsBytes) {
    p.fail(0, "larger than " + std::to_string(kMaxSettingsBytes) + " bytes");
    *error = p.error;
    return false;
  }
  std::string why;
  if (!split_lines(text, kMaxSettingsLineBytes, &p.lines, &why)) {
    *error = std::string(file) + ":" + why.substr(5);  // why is "line N: what"
    return false;
  }
  for (const Line& l : p.lines) {
    if (l.text.find('\r') != std::string_view::npos) {
      p.fail(l.number, "carriage return: the file has DOS (CRLF) line endings; convert it with dos2unix");
      *error = p.error;
      return false;
    }
  }
  // Every line goes to inih, even blank ones, so its line numbers and ours
  // agree; a positive return is the first line it could not read.
  const int rc = ini_parse_stream(next_line<Settings>, &p, on_setting<Settings>, &p);
  if (rc > 0) p.fail(static_cast<size_t>(rc), "expected [SECTION] or KEY = VALUE");
  else if (rc != 0) p.fail(0, "could not be read");
  if (!p.error.empty()) {
    *error = p.error;
    return false;
  }
  *out = std::move(p.settings);
  return true;
}

}  // namespace

bool parse_user_settings(std::string_view text, std::string_view file_name, UserSettings* out,
                         std::string* error) {
  return parse_settings<UserSettings>(text, file_name, kUserSettings, out, error);
}

bool parse_admin_settings(std::string_view text, std::string_view file_name, AdminSettings* out,
                          std::string* error) {
  return parse_settings<AdminSettings>(text, file_name, kAdminSettings, out, error);
}

bool parse_log_level(std::string_view text, int* level) {
  std::string upper;
  for (char c : text.substr(0, 8)) upper += to_upper(c);
  if (text.size() > 8) return false;
  for (size_t i = 0; i < std::size(kLogLevelNames); ++i) {
    if (kLogLevelNames[i] == upper) {
      *level = static_cast<int>(i);
      return true;
    }
  }
  return false;
}

bool parse_escape_key(std::string_view text, char* control) {
  if (text.size() == 2 && text[0] == '^') text.remove_prefix(1);
  if (text.size() != 1) return false;
  const char c = text[0] >= 'A' && text[0] <= 'Z' ? static_cast<char>(text[0] - 'A' + 'a') : text[0];
  if (c < 'a' || c > 'z') return false;
  *control = static_cast<char>(c - 'a' + 1);
  return true;
}

}  // namespace uxc::policy
