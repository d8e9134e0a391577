// uxc-image: images for uxc (image.h). `ls` and `rm` are what `uxc image`
// runs; fetch, unpack and pack are uxc create's and answer on fd 3.
#include <cstdio>
#include <cstring>

#include "user/storage/image/image.h"

int main(int argc, char** argv) {
  using namespace uxc;
  if (argc < 2 || (std::strcmp(argv[1], "ls") == 0 || std::strcmp(argv[1], "rm") == 0 ||
                    std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
                    std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--version") == 0))
    return run_subcommand("uxc image", "Show and remove the images uxc create -t download keeps.",
                          {{"ls", image::cmd_ls, "list cached images with their sizes"},
                           {"rm", image::cmd_rm, "remove cached images"}},
                          argc, argv);
  // `uxc create -t download -- --list` runs this in its place: its
  // messages are the create's.
  if (argc >= 2 && std::strcmp(argv[1], "list") == 0) {
    try {
      return image::cmd_list(argc - 1, argv + 1);
    } catch (const UsageError& e) {
      std::fprintf(stderr, "uxc create: %s (try 'uxc create --help')\n", e.what());
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "uxc create: %s\n", e.what());
      return 1;
    }
  }
  static const struct {
    const char* name;
    int (*run)(int, char**, image::Answer&);
  } kInternal[] = {
      {"fetch", image::cmd_fetch}, {"meta", image::cmd_meta}, {"unpack", image::cmd_unpack}, {"pack", image::cmd_pack},
      {"oci-inspect", image::cmd_oci_inspect}, {"oci-unpack", image::cmd_oci_unpack}};
  if (argc >= 2) {
    for (const auto& c : kInternal) {
      if (std::strcmp(argv[1], c.name) != 0) continue;
      try {
        image::Answer answer;
        try {
          return c.run(argc - 1, argv + 1, answer);
        } catch (const std::exception& e) {
          answer.error(e.what());
          return 1;
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "uxc-image %s: %s\n", c.name, e.what());
        return 1;
      }
    }
  }
  std::fprintf(stderr,
               "uxc-image: 'uxc image ls' and 'uxc image rm' are for people; fetch, meta, list, unpack, pack, "
               "oci-inspect and oci-unpack are run by uxc create\n");
  return 2;
}
