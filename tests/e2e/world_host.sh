#!/usr/bin/env bash
# The isolated test world, seen from the host: a world that changes
# everything it can leaves the host's files, links, mounts, hostname and
# processes exactly as they were. Runs on the host as root; it does not
# re-execute itself in a world, it starts worlds and looks at what remains.
source "$(dirname "$0")/../lib.sh"
set -u

if [ -n "${UXC_IN_WORLD:-}" ]; then
  skip world_host "must run on the host, not inside a world"; exit 0
fi
if [ "$(id -u)" != 0 ]; then
  skip world_host "starting a world needs root"; exit 0
fi

enter=$UXC_SRC/tests/world/enter
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
marker=uxc-leak-$$-$RANDOM

# ---------------------------------------------------------------- snapshot
etc_files=(/etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/subuid /etc/subgid
           /etc/hostname /etc/uxc/usernet /etc/lxc/lxc-usernet)
snapshot() {  # DIR: record what the world must not change
  local dir=$1 f
  mkdir -p "$dir"
  for f in "${etc_files[@]}"; do
    if [ -e "$f" ]; then sha256sum "$f"; else echo "missing $f"; fi
  done >"$dir/etc"
  ip -o link show | awk -F': ' '{print $1": "$2}' >"$dir/links"
  ip -o addr show | awk '{print $2, $3, $4}' >"$dir/addrs"
  findmnt -rn >"$dir/mounts"
  hostname >"$dir/hostname"
  readlink /proc/self/ns/net >"$dir/netns"
}
snapshot "$scratch/before"

# --------------------------------------------------- a world that meddles
# It reports what it saw on fd 3 (a host file), then changes everything in
# reach and leaves a process behind.
meddle() {
  set -e
  {
    echo "pidns $(readlink /proc/self/ns/pid)"
    echo "netns $(readlink /proc/self/ns/net)"
    echo "mntns $(readlink /proc/self/ns/mnt)"
    echo "world $WORLD"
    echo "getent $(getent passwd uxtest1)"
    ip -o link show | awk -F': ' '{print "link " $2}'
  } >&3
  echo 'uxleak:x:61050:61050::/nonexistent:/usr/sbin/nologin' >>/etc/passwd
  if command -v useradd >/dev/null; then useradd -l -M -u 61051 "${MARKER//-/}" 2>/dev/null; fi
  echo "uxtest3:300000:65536" >>/etc/subuid
  echo "uxtest3:300000:65536" >/etc/subgid
  mkdir -p /etc/uxc /etc/lxc
  echo 'uxtest1 veth lxcbr0 9' >/etc/uxc/usernet
  echo 'uxtest1 veth lxcbr0 9' >/etc/lxc/lxc-usernet
  echo leaked >/etc/hostname
  hostname "$MARKER"
  ip link add leakbr0 type bridge
  ip link add leakv0 type veth peer name leakv1
  ip link set leakv0 master lxcbr0 up
  ip addr add 10.0.3.99/24 dev lxcbr0
  ip link del br1
  for dir in /tmp /run /home /var/tmp /dev/shm /root; do touch "$dir/$MARKER"; done
  as_user uxtest1 touch "/tmp/$MARKER.user"
  mkdir -p "/tmp/$MARKER.mnt" && mount -t tmpfs "$MARKER" "/tmp/$MARKER.mnt"
  mount -t tmpfs "$MARKER" /mnt
  # A daemon in its own session, which the world must still take down.
  setsid bash -c "exec -a $MARKER sleep 600" </dev/null >/dev/null 2>&1 &
  echo "done" >&3
}
export -f meddle as_user
export UXC_USER_PATH MARKER=$marker

"$enter" -- bash -c meddle 3>"$scratch/report"
status=$?
snapshot "$scratch/after"
report() { sed -n "s/^$1 //p" "$scratch/report"; }

if [ "$status" = 0 ] && grep -qx 'done' "$scratch/report"; then
  pass world_meddling_command_ran
else
  fail world_meddling_command_ran "enter exited $status; report: $(cat "$scratch/report")"
fi

for part in etc links addrs mounts hostname; do
  if cmp -s "$scratch/before/$part" "$scratch/after/$part"; then
    pass "world_host_${part}_unchanged"
  else
    fail "world_host_${part}_unchanged" "$(diff "$scratch/before/$part" "$scratch/after/$part")"
  fi
done

bridges_only_in_world() {
  local name
  if [ -z "$(report netns)" ] || [ "$(report netns)" = "$(cat "$scratch/before/netns")" ]; then
    echo "world netns '$(report netns)' vs host $(cat "$scratch/before/netns")"; return 1
  fi
  for name in lxcbr0 br1 notabridge; do
    report link | grep -qx "$name" || { echo "the world had no $name"; return 1; }
    # A host that has its own lxcbr0 keeps it; the world never adds one.
    if ! grep -q ": $name$" "$scratch/before/links" && grep -q ": $name$" "$scratch/after/links"; then
      echo "$name appeared on the host"; return 1
    fi
  done
  if grep -qE ': (leakbr0|leakv0|leakv1)' "$scratch/after/links"; then echo "a leak link is on the host"; return 1; fi
}
check world_bridges_exist_only_in_world bridges_only_in_world

users_only_in_world() {
  [ "$(report getent)" = "uxtest1:*:61001:61001:uxc test user 1:/home/uxtest1:/bin/bash" ] ||
    { echo "inside, getent said: $(report getent)"; return 1; }
  if getent passwd uxtest1 >/dev/null || getent passwd 61050 >/dev/null || getent passwd 61051 >/dev/null ||
     getent group uxnet >/dev/null; then
    echo "a world account resolves on the host"; return 1
  fi
}
check world_users_resolve_only_in_world users_only_in_world

no_files_left() {
  local dir
  for dir in /tmp /run /home /var/tmp /dev/shm /root /mnt; do
    if [ -e "$dir/$marker" ] || [ -e "$dir/$marker.user" ] || [ -e "$dir/$marker.mnt" ]; then
      echo "$dir/$marker* exists on the host"; return 1
    fi
  done
  [ -n "$(report world)" ] || { echo "the world did not say where it lived"; return 1; }
  if [ -e "$(report world)" ]; then echo "the world directory $(report world) exists on the host"; return 1; fi
}
check world_no_files_or_world_dir_left no_files_left

# processes_in NSTYPE INODE-LINK: pids on the host still in that namespace.
processes_in() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/$1" 2>/dev/null)" = "$2" ] && echo "${p#/proc/}"
  done
  return 0
}
processes_named() {  # NAME: pids whose argv[0] is exactly NAME
  local p argv0
  for p in /proc/[0-9]*; do
    IFS= read -r -d '' argv0 <"$p/cmdline" 2>/dev/null || continue
    [ "$argv0" = "$1" ] && echo "${p#/proc/}"
  done
  return 0
}
no_process_left() {
  local ns left
  for ns in pid net mnt; do
    [ -n "$(report ${ns}ns)" ] || { echo "the world did not report its $ns namespace"; return 1; }
    left=$(processes_in "$ns" "$(report ${ns}ns)")
    [ -z "$left" ] || { echo "processes still in the world's $ns namespace: $left"; return 1; }
  done
  left=$(processes_named "$marker")
  [ -z "$left" ] || { echo "the world's daemon survived: $left"; return 1; }
}
check world_no_process_left no_process_left

# ------------------------------------------------------- exit status, speed
exit_status() {
  local status
  "$enter" -- sh -c 'exit 7'; status=$?
  [ "$status" = 7 ] || { echo "exit 7 came back as $status"; return 1; }
  "$enter" true || { echo "true came back as $?"; return 1; }
  [ "$(echo piped | "$enter" cat)" = piped ] || { echo "stdin/stdout did not pass through"; return 1; }
}
check world_enter_returns_command_status exit_status

# Killing enter (as a timeout would) takes the whole world down with it:
# SIGTERM through enter's trap, SIGKILL through unshare's parent-death signal.
killed_world_is_gone() {  # SIGNAL
  local pid ns left report=$scratch/killed-$1
  "$enter" -- bash -c 'echo "pidns $(readlink /proc/self/ns/pid)" >&3; echo up >&3; exec sleep 600' \
    3>"$report" </dev/null >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -qx up "$report" 2>/dev/null && break; sleep 0.05; done
  grep -qx up "$report" || { echo "the world never came up"; kill -KILL "$pid"; return 1; }
  kill "-$1" "$pid"
  wait "$pid" 2>/dev/null
  ns=$(sed -n 's/^pidns //p' "$report")
  for _ in $(seq 100); do
    left=$(processes_in pid "$ns")
    [ -z "$left" ] && return 0
    sleep 0.05
  done
  echo "processes still in the world after SIG$1 to enter: $left"; return 1
}
check world_sigterm_to_enter_takes_world_down killed_world_is_gone TERM
check world_sigkill_to_enter_takes_world_down killed_world_is_gone KILL

# Not a test: how long a world takes to build and tear down.
start=$(date +%s%N)
for _ in 1 2 3 4 5; do "$enter" true; done
echo "# world enter + teardown: $(( ($(date +%s%N) - start) / 5000000 )) ms on average over 5 runs"
