// Where a user's containers live, and who the user is.
//
//   ~/.config/uxc/default.conf           defaults for new containers
//   ~/.local/share/uxc/NAME/{config,rootfs}
//   $XDG_RUNTIME_DIR/uxc/NAME/            monitor socket, lock, state
//
// Without XDG_RUNTIME_DIR the runtime directory is /run/user/UID/uxc when
// that directory is ours. Else it is a directory of ours in /tmp whose
// name mkdtemp chose (/tmp/uxc-UID.XXXXXX), recorded in the data
// directory (~/.local/share/uxc/.runtime) so that every uxc of the user
// finds it: a fixed name in a shared directory could be taken first by
// another user, who would then keep us from starting anything (or plant
// a socket that answers in our name).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace uxc {

struct User {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
  std::string home;
};
User current_user();

struct Paths {
  std::string config_dir;   // ~/.config/uxc
  std::string data_dir;     // ~/.local/share/uxc
  std::string runtime_dir;  // .../uxc
  // runtime_dir is the fallback in /tmp (see above); until start makes
  // it, a path under data_dir that does not exist (nothing runs then).
  bool runtime_in_tmp = false;
};
Paths user_paths(const User& user);

// For start: makes the runtime directory (0700, ours) if it is not there
// yet; in /tmp, a new mkdtemp directory, recorded for the next uxc.
void make_runtime_dir(Paths* paths, const User& user);

// Container names: 1-64 bytes of [A-Za-z0-9_.-], not starting with '.'
// or '-'; they become directory and host names.
void check_container_name(const std::string& name);

std::string container_dir(const Paths& paths, const std::string& name);
std::string container_config(const Paths& paths, const std::string& name);
std::string container_runtime(const Paths& paths, const std::string& name);

// Names of every container directory that holds a config, sorted.
std::vector<std::string> list_containers(const Paths& paths);

// Makes `dir` (and parents) owned by us, mode 0700; refuses one that is
// not ours or is writable by others.
void make_private_dir(const std::string& dir, uid_t uid);

}  // namespace uxc
