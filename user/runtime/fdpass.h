// Passing file descriptors over a unix socket (SCM_RIGHTS): the init
// hands the monitor its console, netlink socket and tty masters; the
// monitor hands `uxc console` a pty master; `uxc attach`'s command hands
// its relay the pty it opened in the container. A message is one
// SOCK_SEQPACKET (or stream) write of text, with the fds along.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace uxc {

// The most fds one message carries: console, netlink and the ttys
// (init.h's kMaxTtys).
inline constexpr size_t kMaxPassedFds = 14;

// Sends `message` with `fds` attached; false if it could not (more than
// kMaxPassedFds, or the peer is gone: never a SIGPIPE).
bool send_fds(int sock, std::string_view message, const std::vector<int>& fds);
// Returns the message (empty on EOF); fills *fds with what came along,
// each close-on-exec.
std::string recv_message(int sock, std::vector<int>* fds);

}  // namespace uxc
