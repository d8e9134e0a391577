#!/usr/bin/env bash
# Rootless Docker (Debian's docker.io 20.10 and its dockerd-rootless.sh,
# on Debian's rootlesskit) on uxc's helpers, as a test user:
# DOCKERD_ROOTLESS_ROOTLESSKIT_NET=lxc-user-nic with uxc's compat
# lxc-user-nic, uxc's newuidmap/newgidmap first on PATH (shadow's stubbed
# out in this world). The daemon's nic is uxc-nic's; `docker import` of a
# busybox rootfs tarball (no registry is reachable) and `docker run --rm
# IMAGE wget -O- http://10.0.3.1:PORT/` against a server on the bridge
# work; the daemon's maps are the user's uid and subordinate range; SIGKILL
# to RootlessKit takes the daemon down and leaves no veth; without uxc's
# names on PATH the daemon cannot start.
#
# The world has no systemd: dockerd-rootless.sh is started directly, as
# its documentation shows, with the vfs storage driver (no dependence on
# the host's overlay support).
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
source "$(dirname "$0")/engines_common.bash"
set -u

DOCKERD_ROOTLESS=/usr/share/docker.io/contrib/dockerd-rootless.sh
DOCKER=/usr/bin/docker  # by its path: an administrator's /usr/local/bin/docker is not under test
require_engine_package docker_installed docker.io dockerd
require_engine_package docker_rootlesskit_installed rootlesskit rootlesskit
require_tool docker_tools busybox dnsmasq tar iptables
require_built docker_helpers "$WORLD_BIN/uxc-nic" "$WORLD_BIN/uxc-idmap"
[ -x "$DOCKERD_ROOTLESS" ] || { fail docker_rootless_script "$DOCKERD_ROOTLESS is not there (Debian's docker.io ships it)"; exit 1; }

U=61001
PORT=8080
usernet "uxtest1 veth lxcbr0 1" "uxtest2 veth lxcbr0 1"
start_engine_dnsmasq || { fail docker_dnsmasq "dnsmasq did not start"; exit 0; }
serve_token "$PORT" || { fail docker_http_server "busybox httpd on 10.0.3.1:$PORT did not answer"; exit 0; }
stub_out_shadow_maps || { fail docker_stub_shadow "cannot stub out shadow's newuidmap"; exit 0; }

rootfs=$WORLD/docker-rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for applet in sh id cat wget; do ln -s busybox "$rootfs/bin/$applet"; done
tar -C "$rootfs" -cf "$WORLD/rootfs.tar" .
chmod 0644 "$WORLD/rootfs.tar"

# start_daemon USER PATH LOG: dockerd-rootless.sh as USER in the
# background, its runtime directory /tmp/USER-run.
start_daemon() {
  local user=$1 path=$2 run=/tmp/$1-run
  mkdir -p "$run" && chown "$user:$user" "$run" && chmod 0700 "$run"
  as_user "$user" env PATH="$path" XDG_RUNTIME_DIR="$run" \
    DOCKERD_ROOTLESS_ROOTLESSKIT_NET=lxc-user-nic \
    DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS="--lxc-user-nic-binary=$WORLD_COMPAT/lxc-user-nic" \
    "$DOCKERD_ROOTLESS" --storage-driver=vfs >"$3" 2>&1 &
}
docker_as() {  # docker_as USER ARGS...
  local user=$1
  shift
  as_user "$user" env DOCKER_HOST="unix:///tmp/$user-run/docker.sock" "$DOCKER" "$@"
}

# uxtest2 without uxc's names on PATH finds only shadow's (stubbed out):
# the daemon cannot map its namespace, so the maps below are uxc-idmap's.
# First, while no namespace of an earlier daemon is being torn down: the
# kernel's cleanup of a killed daemon's network namespace can hold a new
# one's creation for many seconds on a busy machine.
start_daemon uxtest2 "$UXC_USER_PATH" "$WORLD/dockerd2.log"
for _ in $(seq 300); do  # RootlessKit's error, then every process gone
  grep -q "rootlesskit:parent\] error" "$WORLD/dockerd2.log" && [ -z "$(user_procs 61002)" ] && break
  sleep 0.1
done
[ -z "$(user_procs 61002)" ] && grep -q "newuidmap.*shadow's helper called" "$WORLD/dockerd2.log" &&
  pass docker_shadow_maps_stubbed_out ||
  fail docker_shadow_maps_stubbed_out "running: $(ps -o pid,ppid,stat,args -u 61002 | tr '\n' ' '); log: $(tail -3 "$WORLD/dockerd2.log")"
LOG=$WORLD/dockerd.log
start_daemon uxtest1 "$WORLD_COMPAT:$UXC_USER_PATH" "$LOG"
up=
for _ in $(seq 150); do
  docker_as uxtest1 info >/dev/null 2>&1 && { up=1; break; }
  sleep 0.2
done
[ -n "$up" ] && pass docker_rootless_daemon_starts ||
  { fail docker_rootless_daemon_starts "no answer in 30 s: $(grep -iE 'error|fatal' "$LOG" | tail -5)"; exit 0; }

ends=$(host_ends)
[ "$(wc -l <<<"$ends")" = 1 ] && [ "${ends#* }" = "uxc:$U:uxtest1:veth:lxcbr0" ] &&
  pass docker_daemon_nic_is_uxc_nics || fail docker_daemon_nic_is_uxc_nics "host ends: $ends"

out=$(docker_as uxtest1 import "$WORLD/rootfs.tar" busybox 2>&1)
rc=$?
[ "$rc" = 0 ] && pass docker_import_rootfs_tarball || fail docker_import_rootfs_tarball "exit $rc: $out"

out=$(docker_as uxtest1 run --rm busybox wget -q -O- "http://10.0.3.1:$PORT/token" 2>&1)
rc=$?
[ "$rc" = 0 ] && [ "$out" = "$TOKEN" ] && pass docker_run_reaches_bridge ||
  fail docker_run_reaches_bridge "exit $rc: $out (wanted $TOKEN)"

maps=$(docker_as uxtest1 run --rm busybox sh -c 'cat /proc/self/uid_map /proc/self/gid_map' 2>&1 |
  tr -s ' ' | sed 's/^ //' | tr '\n' ,)
[ "$maps" = "0 61001 1,1 100000 65536,0 61001 1,1 100000 65536," ] && pass docker_maps_from_uxc_idmap ||
  fail docker_maps_from_uxc_idmap "$maps"

# The user's quota is one nic: the daemon holds it.
out=$(as_user uxtest1 env PATH="$WORLD_COMPAT:$UXC_USER_PATH" XDG_RUNTIME_DIR=/tmp/uxtest1-run \
  rootlesskit --state-dir=/tmp/uxtest1-run/second --net=lxc-user-nic \
  --lxc-user-nic-binary="$WORLD_COMPAT/lxc-user-nic" true 2>&1)
rc=$?
[ "$rc" != 0 ] && [[ $out == *"all 1 veth nics on lxcbr0 for uxtest1 are in use"* ]] &&
  pass docker_daemon_nic_counts_in_quota || fail docker_daemon_nic_counts_in_quota "exit $rc: $out"

# SIGKILL to RootlessKit: the daemon, containerd and the nic go with it.
pkill -KILL -u "$U" -x rootlesskit
check docker_sigkill_leaves_nothing wait_nothing_left "$U" 20

exit 0
