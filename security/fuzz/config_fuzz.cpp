// libFuzzer harness for the container configuration reader
// (policy/config.h): LXC's key = value files, read line by line through
// the key table, with lxc.include. The manager runs it as the user, but a
// container's config is often copied from elsewhere (an image's, LXC's),
// and a line read differently from what it says is a smuggled setting.
//
// Input: first byte picks the entry point:
//   'H' a hwaddr template (then fill and instantiate)
//   'V' a signal name, a capability name or a host name
//   anything else: DEFAULT 0xff CONTAINER 0xff INCLUDED (two files merged,
//   as the manager reads ~/.config/uxc/default.conf then the container's;
//   `lxc.include = /inc` in either reads INCLUDED, any other path fails).
//
// Properties beyond "no crash":
// - a file that parses holds no NUL and no CR, and every idmap line's
//   count is non-zero;
// - every error names a file and a line ("FILE:N: ..." or "FILE: ...");
// - a config that validates has a link for every veth and unique nic
//   names;
// - a parsed signal or capability reads back from its own name;
// - a filled hwaddr template is a valid, unicast, template-free address;
// - instantiate_hwaddrs changes only template digits: same length, and
//   every byte that differs was an 'x' or 'X'.
#include "policy/config.h"

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "policy/nic.h"
#include "security/fuzz/fuzz_input.h"

namespace {

using namespace uxc::policy;

const std::vector<uint8_t> kRandom(12 * 64, 0xa7);

class OneFile : public IncludeFiles {
 public:
  explicit OneFile(std::string_view text) : text_(text) {}
  bool read(const std::string& path, std::string* text, std::string* why) const override {
    if (path != "/inc") {
      *why = "No such file or directory";
      return false;
    }
    *text = std::string(text_);
    return true;
  }

 private:
  std::string_view text_;
};

bool names_a_file(const std::string& error) {
  for (const char* file : {"default.conf:", "config:", "/inc:", "uxc:"})
    if (error.rfind(file, 0) == 0) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const char mode = input.empty() ? 0 : input[0];

  if (mode == 'H') {
    const std::string_view text = input.substr(1);
    if (is_valid_hwaddr_template(text)) {
      const std::string filled = fill_hwaddr_template(text, kRandom);
      Mac mac;
      if (!is_valid_hwaddr_template(filled) || !parse_mac(filled, &mac)) std::abort();
    }
    return 0;
  }
  if (mode == 'V') {
    const std::string_view text = input.substr(1);
    int number = 0;
    if (parse_signal(text, &number)) {
      if (number < 1 || number > 64) std::abort();
      int back = 0;
      const std::string name = signal_name(number);
      if (!name.empty() && (!parse_signal(name, &back) || back != number)) std::abort();
    }
    if (parse_capability(text, &number)) {
      if (number < 0 || number > 63) std::abort();
      int back = -1;
      if (!parse_capability(capability_name(number), &back) || back != number) std::abort();
    }
    (void)is_valid_hostname(text);
    return 0;
  }

  const auto parts = uxc::fuzz::split_parts(input, 3);
  const OneFile included(parts[2]);
  Config config;
  std::vector<std::string> errors;
  const bool ok = parse_config(parts[0], "default.conf", &config, &errors, &included) &&
                  parse_config(parts[1], "config", &config, &errors, &included);
  if (!ok) {
    if (errors.empty()) std::abort();
    for (const auto& e : errors)
      if (!names_a_file(e)) std::abort();
  } else {
    if (!errors.empty()) std::abort();
    for (size_t i = 0; i < 2; ++i)
      if (parts[i].find('\0') != std::string_view::npos || parts[i].find('\r') != std::string_view::npos)
        std::abort();
    for (const auto& m : config.idmap)
      if (m.count == 0) std::abort();
    std::vector<std::string> invalid;
    if (validate_config(config, "config", &invalid)) {
      std::set<std::string> names;
      for (const auto& nic : config.nics) {
        if (nic.type == "veth" && nic.link.empty()) std::abort();
        if (!nic.name.empty() && !names.insert(nic.name).second) std::abort();
      }
    } else if (invalid.empty()) {
      std::abort();
    }
  }

  const std::string instantiated = instantiate_hwaddrs(parts[1], kRandom);
  if (instantiated.size() != parts[1].size()) std::abort();
  for (size_t i = 0; i < instantiated.size(); ++i)
    if (instantiated[i] != parts[1][i] && parts[1][i] != 'x' && parts[1][i] != 'X') std::abort();
  return 0;
}
