// What `uxc help keys` prints: every key of the configuration reader's
// table (policy/config.cpp), its LXC 2 spelling, the form of its value,
// its default and what it does, in one line each. The page
// uxc.container.conf(5) says the same at length. A unit test holds this
// list and the reader's table to each other, so neither can grow a key
// the other lacks.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

struct ConfigKeyDoc {
  std::string_view key;      // a prefix key ends in '.': "lxc.net.N." documents lxc.net.N.FIELD
  std::string_view legacy;   // LXC 2's spelling, or ""
  std::string_view value;    // the form of the value
  std::string_view fallback; // the default, or ""
  std::string_view summary;
};

std::span<const ConfigKeyDoc> config_key_docs();


}  // namespace uxc::policy
