#!/usr/bin/env bash
# uxc-nic's own files. Before:
# - with fd 3 closed by the caller, the helper opened its lock file onto
#   fd 3, where the target belongs (the target check then ran on a
#   root-opened file; it refused, but only because a lock file is no
#   namespace);
# - the lock file, created by the first caller's helper, got that
#   caller's group (root:<caller>).
# Now the helper's own files sit at fd 10 or above, and the lock is made
# root:root.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

D=$(mktemp -d)
STUCK=()
trap 'for p in "${STUCK[@]}"; do kill -KILL "$p" 2>/dev/null; done; kill "${HOLDERS[@]}" 2>/dev/null; rm -rf "$D" "$ERRF"' EXIT
usernet "uxtest1 veth lxcbr0 2"
holder uxtest1; h1=$HOLDER

# helper_under PID: the uxc-nic process at or below PID, once it exists.
helper_under() {
  local pid=$1 kid
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = uxc-nic ] && { echo "$pid"; return 0; }
  for kid in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do helper_under "$kid" && return 0; done
  return 1
}

# --------------------------------------- the lock's group, first caller's
rm -f /run/uxc-nic.lock
create uxtest1 "$h1" lxcbr0 "name g0"
[ "$RC" = 0 ] && [ "$(stat -c %u:%g:%a /run/uxc-nic.lock)" = 0:0:600 ] &&
  pass cve_usernic_files_lock_root_root ||
  fail cve_usernic_files_lock_root_root "exit $RC; lock $(stat -c %u:%g:%a /run/uxc-nic.lock 2>&1)"
remove_all_host_ends
# A lock file left with a caller's group (by an older helper) is mended.
chgrp 61001 /run/uxc-nic.lock
create uxtest1 "$h1" lxcbr0 "name g1"
[ "$RC" = 0 ] && [ "$(stat -c %u:%g /run/uxc-nic.lock)" = 0:0 ] &&
  pass cve_usernic_files_lock_group_mended ||
  fail cve_usernic_files_lock_group_mended "exit $RC; lock $(stat -c %u:%g /run/uxc-nic.lock 2>&1)"
remove_all_host_ends

# --------------------------------------------------------- fd 3 closed
# The helper waits for its request on a FIFO (after opening its files as
# root, before reading anything), so its descriptors can be looked at.
mkfifo -m 0666 "$D/request"
exec {writer}<>"$D/request"
as_user uxtest1 sh -c 'exec "$0" 3<&-' "$NIC" <"$D/request" >"$D/out" 2>"$D/err" {writer}>&- &
runner=$!
STUCK+=("$runner")
helper=
for _ in $(seq 1000); do
  helper=$(helper_under "$runner") && [[ "$(cat "/proc/$helper/wchan" 2>/dev/null)" == *pipe_read* ]] && break
  helper=
  sleep 0.01
done
if [ -z "$helper" ]; then
  fail cve_usernic_files_fd3_closed_stays_closed "the helper never waited for its request: $(cat "$D/err")"
else
  STUCK+=("$helper")
  fds=$(for fd in /proc/"$helper"/fd/*; do echo "${fd##*/} $(readlink "$fd")"; done)
  lock_fd=$(awk '$2 == "/run/uxc-nic.lock" {print $1}' <<<"$fds")
  policy_fd=$(awk '$2 == "/etc/uxc/usernet" {print $1}' <<<"$fds")
  if [ -e "/proc/$helper/fd/3" ]; then
    fail cve_usernic_files_fd3_closed_stays_closed "fd 3 is $(readlink "/proc/$helper/fd/3")"
  elif [ -z "$lock_fd" ] || [ "$lock_fd" -lt 10 ] || [ -z "$policy_fd" ] || [ "$policy_fd" -lt 10 ]; then
    fail cve_usernic_files_fd3_closed_stays_closed "own files not at 10 or above: $(tr '\n' ' ' <<<"$fds")"
  else
    pass cve_usernic_files_fd3_closed_stays_closed
  fi
  request "op create" "type veth" "link lxcbr0" "name c0" >&"$writer"
  exec {writer}>&-
  wait "$runner"
  rc=$?
  [ "$rc" = 15 ] && [ "$(host_ends | wc -l)" = 0 ] && pass cve_usernic_files_fd3_closed_refused ||
    fail cve_usernic_files_fd3_closed_refused "exit $rc: $(cat "$D/out" "$D/err")"
fi
exit 0
