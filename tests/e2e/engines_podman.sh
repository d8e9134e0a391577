#!/usr/bin/env bash
# Rootless podman (Debian's podman 4.3 with crun) on uxc-idmap, as a test
# user: with uxc's compat directory first on PATH (shadow's newuidmap and
# newgidmap stubbed out in this world), `podman import` of a busybox
# rootfs tarball (no registry is reachable) and `podman run --rm IMAGE id`
# work, and the maps of podman's user namespace are the user's own uid and
# subordinate range; without uxc's names on PATH, podman cannot map.
#
# podman's network is its own (slirp4netns or pasta); the runs use
# --network none so that nothing but the maps is under test. Rootless
# podman cannot use cgroups on a host with v1 controllers, so the runs use
# --cgroups=disabled, and crun 1.8 refuses any hybrid host whose cgroup2
# hierarchy holds a controller: the world's /sys/fs/cgroup/unified is
# covered by an empty read-only tmpfs (private to the world).
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/engines_common.bash"
set -u

require_engine_package podman_installed podman podman
require_engine_package podman_crun_installed crun crun
require_tool podman_tools busybox tar
require_built podman_helpers "$WORLD_BIN/uxc-idmap"

stub_out_shadow_maps || { fail podman_stub_shadow "cannot stub out shadow's newuidmap"; exit 0; }
if [ -d /sys/fs/cgroup/unified ]; then
  mount -t tmpfs -o ro,mode=0755 none /sys/fs/cgroup/unified ||
    { fail podman_hide_cgroup2 "cannot cover /sys/fs/cgroup/unified"; exit 0; }
fi

# A busybox rootfs as a tarball, readable by the test users.
rootfs=$WORLD/podman-rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for applet in sh id cat; do ln -s busybox "$rootfs/bin/$applet"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
tar -C "$rootfs" -cf "$WORLD/rootfs.tar" .
chmod 0644 "$WORLD/rootfs.tar"

# podman_as USER [--path PATH] ARGS...: podman as USER, storage vfs,
# cgroupfs, events to a file (the world has no systemd, no journal).
podman_as() {
  local user=$1 path=$WORLD_COMPAT:$UXC_USER_PATH run=/tmp/$1-run
  shift
  [ "$1" = --path ] && { path=$2; shift 2; }
  mkdir -p "$run" && chown "$user:$user" "$run" && chmod 0700 "$run"
  as_user "$user" sh -c 'mkdir -p ~/.config/containers &&
    printf "[storage]\ndriver = \"vfs\"\n" >~/.config/containers/storage.conf &&
    printf "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\nruntime = \"crun\"\n" >~/.config/containers/containers.conf'
  as_user "$user" env PATH="$path" XDG_RUNTIME_DIR="$run" podman "$@"
}

out=$(podman_as uxtest1 import "$WORLD/rootfs.tar" localhost/busybox 2>&1)
rc=$?
[ "$rc" = 0 ] && pass podman_import_rootfs_tarball || { fail podman_import_rootfs_tarball "exit $rc: $out"; exit 0; }

out=$(podman_as uxtest1 run --rm --network none --cgroups=disabled localhost/busybox id 2>&1)
rc=$?
[ "$rc" = 0 ] && [[ $out == "uid=0(root) gid=0(root)"* ]] && pass podman_run_id ||
  fail podman_run_id "exit $rc: $out"

maps=$(podman_as uxtest1 run --rm --network none --cgroups=disabled localhost/busybox \
  sh -c 'cat /proc/self/uid_map /proc/self/gid_map' 2>&1 | tr -s ' ' | sed 's/^ //' | tr '\n' ,)
[ "$maps" = "0 61001 1,1 100000 65536,0 61001 1,1 100000 65536," ] && pass podman_maps_from_uxc_idmap ||
  fail podman_maps_from_uxc_idmap "$maps"

# uxtest2, without uxc's names on PATH, finds only shadow's (stubbed out
# here) and podman cannot set its namespace up: the maps above were
# uxc-idmap's.
out=$(podman_as uxtest2 --path "$UXC_USER_PATH" import "$WORLD/rootfs.tar" localhost/busybox 2>&1)
rc=$?
[ "$rc" != 0 ] && [[ $out == *"shadow's helper called"* ]] && pass podman_shadow_maps_stubbed_out ||
  fail podman_shadow_maps_stubbed_out "exit $rc: $out"
exit 0
