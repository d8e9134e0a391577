#include "user/runtime/watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "user/host/cgroup_control.h"

namespace uxc {

std::string container_state(const Paths& paths, const std::string& name) {
  const RuntimeState st = read_runtime_state(paths, name);
  if (st.state == RunState::kRunning) {
    const FreezeState f = freeze_state(st.init_pid, name);
    if (f == FreezeState::kFrozen || f == FreezeState::kFreezing) return "FROZEN";
  }
  return std::string(run_state_name(st.state));
}

StateWatch::StateWatch(const Paths& paths)
    : paths_(paths), inotify_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
  if (!inotify_.valid()) throw_errno("inotify_init1");
}

void StateWatch::watch(const std::vector<std::string>& names) {
  for (int wd : watches_) inotify_rm_watch(inotify_.get(), wd);
  watches_.clear();
  pidfds_.clear();
  // A path that does not exist yet is not watched: the tick finds it.
  auto add = [this](const std::string& path, uint32_t mask) {
    const int wd = inotify_add_watch(inotify_.get(), path.c_str(), mask);
    if (wd >= 0) watches_.push_back(wd);
  };
  const uint32_t dir_events = IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE;
  add(paths_.data_dir, dir_events);
  add(paths_.runtime_dir, dir_events);
  for (const auto& name : names) {
    add(container_runtime(paths_, name), dir_events);
    const RuntimeState st = read_runtime_state(paths_, name);
    if (st.monitor_pid > 0) {
      Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, st.monitor_pid, 0)));
      if (pidfd.valid()) pidfds_.push_back(std::move(pidfd));
    }
    if (st.state == RunState::kRunning) {
      const std::string events = freeze_events_file(st.init_pid, name);
      if (!events.empty()) add(events, IN_MODIFY);
    }
  }
}

void StateWatch::wait(int timeout_ms) {
  std::vector<pollfd> fds = {{inotify_.get(), POLLIN, 0}};
  for (const auto& p : pidfds_) fds.push_back({p.get(), POLLIN, 0});
  const int tick = 1000;
  (void)poll(fds.data(), fds.size(), timeout_ms < 0 ? tick : std::min(timeout_ms, tick));
  char buf[4096];
  while (read(inotify_.get(), buf, sizeof buf) > 0) {
  }
}

}  // namespace uxc
