// nic_slots OWNER TYPE LINK FIRST COUNT: prints the host-end names of quota
// slots FIRST .. FIRST+COUNT-1 of the usernet line "OWNER TYPE LINK ..."
// (OWNER is a user name or @group), one a line, as uxc-nic names them
// when no earlier line of the policy file hashes alike (policy/usernet.h).
// bench/nic.sh uses it to lay out existing nics exactly as the helper would.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "policy/usernet.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: nic_slots OWNER TYPE LINK FIRST COUNT\n");
    return 2;
  }
  const uxc::policy::UsernetFile alone = uxc::policy::parse_usernet_file(
      std::string(argv[1]) + " " + argv[2] + " " + argv[3] + " 1\n");
  if (!alone.ok() || alone.lines.size() != 1) {
    std::fprintf(stderr, "nic_slots: not a usernet line: %s %s %s\n", argv[1], argv[2], argv[3]);
    return 2;
  }
  const unsigned long first = std::strtoul(argv[4], nullptr, 10);
  const unsigned long count = std::strtoul(argv[5], nullptr, 10);
  for (unsigned long i = 0; i < count; ++i)
    std::printf("%s\n", uxc::policy::slot_name(alone.lines[0], static_cast<uint32_t>(first + i)).c_str());
  return 0;
}
