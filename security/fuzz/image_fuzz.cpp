// libFuzzer harness for what an image server sends: the index (part 1),
// looked up with a query (part 2: "dist;release;arch;variant"), and the
// files of meta.tar.xz and SHA256SUMS (part 3, read by every meta parser),
// plus a tarball member name (part 4).
#include <cstdlib>
#include <string>

#include "policy/image.h"
#include "security/fuzz/fuzz_input.h"

namespace {

bool has_climbing_segment(const std::string& path) {
  return path == ".." || path.rfind("../", 0) == 0 || path.find("/../") != std::string::npos ||
         (path.size() >= 3 && path.compare(path.size() - 3, 3, "/..") == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace uxc::policy;
  const auto parts = uxc::fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size), 4);

  std::vector<ImageEntry> entries;
  std::vector<std::string> bad;
  std::string err;
  if (parse_image_index(parts[0], &entries, &bad, &err)) {
    if (bad.size() > 21) std::abort();
    for (const auto& e : entries) {
      // Every accepted line names cache directories and a server path
      // that cannot climb.
      if (!is_valid_image_word(e.dist) || !is_valid_image_word(e.release) || !is_valid_image_word(e.arch) ||
          !is_valid_image_word(e.variant) || !is_valid_build_id(e.build) || !is_valid_image_path(e.path) ||
          e.path.back() != '/' || e.path.find("/../") != std::string::npos || e.dist.find('/') != std::string::npos)
        std::abort();
    }
    ImageQuery query;
    std::string qs(parts[1]);
    std::vector<std::string> fields;
    size_t start = 0;
    for (size_t i = 0; i <= qs.size(); ++i)
      if (i == qs.size() || qs[i] == ';') {
        fields.push_back(qs.substr(start, i - start));
        start = i + 1;
      }
    fields.resize(4);
    query = {fields[0], fields[1], fields[2], fields[3]};
    const ImageEntry* found = find_image(entries, query);
    if (found != nullptr && (found->dist != query.dist || found->variant != query.variant)) std::abort();
    const bool valid_query = is_valid_image_word(query.dist) && is_valid_image_word(query.release) &&
                             is_valid_image_word(query.arch) && is_valid_image_word(query.variant);
    if (found == nullptr && valid_query) {
      const std::string message = describe_missing_image(entries, query, "server");
      if (message.empty() || message.find('\n') != std::string::npos) std::abort();
    }
  }

  std::map<std::string, std::string> sums;
  if (parse_sha256sums(parts[2], &sums, &err))
    for (const auto& [name, sum] : sums)
      if (sum.size() != 64 || name.empty()) std::abort();
  std::vector<std::string> list;
  if (parse_template_list(parts[2], &list, &err))
    for (const auto& p : list)
      if (p.empty() || p[0] == '/' || has_climbing_segment(p)) std::abort();
  if (parse_excludes(parts[2], &list, &err)) (void)is_excluded(parts[3], list);
  std::string out;
  std::vector<std::string> errors;
  if (check_image_config(parts[2], &errors)) {
    // Every include left names one of LXC's shared configs.
    size_t start = 0;
    while (start < parts[2].size()) {
      size_t end = parts[2].find('\n', start);
      if (end == std::string_view::npos) end = parts[2].size();
      const std::string line(parts[2].substr(start, end - start));
      const size_t key = line.find_first_not_of(" \t");
      const size_t eq = line.find('=');
      if (key != std::string::npos && line[key] != '#' && eq != std::string::npos && eq > key) {
        const std::string name = line.substr(key, line.find_last_not_of(" \t", eq - 1) + 1 - key);
        if (name == "lxc.include" && line.find("LXC_TEMPLATE_CONFIG/") == std::string::npos &&
            line.find("/usr/share/lxc/config/") == std::string::npos)
          std::abort();
      }
      start = end + 1;
    }
  }
  uint64_t when = 0;
  (void)parse_expiry(parts[2], &when);
  DownloadArgs args;
  std::vector<std::string> argv;
  for (auto w : uxc::fuzz::split_words(parts[3])) argv.emplace_back(w);
  // Only --list may leave out the distribution and release.
  if (parse_download_args(argv, &args, &err) && !args.list &&
      (args.dist.empty() || args.release.empty()))
    std::abort();
  if (normalize_member_path(parts[3], &out) && (has_climbing_segment(out) || (!out.empty() && out[0] == '/')))
    std::abort();
  if (parse_image_server(parts[3], &out, &err) && out.find('/') != std::string::npos) std::abort();
  (void)parse_os_release(parts[2]);
  const std::string arch = elf_image_arch(parts[3]);
  if (!arch.empty() && !is_valid_image_word(arch)) std::abort();
  return 0;
}
