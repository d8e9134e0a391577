// uxc image ls / uxc image rm: the user's image cache. uxc-image, which
// owns the cache, does the work (storage/images.h); the list of commands
// is ours, so that it shows even where uxc-image is missing.
#include <cstdio>
#include <cstring>

#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/storage/images.h"

namespace uxc {

int cmd_image(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    std::fprintf(argc < 2 ? stderr : stdout,
                 "Usage: uxc image COMMAND [OPTIONS]\n\n"
                 "Show and remove the distribution images uxc create -t download keeps.\n\n"
                 "Commands:\n"
                 "  ls         list cached images with their sizes\n"
                 "  rm         remove cached images (--all, or -d DIST [-r RELEASE] ...)\n\n"
                 "'uxc image COMMAND --help' describes a command's options.\n");
    return argc < 2 ? 2 : 0;
  }
  exec_image_tool(std::vector<std::string>(argv + 1, argv + argc));
}

}  // namespace uxc
