#include "policy/config_doc.h"

#include <boost/test/unit_test.hpp>

#include <string>

#include "policy/config.h"

namespace uxc::policy {
namespace {

// A documented key with its placeholders filled in, as a config writes it.
std::string example(std::string_view key) {
  std::string k(key);
  for (const auto& [from, to] : {std::pair<std::string, std::string>{".N.", ".0."}, {"CONTROLLER.FILE", "memory.max"},
                                 {"uxc.image.FIELD", "uxc.image.dist"}}) {
    const size_t at = k.find(from);
    if (at != std::string::npos) k.replace(at, from.size(), to);
  }
  return k;
}

// Every documented key (and its legacy spelling) is one the reader takes.
BOOST_AUTO_TEST_CASE(every_documented_key_is_read) {
  for (const ConfigKeyDoc& d : config_key_docs()) {
    BOOST_TEST(!canonical_config_key(example(d.key)).empty(), d.key);
    if (!d.legacy.empty()) BOOST_TEST(!canonical_config_key(example(d.legacy)).empty(), d.legacy);
    BOOST_TEST(!d.summary.empty(), d.key);
    BOOST_TEST(!d.value.empty(), d.key);
  }
}

// Every key of the reader's table is documented, in both spellings: a key
// added to the table without a line here fails.
BOOST_AUTO_TEST_CASE(every_key_of_the_table_is_documented) {
  for (const std::string& name : config_table_names()) {
    bool found = false;
    for (const ConfigKeyDoc& d : config_key_docs()) {
      for (std::string_view spelling : {d.key, d.legacy}) {
        if (spelling.empty()) continue;
        // "lxc.cgroup2." and "lxc.cgroup2" are documented by
        // "lxc.cgroup2.CONTROLLER.FILE"; "uxc.image." by "uxc.image.FIELD".
        const std::string s(spelling);
        const std::string stem = name.back() == '.' ? name : name + ".";
        if (s == name || (s.compare(0, stem.size(), stem) == 0 && s.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos))
          found = true;
      }
    }
    BOOST_TEST(found, name << " is not in config_doc.cpp");
  }
}

}  // namespace
}  // namespace uxc::policy
