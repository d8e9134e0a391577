#include "policy/nic.h"

#include <array>

#include "policy/protocol.h"
#include "policy/text.h"
#include "policy/usernet.h"

namespace uxc::policy {

namespace {

constexpr std::array<protocol::KeySpec, 6> kNicSchema = {{
    {"op", 1, 1, 1},
    {"type", 1, 1, 1},
    {"link", 1, 1, 1},
    {"name", 1, 1, 1},
    {"hwaddr", 1, 1, 1},
    {"host", 1, 1, 1},
}};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char kHexDigits[] = "0123456789abcdef";

// Fills the create fields every front end shares; empty string if valid.
std::string check_create(NicRequest* r) {
  if (r->type != kVethType) return "type must be \"veth\"";
  if (!is_valid_ifname(r->link)) return "malformed link name";
  if (r->name.empty()) r->name = std::string(kDefaultPeerName);
  if (!is_valid_ifname(r->name))
    return "malformed interface name (1-15 printable bytes, no '/', ':', '%' or space)";
  return {};
}

}  // namespace

bool is_valid_ifname(std::string_view name) {
  if (name.empty() || name.size() > kMaxIfnameBytes) return false;
  if (name == "." || name == "..") return false;
  for (char c : name)
    if (c < 0x21 || c > 0x7e || c == '/' || c == ':' || c == '%') return false;
  return true;
}

bool parse_mac(std::string_view text, Mac* out) {
  if (text.size() != 17) return false;
  Mac mac{};
  for (size_t i = 0; i < 6; ++i) {
    const int hi = hex_value(text[3 * i]);
    const int lo = hex_value(text[3 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    if (i < 5 && text[3 * i + 2] != ':') return false;
    mac[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  if (mac[0] & 0x01) return false;  // multicast or broadcast
  if (mac == Mac{}) return false;
  *out = mac;
  return true;
}

std::string format_mac(const Mac& mac) {
  std::string text;
  for (size_t i = 0; i < mac.size(); ++i) {
    if (i > 0) text += ':';
    text += kHexDigits[mac[i] >> 4];
    text += kHexDigits[mac[i] & 0x0f];
  }
  return text;
}

bool decode_nic_request(std::string_view text, NicRequest* out, std::string* err) {
  protocol::Request decoded;
  if (!protocol::decode_request(text, protocol::kNicHelper, kNicSchema, &decoded, err))
    return false;
  if (decoded.fields.empty() || decoded.fields[0].key != "op") {
    *err = "the first field must be \"op\"";
    return false;
  }
  NicRequest r;
  const std::string_view op = decoded.fields[0].args[0];
  if (op == "create") r.op = NicOp::kCreate;
  else if (op == "delete") r.op = NicOp::kDelete;
  else {
    *err = "op must be \"create\" or \"delete\"";
    return false;
  }
  for (const protocol::Field& f : decoded.fields) {
    const std::string_view key = f.key;
    const std::string_view arg = f.args[0];
    const bool for_create = key == "type" || key == "link" || key == "name" || key == "hwaddr";
    if ((r.op == NicOp::kCreate && key == "host") || (r.op == NicOp::kDelete && for_create)) {
      *err = "\"" + std::string(key) + "\" does not belong to op " + std::string(op);
      return false;
    }
    if (key == "type") r.type = arg;
    else if (key == "link") r.link = arg;
    else if (key == "name") r.name = arg;
    else if (key == "host") r.host = arg;
    else if (key == "hwaddr") {
      r.has_hwaddr = parse_mac(arg, &r.hwaddr);
      if (!r.has_hwaddr) {
        *err = "hwaddr must be a unicast, non-zero xx:xx:xx:xx:xx:xx";
        return false;
      }
    }
  }
  if (r.op == NicOp::kCreate) {
    if (r.type.empty() || r.link.empty()) {
      *err = "create needs \"type\" and \"link\"";
      return false;
    }
    if (std::string why = check_create(&r); !why.empty()) {
      *err = why;
      return false;
    }
  } else if (!is_valid_ifname(r.host)) {
    *err = r.host.empty() ? "delete needs \"host\"" : "malformed host interface name";
    return false;
  }
  *out = std::move(r);
  return true;
}

bool encode_nic_request(const NicRequest& r, std::string* out) {
  std::vector<protocol::OutField> fields;
  if (r.op == NicOp::kCreate) {
    fields.push_back({"op", {"create"}});
    fields.push_back({"type", {r.type}});
    fields.push_back({"link", {r.link}});
    if (!r.name.empty()) fields.push_back({"name", {r.name}});
    if (r.has_hwaddr) fields.push_back({"hwaddr", {format_mac(r.hwaddr)}});
  } else {
    fields.push_back({"op", {"delete"}});
    fields.push_back({"host", {r.host}});
  }
  std::string text;
  NicRequest check;
  std::string err;
  if (!protocol::encode_request(protocol::kNicHelper, fields, &text) ||
      !decode_nic_request(text, &check, &err)) {
    out->clear();
    return false;
  }
  *out = std::move(text);
  return true;
}

namespace {

constexpr char kLxcUsage[] =
    "usage: lxc-user-nic create LXCPATH NAME PID TYPE LINK [NICNAME] | "
    "delete LXCPATH NAME NETNS_PATH TYPE LINK NICNAME";
constexpr std::string_view kCreateWords[] = {"create", "LXCPATH", "NAME", "PID", "TYPE", "LINK",
                                             "NICNAME"};
constexpr std::string_view kDeleteWords[] = {"delete", "LXCPATH", "NAME", "NETNS_PATH", "TYPE",
                                             "LINK", "NICNAME"};
constexpr size_t kMaxIgnoredWordBytes = 4096;  // PATH_MAX

// LXCPATH, NAME and delete's NETNS_PATH mean nothing to uxc-nic (LXC
// passes its container directory and name, RootlessKit "/dev/null" and
// "dummy"; the helper never opens any of them), but an engine always
// passes words: empty or non-printable ones are a caller's mistake.
bool is_ignored_word(std::string_view word) {
  if (word.empty() || word.size() > kMaxIgnoredWordBytes) return false;
  for (char c : word)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// "WORD \"ARG\" WHY": every refusal names the argument it is about.
std::string bad_arg(std::string_view word, std::string_view arg, std::string_view why) {
  return std::string(word) + " " + quote_arg(arg) + " " + std::string(why);
}

}  // namespace

bool parse_lxc_user_nic_args(std::span<const std::string_view> args, LxcUserNicArgs* out,
                             std::string* err) {
  // argv: create|delete LXCPATH NAME PID|NETNS_PATH TYPE LINK [NICNAME]
  if (args.empty()) {
    *err = std::string("missing the command (") + kLxcUsage + ")";
    return false;
  }
  const bool create = args[0] == "create";
  if (!create && args[0] != "delete") {
    *err = "unknown command " + quote_arg(args[0]) + " (" + kLxcUsage + ")";
    return false;
  }
  const auto& words = create ? kCreateWords : kDeleteWords;
  const size_t needed = create ? 6 : 7;
  if (args.size() < needed) {
    *err = "missing " + std::string(words[args.size()]) + " (" + kLxcUsage + ")";
    return false;
  }
  if (args.size() > 7) {
    *err = "unexpected argument " + quote_arg(args[7]) + " after NICNAME (" + kLxcUsage + ")";
    return false;
  }
  for (size_t i = 1; i <= (create ? 2u : 3u); ++i)  // LXCPATH NAME [NETNS_PATH]
    if (!is_ignored_word(args[i])) {
      *err = bad_arg(words[i], args[i], "must be 1-4096 printable bytes");
      return false;
    }
  LxcUserNicArgs parsed;
  NicRequest& r = parsed.request;
  const std::string_view nicname = args.size() == 7 ? args[6] : std::string_view();
  // The kernel's pid_max is at most 2^22.
  if (create && (!parse_u32(args[3], &parsed.pid) || parsed.pid == 0 || parsed.pid > (1u << 22))) {
    *err = bad_arg("PID", args[3], "is not a process id");
    return false;
  }
  if (args[4] != kVethType) {
    *err = bad_arg("TYPE", args[4], "is not supported (only \"veth\")");
    return false;
  }
  if (!is_valid_ifname(args[5])) {
    *err = bad_arg("LINK", args[5], "is not an interface name");
    return false;
  }
  if (args.size() == 7 && !is_valid_ifname(nicname)) {
    *err = bad_arg("NICNAME", nicname,
                   "is not an interface name (1-15 printable bytes, no '/', ':', '%' or space)");
    return false;
  }
  if (create) {
    r.op = NicOp::kCreate;
    r.type = args[4];
    r.link = args[5];
    r.name = nicname;
    if (std::string why = check_create(&r); !why.empty()) {
      *err = why;
      return false;
    }
  } else {
    r.op = NicOp::kDelete;
    r.host = nicname;
  }
  *out = std::move(parsed);
  return true;
}

bool is_lxc_user_nic_call(std::string_view argv0, std::span<const std::string_view> args) {
  const size_t slash = argv0.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  if (base == "lxc-user-nic") return true;
  return !args.empty() && (args[0] == "create" || args[0] == "delete");
}

std::vector<std::string> nic_answer_words(const NicAnswer& a) {
  std::vector<std::string> words = {"host=" + a.host};
  if (a.host_ifindex == 0) return words;  // delete
  words.push_back("host_ifindex=" + std::to_string(a.host_ifindex));
  words.push_back("peer=" + a.peer);
  words.push_back("peer_ifindex=" + std::to_string(a.peer_ifindex));
  return words;
}

bool parse_nic_answer(std::span<const std::string> words, NicAnswer* out) {
  constexpr std::string_view kKeys[] = {"host=", "host_ifindex=", "peer=", "peer_ifindex="};
  if (words.size() != 1 && words.size() != 4) return false;
  NicAnswer a;
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i].rfind(kKeys[i], 0) != 0) return false;
    const std::string_view value = std::string_view(words[i]).substr(kKeys[i].size());
    switch (i) {
      case 0: a.host = value; break;
      case 1: if (!parse_u32(value, &a.host_ifindex) || a.host_ifindex == 0) return false; break;
      case 2: a.peer = value; break;
      case 3: if (!parse_u32(value, &a.peer_ifindex) || a.peer_ifindex == 0) return false; break;
    }
  }
  if (!is_valid_ifname(a.host) || (words.size() == 4 && !is_valid_ifname(a.peer)))
    return false;
  *out = std::move(a);
  return true;
}

std::string format_lxc_user_nic_answer(const NicAnswer& a) {
  if (a.host_ifindex == 0) return "";  // delete: lxc-user-nic prints nothing
  return a.peer + ":" + std::to_string(a.peer_ifindex) + ":" + a.host + ":" +
         std::to_string(a.host_ifindex) + "\n";
}

bool is_host_end_name(std::string_view name) { return is_slot_name(name); }

Mac host_end_mac(uint64_t random) {
  Mac mac{0xfe};
  for (size_t i = mac.size(); i-- > 1; random >>= 8) mac[i] = static_cast<uint8_t>(random);
  return mac;
}

}  // namespace uxc::policy
