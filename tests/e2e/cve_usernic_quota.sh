#!/usr/bin/env bash
# The lxc-user-nic quota bypasses. lxc-user-nic counted a user's nics in a
# text database that it rewrote on every call:
# - under `ulimit -f 0` the rewrite failed (SIGXFSZ ignored, short write)
#   and the new nic was never recorded, so every call saw the same count
#   and the quota was unlimited;
# - entries of dead containers that preceded live ones were cleaned up
#   in a way that miscounted the live ones, so stale entries let a user
#   go past the quota.
# uxc-nic keeps no database (the kernel's link list is the record), so
# both must fail: each test attempts the bypass and asserts the quota
# holds and nothing beyond it exists.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

T1=uxc:61001:uxtest1:veth:lxcbr0

# --------------------------------------------------- ulimit -f 0
usernet "uxtest1 veth lxcbr0 2"
holder uxtest1; h1=$HOLDER
rcs=
for i in 0 1 2 3; do
  request "op create" "type veth" "link lxcbr0" "name f$i" |
    as_user uxtest1 sh -c 'trap "" XFSZ; ulimit -f 0; exec "$0" 3<"$1"' "$NIC" "/proc/$h1/ns/net" \
    >/dev/null 2>&1
  rcs+="$? "
done
[ "$rcs" = "0 0 20 20 " ] && [ "$(count_tag "$T1")" = 2 ] && [ "$(links_in "$h1" | grep -c '^f')" = 2 ] &&
  pass cve_usernic_quota_ulimit_f0_pipe ||
  fail cve_usernic_quota_ulimit_f0_pipe "exits $rcs; $(count_tag "$T1") tagged; in container: $(links_in "$h1" | tr '\n' ' ')"
# The lxc-user-nic front end, as LXC calls it, under the same limit.
remove_all_host_ends
outs=
for i in 0 1 2 3; do
  as_user uxtest1 sh -c 'trap "" XFSZ; ulimit -f 0; exec "$0" create /x c1 "$1" veth lxcbr0 "$2"' \
    "$LXC_NIC" "$h1" "l$i" >/dev/null 2>&1
  outs+="$? "
done
[ "$outs" = "0 0 1 1 " ] && [ "$(count_tag "$T1")" = 2 ] && pass cve_usernic_quota_ulimit_f0_lxc_user_nic ||
  fail cve_usernic_quota_ulimit_f0_lxc_user_nic "exits $outs; $(count_tag "$T1") tagged"
remove_all_host_ends
end_holder "$h1"

# ---------------------------------------- stale entries before live ones
# Quota 3. Container A (created first: its nics are "earlier") holds two,
# container B one. A dies: its nics vanish with its namespace and stop
# counting at once; B's stays counted. Then exactly two more fit, in any
# container, and no more, however many times A-like containers come and go.
usernet "uxtest1 veth lxcbr0 3"
holder uxtest1; a=$HOLDER
holder uxtest1; b=$HOLDER
create uxtest1 "$a" lxcbr0 "name a0"; r1=$RC
create uxtest1 "$a" lxcbr0 "name a1"; r2=$RC
create uxtest1 "$b" lxcbr0 "name b0"; r3=$RC
create uxtest1 "$b" lxcbr0 "name b1"; r4=$RC
[ "$r1 $r2 $r3 $r4" = "0 0 0 20" ] && pass cve_usernic_quota_stale_setup_full_at_3 ||
  fail cve_usernic_quota_stale_setup_full_at_3 "exits $r1 $r2 $r3 $r4"
end_holder "$a" 1 || fail cve_usernic_quota_stale_dead_nics_vanish "$(host_ends)"
[ "$(count_tag "$T1")" = 1 ] && pass cve_usernic_quota_stale_only_live_counted ||
  fail cve_usernic_quota_stale_only_live_counted "$(host_ends)"
bad=
for round in 1 2 3; do
  holder uxtest1; c=$HOLDER
  create uxtest1 "$c" lxcbr0 "name c0"; [ "$RC" = 0 ] || bad+="round $round first: $RC; "
  create uxtest1 "$b" lxcbr0 "name b$round"; [ "$RC" = 0 ] || bad+="round $round second: $RC; "
  create uxtest1 "$c" lxcbr0 "name c1"; [ "$RC" = 20 ] || bad+="round $round over quota: $RC; "
  [ "$(count_tag "$T1")" = 3 ] || bad+="round $round: $(count_tag "$T1") tagged; "
  # Stale again: c dies, its nic goes; delete b's extra one to get back
  # to one live nic.
  end_holder "$c" 2 || bad+="round $round: c's nic stayed; "
  delete uxtest1 "$(host_ends | awk -v t="$T1" '$2 == t {print $1}' | tail -n1)"
  [ "$(count_tag "$T1")" = 1 ] || bad+="round $round: back to $(count_tag "$T1"); "
done
[ -z "$bad" ] && pass cve_usernic_quota_stale_never_exceeds || fail cve_usernic_quota_stale_never_exceeds "$bad"

# A leftover host end in slot order before the live one (a helper killed
# between creating and tagging leaves one: untagged, down, on the bridge,
# holding its slot): it counts until a create reclaims it, and then the
# total is still the quota.
usernet "uxtest1 veth lxcbr0 2"
remove_all_host_ends
holder uxtest1; d=$HOLDER
if ! slot0=$("$UXC_BUILD/tests/nic_slots" uxtest1 veth lxcbr0 0 1 2>&1) || [ -z "$slot0" ]; then
  fail cve_usernic_quota_leftover_before_live "tests/bin/nic_slots did not name slot 0: $slot0"
else
  ip link add "$slot0" type veth peer name leftover0
  ip link set "$slot0" master lxcbr0
  create uxtest1 "$d" lxcbr0 "name d0"; r1=$RC
  create uxtest1 "$d" lxcbr0 "name d1"; r2=$RC
  create uxtest1 "$d" lxcbr0 "name d2"; r3=$RC
  [ "$r1 $r2 $r3" = "0 0 20" ] && [ "$(count_tag "$T1")" = 2 ] && [ -z "$(untagged_or_dangling)" ] &&
    pass cve_usernic_quota_leftover_before_live ||
    fail cve_usernic_quota_leftover_before_live "exits $r1 $r2 $r3; $(host_ends | tr '\n' ' ')"
fi
remove_all_host_ends
exit 0
