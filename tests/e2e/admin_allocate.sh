#!/usr/bin/env bash
# uxc-admin allocate: subordinate ranges that never overlap another user's
# or a real id, written whole under shadow's lock, idempotent; and a
# thousand users in a row that lint and an independent check find clean.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/admin_common.bash"

SAVE=$(mktemp -d)
cp -p /etc/subuid /etc/subgid /etc/passwd /etc/group "$SAVE/"
restore() { cp -p "$SAVE/subuid" "$SAVE/subgid" /etc/; rm -f /etc/subuid.lock /etc/subgid.lock; }

# ----------------------------------------------------------- one user
admin allocate uxtest3
if [ "$RC" = 0 ] && grep -qx 'uxtest3:265536:65536' /etc/subuid && grep -qx 'uxtest3:265536:65536' /etc/subgid &&
   [ "$(grep -c . /etc/subuid)" = 3 ] && [ "$(grep -c . /etc/subgid)" = 3 ]; then
  pass admin_allocate_lowest_free_range
else
  fail admin_allocate_lowest_free_range "exit $RC: $OUT $ERR; subuid: $(cat /etc/subuid)"
fi

cp /etc/subuid "$SAVE/after.subuid"; cp /etc/subgid "$SAVE/after.subgid"
admin allocate uxtest3
if [ "$RC" = 0 ] && grep -q 'already holds uids 265536-331071' <<<"$OUT" &&
   cmp -s /etc/subuid "$SAVE/after.subuid" && cmp -s /etc/subgid "$SAVE/after.subgid"; then
  pass admin_allocate_idempotent
else
  fail admin_allocate_idempotent "exit $RC: $OUT $ERR"
fi

# The helpers accept what was written: uxtest3 maps its new range.
if [ -x "$WORLD_COMPAT/newuidmap" ] && [ -x "$WORLD_COMPAT/newgidmap" ]; then
  pidfile=$(mktemp); chmod 0666 "$pidfile"
  as_user uxtest3 sh -c 'echo $$ >"$0"; exec unshare -U sleep 1000' "$pidfile" &
  ns=
  for _ in $(seq 200); do
    ns=$(cat "$pidfile"); [ -n "$ns" ] && [ "$(cat /proc/$ns/comm 2>/dev/null)" = sleep ] && break; sleep 0.01
  done
  rm -f "$pidfile"
  maps=$(as_user uxtest3 "$WORLD_COMPAT/newuidmap" "$ns" 0 265536 65536 2>&1 &&
    as_user uxtest3 "$WORLD_COMPAT/newgidmap" "$ns" 0 265536 65536 2>&1 &&
    cat /proc/$ns/uid_map /proc/$ns/gid_map | tr -s ' ' | sed 's/^ //')
  kill "$ns" 2>/dev/null; wait "$ns" 2>/dev/null
  [ "$maps" = $'0 265536 65536\n0 265536 65536' ] && pass admin_allocate_range_maps_with_helper ||
    fail admin_allocate_range_maps_with_helper "$maps"
else
  fail admin_allocate_range_maps_with_helper "not built: $WORLD_COMPAT/newuidmap, newgidmap (uxc-idmap; run make)"
fi

admin allocate uxtest1 --count 131072
if [ "$RC" = 0 ] && grep -qx 'uxtest1:331072:131072' /etc/subuid && grep -qx 'uxtest1:100000:65536' /etc/subuid; then
  pass admin_allocate_larger_count_adds_range
else
  fail admin_allocate_larger_count_adds_range "exit $RC: $OUT $ERR; $(cat /etc/subuid)"
fi
restore

# Half-done earlier run (subuid written, subgid not): only subgid is added,
# at the same start.
echo 'uxtest3:500000:65536' >>/etc/subuid
admin allocate uxtest3
if [ "$RC" = 0 ] && grep -qx 'uxtest3:500000:65536' /etc/subgid && [ "$(grep -c uxtest3 /etc/subuid)" = 1 ]; then
  pass admin_allocate_completes_half_done
else
  fail admin_allocate_completes_half_done "exit $RC: $OUT $ERR; $(cat /etc/subgid)"
fi
restore

# Mode, owner and group of the files survive the replacement.
chmod 0640 /etc/subuid; chgrp uxnet /etc/subuid
admin allocate uxtest3
st=$(stat -c '%a %U %G' /etc/subuid)
[ "$RC" = 0 ] && [ "$st" = "640 root uxnet" ] && pass admin_allocate_keeps_mode_and_owner ||
  fail admin_allocate_keeps_mode_and_owner "exit $RC, now $st"
chmod 0644 /etc/subuid; chgrp root /etc/subuid
restore

# A real uid inside the first free gap pushes the range past it.
add_users uxr 1 265600
admin allocate uxtest3
[ "$RC" = 0 ] && grep -qx 'uxtest3:265601:65536' /etc/subuid && pass admin_allocate_avoids_real_uid ||
  fail admin_allocate_avoids_real_uid "exit $RC: $OUT $ERR"
cp -p "$SAVE/passwd" "$SAVE/group" /etc/
restore

# ------------------------------------------------------------- refusals
admin allocate nosuchuser
expect admin_allocate_unknown_user 1 'no user "nosuchuser" in the passwd database'
for bad in 0 -1 abc 4294967296 010; do
  admin allocate uxtest3 --count "$bad"
  expect "admin_allocate_count_${bad}_refused" 2 'count must be a decimal number from 1 to'
done
admin allocate
expect admin_allocate_needs_user 2 'expected exactly one USER'
admin allocate uxtest3 --bogus
expect admin_allocate_unknown_flag 2 'unknown option --bogus'
admin allocate --help
expect admin_allocate_help 0 'Usage: uxc-admin allocate USER \[--count N\]'

echo 'uxtest2:12x:5' >>/etc/subgid
cp /etc/subgid "$SAVE/bad.subgid"
admin allocate uxtest3
if [ "$RC" = 1 ] && grep -q '/etc/subgid: line 3: malformed start; fix the file first' <<<"$ERR" &&
   cmp -s /etc/subgid "$SAVE/bad.subgid" && cmp -s /etc/subuid "$SAVE/subuid"; then
  pass admin_allocate_refuses_malformed_file
else
  fail admin_allocate_refuses_malformed_file "exit $RC: $ERR"
fi
restore

echo 'uxtest2:100000:4294867295' >/etc/subuid
admin allocate uxtest3
expect admin_allocate_full_space 1 'no free range of 65536 ids between 100000 and 4294967294'
restore

as_user uxtest1 "$ADMIN" allocate uxtest1 >/dev/null 2>"$SAVE/err"
rc=$?
[ "$rc" = 1 ] && grep -q 'must run as root' "$SAVE/err" && cmp -s /etc/subuid "$SAVE/subuid" &&
  pass admin_allocate_needs_root || fail admin_allocate_needs_root "exit $rc: $(cat "$SAVE/err")"

# ---------------------------------------------------------------- locks
sh -c 'exit 0' & dead=$!; wait "$dead"
echo "$dead" >/etc/subuid.lock
echo 12345 >/etc/subuid.12345  # a FILE.PID a killed locker left
admin allocate uxtest3
[ "$RC" = 0 ] && [ ! -e /etc/subuid.lock ] && [ ! -e /etc/subuid.12345 ] && grep -q uxtest3 /etc/subuid &&
  pass admin_allocate_breaks_stale_lock || fail admin_allocate_breaks_stale_lock "exit $RC: $ERR; $(ls /etc/subuid*)"
restore

sleep 30 & holder=$!
echo "$holder" >/etc/subgid.lock
( sleep 1; rm -f /etc/subgid.lock ) &
start=$(date +%s%N)
admin allocate uxtest3
took=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$RC" = 0 ] && [ "$took" -ge 800 ] && grep -q uxtest3 /etc/subgid && pass admin_allocate_waits_for_live_lock ||
  fail admin_allocate_waits_for_live_lock "exit $RC after ${took}ms: $ERR"
restore

echo "$holder" >/etc/subgid.lock
admin allocate uxtest3
if [ "$RC" = 1 ] && grep -q "/etc/subgid.lock is held by process $holder" <<<"$ERR" &&
   [ -e /etc/subgid.lock ] && cmp -s /etc/subuid "$SAVE/subuid" && [ ! -e /etc/subuid.lock ]; then
  pass admin_allocate_never_breaks_live_lock
else
  fail admin_allocate_never_breaks_live_lock "exit $RC: $ERR"
fi
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
restore

echo garbage >/etc/subuid.lock
admin allocate uxtest3
expect admin_allocate_odd_lock_refused 1 'subuid.lock exists but names no process'
restore

# ------------------------------------------------------ a thousand users
# 500 users with uids below the floor, 500 scattered through the space
# the ranges come from, so allocation must step around real uids.
add_users uxa 500 70000
add_users uxb 500 400000 131101
start=$(date +%s%N)
errors=0
for i in $(seq 0 499); do
  "$ADMIN" allocate "uxa$i" >/dev/null 2>&1 || errors=$((errors + 1))
  "$ADMIN" allocate "uxb$i" >/dev/null 2>&1 || errors=$((errors + 1))
done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# allocate: 1000 users in ${ms} ms ($((ms / 1000)) ms a run), $(grep -c . /etc/subuid) subuid lines"
[ "$errors" = 0 ] && pass admin_allocate_1000_users_succeed || fail admin_allocate_1000_users_succeed "$errors failures"

admin lint
expect admin_allocate_1000_users_lint_clean 0 'no problems'

# Independent of uxc's code: sort each file by start and compare
# neighbours; every real id outside every range but its owner's own; one
# line of 65536 per new user.
independent_check() {  # FILE IDS_FILE(id name per line)
  awk -F: -v ids="$2" '
    BEGIN { while ((getline line < ids) > 0) { split(line, f, " "); id[f[1]] = f[2]; n++ } }
    { start[NR] = $2; end[NR] = $2 + $3; owner[NR] = $1; lines = NR }
    END {
      bad = 0
      for (i = 1; i <= lines; i++) {
        if (start[i] < 100000 && owner[i] !~ /^uxtest/) { print "below floor: " owner[i]; bad++ }
        if (end[i] > 4294967295) { print "past 2^32-1: " owner[i]; bad++ }
        for (u in id) if (u + 0 >= start[i] && u + 0 < end[i] && id[u] != owner[i]) { print owner[i] " covers " u; bad++ }
      }
      exit bad > 0
    }' "$1" || return 1
  sort -t: -k2,2n "$1" | awk -F: 'NR > 1 && $2 < prev_end { print "overlap at " $0; bad = 1 }
    { if ($2 + $3 > prev_end) prev_end = $2 + $3 } END { exit bad }' || return 1
  local new
  new=$(grep -cE '^ux[ab][0-9]+:[0-9]+:65536$' "$1")
  [ "$new" = 1000 ] || { echo "$new new lines of 65536"; return 1; }
  [ "$(cut -d: -f1 "$1" | sort | uniq -d)" = "" ] || { echo "a user twice"; return 1; }
}
cut -d: -f3,1 /etc/passwd | awk -F: '{ print $2, $1 }' >"$SAVE/uids"
cut -d: -f3,1 /etc/group | awk -F: '{ print $2, $1 }' >"$SAVE/gids"
check admin_allocate_1000_users_subuid_disjoint independent_check /etc/subuid "$SAVE/uids"
check admin_allocate_1000_users_subgid_disjoint independent_check /etc/subgid "$SAVE/gids"

cp /etc/subuid "$SAVE/k.subuid"; cp /etc/subgid "$SAVE/k.subgid"
errors=
for i in 0 17 250 499; do
  for u in "uxa$i" "uxb$i"; do
    admin allocate "$u"
    [ "$RC" = 0 ] || errors+="$u: exit $RC: $ERR; "
  done
done
[ -z "$errors" ] && cmp -s /etc/subuid "$SAVE/k.subuid" && cmp -s /etc/subgid "$SAVE/k.subgid" &&
  pass admin_allocate_1000_users_rerun_changes_nothing ||
  fail admin_allocate_1000_users_rerun_changes_nothing "${errors:-files changed}"

leftovers=$(ls -A /etc | grep -E '^sub[ug]id\.')
[ -z "$leftovers" ] && pass admin_allocate_leaves_no_litter || fail admin_allocate_leaves_no_litter "$leftovers"

rm -rf "$SAVE"
