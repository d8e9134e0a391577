#!/usr/bin/env bash
# RootlessKit (Debian's rootlesskit, the base of rootless Docker and
# containerd) on uxc's helpers, as a test user: `--net=lxc-user-nic` with
# uxc's compat lxc-user-nic creates the veth, newuidmap/newgidmap on PATH
# are uxc's (shadow's are stubbed out in this world), the child gets its
# address from dnsmasq on lxcbr0 by DHCP and reaches a server on the
# bridge's address; the usernet quota counts RootlessKit's nics and
# refuses past it with a message RootlessKit shows; SIGKILL to RootlessKit
# at any stage (before the helper runs, after it created the nic, during
# DHCP, once the command runs) leaves no veth and no process behind. And the front end
# stays strict: RootlessKit's call `create /dev/null dummy PID veth BRIDGE
# eth0` is accepted; an argument it does not know is refused with one line
# that names it, exit 1, nothing created.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
source "$(dirname "$0")/engines_common.bash"
set -u

require_engine_package rootlesskit_installed rootlesskit rootlesskit
require_tool rootlesskit_tools busybox dnsmasq ip
require_built rootlesskit_helpers "$WORLD_BIN/uxc-nic" "$WORLD_BIN/uxc-idmap"

U=61001
RUN=/tmp/uxtest1-run           # the user's XDG_RUNTIME_DIR: RootlessKit's state dirs
KILL=$WORLD/rootlesskit-kill   # the kill tests' stand-in helper and its files
PORT=8080
mkdir -p "$RUN" && chown "$U:$U" "$RUN" && chmod 0700 "$RUN"
usernet "uxtest1 veth lxcbr0 2"
start_engine_dnsmasq || { fail rootlesskit_dnsmasq "dnsmasq did not start"; exit 0; }
serve_token "$PORT" || { fail rootlesskit_http_server "busybox httpd on 10.0.3.1:$PORT did not answer"; exit 0; }
stub_out_shadow_maps || { fail rootlesskit_stub_shadow "cannot stub out shadow's newuidmap"; exit 0; }

# rk STATE [--path PATH] [--nic BINARY] ROOTLESSKIT-ARGS...: RootlessKit as
# uxtest1 on uxc's helpers (compat directory first on PATH), state in
# $RUN/STATE.
rk() {
  local state=$1 path=$WORLD_COMPAT:$UXC_USER_PATH nic=$WORLD_COMPAT/lxc-user-nic
  shift
  [ "$1" = --path ] && { path=$2; shift 2; }
  [ "$1" = --nic ] && { nic=$2; shift 2; }
  as_user uxtest1 env PATH="$path" XDG_RUNTIME_DIR="$RUN" \
    rootlesskit --state-dir="$RUN/$state" --net=lxc-user-nic --lxc-user-nic-binary="$nic" \
    --lxc-user-nic-bridge=lxcbr0 "$@"
}

# wait_file FILE SECONDS: until FILE is not empty.
wait_file() {
  local i
  for ((i = 0; i < $2 * 20; i++)); do [ -s "$1" ] && return 0; sleep 0.05; done
  return 1
}

# The child's view, into FILE (written whole, then renamed): its eth0, its
# maps, what it fetched from the bridge's server; then it waits, so the
# host side can be looked at while the nic exists.
cat >"$WORLD/probe" <<EOF
#!/bin/sh
{
  ip -o -4 addr show eth0
  ip -o link show eth0
  echo "uid_map \$(awk '{printf "%s %s %s,", \$1, \$2, \$3}' /proc/self/uid_map)"
  echo "gid_map \$(awk '{printf "%s %s %s,", \$1, \$2, \$3}' /proc/self/gid_map)"
  echo "fetched \$(busybox wget -q -O- http://10.0.3.1:$PORT/token)"
} >"\$1.new" && mv "\$1.new" "\$1"
exec sleep 1000
EOF
chmod 0755 "$WORLD/probe"

# ------------------------------------------------- address, maps, bridge
rk a --pidns "$WORLD/probe" "$RUN/probe-a" >/dev/null 2>"$RUN/err-a" &
if ! wait_file "$RUN/probe-a" 15; then
  fail rootlesskit_starts "no probe output in 15 s: $(grep -v level=warning "$RUN/err-a")"
  exit 0
fi
probe=$(cat "$RUN/probe-a")
ip=$(sed -n 's/.* inet \(10\.0\.3\.[0-9]*\)\/24 .*/\1/p' <<<"$probe")
mac=$(sed -n 's/.* link\/ether \([0-9a-f:]*\) .*/\1/p' <<<"$probe")
if [ -n "$ip" ] && [ -n "$mac" ] && grep -q " $mac $ip " /run/uxc-test-leases; then
  pass rootlesskit_dhcp_address_from_dnsmasq
else
  fail rootlesskit_dhcp_address_from_dnsmasq "child: $probe; leases: $(cat /run/uxc-test-leases)"
fi
# The maps are the user's own uid and subordinate range, written by
# uxc-idmap: shadow's helpers refuse in this world.
check rootlesskit_uid_map_from_uxc_idmap grep -qx 'uid_map 0 61001 1,1 100000 65536,' <<<"$probe"
check rootlesskit_gid_map_from_uxc_idmap grep -qx 'gid_map 0 61001 1,1 100000 65536,' <<<"$probe"
check rootlesskit_bridge_reachable grep -qx "fetched $TOKEN" <<<"$probe"
# The host end: uxc-nic's, tagged with the user's uid and line, on lxcbr0.
ends=$(host_ends)
end=${ends%% *}
if [ "$(wc -l <<<"$ends")" = 1 ] && [ "${ends#* }" = "uxc:$U:uxtest1:veth:lxcbr0" ] &&
   [ "$(basename "$(readlink "/sys/class/net/$end/master")")" = lxcbr0 ]; then
  pass rootlesskit_nic_is_uxc_nics
else
  fail rootlesskit_nic_is_uxc_nics "host ends: $ends"
fi
# Without uxc's compat directory on PATH, RootlessKit finds shadow's
# stubbed helpers and cannot start: the maps above were uxc-idmap's.
out=$(rk shadow --path "$UXC_USER_PATH" true 2>&1)
rc=$?
if [ "$rc" != 0 ] && [[ $out == *"shadow's helper called"* ]]; then
  pass rootlesskit_shadow_maps_stubbed_out
else
  fail rootlesskit_shadow_maps_stubbed_out "exit $rc: $out"
fi

# ------------------------------------------------------------ the quota
# Limit 2: a second RootlessKit gets the second nic, a third is refused
# with uxc-nic's message in RootlessKit's error, and creates nothing.
rk b --pidns "$WORLD/probe" "$RUN/probe-b" >/dev/null 2>"$RUN/err-b" &
wait_file "$RUN/probe-b" 15
[ "$(count_tag "uxc:$U:uxtest1:veth:lxcbr0")" = 2 ] && pass rootlesskit_quota_counts_its_nics ||
  fail rootlesskit_quota_counts_its_nics "host ends: $(host_ends); b: $(grep -v level=warning "$RUN/err-b")"
before=$(host_ends)
out=$(rk c true 2>&1)
rc=$?
if [ "$rc" != 0 ] &&
   [[ $out == *"lxc-user-nic: /etc/uxc/usernet: all 2 veth nics on lxcbr0 for uxtest1 are in use"* ]]; then
  pass rootlesskit_refused_past_quota_says_why
else
  fail rootlesskit_refused_past_quota_says_why "exit $rc: $out"
fi
[ "$(host_ends)" = "$before" ] && pass rootlesskit_refusal_creates_nothing ||
  fail rootlesskit_refusal_creates_nothing "before: $before; after: $(host_ends)"

# Both killed (SIGKILL to RootlessKit, --pidns: its command goes with its
# child): no process, no veth, and the quota is whole again.
pkill -KILL -u "$U" -x rootlesskit
check rootlesskit_killed_running_leaves_nothing wait_nothing_left "$U" 10
out=$(rk d true 2>&1)
rc=$?
[ "$rc" = 0 ] && pass rootlesskit_quota_free_after_kill ||
  fail rootlesskit_quota_free_after_kill "exit $rc: $out"

# ------------------------------------------------ SIGKILL at each stage
# A stand-in for the helper that RootlessKit runs: it marks the stage it
# reached in $KILL/at and waits there (up to 10 s) for $KILL/go; the stage
# to stop at is in $KILL/point. "before": the helper has not run; "after":
# the nic exists in the child's namespace and RootlessKit has not heard
# back. The stages after that (DHCP, the command starting) are hit by the
# kills at random moments below.
mkdir -p "$KILL"
chmod 0755 "$KILL"
cat >"$KILL/nic" <<EOF
#!/bin/sh
pause() {
  [ "\$(cat $KILL/point)" = "\$1" ] || return 0
  echo "\$1" >$KILL/at
  i=0
  while [ ! -e $KILL/go ] && [ \$i -lt 500 ]; do sleep 0.02; i=\$((i + 1)); done
}
pause before
$WORLD_COMPAT/lxc-user-nic "\$@"
rc=\$?
pause after
exit \$rc
EOF
chmod 0755 "$KILL/nic"
usernet "uxtest1 veth lxcbr0 4"

# kill_at NAME POINT [ROOTLESSKIT-ARGS...]: start RootlessKit, SIGKILL it
# when the stand-in reached POINT, let the stand-in go on, and check that
# nothing is left.
kill_at() {
  local name=rootlesskit_sigkill_$1 point=$2
  shift 2
  printf '%s' "$point" >"$KILL/point"
  rm -f "$KILL/at" "$KILL/go"
  chmod 0666 "$KILL/point"
  touch "$KILL/at" && chmod 0666 "$KILL/at"
  rk "kill-$point" --nic "$KILL/nic" "$@" >/dev/null 2>&1 &
  if ! wait_file "$KILL/at" 15 || [ "$(cat "$KILL/at")" != "$point" ]; then
    fail "$name" "the helper never reached '$point'"
    pkill -KILL -u "$U" -x rootlesskit
    touch "$KILL/go"
    wait_nothing_left "$U" 10 >/dev/null
    return
  fi
  [ "$point" = after ] && [ -z "$(host_ends)" ] && { fail "$name" "no nic exists at 'after'"; return; }
  pkill -KILL -u "$U" -x rootlesskit
  touch "$KILL/go"
  check "$name" wait_nothing_left "$U" 10
}
kill_at before_helper before --pidns sleep 1000
kill_at after_helper after --pidns sleep 1000
# Without --pidns: the command is RootlessKit's child's own child.
kill_at after_helper_no_pidns after sleep 1000

# At random moments of a start (0-200 ms after RootlessKit runs: a whole
# start, from before the helper runs to the command running, takes about
# 100 ms here), ten times.
printf none >"$KILL/point"
left=
for i in $(seq 10); do
  rk "random-$i" --nic "$KILL/nic" --pidns sleep 1000 >/dev/null 2>&1 &
  # From the moment RootlessKit runs (before, there is nothing to kill).
  for _ in $(seq 250); do pgrep -u "$U" -x rootlesskit >/dev/null && break; sleep 0.02; done
  sleep "$(printf '0.%03d' $((RANDOM % 200)))"
  pkill -KILL -u "$U" -x rootlesskit
  why=$(wait_nothing_left "$U" 10) || left+="run $i: $why; "
done
[ -z "$left" ] && pass rootlesskit_sigkill_random_moments || fail rootlesskit_sigkill_random_moments "$left"

# ---------------------------------------------- the front end, strictly
# RootlessKit's exact call is accepted and answers as lxc-user-nic does.
usernet "uxtest1 veth lxcbr0 4"
holder uxtest1; h=$HOLDER
out=$(as_user uxtest1 "$WORLD_COMPAT/lxc-user-nic" create /dev/null dummy "$h" veth lxcbr0 eth0 2>"$ERRF")
rc=$?
if [ "$rc" = 0 ] && [[ $out =~ ^eth0:[0-9]+:uxc[0-9a-f]{8,12}:[0-9]+$ ]] && [ -n "$(ifindex_in "$h" eth0)" ]; then
  pass rootlesskit_front_end_call_accepted
else
  fail rootlesskit_front_end_call_accepted "exit $rc: $out: $(cat "$ERRF")"
fi

# refused NAME WORD ARGS...: exit 1, nothing on stdout, exactly one line on
# stderr, from the front end, naming WORD; no link made on either side.
refused() {
  local name=rootlesskit_front_end_refuses_$1 word=$2 out rc here there
  shift 2
  here=$(links_here) there=$(links_in "$h")
  out=$(as_user uxtest1 "$WORLD_COMPAT/lxc-user-nic" "$@" 2>"$ERRF")
  rc=$?
  if [ "$rc" != 1 ] || [ -n "$out" ] || [ "$(wc -l <"$ERRF")" != 1 ] ||
     [[ $(cat "$ERRF") != "lxc-user-nic: "*"$word"* ]]; then
    fail "$name" "exit $rc, stdout '$out', stderr: $(cat "$ERRF")"
  elif [ "$(links_here)" != "$here" ] || [ "$(links_in "$h")" != "$there" ]; then
    fail "$name" "links changed: $(links_here) / $(links_in "$h")"
  else
    pass "$name"
  fi
}
refused extra_argument '"--mtu=9000"' create /dev/null dummy "$h" veth lxcbr0 eth0 --mtu=9000
refused second_extra '"x"' create /dev/null dummy "$h" veth lxcbr0 eth0 x y
refused type '"macvlan"' create /dev/null dummy "$h" macvlan lxcbr0 eth0
refused command '"add"' add /dev/null dummy "$h" veth lxcbr0 eth0
refused pid "\"${h}x\"" create /dev/null dummy "${h}x" veth lxcbr0 eth0
refused nicname '"e/th0"' create /dev/null dummy "$h" veth lxcbr0 e/th0
refused empty_lxcpath 'LXCPATH ""' create "" dummy "$h" veth lxcbr0 eth1
refused newline_in_name '"dum\x0amy"' create /dev/null $'dum\nmy' "$h" veth lxcbr0 eth1
refused missing_link 'missing LINK' create /dev/null dummy "$h" veth
refused not_a_bridge 'notabridge' create /dev/null dummy "$h" veth notabridge eth0
exit 0
