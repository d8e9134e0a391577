#!/usr/bin/env bash
# uxc-nic puts interfaces only into network namespaces of containers the
# caller owns (CVE-2017-5985): every other target is refused, the same way
# whether or not a named path exists, and nothing is created on either
# side.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

usernet "uxtest1 veth lxcbr0 10" "uxtest2 veth lxcbr0 10"

# create_with_fd NAME USER TARGET-REDIRECTION: fd 3 as the shell (root)
# opens it, as if the manager had been handed a foreign fd somehow; then
# checks the refusal and that no link appeared here or in WATCH_PID.
refused_with_fd() {
  local name=$1 user=$2 fd3=$3 watch=${4:-} host_before ns_before
  host_before=$(links_here)
  [ -n "$watch" ] && ns_before=$(links_in "$watch")
  OUT=$(eval 'request "op create" "type veth" "link lxcbr0" | as_user "$user" "$NIC" '"$fd3" 2>"$ERRF")
  RC=$?
  ERR=$(cat "$ERRF")
  if [ "$RC" != 15 ] || [[ $OUT != "error target "* ]]; then
    fail "$name" "exit $RC: $OUT $ERR"
  elif [ "$(links_here)" != "$host_before" ]; then
    fail "$name" "a link appeared on the host: $(links_here)"
  elif [ -n "$watch" ] && [ "$(links_in "$watch")" != "$ns_before" ]; then
    fail "$name" "a link appeared in the target: $(links_in "$watch")"
  else
    pass "$name"
  fi
}

# The caller's own container works, so every refusal below is the target's.
holder uxtest1; mine=$HOLDER
create uxtest1 "$mine" lxcbr0
expect nic_own_container_accepted 0 ok
# Nested: a user namespace the caller's container created is still the
# caller's (the kernel records the same owner).
holder uxtest1 -Ur unshare -Urn; nested=$HOLDER
create uxtest1 "$nested" lxcbr0 "name n0"
expect nic_nested_own_namespace_accepted 0 ok
remove_all_host_ends

# The host's own namespace: the caller opens it itself.
host_before=$(links_here)
OUT=$(request "op create" "type veth" "link lxcbr0" |
  as_user uxtest1 sh -c 'exec "$0" 3</proc/self/ns/net' "$NIC" 2>"$ERRF")
RC=$?
[ "$RC" = 15 ] && [[ $OUT == "error target "* ]] && [ "$(links_here)" = "$host_before" ] &&
  pass nic_host_namespace_refused || fail nic_host_namespace_refused "exit $RC: $OUT"

# A network namespace of root's, owned by the initial user namespace.
holder root -n; rootns=$HOLDER
refused_with_fd nic_root_namespace_refused uxtest1 "3</proc/$rootns/ns/net" "$rootns"

# Root's container: a user namespace owned by root.
holder root -Un; rootc=$HOLDER
refused_with_fd nic_root_container_refused uxtest1 "3</proc/$rootc/ns/net" "$rootc"

# The caller merely has a process there: uxtest1 sleeps in root's
# namespace and in root's container, and opens them itself.
unshare -n setpriv --reuid=61001 --regid=61001 --init-groups sleep 100000 &
visitor=$!
HOLDERS+=("$visitor")
# A map must arrive in one write(); dd collects the lines first.
for map in uid_map gid_map; do
  printf '0 0 1\n61001 61001 1\n' | dd of="/proc/$rootc/$map" bs=4096 iflag=fullblock status=none
done
nsenter -t "$rootc" -U -n setpriv --reuid=61001 --regid=61001 --clear-groups sleep 100000 &
guest=$!
HOLDERS+=("$guest")
for _ in $(seq 300); do
  [ "$(cat "/proc/$visitor/comm" 2>/dev/null)$(cat "/proc/$guest/comm" 2>/dev/null)" = sleepsleep ] && break
  sleep 0.01
done
host_before=$(links_here) ns_before=$(links_in "$visitor")
OUT=$(request "op create" "type veth" "link lxcbr0" |
  as_user uxtest1 sh -c 'exec "$0" 3<"$1"' "$NIC" "/proc/$visitor/ns/net" 2>"$ERRF")
RC=$?
[ "$RC" = 15 ] && [[ $OUT == "error target "* ]] && [ "$(links_here)" = "$host_before" ] &&
  [ "$(links_in "$visitor")" = "$ns_before" ] &&
  pass nic_own_process_in_root_namespace_refused ||
  fail nic_own_process_in_root_namespace_refused "exit $RC: $OUT $(cat "$ERRF")"
# The kernel does not let uxtest1 open the guest's namespace (it has no
# capability in root's user namespace), so hand it over as a leaked fd.
refused_with_fd nic_own_process_in_root_container_refused uxtest1 "3</proc/$guest/ns/net" "$guest"

# Another user's container.
holder uxtest2; theirs=$HOLDER
refused_with_fd nic_other_users_container_refused uxtest1 "3</proc/$theirs/ns/net" "$theirs"

# fd 3 that is not a network namespace at all.
refused_with_fd nic_no_fd3_refused uxtest1 "3<&-"
refused_with_fd nic_fd3_dev_null_refused uxtest1 "3</dev/null"
refused_with_fd nic_fd3_directory_refused uxtest1 "3</"
refused_with_fd nic_fd3_regular_file_refused uxtest1 "3</etc/passwd"
refused_with_fd nic_fd3_pipe_refused uxtest1 "3< <(sleep 1)"
refused_with_fd nic_fd3_own_user_namespace_refused uxtest1 "3</proc/$mine/ns/user" "$mine"
refused_with_fd nic_fd3_own_pid_namespace_refused uxtest1 "3</proc/$mine/ns/pid" "$mine"
refused_with_fd nic_fd3_own_uts_namespace_refused uxtest1 "3</proc/$mine/ns/uts" "$mine"

# lxc-user-nic's PID form: a pid that does not exist, root's process, a
# process in another user's container, in root's container: one answer,
# one exit status, nothing created.
answers=()
host_before=$(links_here)
for pid in 4000000 999999 1 "$theirs" "$rootc" "$visitor"; do
  out=$(as_user uxtest1 "$LXC_NIC" create /x c1 "$pid" veth lxcbr0 2>&1)
  answers+=("$? $out")
done
uniq_answers=$(printf '%s\n' "${answers[@]}" | sort -u)
if [ "$(wc -l <<<"$uniq_answers")" = 1 ] && [[ $uniq_answers == "1 lxc-user-nic: "* ]] &&
  [ "$(links_here)" = "$host_before" ]; then
  pass nic_lxc_pid_refusals_uniform
else
  fail nic_lxc_pid_refusals_uniform "$uniq_answers"
fi
[[ $uniq_answers != *proc* ]] && [[ $uniq_answers != *"No such"* ]] && [[ $uniq_answers != *ermission* ]] &&
  pass nic_refusal_names_no_path_or_errno || fail nic_refusal_names_no_path_or_errno "$uniq_answers"

# The native protocol likewise: a namespace fd of a dead process cannot
# be had, so compare a foreign namespace with a non-namespace file.
refused_with_fd nic_uniform_probe_a uxtest1 "3</proc/$theirs/ns/net" >/dev/null
a=$OUT
refused_with_fd nic_uniform_probe_b uxtest1 "3</dev/null" >/dev/null
[ "$a" = "$OUT" ] && pass nic_target_refusals_uniform || fail nic_target_refusals_uniform "'$a' vs '$OUT'"
exit 0
