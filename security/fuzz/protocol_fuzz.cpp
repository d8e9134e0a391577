// libFuzzer harness for the helper request and response decoders, the
// parsers that see the most hostile input: whatever a caller writes to a
// setuid helper's fd 0.
//
// Beyond "no crash", it checks the property the grammar promises: a
// request that decodes re-encodes to exactly the same bytes (one
// spelling per request), and a response that decodes is one line.
#include "policy/protocol.h"

#include <array>
#include <cstdlib>
#include <string>

namespace {

using uxc::protocol::KeySpec;

constexpr std::array<KeySpec, 4> kSchema = {{
    {"op", 1, 1, 1},
    {"uid", 3, 3, 340},
    {"gid", 3, 3, 340},
    {"name", 0, 1, 1},
}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  uxc::protocol::Request request;
  std::string err;
  if (uxc::protocol::decode_request(text, "uxc-test", kSchema, &request, &err)) {
    std::vector<uxc::protocol::OutField> fields;
    for (const auto& f : request.fields) {
      uxc::protocol::OutField out{std::string(f.key), {}};
      for (auto a : f.args) out.args.emplace_back(a);
      fields.push_back(std::move(out));
    }
    std::string again;
    if (!uxc::protocol::encode_request("uxc-test", fields, &again) || again != text)
      std::abort();
  } else if (err.empty() || !request.fields.empty()) {
    std::abort();
  }

  uxc::protocol::Response response;
  if (uxc::protocol::decode_response(text, &response, &err)) {
    if (text.find('\n') != text.size() - 1) std::abort();
  }
  return 0;
}
