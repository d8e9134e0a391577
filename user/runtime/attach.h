// `uxc attach`'s processes inside the container: the joiner and the
// command (attach.cpp says how they keep the host out). The relay that
// stays on the host is commands/attach.cpp.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "policy/config.h"
#include "user/common/util.h"
#include "user/storage/container.h"

namespace uxc {

struct AttachPlan {
  std::string name;
  pid_t init_pid = 0;
  policy::Config config;
  std::vector<std::string> command;  // empty: the user's shell
  bool pty = false;
  std::string term;
  uid_t uid = 0;                     // in the container
  gid_t gid = 0;
  bool keep_env = false;             // the caller's environment, not a clean one
  std::vector<std::string> keep_vars;  // with a clean one: these of the caller's
  std::vector<std::string> set_vars;   // NAME=VALUE, last
  std::string cwd = "/";             // in the container
  bool elevated = false;             // lxc.cap.drop and lxc.cap.keep not applied
  int chan = -1;                // SOCK_SEQPACKET to the relay
  int stdio[3] = {-1, -1, -1};  // without a pty: the pipe ends
};

// The init's pid, held as a pidfd so that a recycled pid can never be
// entered. Throws "NAME is not running" if it is not the child of the
// container's monitor, or gone.
Fd open_container_init(const RuntimeState& st, const std::string& name);

// TERM for the command: the caller's when it is a plain terminal name.
std::string terminal_name(bool have_pty);

// The joiner: enters the container, forks the command into its pid
// namespace, and exits with the command's status. Never returns.
[[noreturn]] void run_joiner(int pidfd, const AttachPlan& plan);

}  // namespace uxc
