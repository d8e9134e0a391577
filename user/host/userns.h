// File work as the container's root: a child process in a new user
// namespace, mapped by uxc-idmap, runs a function with uid and gid 0
// there, so what it creates belongs to the user's subordinate ids.
#pragma once

#include <sys/types.h>

#include <functional>

#include "policy/idmap.h"

namespace uxc {

// Runs `work` in the child; an Error it throws comes back as an Error
// here with the same message. Returns when the child has exited.
// `started`, when given, learns the child's pid as soon as it exists
// (so that a signal handler can kill it).
void run_as_container_root(const policy::IdmapRequest& maps, const std::function<void()>& work,
                           const std::function<void(pid_t)>& started = nullptr);

// run_as_container_root bound to `maps`: what storage/'s functions take
// for their file work (storage/store.h's AsContainerRoot).
std::function<void(const std::function<void()>&)> container_root(const policy::IdmapRequest& maps);

// The same, for work that may exec a program (uxc unshare): returns the
// child's exit status as a shell reports it (128 + signal if killed).
int run_as_container_root_status(const policy::IdmapRequest& maps, const std::function<void()>& work,
                                 const std::function<void(pid_t)>& started = nullptr);

}  // namespace uxc
