// libFuzzer harness for uxc-nic's request decoder and the lxc-user-nic
// command line (policy/nic.h): the bytes a hostile caller writes to the
// helper's fd 0 and the argv it passes.
//
// Input: a request, or (first byte 'A') an argv of space-separated words
// after the program name, or (first byte 'M') a MAC address.
//
// Properties beyond "no crash":
// - a request that decodes is well-formed: valid names, type veth;
//   encoding it and decoding again gives the same request
//   (decode(encode(x)) == x), and encoding is stable;
// - an argv that parses gives a request that encodes, and a create PID
//   that is not 0;
// - a MAC that parses is unicast and non-zero and formats back to the
//   same text up to letter case.
#include "policy/nic.h"

#include <cstdlib>
#include <string>

#include "security/fuzz/fuzz_input.h"

namespace {

using namespace uxc::policy;

bool same(const NicRequest& a, const NicRequest& b) {
  return a.op == b.op && a.type == b.type && a.link == b.link && a.name == b.name &&
         a.has_hwaddr == b.has_hwaddr && (!a.has_hwaddr || a.hwaddr == b.hwaddr) &&
         a.host == b.host;
}

void check_round_trip(const NicRequest& request) {
  if (request.op == NicOp::kCreate) {
    if (request.type != kVethType || !is_valid_ifname(request.link) ||
        !is_valid_ifname(request.name))
      std::abort();
  } else if (!is_valid_ifname(request.host)) {
    std::abort();
  }
  std::string encoded;
  if (!encode_nic_request(request, &encoded)) std::abort();
  NicRequest again;
  std::string err;
  if (!decode_nic_request(encoded, &again, &err) || !same(request, again)) std::abort();
  std::string twice;
  if (!encode_nic_request(again, &twice) || twice != encoded) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string err;

  if (!input.empty() && input[0] == 'A') {
    const auto words = uxc::fuzz::split_words(input.substr(1));
    LxcUserNicArgs args;
    if (parse_lxc_user_nic_args(words, &args, &err)) {
      check_round_trip(args.request);
      if (args.request.op == NicOp::kCreate && args.pid == 0) std::abort();
    } else if (err.empty()) {
      std::abort();
    }
    (void)is_lxc_user_nic_call(words[0], words);
    return 0;
  }
  if (!input.empty() && input[0] == 'M') {
    Mac mac;
    if (parse_mac(input.substr(1), &mac)) {
      if ((mac[0] & 1) != 0 || mac == Mac{}) std::abort();
      const std::string text = format_mac(mac);
      if (text.size() != input.size() - 1) std::abort();
      for (size_t i = 0; i < text.size(); ++i)
        if (text[i] != (input[i + 1] | ((input[i + 1] >= 'A' && input[i + 1] <= 'F') ? 0x20 : 0)))
          std::abort();
    }
    return 0;
  }

  NicRequest request;
  if (decode_nic_request(input, &request, &err)) check_round_trip(request);
  else if (err.empty()) std::abort();
  (void)is_valid_ifname(input);
  (void)is_host_end_name(input);
  return 0;
}
