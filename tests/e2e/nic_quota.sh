#!/usr/bin/env bash
# uxc-nic's usernet quota: which lines match, which line a nic is charged
# to, how counts are shared and when nics stop counting; the answer
# matches the interfaces the kernel has; delete removes only one's own.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

U1_TAG=uxc:61001:uxtest1:veth:lxcbr0

# ------------------------------------------------------------- no line
holder uxtest1; h1=$HOLDER
before_host=$(links_here) before_ns=$(links_in "$h1")
usernet "uxtest2 veth lxcbr0 5"
create uxtest1 "$h1" lxcbr0
expect nic_no_line_refused 16 denied
rm -f /etc/uxc/usernet
create uxtest1 "$h1" lxcbr0
expect nic_no_policy_file_refused 16 denied
[ "$(links_here)" = "$before_host" ] && [ "$(links_in "$h1")" = "$before_ns" ] &&
  pass nic_refusal_creates_nothing || fail nic_refusal_creates_nothing "links changed"

# ------------------------------------------------------------ user line
usernet "# two for uxtest1" "uxtest1 veth lxcbr0 2"
create uxtest1 "$h1" lxcbr0
expect nic_user_line_first 0 ok
first=$OUT
create uxtest1 "$h1" lxcbr0 "name eth1"
expect nic_user_line_second 0 ok
create uxtest1 "$h1" lxcbr0 "name eth2"
expect nic_user_line_third_over_quota 20 quota
create uxtest1 "$h1" br1 "name eth2"
expect nic_other_bridge_refused 16 denied
[ "$(count_tag "$U1_TAG")" = 2 ] && pass nic_two_tagged_host_ends ||
  fail nic_two_tagged_host_ends "$(host_ends)"

# The answer names what the kernel has, set up as promised.
OUT=$first
host=$(answer_field host) host_ifindex=$(answer_field host_ifindex)
peer=$(answer_field peer) peer_ifindex=$(answer_field peer_ifindex)
why=
[ "$(cat "/sys/class/net/$host/ifindex" 2>/dev/null)" = "$host_ifindex" ] || why+="host ifindex; "
[ "${#host}" -le 15 ] || why+="host name too long; "
[ "$(cat "/sys/class/net/$host/ifalias")" = "$U1_TAG" ] || why+="alias; "
[ "$(basename "$(readlink "/sys/class/net/$host/master")")" = lxcbr0 ] || why+="master; "
[[ $(cat "/sys/class/net/$host/address") == fe:* ]] || why+="host MAC; "
[ "$(cat "/sys/class/net/$host/mtu")" = "$(cat /sys/class/net/lxcbr0/mtu)" ] || why+="MTU; "
ip -o link show "$host" | grep -q '[<,]UP[,>]' || why+="not up; "
[ "$peer" = eth0 ] || why+="peer name $peer; "
[ "$(ifindex_in "$h1" eth0)" = "$peer_ifindex" ] ||
  why+="peer ifindex; "
[ -z "$why" ] && pass nic_answer_matches_kernel || fail nic_answer_matches_kernel "$why $first"

# A bridge with its own MTU passes it to both ends.
ip link set br1 mtu 1400
usernet "uxtest1 veth br1 1"
create uxtest1 "$h1" br1 "name mtu0"
host=$(answer_field host)
[ "$RC" = 0 ] && [ "$(cat "/sys/class/net/$host/mtu")" = 1400 ] &&
  [ "$(mtu_in "$h1" mtu0)" = 1400 ] &&
  pass nic_mtu_follows_bridge || fail nic_mtu_follows_bridge "$OUT $ERR"
ip link set br1 mtu 1500

# ----------------------------------------------------- dead containers
end_holder "$h1" 0 && pass nic_dead_namespace_removes_its_nics ||
  fail nic_dead_namespace_removes_its_nics "$(host_ends)"
usernet "uxtest1 veth lxcbr0 2"
holder uxtest1; h1=$HOLDER
create uxtest1 "$h1" lxcbr0
expect nic_dead_namespace_nics_stop_counting 0 ok
end_holder "$h1"

# ----------------------------------------------------------- group line
usernet "@uxnet veth lxcbr0 3"
holder uxtest1; h1=$HOLDER
holder uxtest2; h2=$HOLDER
holder uxtest3; h3=$HOLDER
create uxtest1 "$h1" lxcbr0 "name a"; r1=$RC
create uxtest1 "$h1" lxcbr0 "name b"; r2=$RC
create uxtest2 "$h2" lxcbr0 "name c"; r3=$RC
[ "$r1$r2$r3" = 000 ] && pass nic_group_line_members_share || fail nic_group_line_members_share "$r1$r2$r3"
create uxtest2 "$h2" lxcbr0 "name d"
expect nic_group_line_shared_count_full 20 quota
create uxtest3 "$h3" lxcbr0
expect nic_group_line_non_member_refused 16 denied
[ "$(count_tag uxc:61001:@uxnet:veth:lxcbr0)$(count_tag uxc:61002:@uxnet:veth:lxcbr0)" = 21 ] &&
  pass nic_group_charges_tagged || fail nic_group_charges_tagged "$(host_ends)"
end_holder "$h1" 1
end_holder "$h2"

# The group database is asked only when a @group line is for the
# request's link: no other line looks at groups, and asking can cost more
# than the rest of a create. Seen in the files the helper opens.
if command -v strace >/dev/null; then
  usernet "uxtest1 veth lxcbr0 1" "@uxnet veth br1 1"
  holder uxtest1; h1=$HOLDER
  group_opens() {  # LINK NAME: creates as uxtest1; prints how often /etc/group was opened
    request "op create" "type veth" "link $1" "name $2" |
      strace -f -qq -e trace=open,openat -o "$ERRF.trace" -u uxtest1 \
        sh -c 'exec "$0" 3<"$1"' "$NIC" "/proc/$h1/ns/net" >"$ERRF.out" 2>/dev/null
    grep -q '^ok ' "$ERRF.out" || echo "create on $1 failed: $(cat "$ERRF.out")"
    grep -c '"/etc/group"' "$ERRF.trace"
  }
  n=$(group_opens lxcbr0 g0)
  [ "$n" = 0 ] && pass nic_groups_unread_without_group_line ||
    fail nic_groups_unread_without_group_line "$n"
  n=$(group_opens br1 g1)
  [ "$n" -ge 1 ] 2>/dev/null && pass nic_groups_read_for_group_line ||
    fail nic_groups_read_for_group_line "$n"
  rm -f "$ERRF.trace" "$ERRF.out"
  end_holder "$h1"
else
  fail nic_groups_read_only_for_group_lines "strace is not installed (run make deps)"
fi

# ------------------------------------- which line a nic is charged to
usernet "uxtest1 veth lxcbr0 1" "@uxnet veth lxcbr0 1"
holder uxtest1; h1=$HOLDER
create uxtest1 "$h1" lxcbr0 "name a"
t1=$(cat "/sys/class/net/$(answer_field host)/ifalias" 2>/dev/null)
create uxtest1 "$h1" lxcbr0 "name b"
t2=$(cat "/sys/class/net/$(answer_field host)/ifalias" 2>/dev/null)
[ "$t1" = "$U1_TAG" ] && [ "$t2" = uxc:61001:@uxnet:veth:lxcbr0 ] &&
  pass nic_user_line_used_before_group_line || fail nic_user_line_used_before_group_line "$t1 / $t2"
create uxtest1 "$h1" lxcbr0 "name c"
expect nic_both_lines_full 20 quota
end_holder "$h1"

usernet "@uxnet veth lxcbr0 1" "uxtest1 veth lxcbr0 1"
holder uxtest1; h1=$HOLDER
create uxtest1 "$h1" lxcbr0 "name a"
t1=$(cat "/sys/class/net/$(answer_field host)/ifalias" 2>/dev/null)
[ "$t1" = uxc:61001:@uxnet:veth:lxcbr0 ] && pass nic_first_line_in_file_order ||
  fail nic_first_line_in_file_order "$t1"
# uxtest2 finds the group line full and has no other.
holder uxtest2; h2=$HOLDER
create uxtest2 "$h2" lxcbr0 "name z"
expect nic_group_line_full_for_other_member 20 quota
end_holder "$h2" 1
end_holder "$h1"

# ------------------------------------------------------ per bridge
usernet "uxtest1 veth lxcbr0 1" "uxtest1 veth br1 1"
holder uxtest1; h1=$HOLDER
create uxtest1 "$h1" lxcbr0 "name a"; r1=$RC
create uxtest1 "$h1" br1 "name b"; r2=$RC
[ "$r1$r2" = 00 ] && pass nic_each_bridge_its_own_count || fail nic_each_bridge_its_own_count "$r1$r2"
create uxtest1 "$h1" lxcbr0 "name c"
expect nic_full_bridge_does_not_borrow 20 quota
end_holder "$h1"

# ------------------------------------------------- duplicated line
usernet "uxtest1 veth lxcbr0 1" "uxtest1 veth lxcbr0 2"
holder uxtest1; h1=$HOLDER
create uxtest1 "$h1" lxcbr0 "name a"; r1=$RC
create uxtest1 "$h1" lxcbr0 "name b"; r2=$RC
create uxtest1 "$h1" lxcbr0 "name c"
[ "$r1$r2$RC" = 0020 ] && pass nic_duplicate_line_counts_once_larger ||
  fail nic_duplicate_line_counts_once_larger "$r1$r2$RC"
end_holder "$h1"

# --------------------------------------------------- broken policies
holder uxtest1; h1=$HOLDER
usernet "uxtest1 veth lxcbr0 2"
sed -i 's/$/\r/' /etc/uxc/usernet
create uxtest1 "$h1" lxcbr0
expect nic_crlf_policy_refused 16 denied
[[ $OUT == *"line 1"* ]] && pass nic_policy_error_names_line || fail nic_policy_error_names_line "$OUT"
usernet "uxtest1 veth lxcbr0 2" "uxtest1 veth lxcbr0"
create uxtest1 "$h1" lxcbr0
expect nic_malformed_line_refuses_all 16 denied
usernet "uxtest1 veth lxcbr0 2"
# An unsafe file is refused before the drop to the caller: a sanitized
# helper then ends as root with no capabilities, the kernel refuses
# LeakSanitizer's attach for its check at exit, and the runtime exits 1
# in place of the helper's 11. There the check at exit is off (ASan and
# UBSan stay on).
asan_options "$NIC" detect_leaks=0
chmod 0666 /etc/uxc/usernet
create uxtest1 "$h1" lxcbr0
expect nic_world_writable_policy_refused 11 system
chown 61001 /etc/uxc/usernet && chmod 0644 /etc/uxc/usernet
create uxtest1 "$h1" lxcbr0
expect nic_user_owned_policy_refused 11 system
ASAN_ENV=()
chown 0 /etc/uxc/usernet
[ -z "$(host_ends)" ] && pass nic_broken_policy_creates_nothing ||
  fail nic_broken_policy_creates_nothing "$(host_ends)"

# --------------------------------------------------------------- delete
usernet "uxtest1 veth lxcbr0 2" "uxtest2 veth lxcbr0 2"
create uxtest1 "$h1" lxcbr0 "name a"
mine=$(answer_field host)
delete uxtest2 "$mine"
expect nic_delete_of_others_refused 16 denied
others_msg=${OUT/$mine/NAME}
[ -e "/sys/class/net/$mine" ] && pass nic_delete_of_others_keeps_it || fail nic_delete_of_others_keeps_it gone
delete uxtest2 uxc00000000
[ "${OUT/uxc00000000/NAME}" = "$others_msg" ] && [ "$RC" = 16 ] &&
  pass nic_delete_missing_same_answer_as_foreign || fail nic_delete_missing_same_answer_as_foreign "$OUT"
delete uxtest2 lxcbr0
expect nic_delete_untagged_refused 16 denied
delete uxtest1 "$mine"
expect nic_delete_own 0 ok
[ ! -e "/sys/class/net/$mine" ] && ! links_in "$h1" | grep -qx a &&
  pass nic_delete_removes_both_ends || fail nic_delete_removes_both_ends "$(links_in "$h1")"

# A user whose name is a prefix of another's: CVE-2026-39402 counted and
# deleted by prefix.
if ! getent passwd uxtest >/dev/null && ! getent passwd 61009 >/dev/null; then
  echo "uxtest:*:61009:61009::/home/uxtest:/bin/sh" >>/etc/passwd
  echo "uxtest:x:61009:" >>/etc/group
  usernet "uxtest1 veth lxcbr0 1" "uxtest veth lxcbr0 1"
  create uxtest1 "$h1" lxcbr0 "name p1"
  theirs=$(answer_field host)
  holder uxtest; hp=$HOLDER
  create uxtest "$hp" lxcbr0 "name p2"
  expect nic_prefix_user_has_own_count 0 ok
  delete uxtest "$theirs"
  expect nic_prefix_user_cannot_delete_longer_name 16 denied
  end_holder "$hp" 1
else
  fail nic_prefix_user_has_own_count "uid 61009 or user uxtest is already in the world's passwd (the world starts from its own accounts)"
fi
end_holder "$h1"

# ------------------------------------------ lxc-user-nic command line
usernet "uxtest1 veth lxcbr0 2"
holder uxtest1; h1=$HOLDER
out=$(as_user uxtest1 "$LXC_NIC" create /home/uxtest1/.local/share/lxc c1 "$h1" veth lxcbr0 eth7 2>"$ERRF")
rc=$? err=$(cat "$ERRF")
IFS=: read -r p pi h hi <<<"$out"
if [ "$rc" = 0 ] && [ -z "$err" ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [ "$p" = eth7 ] &&
  [ "$(ifindex_in "$h1" eth7)" = "$pi" ] &&
  [ "$(cat "/sys/class/net/$h/ifindex")" = "$hi" ]; then
  pass nic_lxc_user_nic_create_line
else
  fail nic_lxc_user_nic_create_line "rc $rc out '$out' err '$err'"
fi
out=$(as_user uxtest1 "$NIC" create /x c1 "$h1" veth lxcbr0 2>"$ERRF")
[[ $out == eth0:*:uxc*:* ]] && [ ! -s "$ERRF" ] && pass nic_lxc_user_nic_first_word_selects_and_defaults_eth0 ||
  fail nic_lxc_user_nic_first_word_selects_and_defaults_eth0 "$out $(cat "$ERRF")"
out=$(as_user uxtest1 "$LXC_NIC" create /x c1 "$h1" veth lxcbr0 eth9 2>"$ERRF")
rc=$?
[ "$rc" = 1 ] && [ -z "$out" ] && grep -q 'in use' "$ERRF" && pass nic_lxc_user_nic_quota_exit_1 ||
  fail nic_lxc_user_nic_quota_exit_1 "rc $rc out '$out'"
out=$(as_user uxtest1 "$LXC_NIC" delete /x c1 "/proc/$h1/fd/0" veth lxcbr0 "$h" 2>"$ERRF")
rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] && [ ! -e "/sys/class/net/$h" ] && pass nic_lxc_user_nic_delete ||
  fail nic_lxc_user_nic_delete "rc $rc out '$out' $(cat "$ERRF")"
end_holder "$h1"
exit 0
