// libFuzzer harness for the container configuration reader
// (policy/config.h): LXC's key = value files, checked line by line before
// inih sees them, plus the value parsers it uses. The manager runs it as
// the user, but a container's config is often copied from elsewhere, and
// a line that inih reads differently from the pre-check is a smuggled
// setting.
//
// Input: first byte picks the entry point:
//   'H' a hwaddr template (then fill and instantiate)
//   'V' a signal name, a capability name or a host name
//   anything else: DEFAULT 0xff CONTAINER (two files merged, as the
//   manager reads ~/.config/uxc/default.conf then the container's).
//
// Properties beyond "no crash":
// - a file that parses holds no NUL and no CR, and every idmap line's
//   count is non-zero or reported;
// - a config that validates has a link for every veth and unique nic
//   names;
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
    if (parse_signal(text, &number) && (number < 1 || number > 64)) std::abort();
    if (parse_capability(text, &number) && (number < 0 || number > 63)) std::abort();
    (void)is_valid_hostname(text);
    return 0;
  }

  const auto parts = uxc::fuzz::split_parts(input, 2);
  Config config;
  std::vector<std::string> errors;
  const bool ok = parse_config(parts[0], "default.conf", &config, &errors) &&
                  parse_config(parts[1], "config", &config, &errors);
  if (!ok) {
    if (errors.empty()) std::abort();
  } else {
    if (!errors.empty()) std::abort();
    for (const std::string_view part : parts)
      if (part.find('\0') != std::string_view::npos || part.find('\r') != std::string_view::npos)
        std::abort();
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
