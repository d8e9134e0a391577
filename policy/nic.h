// uxc-nic's request, answer and names: everything about a nic request
// that is a pure function of bytes.
//
// Request (policy/protocol.h grammar, header "uxc-nic 1"):
//
//   op create | op delete                       ; required, first
//   create:  type veth                          ; required
//            link BRIDGE                        ; required
//            name IFNAME                        ; optional, default "eth0"
//            hwaddr MAC                         ; optional
//   delete:  host IFNAME                        ; required
//
// Each key at most once; a key that does not belong to the op is an
// error. For create, fd 3 is the target network namespace.
//
// Answer: "ok host=NAME host_ifindex=N peer=NAME peer_ifindex=N" for
// create, "ok host=NAME" for delete, or "error CODE MESSAGE".
//
// The lxc-user-nic command line is translated into the same request:
//
//   create LXCPATH NAME PID TYPE LINK [NICNAME]
//   delete LXCPATH NAME NETNS_PATH TYPE LINK NICNAME
//
// LXCPATH and NAME are ignored, as LXC does (RootlessKit passes
// "/dev/null" and "dummy"); they must still be 1-4096 printable bytes. For
// delete, NICNAME is the host end, and NETNS_PATH is ignored the same way:
// ownership is proven by the tag on the host end, so the helper never
// opens that caller-named path. Anything else an engine passes that this
// grammar does not know (an eighth argument, a TYPE but veth) is refused
// with one line that names the argument, as policy::quote_arg shows it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::policy {

inline constexpr std::string_view kDefaultPeerName = "eth0";
inline constexpr std::string_view kVethType = "veth";
inline constexpr size_t kMaxIfnameBytes = 15;  // IFNAMSIZ - 1

// An interface name the kernel accepts as-is: 1..15 bytes of printable
// ASCII other than space, '/' and ':', and not "." or "..". '%' is
// refused too: the kernel would treat "eth%d" as a template and pick a
// name itself, and the answer must name what was created.
bool is_valid_ifname(std::string_view name);

using Mac = std::array<uint8_t, 6>;

// "xx:xx:xx:xx:xx:xx", hex digits of either case; unicast (the group bit
// of the first byte clear) and not all-zero.
[[nodiscard]] bool parse_mac(std::string_view text, Mac* out);
std::string format_mac(const Mac& mac);  // lower case

enum class NicOp { kCreate, kDelete };

struct NicRequest {
  NicOp op = NicOp::kCreate;
  std::string type;  // create
  std::string link;  // create
  std::string name;  // create: the container end
  bool has_hwaddr = false;
  Mac hwaddr{};      // create, if has_hwaddr
  std::string host;  // delete: the host end
};

// Strict: on failure *err says what is wrong in one line.
[[nodiscard]] bool decode_nic_request(std::string_view text, NicRequest* out,
                                      std::string* err);
[[nodiscard]] bool encode_nic_request(const NicRequest& request, std::string* out);

// lxc-user-nic's command line, args without argv[0].
struct LxcUserNicArgs {
  NicRequest request;
  uint32_t pid = 0;  // create: whose /proc/PID/ns/net is the target
};
[[nodiscard]] bool parse_lxc_user_nic_args(std::span<const std::string_view> args,
                                           LxcUserNicArgs* out, std::string* err);

// Whether argv asks for the lxc-user-nic front end: called by that name,
// or with its first word.
bool is_lxc_user_nic_call(std::string_view argv0, std::span<const std::string_view> args);

struct NicAnswer {
  std::string host;
  uint32_t host_ifindex = 0;
  std::string peer;
  uint32_t peer_ifindex = 0;
};
std::vector<std::string> nic_answer_words(const NicAnswer& answer);
[[nodiscard]] bool parse_nic_answer(std::span<const std::string> words, NicAnswer* out);
// lxc-user-nic's stdout line: "PEER:PEER_IFINDEX:HOST:HOST_IFINDEX\n" for
// a create; nothing for a delete (host_ifindex 0), as lxc-user-nic.
std::string format_lxc_user_nic_answer(const NicAnswer& answer);

// Host ends are named after their quota slot (slot_name in
// policy/usernet.h); this says whether a name is one.
bool is_host_end_name(std::string_view name);
// fe:xx:xx:xx:xx:xx: a bridge takes the lowest port address as its own,
// and 0xfe is above any vendor's, so the bridge's address stays stable.
// The other five bytes are the low 40 bits of `random`, high byte first.
Mac host_end_mac(uint64_t random);

}  // namespace uxc::policy
