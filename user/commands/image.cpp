// uxc image ls / uxc image rm: the user's image cache. uxc-image, which
// owns the cache, does the work (storage/images.h).
#include "user/commands/commands.h"
#include "user/common/util.h"
#include "user/storage/images.h"

namespace uxc {

int cmd_image(int argc, char** argv) {
  exec_image_tool(std::vector<std::string>(argv + 1, argv + argc));
}

}  // namespace uxc
