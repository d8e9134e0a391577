// uxc help keys: every key of a container's configuration, one entry
// each (policy/config_doc.h); uxc help COMMAND: that command's --help.
#include <cstdio>
#include <cstring>

#include "policy/config_doc.h"
#include "user/commands/commands.h"
#include "user/common/util.h"

namespace uxc {

int cmd_help(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "keys") == 0) {
    const bool names = argc == 3 && std::strcmp(argv[2], "--names") == 0;
    if (argc > 3 || (argc == 3 && !names)) throw UsageError("'uxc help keys' takes only --names");
    for (const auto& d : policy::config_key_docs()) {
      if (names) {
        std::printf("%.*s\n", static_cast<int>(d.key.size()), d.key.data());
        if (!d.legacy.empty()) std::printf("%.*s\n", static_cast<int>(d.legacy.size()), d.legacy.data());
        continue;
      }
      std::string line(d.key);
      if (!d.legacy.empty()) line += " (" + std::string(d.legacy) + ")";
      line += " = " + std::string(d.value);
      std::string about(d.summary);
      if (!d.fallback.empty()) about += "; default: " + std::string(d.fallback);
      std::printf("%s\n    %s\n", line.c_str(), about.c_str());
    }
    if (!names) std::printf("\nuxc.container.conf(5) describes each key at length.\n");
    return 0;
  }
  throw UsageError("'uxc help keys' lists the configuration keys; 'uxc COMMAND --help' describes a command");
}

}  // namespace uxc
