#!/usr/bin/env bash
# uxc-admin lint: a clean set-up passes; each planted fault is caught on
# its own, with its own FILE:LINE message, and makes the exit status 1.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/admin_common.bash"

SAVE=$(mktemp -d)
usernet 'uxtest1 veth lxcbr0 2' '@uxnet veth br1 4'
cp -p /etc/subuid /etc/subgid /etc/uxc/usernet "$SAVE/"
restore() {
  cp -p "$SAVE/subuid" "$SAVE/subgid" /etc/
  cp -p "$SAVE/usernet" /etc/uxc/
  chmod 0755 /etc/uxc
}

admin lint
[ "$RC" = 0 ] && [ "$OUT" = "uxc-admin lint: no problems in /etc/subuid, /etc/subgid, /etc/uxc/usernet" ] &&
  pass admin_lint_clean_setup || fail admin_lint_clean_setup "exit $RC: $OUT $ERR"

# plant NAME FILE TEXT PATTERN: append TEXT to FILE, expect exactly one
# finding, matching PATTERN, and exit 1; then put everything back.
plant() {
  local name=$1 file=$2 text=$3 pattern=$4
  printf '%s\n' "$text" >>"$file"
  admin lint
  local lines
  lines=$(grep -c . <<<"$OUT")
  if [ "$RC" = 1 ] && [ "$lines" = 1 ] && grep -Eq -- "$pattern" <<<"$OUT" && grep -q '1 problem found' <<<"$ERR"; then
    pass "$name"
  else
    fail "$name" "exit $RC, $lines lines: $OUT $ERR"
  fi
  restore
}

plant admin_lint_overlap_between_users /etc/subuid 'uxtest3:150000:10000' \
  '^/etc/subuid:3: ids 150000-159999 of "uxtest3" overlap ids 100000-165535 of "uxtest1" at line 1: .*uxc-admin allocate'
plant admin_lint_overlap_in_subgid /etc/subgid 'uxtest3:265535:10' \
  '^/etc/subgid:3: ids 265535-265544 of "uxtest3" overlap ids 200000-265535 of "uxtest2" at line 2'
plant admin_lint_overlap_by_uid /etc/subuid '61003:100005:1' \
  '^/etc/subuid:3: .* of "61003" overlap .* of "uxtest1"'
plant admin_lint_range_covers_real_uid /etc/subuid 'uxtest3:61000:10' \
  '^/etc/subuid:3: ids 61000-61009 of "uxtest3" include uid 61001 \("uxtest1"\) and 1 more real uids'
plant admin_lint_range_covers_real_gid /etc/subgid 'uxtest3:61100:1' \
  '^/etc/subgid:3: ids 61100-61100 of "uxtest3" include gid 61100 \("uxnet"\)'
plant admin_lint_range_covers_root /etc/subuid 'uxtest3:0:1' '^/etc/subuid:3: .* include uid 0 \("root"\)'
plant admin_lint_unknown_subid_owner /etc/subuid 'ghost:700000:10' \
  '^/etc/subuid:3: owner "ghost" is not a user of the passwd database'
plant admin_lint_count_zero /etc/subgid 'uxtest3:700000:0' '^/etc/subgid:3: count 0 grants nothing'
plant admin_lint_malformed_subuid /etc/subuid 'uxtest3:700000' \
  '^/etc/subuid:3: expected owner:start:count; uxc-idmap refuses the whole file'
plant admin_lint_crlf_subgid /etc/subgid $'uxtest3:700000:10\r' '^/etc/subgid:3: malformed count'
plant admin_lint_duplicate_usernet /etc/uxc/usernet 'uxtest1  veth lxcbr0 5' \
  '^/etc/uxc/usernet:3: repeats uxtest1 veth lxcbr0 from line 1 \(only the largest count, 5, applies\)'
plant admin_lint_malformed_usernet /etc/uxc/usernet 'uxtest2 veth lxcbr0 two' \
  '^/etc/uxc/usernet:3: count must be a decimal number .*uxc-nic refuses every request'
plant admin_lint_usernet_extra_field /etc/uxc/usernet 'uxtest2 veth lxcbr0 2 # mine' \
  '^/etc/uxc/usernet:3: expected OWNER TYPE LINK COUNT, extra text'
plant admin_lint_missing_bridge /etc/uxc/usernet 'uxtest2 veth br9 1' \
  '^/etc/uxc/usernet:3: bridge "br9" does not exist, so uxc-nic refuses it; create it \(ip link add br9 type bridge\)'
plant admin_lint_not_a_bridge /etc/uxc/usernet 'uxtest2 veth notabridge 1' \
  '^/etc/uxc/usernet:3: "notabridge" is not a bridge'
plant admin_lint_unknown_usernet_user /etc/uxc/usernet 'ghost veth lxcbr0 1' \
  '^/etc/uxc/usernet:3: user "ghost" does not exist in the passwd database'
plant admin_lint_unknown_usernet_group /etc/uxc/usernet '@ghosts veth lxcbr0 1' \
  '^/etc/uxc/usernet:3: group "ghosts" does not exist in the group database'

# Permissions: a file or directory others can write hands out ids or nics.
chmod 0666 /etc/subgid
plant admin_lint_world_writable_file /etc/subgid '' '^/etc/subgid: file writable by group or others \(mode 0666\)'
chown uxtest1 /etc/uxc/usernet
plant admin_lint_file_owned_by_user /etc/uxc/usernet '' '^/etc/uxc/usernet: file owned by uid 61001, not root'
chown root /etc/uxc/usernet
chmod 0777 /etc/uxc
plant admin_lint_writable_directory /etc/uxc/usernet '' '^/etc/uxc: directory writable by group or others \(mode 0777\)'

# Several faults at once: each one reported, in file order, exit 1.
printf '%s\n' 'uxtest3:150000:10000' 'bad' >>/etc/subuid
printf '%s\n' 'uxtest2 veth br9 1' 'uxtest1 veth lxcbr0 1' >>/etc/uxc/usernet
admin lint
want=$'/etc/subuid:3:\n/etc/subuid:4:\n/etc/uxc/usernet:3:\n/etc/uxc/usernet:4:'
got=$(cut -d' ' -f1 <<<"$OUT")
[ "$RC" = 1 ] && [ "$got" = "$want" ] && grep -q '4 problems found' <<<"$ERR" &&
  pass admin_lint_reports_every_fault || fail admin_lint_reports_every_fault "exit $RC: $OUT $ERR"
restore

# Missing files read as empty; a missing usernet directory is fine.
rm -rf /etc/uxc /etc/subgid
admin lint
expect admin_lint_missing_files_are_empty 0 'no problems'
mkdir -p /etc/uxc; restore

# A lone usernet line with all faults of its kind: unknown user, missing bridge.
usernet 'ghost veth br9 1'
admin lint
[ "$RC" = 1 ] && [ "$(grep -c '^/etc/uxc/usernet:1:' <<<"$OUT")" = 2 ] && pass admin_lint_two_faults_one_line ||
  fail admin_lint_two_faults_one_line "exit $RC: $OUT"
restore

admin lint extra
expect admin_lint_takes_no_operands 2 'takes no operands'
admin lint --help
expect admin_lint_help 0 'FILE:LINE: what is wrong, and what to do'

admin lint
expect admin_lint_clean_again 0 'no problems'
rm -rf "$SAVE"
