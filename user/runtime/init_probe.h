// Which init a container is about to run (policy/init.h), found by
// following the program's symlinks inside the rootfs as the container
// will see them, before anything is started.
#pragma once

#include <string>
#include <vector>

#include "policy/config.h"
#include "policy/init.h"

namespace uxc {

// The container's argv: `start -- COMMAND`, else lxc.init.cmd, else
// /sbin/init.
std::vector<std::string> container_argv(const std::vector<std::string>& command, const policy::Config& config);

struct InitProbe {
  std::string invoked;   // argv[0]
  std::string resolved;  // where it leads in the rootfs ("" if it does not)
  policy::InitSystem system = policy::InitSystem::kOther;
};

// Never fails: a program that cannot be found or read is kOther (the
// exec in the container reports what is wrong with it).
InitProbe probe_init(const std::string& rootfs, const std::string& program);

}  // namespace uxc
