// Names and formats of values in LXC's configuration: signals,
// capabilities, MAC address templates, host names. Pure lookups: signal
// names come from glibc (sigabbrev_np), capability names from libcap
// (cap_from_name, cap_to_name), so no table here can fall behind the
// kernel's.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace uxc::policy {

// `xx:xx:...`: six ':'-separated octets of two hex digits, where any digit
// may be the template 'x' (or 'X'). A fully given address must be unicast.
bool is_valid_hwaddr_template(std::string_view text);
bool is_template_digit(char c);  // 'x' or 'X'

// Replaces every template digit with one from `random` (one byte per
// digit, at least 12). The multicast bit of the first octet is cleared if
// it came from the template, so the result is always a unicast address.
std::string fill_hwaddr_template(std::string_view text, std::span<const uint8_t> random);

// Signals as LXC writes them, in any case: "SIGPWR", "PWR", "30",
// "SIGRTMIN+3", "SIGRTMAX-2", and kill(1)'s IOT, IO and CLD.
[[nodiscard]] bool parse_signal(std::string_view text, int* out);

// "SIGPWR", "SIGRTMIN+3": the name parse_signal reads back; "" for a
// number that is no signal.
std::string signal_name(int signal);

// Capability names as LXC writes them ("sys_admin", "CAP_SYS_ADMIN", any
// case) or their numbers (0-63); *out is the kernel's number.
[[nodiscard]] bool parse_capability(std::string_view text, int* out);

// "sys_admin" for CAP_SYS_ADMIN (libcap's name without "cap_"); the
// decimal number for one libcap does not know.
std::string capability_name(int capability);

// Host names for lxc.uts.name: 1-64 bytes of [A-Za-z0-9-.], not starting
// with '-' or '.'.
bool is_valid_hostname(std::string_view name);

// Container names, as LXC takes them: any 1-64 bytes of printable ASCII
// but '/' (a name is one directory) and a leading '.' (hidden in the
// container directory, and kept for uxc's own entries of the runtime
// directory). Control characters are refused (names are printed one a
// line, and on terminals), and so is anything beyond ASCII, which the
// config holding the container's paths cannot hold. Spaces, '_' and '@'
// are fine: a name is not a host name (hostname_for_container). container_name_problem says what is wrong,
// "" for a valid name.
bool is_valid_container_name(std::string_view name);
std::string container_name_problem(std::string_view name);

// The host name a container gets when its config sets no lxc.uts.name:
// its name where that is a valid host name; else the name with each run
// of other bytes turned into one '-' (and none at either end), cut to 64
// bytes: "a_b" -> "a-b", "my web" -> "my-web". "" when nothing is left
// ("ééé"). *changed (if given) then says what was not allowed.
std::string hostname_for_container(std::string_view name, std::string* changed = nullptr);

}  // namespace uxc::policy
