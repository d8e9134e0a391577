#!/usr/bin/env bash
# What `uxc stop` promises when it returns, for a networked container:
# the container is STOPPED, its host veth is gone (its quota slot free),
# its runtime files are gone, and a new start of it works at once. And
# never the other way round: the container is not seen STOPPED (its
# runtime lock free) while its veth is still on the host.
#
# The kernel takes a deleted veth off the host at once, but a veth whose
# container end was moved into another namespace of the container goes
# only when the kernel dismantles that namespace, tens of milliseconds
# after the container is killed: that makes the order of the end visible.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
C=down
require_built stop_teardown_built "$UXC" "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic"
require_tool stop_teardown_tools flock nsenter ip strace
allow_usernet "$U veth lxcbr0 2"
write_seed_default_conf $U 100000
uxc_as $U create -n $C -t busybox >/dev/null || { fail stop_teardown_create "create failed"; exit 0; }
same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
state() { uxc_as $U info -n $C -s -H; }
# host_link: the host end of the running container's veth (its state file).
host_link() { awk '$1 == "link" { print $2 }' "$(runtime_dir_of $U)/$C/state"; }
# gone LINK: no link of that name on the host (as `ip link` and
# uxc-nic's quota see them).
gone() { [ -n "$1" ] && ! ip link show "$1" >/dev/null 2>&1; }
# runtime_files: what is left in the container's runtime directory.
runtime_files() { ls "$(runtime_dir_of $U)/$C" | tr '\n' ' '; }

# --------------------------------------------------------- plain stop -k
uxc_as $U start -n $C -d -- /bin/sleep 1000 || { fail stop_teardown_start "start failed"; exit 0; }
link=$(host_link)
check stop_teardown_has_veth ip link show "$link"
check stop_teardown_kill uxc_as $U stop -n $C -k
check stop_teardown_kill_veth_gone gone "$link"
same stop_teardown_kill_state "$(state)" STOPPED
same stop_teardown_kill_runtime_files "$(runtime_files)" "lock "
# The quota is 2 and one slot is free again: a start right after works.
check stop_teardown_restart uxc_as $U start -n $C -d -- /bin/sleep 1000
check stop_teardown_restart_halt_kill uxc_as $U stop -n $C -t 1
check stop_teardown_restart_nothing_left nothing_left $U $C

# ------------------------------------------- a veth that goes late
# sh, the init, keeps a child in a network namespace of its own; root
# moves the container's eth0 there.
start_moved() {
  local init inner i
  uxc_as $U start -n $C -d -- /bin/sh -c 'unshare -n sleep 1000 & exec sleep 1000' || return 1
  init=$(uxc_as $U info -n $C -p -H)
  for ((i = 0; i < 200; i++)); do
    inner=$(pgrep -P "$init" -x sleep) && [ "$(readlink /proc/$inner/ns/net)" != "$(readlink /proc/$init/ns/net)" ] && break
    inner=
    sleep 0.02
  done
  [ -n "$inner" ] || { echo "the init's child never entered its own network namespace"; return 1; }
  nsenter -t "$init" -n ip link set eth0 netns "$inner"
}
check stop_teardown_moved_start start_moved
link=$(host_link)
check stop_teardown_moved_has_veth ip link show "$link"
check stop_teardown_moved_kill uxc_as $U stop -n $C -k
check stop_teardown_moved_veth_gone gone "$link"
same stop_teardown_moved_state "$(state)" STOPPED
same stop_teardown_moved_runtime_files "$(runtime_files)" "lock "
check stop_teardown_moved_nothing_left nothing_left $U $C

# Watched from outside while the stop runs, with the kernel's removal of
# the veth held back by 300 ms (strace delays the deletion the monitor
# sends: its second sendto, after "accepted"): whenever the runtime lock
# is free, the veth must be gone.
check stop_teardown_watched_start uxc_as $U start -n $C -d -- /bin/sleep 1000
link=$(host_link)
dir=$(runtime_dir_of $U)/$C
monitor=$(awk '$1 == "monitor" { print $2 }' "$dir/state")
strace -q -f -p "$monitor" -e trace=sendto -e inject=sendto:delay_enter=300000:when=2 -o /dev/null &
tracer=$!
for ((i = 0; i < 200; i++)); do
  grep -q "^TracerPid:[[:space:]]*[1-9]" "/proc/$monitor/status" && break
  sleep 0.02
done
uxc_as $U stop -n $C -k &
stopper=$!
seen=0 early=
while [ $seen = 0 ]; do
  if flock -n -s "$dir/lock" true; then
    seen=1
    gone "$link" || early="the lock was free while $link was still on the host"
  fi
done
wait $stopper
status=$?
check stop_teardown_watched_veth_gone_on_return gone "$link"
wait $tracer
same stop_teardown_watched_kill "$status" 0
same stop_teardown_watched_never_early "$early" ""
check stop_teardown_watched_nothing_left nothing_left $U $C
