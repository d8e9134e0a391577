#!/usr/bin/env bash
# A caller must not be able to hold up other users' nic creation. The
# helper takes a lock around counting and creating; before it was per
# host and held until the helper exited, so a caller could keep it as
# long as it liked:
# - by giving the helper stdout and stderr pipes that are already full:
#   the answer (or a refusal's line) blocks forever with the lock held,
#   and every other create on every bridge waited 10 s and failed;
# - by stopping its own helper (SIGSTOP) inside the locked section.
# Now the lock is per usernet line and released before anything is
# written to the caller's descriptors: another user's creates on another
# line succeed while either attack is in progress. A stopped helper still
# holds its own line's lock; creates that may be charged to that line give
# up after 10 s (exit 19), which is the bound THREAT-MODEL.md states; a
# create whose every matching line is visibly full is refused before it
# waits for any lock (exit 20 at once).
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

D=$(mktemp -d)
STUCK=()
cleanup_stuck() {
  local pid
  for pid in "${STUCK[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for pid in "${STUCK[@]}"; do wait "$pid" 2>/dev/null; done
  STUCK=()
}
trap 'cleanup_stuck; kill "${HOLDERS[@]}" 2>/dev/null; rm -rf "$D" "$ERRF"' EXIT

usernet "uxtest1 veth br1 1" "uxtest2 veth lxcbr0 2"
holder uxtest1; h1=$HOLDER
holder uxtest2; h2=$HOLDER

# wait_for PID WHAT: until PID's state matches WHAT ("pipe_write" in its
# wchan, or a stopped state); 1 if it never does.
wait_for() {
  local pid=$1 what=$2
  for _ in $(seq 1000); do
    case $what in
      pipe_write) [[ "$(cat "/proc/$pid/wchan" 2>/dev/null)" == *pipe_write ]] && return 0 ;;
      stopped) [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == [tT] ]] && return 0 ;;
    esac
    sleep 0.01
  done
  return 1
}

# helper_under PID: the uxc-nic process at or below PID (as_user is a
# function, so a background as_user is a subshell), once it exists.
helper_under() {
  local pid=$1 kids kid
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = uxc-nic ] && { echo "$pid"; return 0; }
  kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null)
  for kid in $kids; do helper_under "$kid" && return 0; done
  return 1
}

# A FIFO whose reader never reads, filled to capacity: a write to it blocks.
mkfifo "$D/full"
sleep 100000 <"$D/full" &
STUCK+=($!)
exec {fill}>"$D/full"
dd if=/dev/zero of="$D/full" bs=4096 count=64 oflag=nonblock status=none 2>"$D/dd"
[ "$(stat -c %s "$D/dd")" -gt 0 ] ||
  { fail cve_usernic_lock_pipe_filled "dd wrote 256 KiB into a pipe without blocking"; exit 1; }

# full_pipes NAME FIELD...: uxtest1's create on br1 with fd 1 and 2 on the
# full pipe, in the background.
full_pipes() {
  local name=$1 helper=
  shift
  request "op create" "type veth" "link br1" "$@" |
    as_user uxtest1 sh -c 'exec "$0" 3<"$1"' "$NIC" "/proc/$h1/ns/net" >"$D/full" 2>"$D/full" &
  STUCK+=($!)
  for _ in $(seq 1000); do helper=$(helper_under $!) && break; sleep 0.01; done
  [ -n "$helper" ] && STUCK=("$helper" "${STUCK[@]}")
  if [ -z "$helper" ] || ! wait_for "$helper" pipe_write; then
    fail "$name" "the helper never blocked writing to the full pipe"
    return 1
  fi
  create uxtest2 "$h2" lxcbr0 "name n$RANDOM"
  [ "$RC" = 0 ] && pass "$name" || fail "$name" "uxtest2's create on lxcbr0: exit $RC: $ERR"
}

# The answer blocks: the nic was made and tagged, then fd 1 is full.
full_pipes cve_usernic_lock_answer_to_full_pipe "name a0"
# A refusal inside the locked section (uxtest1's quota of 1 is used) blocks
# on fd 2. uxtest1's own line is free too: it was released first.
full_pipes cve_usernic_lock_refusal_to_full_pipe "name a1"
cleanup_stuck
remove_all_host_ends

# SIGSTOP inside the locked section: strace (as root, so the helper is
# still setuid) stops it when it returns from its second alarm(): alarm(10)
# is set before the lock and alarm(0) once it is held; nothing between
# them but taking the lock.
command -v strace >/dev/null || { fail cve_usernic_lock_strace "strace is not installed (make deps)"; exit 1; }
request "op create" "type veth" "link br1" "name s0" |
  strace -o "$D/strace" -u uxtest1 -e trace=alarm -e inject=alarm:signal=SIGSTOP:when=2 \
    "$NIC" 3<"/proc/$h1/ns/net" >"$D/out" 2>"$D/err" &
tracer=$!
STUCK+=($tracer)
helper=
for _ in $(seq 1000); do helper=$(helper_under "$tracer") && break; sleep 0.01; done
if [ -z "$helper" ] || ! wait_for "$helper" stopped; then
  fail cve_usernic_lock_stopped_holder "the helper was not stopped: $(cat "$D/strace" "$D/err")"
  exit 1
fi
STUCK=("$helper" "${STUCK[@]}")
lock_inode=$(stat -c %i /run/uxc-nic.lock)
grep -q ":$lock_inode " /proc/locks ||
  { fail cve_usernic_lock_stopped_holder "no lock held on /run/uxc-nic.lock: $(cat /proc/locks)"; exit 1; }
bad=
for i in 0 1; do
  create uxtest2 "$h2" lxcbr0 "name t$i"
  [ "$RC" = 0 ] || bad+="create $i: exit $RC: $ERR; "
done
[ -z "$bad" ] && pass cve_usernic_lock_stopped_holder_other_line || fail cve_usernic_lock_stopped_holder_other_line "$bad"
# The residual bound: a create that may be charged to the stopped
# helper's line waits kLockWaitSeconds and gives up with the lock step.
holder uxtest1; h3=$HOLDER
create uxtest1 "$h3" br1 "name u0"
[ "$RC" = 19 ] && pass cve_usernic_lock_stopped_holder_own_line_bounded ||
  fail cve_usernic_lock_stopped_holder_own_line_bounded "exit $RC: $ERR"
# The same line, now visibly full (root puts a tagged nic in its one slot,
# as a create of the line that finished would): refused with the quota
# status before the lock, instead of waiting 10 s for it (exit 19).
slot0=$("$UXC_BUILD/tests/nic_slots" uxtest1 veth br1 0 1)
if ip link add "$slot0" type veth peer name "p${slot0#uxc}" &&
   ip link set "$slot0" alias "uxc:61001:uxtest1:veth:br1" up; then
  create uxtest1 "$h3" br1 "name u1"
  [ "$RC" = 20 ] && [[ $OUT == "error quota "* ]] && pass cve_usernic_lock_full_line_refused_before_lock ||
    fail cve_usernic_lock_full_line_refused_before_lock "exit $RC: $OUT $ERR"
else
  fail cve_usernic_lock_full_line_refused_before_lock "root could not make $slot0"
fi
cleanup_stuck
remove_all_host_ends
exit 0
