#!/usr/bin/env bash
# CVE-2017-5985: lxc-user-nic checked only that the caller could open
# /proc/PID/ns/net, so a user could name one of their own processes in the
# host's network namespace (or any namespace they could open) and get a
# veth end placed there. uxc-nic must refuse every network namespace that
# is not in a user namespace the caller owns (strictly below the host's),
# through the pipe (fd 3) and the lxc-user-nic PID, and create nothing on
# either side.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

usernet "uxtest1 veth lxcbr0 10" "uxtest2 veth lxcbr0 10"

# attempt NAME WATCH-PID CMD...: CMD must fail with the target refusal
# (exit 15 "error target" for the pipe, exit 1 for lxc-user-nic), and no
# link may appear on the host or in WATCH-PID's namespace.
attempt() {
  local name=$1 watch=$2 host_before ns_before
  shift 2
  host_before=$(links_here)
  [ "$watch" = - ] || ns_before=$(links_in "$watch")
  OUT=$("$@" 2>"$ERRF")
  RC=$?
  ERR=$(cat "$ERRF")
  if ! { [ "$RC" = 15 ] && [[ $OUT == "error target "* ]]; } &&
     ! { [ "$RC" = 1 ] && [ -z "$OUT" ] && [[ $ERR == "lxc-user-nic: the target is not"* ]]; }; then
    fail "$name" "not refused as a target: exit $RC, out '$OUT', err '$ERR'"
  elif [ "$(links_here)" != "$host_before" ]; then
    fail "$name" "a link appeared on the host: $(links_here)"
  elif [ "$watch" != - ] && [ "$(links_in "$watch")" != "$ns_before" ]; then
    fail "$name" "a link appeared in the target: $(links_in "$watch")"
  else
    pass "$name"
  fi
}
pipe_as() {  # USER FD3-PATH: a create request, fd 3 opened by root
  request "op create" "type veth" "link lxcbr0" | as_user "$1" "$NIC" 3<"$2"
}
pipe_self_opened() {  # USER FD3-PATH: fd 3 opened by the user
  request "op create" "type veth" "link lxcbr0" | as_user "$1" sh -c 'exec "$0" 3<"$1"' "$NIC" "$2"
}
lxc_as() {  # USER PID
  as_user "$1" "$LXC_NIC" create /home/"$1" c1 "$2" veth lxcbr0 eth9
}

# The exact attack: the caller's own process, in the host's namespace.
# (setpriv directly: a backgrounded shell function's $! is a root subshell)
setpriv --reuid=61001 --regid=61001 --init-groups --inh-caps=-all sleep 300 &
own_host_proc=$!
sleep 0.1
attempt cve_2017_5985_lxc_user_nic_own_process_in_host_netns - lxc_as uxtest1 "$own_host_proc"
attempt cve_2017_5985_pipe_own_process_in_host_netns - pipe_self_opened uxtest1 "/proc/$own_host_proc/ns/net"
attempt cve_2017_5985_pipe_self_netns - pipe_self_opened uxtest1 /proc/self/ns/net
attempt cve_2017_5985_lxc_user_nic_pid_1 - lxc_as uxtest1 1

# A namespace the caller can open only because it was handed the fd:
# root's plain netns, root's container, another tenant's container.
holder root -n; root_netns=$HOLDER
attempt cve_2017_5985_root_netns "$root_netns" pipe_as uxtest1 "/proc/$root_netns/ns/net"
holder root -Un; root_container=$HOLDER
attempt cve_2017_5985_root_container "$root_container" pipe_as uxtest1 "/proc/$root_container/ns/net"
holder uxtest2; other=$HOLDER
attempt cve_2017_5985_other_tenants_container "$other" pipe_as uxtest1 "/proc/$other/ns/net"
attempt cve_2017_5985_lxc_user_nic_other_tenants_pid "$other" lxc_as uxtest1 "$other"

# A process of the caller's that joined a namespace the caller does not
# own (root's container) by being started there by root: its netns is
# root's container's, whatever process names it.
nsenter -t "$root_container" -n setpriv --reuid=61001 --regid=61001 --init-groups sleep 300 &
joined=$!
sleep 0.1
attempt cve_2017_5985_own_process_in_roots_container "$root_container" lxc_as uxtest1 "$joined"

# The control: the caller's own container is accepted, so the refusals
# above are about the target and not a broken set-up.
holder uxtest1; mine=$HOLDER
create uxtest1 "$mine" lxcbr0
expect cve_2017_5985_control_own_container_accepted 0 ok
kill "$own_host_proc" "$joined" 2>/dev/null
remove_all_host_ends
exit 0
