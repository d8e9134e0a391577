#!/usr/bin/env bash
# uxc-admin together with the real uxc-nic: what `allow` writes is what
# the helper enforces, and what the helper tags is what `usage` counts.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
ADMIN=$UXC_BUILD/bin/uxc-admin
require_built admin_built "$ADMIN"
source "$(dirname "$0")/nic_common.bash"  # uxc-nic helpers: holder, create, end_holder

rm -rf /etc/uxc
"$ADMIN" allow uxtest1 --link lxcbr0 --nics 1 >/dev/null &&
  "$ADMIN" allow @uxnet --link lxcbr0 --nics 1 >/dev/null ||
  { fail admin_nic_setup "uxc-admin allow failed"; exit 1; }

holder uxtest1
h1=$HOLDER
create uxtest1 "$h1" lxcbr0 "name n0"; rc1=$RC
create uxtest1 "$h1" lxcbr0 "name n1"; rc2=$RC
create uxtest1 "$h1" lxcbr0 "name n2"; rc3=$RC
[ "$rc1" = 0 ] && [ "$rc2" = 0 ] && [ "$rc3" != 0 ] && pass admin_nic_allowance_enforced ||
  fail admin_nic_allowance_enforced "exits $rc1 $rc2 $rc3: $OUT $ERR"

usage_rows() { "$ADMIN" usage "$@" | tail -n +2 | tr -s ' '; }
rows=$(usage_rows uxtest1)
want="lxcbr0 uxtest1 veth 1 1 uxtest1:1
lxcbr0 @uxnet veth 1 1 uxtest1:1"
[ "$rows" = "$want" ] && pass admin_nic_usage_counts_helper_tags || fail admin_nic_usage_counts_helper_tags "$rows"

"$ADMIN" allow uxtest1 --link lxcbr0 --nics 2 >/dev/null
create uxtest1 "$h1" lxcbr0 "name n3"
[ "$RC" = 0 ] && pass admin_nic_raised_allowance_applies_at_once || fail admin_nic_raised_allowance_applies_at_once "exit $RC: $ERR"

"$ADMIN" allow @uxnet --link lxcbr0 --nics 0 >/dev/null
"$ADMIN" allow uxtest1 --link lxcbr0 --nics 0 >/dev/null
create uxtest1 "$h1" lxcbr0 "name n4"
rows=$(usage_rows uxtest1)
[ "$RC" != 0 ] && grep -q '^lxcbr0 uxtest1 veth 2 0 uxtest1:2 over the allowance' <<<"$rows" &&
  pass admin_nic_zero_allowance_refuses || fail admin_nic_zero_allowance_refuses "exit $RC; $rows"

end_holder "$h1" 0
rows=$(usage_rows)
want="lxcbr0 uxtest1 veth 0 0 -
lxcbr0 @uxnet veth 0 0 -"
[ "$rows" = "$want" ] && pass admin_nic_usage_drops_dead_container || fail admin_nic_usage_drops_dead_container "$rows"

out=$("$ADMIN" lint 2>&1)
[ $? = 0 ] && pass admin_nic_policy_lints_clean || fail admin_nic_policy_lints_clean "$out"
