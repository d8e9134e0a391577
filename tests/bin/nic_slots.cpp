// nic_slots OWNER TYPE LINK FIRST COUNT: prints the host-end names of quota
// slots FIRST .. FIRST+COUNT-1 of the usernet line "OWNER TYPE LINK ..."
// (OWNER is a user name or @group), one a line, as uxc-nic names them.
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
  uxc::policy::UsernetKey key;
  std::string owner = argv[1];
  key.group = !owner.empty() && owner[0] == '@';
  key.owner = key.group ? owner.substr(1) : owner;
  key.type = argv[2];
  key.link = argv[3];
  const unsigned long first = std::strtoul(argv[4], nullptr, 10);
  const unsigned long count = std::strtoul(argv[5], nullptr, 10);
  for (unsigned long i = 0; i < count; ++i)
    std::printf("%s\n", uxc::policy::slot_name(key, static_cast<uint32_t>(first + i)).c_str());
  return 0;
}
