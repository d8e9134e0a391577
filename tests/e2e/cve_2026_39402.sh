#!/usr/bin/env bash
# CVE-2026-39402: lxc-user-nic kept a text database of nics and matched its
# entries by prefix, so user "al" was charged with, and could act on,
# "alice"'s interfaces. uxc-nic keeps no database: each host end carries a
# root-set tag parsed whole. A tenant whose name is a prefix of another's
# must neither count, nor delete, nor be blocked by the other's nics, and
# no tenant may delete another's nic.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

# "uxtest" is a prefix of "uxtest1" (61001); it exists only in this world.
PREFIX_UID=61004
if getent passwd uxtest "$PREFIX_UID" >/dev/null || getent group "$PREFIX_UID" >/dev/null; then
  fail cve_2026_39402 "uid/gid $PREFIX_UID or the name uxtest is already in the world's passwd (the world starts from its own accounts)"
  exit 1
fi
echo "uxtest:*:$PREFIX_UID:$PREFIX_UID:prefix tenant:/home/uxtest:/bin/sh" >>/etc/passwd
echo "uxtest:*:$PREFIX_UID:" >>/etc/group
install -d -o "$PREFIX_UID" -g "$PREFIX_UID" -m 0700 /home/uxtest

usernet "uxtest1 veth lxcbr0 2" "uxtest veth lxcbr0 1"
T1=uxc:61001:uxtest1:veth:lxcbr0
T0=uxc:$PREFIX_UID:uxtest:veth:lxcbr0

holder uxtest1; h1=$HOLDER
holder uxtest; h0=$HOLDER
holder uxtest2  # a third tenant, with a container of its own
create uxtest1 "$h1" lxcbr0 "name a0"; victim=$(answer_field host)
expect cve_2026_39402_long_name_first_nic 0 ok
create uxtest1 "$h1" lxcbr0 "name a1"
expect cve_2026_39402_long_name_second_nic 0 ok

# The prefix tenant's allowance is its own: not used up by uxtest1's two.
create uxtest "$h0" lxcbr0 "name b0"; prefix_nic=$(answer_field host)
expect cve_2026_39402_prefix_tenant_not_charged_for_longer_name 0 ok
create uxtest "$h0" lxcbr0 "name b1"
expect cve_2026_39402_prefix_tenant_quota_is_its_own_count 20 quota
# ...nor does its nic count against (or add to) uxtest1's.
create uxtest1 "$h1" lxcbr0 "name a2"
expect cve_2026_39402_longer_name_quota_unchanged 20 quota
[ "$(count_tag "$T1")" = 2 ] && [ "$(count_tag "$T0")" = 1 ] &&
  pass cve_2026_39402_tags_exact || fail cve_2026_39402_tags_exact "$(host_ends)"

# Acting on another tenant's nic: delete by name, through the pipe and
# through lxc-user-nic, by the prefix tenant, by an unrelated tenant, and
# the other way round. Each refused, and the nic still there.
try_delete() {  # NAME USER HOST
  local name=$1 user=$2 host=$3
  delete "$user" "$host"
  if [ "$RC" != 16 ] || [[ $OUT != "error denied "* ]]; then
    fail "$name" "exit $RC: $OUT $ERR"; return
  fi
  OUT=$(as_user "$user" "$LXC_NIC" delete /x c1 "/proc/$h1/ns/net" veth lxcbr0 "$host" 2>"$ERRF")
  RC=$?
  if [ "$RC" != 1 ] || [ -n "$OUT" ]; then fail "$name" "lxc-user-nic delete: exit $RC: $OUT"; return; fi
  [ -e "/sys/class/net/$host" ] && pass "$name" || fail "$name" "$host was deleted"
}
try_delete cve_2026_39402_prefix_tenant_cannot_delete uxtest "$victim"
try_delete cve_2026_39402_other_tenant_cannot_delete uxtest2 "$victim"
try_delete cve_2026_39402_longer_name_cannot_delete_prefix_nic uxtest1 "$prefix_nic"
# The bridge itself and a host link that is not a nic at all.
try_delete cve_2026_39402_cannot_delete_bridge uxtest1 lxcbr0
try_delete cve_2026_39402_cannot_delete_host_link uxtest1 notabridge

# An untagged veth of root's, named like uxtest1's next slot: not uxtest1's
# to delete (only a tag naming the caller's uid counts).
ip link add uxcffffffff0000 type veth peer name rootpeer0
try_delete cve_2026_39402_cannot_delete_untagged_root_veth uxtest1 uxcffffffff0000
ip link del uxcffffffff0000 2>/dev/null

# The control: the owner can delete its own.
delete uxtest1 "$victim"
expect cve_2026_39402_control_owner_deletes 0 ok
[ ! -e "/sys/class/net/$victim" ] && pass cve_2026_39402_control_owner_delete_took_effect ||
  fail cve_2026_39402_control_owner_delete_took_effect "$victim still exists"
remove_all_host_ends
exit 0
