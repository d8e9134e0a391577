// A container as the manager sees it: its files, its configuration and
// its run-time state.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "policy/config.h"
#include "user/common/dirs.h"

namespace uxc {

// Reads and validates a configuration file; every problem is reported,
// one `FILE:LINE: what` per line, in the Error.
policy::Config load_config(const std::string& path);

// The files `lxc.include` names, read as the user: regular files only,
// at most policy::kMaxConfigBytes + 1 bytes (the reader refuses more).
const policy::IncludeFiles& config_includes();

// Prints the keys uxc accepts but does not act on.
void warn_ignored(const policy::Config& config, const std::string& path);

enum class RunState { kStopped, kRunning, kStarting };
std::string_view run_state_name(RunState state);

// What a running container's monitor records in its runtime directory.
struct RuntimeState {
  RunState state = RunState::kStopped;
  pid_t monitor_pid = 0;
  pid_t init_pid = 0;
  std::vector<std::string> host_links;  // host ends of the veths
};

// The monitor holds an exclusive lock on RUNTIME/lock for its whole life,
// so a container is running exactly while that lock is held: a killed
// monitor releases it at once, and its container (which dies with it,
// PR_SET_PDEATHSIG) reads as STOPPED. The lock file itself is never
// removed: a start that opened it must lock the same file as the next.
// Readers probe it with a shared lock for a moment; lock_runtime()
// allows for that.
RuntimeState read_runtime_state(const Paths& paths, const std::string& name);

// Takes the exclusive lock of an open RUNTIME/lock for a starting
// monitor: false if a monitor holds it. A reader's momentary shared lock
// is waited out (at most 0.2 s).
bool lock_runtime(int lock_fd);

std::string state_file_text(pid_t monitor, pid_t init, const std::vector<std::string>& links);

// Removes a directory tree without following symlinks or crossing into
// other filesystems. Used as the container's root on rootfs trees.
void remove_tree(const std::string& path);

// Before remove_tree, as the same identity: "" if every entry of the tree
// can be removed, else the first that cannot, and why ("PATH: REASON").
// It asks the kernel wherever it can (may this process list the
// directory, write and search it, own or override the owner of an entry
// in a sticky one), so an id outside the namespace's map is judged as the
// removal would meet it. One guess is left: a symlink, fifo, socket or
// device in a sticky directory that is not the container's root's is
// taken as removable (asking would mean opening it).
std::string find_unremovable(const std::string& path);

void require_container(const Paths& paths, const std::string& name);

}  // namespace uxc
