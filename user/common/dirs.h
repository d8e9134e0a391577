// Where a user's containers live, and who the user is.
//
//   ~/.config/uxc/default.conf           defaults for new containers
//   ~/.local/share/uxc/NAME/{config,rootfs}
//   $XDG_RUNTIME_DIR/uxc/NAME/            monitor socket, lock, state
//
// Without XDG_RUNTIME_DIR the runtime directory is /run/user/UID/uxc when
// that directory is ours, else /tmp/uxc-UID, created 0700 and refused if
// anyone else owns it or can write to it (another user could otherwise
// plant a socket that answers in our name).
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
};
// `lxcpath` (absolute; empty: the default) holds the containers. Its
// running containers get a runtime directory of their own, named by a
// hash of the path, so that two containers of one name in two paths
// never share a socket.
Paths user_paths(const User& user, const std::string& lxcpath = "");

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
