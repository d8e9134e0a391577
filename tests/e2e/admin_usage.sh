#!/usr/bin/env bash
# uxc-admin usage: nics held per usernet line, counted from the tags on
# host ends in the kernel's link list (made here directly with ip link, as
# uxc-nic would leave them).
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/admin_common.bash"

HOLDERS=()
trap 'kill "${HOLDERS[@]}" 2>/dev/null' EXIT

# host_end NAME ALIAS [BRIDGE]: a veth whose host end NAME carries ALIAS.
host_end() {
  ip link add "$1" type veth peer name "p${1#uxc}" || return 1
  [ -z "$2" ] || ip link set "$1" alias "$2"
  [ -z "${3:-}" ] || ip link set "$1" master "$3"
}

# rows: the usage table without its header, blanks squeezed.
rows() { tail -n +2 <<<"$OUT" | tr -s ' '; }

usernet 'uxtest1 veth lxcbr0 2' '@uxnet veth lxcbr0 3' 'uxtest2 veth br1 1'
host_end uxc000000a1 uxc:61001:uxtest1:veth:lxcbr0 lxcbr0
host_end uxc000000a2 uxc:61001:@uxnet:veth:lxcbr0 lxcbr0
host_end uxc000000a3 uxc:61002:@uxnet:veth:lxcbr0 lxcbr0
host_end uxc000000a4 uxc:61002:@uxnet:veth:lxcbr0 lxcbr0
host_end uxc000000a5 uxc:61003:uxtest3:veth:br1 br1           # its line is gone
host_end uxc000000a6 uxc:061001:uxtest1:veth:lxcbr0 lxcbr0    # not a tag: leading zero
host_end uxc000000a7 uxc:61001:uxtest1:veth:lxcbr0:x lxcbr0   # not a tag: trailing field
host_end uxc000000a8 uxc:61001:al:veth:lxcbr0 lxcbr0          # a prefix of no line's owner
host_end uxc000000a90000 ''                                    # untagged: a helper died
host_end vethplain1 uxc:61001:uxtest1:veth:br1                 # any link's alias counts

admin usage
want="lxcbr0 uxtest1 veth 1 2 uxtest1:1
lxcbr0 @uxnet veth 3 3 uxtest1:1, uxtest2:2
br1 uxtest2 veth 0 1 -
br1 uxtest1 veth 1 - uxtest1:1 no such line in the usernet file; these stay until their containers stop
br1 uxtest3 veth 1 - uxtest3:1 no such line in the usernet file; these stay until their containers stop
lxcbr0 al veth 1 - uxtest1:1 no such line in the usernet file; these stay until their containers stop
1 host end without a tag (a uxc-nic died while creating it; the next request removes it)
uxc000000a6 has the alias \"uxc:061001:uxtest1:veth:lxcbr0\", which is not a uxc tag; it counts against no line
uxc000000a7 has the alias \"uxc:61001:uxtest1:veth:lxcbr0:x\", which is not a uxc tag; it counts against no line"
if [ "$RC" = 0 ] && [ "$(head -n 1 <<<"$OUT" | tr -s ' ')" = "LINK OWNER TYPE USED ALLOWED HELD BY" ] &&
   [ "$(rows)" = "$want" ]; then
  pass admin_usage_counts_tags_per_line
else
  fail admin_usage_counts_tags_per_line "exit $RC: $OUT $ERR"
fi

admin usage uxtest2
want="lxcbr0 @uxnet veth 3 3 uxtest1:1, uxtest2:2
br1 uxtest2 veth 0 1 -"
[ "$RC" = 0 ] && [ "$(rows | grep -v 'host end\|not a uxc tag')" = "$want" ] && pass admin_usage_one_user ||
  fail admin_usage_one_user "exit $RC: $OUT $ERR"

admin usage uxtest3
[ "$RC" = 0 ] && [ "$(rows | grep -v 'host end\|not a uxc tag')" = "br1 uxtest3 veth 1 - uxtest3:1 no such line in the usernet file; these stay until their containers stop" ] &&
  pass admin_usage_user_without_line_sees_held_nics || fail admin_usage_user_without_line_sees_held_nics "exit $RC: $OUT"

# The kernel is the record: a deleted host end stops counting at once.
ip link del uxc000000a4
admin usage
grep -q '^lxcbr0 @uxnet veth 2 3 uxtest1:1, uxtest2:1$' <<<"$(rows)" && pass admin_usage_follows_deleted_link ||
  fail admin_usage_follows_deleted_link "$OUT"

# A container's network namespace dies: both ends vanish, the count drops.
unshare -n sleep 100000 & ns=$!; HOLDERS+=("$ns")
for _ in $(seq 100); do [ "$(readlink /proc/$ns/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.02; done
ip link add uxc000000b1 type veth peer name eth0 netns "$ns" &&
  ip link set uxc000000b1 alias uxc:61002:uxtest2:veth:br1 && ip link set uxc000000b1 master br1
admin usage uxtest2
before=$(rows | grep '^br1 uxtest2 ')
kill "$ns"; wait "$ns" 2>/dev/null
for _ in $(seq 100); do ip link show uxc000000b1 >/dev/null 2>&1 || break; sleep 0.02; done
admin usage uxtest2
after=$(rows | grep '^br1 uxtest2 ')
[ "$before" = "br1 uxtest2 veth 1 1 uxtest2:1" ] && [ "$after" = "br1 uxtest2 veth 0 1 -" ] &&
  pass admin_usage_container_gone_nic_gone || fail admin_usage_container_gone_nic_gone "before '$before', after '$after'"

# An allowance lowered below what is held shows as over.
"$ADMIN" allow @uxnet --link lxcbr0 --nics 1 >/dev/null
admin usage
grep -q '^lxcbr0 @uxnet veth 2 1 uxtest1:1, uxtest2:1 over the allowance' <<<"$(rows)" && pass admin_usage_marks_over_allowance ||
  fail admin_usage_marks_over_allowance "$OUT"

# Nothing held, nothing written: still a table.
for dev in $(ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | grep -E '^(uxc|veth)'); do ip link del "$dev" 2>/dev/null; done
usernet 'uxtest1 veth lxcbr0 2'
admin usage
[ "$RC" = 0 ] && [ "$(rows)" = "lxcbr0 uxtest1 veth 0 2 -" ] && pass admin_usage_nothing_held ||
  fail admin_usage_nothing_held "exit $RC: $OUT"
rm -f /etc/uxc/usernet
admin usage
expect admin_usage_no_policy_file 0 '\(no usernet line\)'

# Refusals.
admin usage ghost
expect admin_usage_unknown_user 1 'no user "ghost" in the passwd database'
usernet 'uxtest1 veth lxcbr0'
admin usage
expect admin_usage_malformed_policy 1 'usernet: line 1: expected OWNER TYPE LINK COUNT.*uxc-admin lint'
admin usage uxtest1 uxtest2
expect admin_usage_one_operand 2 'expected at most one USER'
admin usage --help
expect admin_usage_help 0 'Usage: uxc-admin usage \[USER\]'
