// libFuzzer harness for the strict text primitives every parser uses.
#include "policy/text.h"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  uint32_t u32 = 0;
  if (uxc::policy::parse_u32(text, &u32) && std::to_string(u32) != text) std::abort();
  uint64_t u64 = 0;
  if (uxc::policy::parse_u64(text, &u64) && std::to_string(u64) != text) std::abort();

  std::vector<uxc::policy::Line> lines;
  std::string err;
  if (uxc::policy::split_lines(text, 256, &lines, &err)) {
    for (const auto& line : lines) {
      if (line.text.size() > 256 || line.text.find('\n') != std::string_view::npos)
        std::abort();
    }
  }
  for (auto field : uxc::policy::split_fields(text)) {
    if (field.empty() || field.find(' ') != std::string_view::npos) std::abort();
  }
  (void)uxc::policy::is_valid_account_name(text);
  return 0;
}
