// What `uxc ls`, `uxc wait` and `uxc monitor` report as a container's
// state, and a way to sleep until it may have changed.
#pragma once

#include <string>
#include <vector>

#include "user/common/dirs.h"
#include "user/common/util.h"
#include "user/storage/container.h"

namespace uxc {

// STOPPED, STARTING, RUNNING or FROZEN (a running container whose cgroup
// is frozen, or being frozen).
std::string container_state(const Paths& paths, const std::string& name);

// The states `container_state` reports, for the commands' checks.
inline constexpr const char* kContainerStates[] = {"STOPPED", "STARTING", "RUNNING", "FROZEN"};

// Sleeps until something that decides a container's state changes: a
// container directory or runtime directory gains or loses a file (a
// monitor starts, writes its state, or cleans up), a monitor exits (its
// pidfd), or a v2 freezer's cgroup.events changes. A monitor killed
// outright leaves its files behind, but its pidfd still wakes the
// watcher. A tick of one second covers anything else.
class StateWatch {
 public:
  explicit StateWatch(const Paths& paths);
  // Watches these containers from now on (call again after each wake:
  // containers start, stop and appear).
  void watch(const std::vector<std::string>& names);
  // Returns after a change, or after at most `timeout_ms` (-1: the tick).
  void wait(int timeout_ms);

 private:
  Paths paths_;
  Fd inotify_;
  std::vector<int> watches_;
  std::vector<Fd> pidfds_;
};

}  // namespace uxc
