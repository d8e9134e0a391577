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

// The names of the user's groups (primary and supplementary), from the
// group database, for usernet's @group lines.
std::vector<std::string> user_group_names(const User& user);

struct Paths {
  std::string config_dir;   // ~/.config/uxc
  std::string data_dir;     // ~/.local/share/uxc, or -P PATH
  std::string runtime_dir;  // .../uxc, or .../uxc/.lxcpath-HASH for another -P PATH
  // runtime_dir is the fallback in /tmp (see above); until start makes
  // it, a path under data_dir that does not exist (nothing runs then).
  bool runtime_in_tmp = false;
  std::string record_dir;   // the default data_dir, which records the /tmp one
  std::string lxcpath_tag;  // "" or "/.lxcpath-HASH", below the runtime directory
};
// `lxcpath` (absolute; empty: the default) holds the containers. Its
// running containers get a runtime directory of their own, named by a
// hash of the path, so that two containers of one name in two paths
// never share a socket.
Paths user_paths(const User& user, const std::string& lxcpath = "");

// For start: makes the runtime directory (0700, ours) if it is not there
// yet; in /tmp, a new mkdtemp directory, recorded for the next uxc.
void make_runtime_dir(Paths* paths, const User& user);

// Container names as policy::container_name_problem takes them; an
// Error that says what is wrong.
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
