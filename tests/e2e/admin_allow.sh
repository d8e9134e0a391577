#!/usr/bin/env bash
# uxc-admin allow: edits the usernet file in place of the same owner, type
# and link, refuses what uxc-nic would refuse, and never leaves a
# half-written policy: SIGKILLed at every system call, and at a sweep of
# instants during a large write, the file is always exactly the old or
# the new one.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/admin_common.bash"

SAVE=$(mktemp -d)

# ------------------------------------------------------------ editing
rm -rf /etc/uxc
admin allow uxtest1 --link lxcbr0 --nics 2
if [ "$RC" = 0 ] && [ "$(cat /etc/uxc/usernet)" = "uxtest1 veth lxcbr0 2" ] &&
   [ "$(stat -c '%a %U' /etc/uxc/usernet /etc/uxc | tr '\n' ' ')" = "644 root 755 root " ]; then
  pass admin_allow_creates_file
else
  fail admin_allow_creates_file "exit $RC: $OUT $ERR; $(ls -la /etc/uxc)"
fi

printf '%s\n' '# who may have nics' 'uxtest1 veth lxcbr0 2' '' '@uxnet	veth br1 4' 'uxtest1 veth lxcbr0 7' >/etc/uxc/usernet
chmod 0640 /etc/uxc/usernet; chgrp uxnet /etc/uxc/usernet
admin allow uxtest1 --link lxcbr0 --nics 3
want=$'# who may have nics\nuxtest1 veth lxcbr0 3\n\n@uxnet\tveth br1 4'
if [ "$RC" = 0 ] && [ "$(cat /etc/uxc/usernet)" = "$want" ] && grep -q '"uxtest1 veth lxcbr0 3" (was 7)' <<<"$OUT" &&
   [ "$(stat -c '%a %G' /etc/uxc/usernet)" = "640 uxnet" ]; then
  pass admin_allow_replaces_and_drops_repeats
else
  fail admin_allow_replaces_and_drops_repeats "exit $RC: $OUT $ERR; $(cat -A /etc/uxc/usernet); $(stat -c '%a %G' /etc/uxc/usernet)"
fi

admin allow @uxnet --link lxcbr0 --nics 5 --type veth
[ "$RC" = 0 ] && [ "$(tail -n 1 /etc/uxc/usernet)" = "@uxnet veth lxcbr0 5" ] && pass admin_allow_group_line ||
  fail admin_allow_group_line "exit $RC: $OUT $ERR"

cp -p /etc/uxc/usernet "$SAVE/same"
admin allow uxtest1 --link=lxcbr0 --nics=3
[ "$RC" = 0 ] && grep -q 'already in place; nothing changed' <<<"$OUT" && cmp -s /etc/uxc/usernet "$SAVE/same" &&
  pass admin_allow_same_line_is_noop || fail admin_allow_same_line_is_noop "exit $RC: $OUT $ERR"

admin allow uxtest1 --link lxcbr0 --nics 0
[ "$RC" = 0 ] && grep -qx 'uxtest1 veth lxcbr0 0' /etc/uxc/usernet && pass admin_allow_zero_takes_away ||
  fail admin_allow_zero_takes_away "exit $RC: $OUT $ERR"

admin lint
expect admin_allow_result_lints_clean 0 'no problems'

# ------------------------------------------------------------ refusals
cp -p /etc/uxc/usernet "$SAVE/before"
refuse() {  # NAME RC PATTERN ARGS...
  local name=$1 rc=$2 pattern=$3
  shift 3
  admin allow "$@"
  if [ "$RC" = "$rc" ] && grep -Eq -- "$pattern" <<<"$ERR" && cmp -s /etc/uxc/usernet "$SAVE/before"; then
    pass "$name"
  else
    fail "$name" "exit $RC (wanted $rc): $OUT $ERR"
  fi
}
refuse admin_allow_unknown_user 1 'no user "ghost" in the passwd database' ghost --link lxcbr0 --nics 1
refuse admin_allow_unknown_group 1 'no group "ghosts" in the group database' @ghosts --link lxcbr0 --nics 1
refuse admin_allow_missing_bridge 1 'no link "br9" here; create the bridge first' uxtest2 --link br9 --nics 1
refuse admin_allow_not_a_bridge 1 '"notabridge" is not a bridge' uxtest2 --link notabridge --nics 1
refuse admin_allow_loopback 1 '"lo" is not a bridge' uxtest2 --link lo --nics 1
refuse admin_allow_bad_ifname 2 'is not an interface name' uxtest2 --link 'br/0' --nics 1
refuse admin_allow_bad_owner 2 'is not a user name or @group' 'ux test' --link lxcbr0 --nics 1
refuse admin_allow_negative_nics 2 'nics must be a decimal number from 0 to 1000000' uxtest2 --link lxcbr0 --nics -1
refuse admin_allow_huge_nics 2 'nics must be a decimal number' uxtest2 --link lxcbr0 --nics 1000001
refuse admin_allow_other_type 2 'type must be veth' uxtest2 --link lxcbr0 --nics 1 --type macvlan
refuse admin_allow_needs_link 2 'link BRIDGE is required' uxtest2 --nics 1
refuse admin_allow_needs_nics 2 'nics N is required' uxtest2 --link lxcbr0
refuse admin_allow_flag_twice 2 'given twice' uxtest2 --link lxcbr0 --link br1 --nics 1
refuse admin_allow_two_owners 2 'expected exactly one USER or @GROUP' uxtest2 uxtest3 --link lxcbr0 --nics 1

printf 'uxtest2 veth lxcbr0 1\r\n' >>/etc/uxc/usernet
cp -p /etc/uxc/usernet "$SAVE/before"
refuse admin_allow_refuses_malformed_file 1 'usernet: line [0-9]+: count .*fix the file first' uxtest2 --link br1 --nics 1
cp -p "$SAVE/same" /etc/uxc/usernet

as_user uxtest1 "$ADMIN" allow uxtest1 --link lxcbr0 --nics 9 >/dev/null 2>"$SAVE/err"
rc=$?
[ "$rc" = 1 ] && grep -q 'must run as root' "$SAVE/err" && cmp -s /etc/uxc/usernet "$SAVE/same" &&
  pass admin_allow_needs_root || fail admin_allow_needs_root "exit $rc: $(cat "$SAVE/err")"

admin allow --help
expect admin_allow_help 0 'Usage: uxc-admin allow USER\|@GROUP --link BRIDGE --nics N'

# --------------------------------------------------------- concurrency
# Twenty editors at once: the lock serialises them and no edit is lost.
add_users uxp 20 62000
usernet 'uxtest1 veth lxcbr0 2'
for i in $(seq 0 19); do "$ADMIN" allow "uxp$i" --link lxcbr0 --nics 1 >/dev/null 2>&1 & done
wait
lines=$(grep -c '^uxp[0-9]* veth lxcbr0 1$' /etc/uxc/usernet)
admin lint
[ "$lines" = 20 ] && [ "$RC" = 0 ] && [ -z "$(ls -A /etc/uxc | grep -vx usernet)" ] &&
  pass admin_allow_20_concurrent_edits_all_kept ||
  fail admin_allow_20_concurrent_edits_all_kept "$lines of 20 lines; lint $RC: $OUT; dir: $(ls -A /etc/uxc)"

# ------------------------------------------------------ SIGKILL sweeps
# old: the policy before; new: after `allow uxtest1 --link lxcbr0 --nics 5`.
printf '%s\n' '# policy' 'uxtest1 veth lxcbr0 2' '@uxnet veth br1 4' 'uxtest2 veth lxcbr0 1' >"$SAVE/old"
printf '%s\n' '# policy' 'uxtest1 veth lxcbr0 5' '@uxnet veth br1 4' 'uxtest2 veth lxcbr0 1' >"$SAVE/new"
chmod 0640 "$SAVE/old"; chgrp uxnet "$SAVE/old"
reset_policy() {  # the old file, atomically, leaving whatever litter a kill left
  cp -p "$SAVE/old" /etc/uxc/usernet.reset && mv -f /etc/uxc/usernet.reset /etc/uxc/usernet
}
# judge N: the file is exactly old or new with its mode and group, and a
# follow-up allow succeeds and cleans up. Sets STATE to old or new.
judge() {
  local at=$1
  STATE=
  if cmp -s /etc/uxc/usernet "$SAVE/old"; then STATE=old
  elif cmp -s /etc/uxc/usernet "$SAVE/new"; then STATE=new
  else problems+="$at: file is neither old nor new: $(head -c 200 /etc/uxc/usernet | cat -A); "; return
  fi
  [ -e /etc/uxc/usernet.uxc-admin-new ] && tmps=$((tmps + 1))
  [ "$(stat -c '%a %G' /etc/uxc/usernet)" = "640 uxnet" ] ||
    problems+="$at: mode/group now $(stat -c '%a %G' /etc/uxc/usernet); "
  if ! "$ADMIN" allow uxtest1 --link lxcbr0 --nics 5 >/dev/null 2>"$SAVE/err"; then
    problems+="$at: follow-up failed: $(cat "$SAVE/err"); "
  fi
  cmp -s /etc/uxc/usernet "$SAVE/new" || problems+="$at: follow-up did not give the new file; "
  local litter
  litter=$(ls -A /etc/uxc | grep -vx usernet)
  [ -z "$litter" ] || problems+="$at: left behind: $litter; "
}

SWEEP=$UXC_BUILD/tests/nic_kill_sweep
if [ -x "$SWEEP" ]; then
  killed=0 olds=0 news=0 tmps=0 problems=
  for n in $(seq 1 3000); do
    reset_policy
    # nic_kill_sweep: exit 0 when killed at stop n, 3 when the run ended first.
    "$SWEEP" "$n" root "$ADMIN" allow uxtest1 --link lxcbr0 --nics 5 >/dev/null 2>"$SAVE/sweep"
    res=$?
    case $res in 0) ;; 3) break ;; *) problems+="stop $n: sweep exit $res: $(cat "$SAVE/sweep"); "; break ;; esac
    killed=$((killed + 1))
    judge "stop $n"
    case $STATE in old) olds=$((olds + 1)) ;; new) news=$((news + 1)) ;; esac
  done
  echo "# allow SIGKILL sweep: $killed system-call stops, old file after $olds (a temporary file left by $tmps), new file after $news"
  if [ -z "$problems" ] && [ "$killed" -gt 50 ] && [ "$olds" -gt 0 ] && [ "$news" -gt 0 ] && [ "$tmps" -gt 0 ]; then
    pass admin_allow_sigkill_every_syscall_old_or_new
  else
    fail admin_allow_sigkill_every_syscall_old_or_new "$killed stops ($olds old, $news new): ${problems:-none}"
  fi
else
  fail admin_allow_sigkill_every_syscall_old_or_new "$SWEEP was not built"
fi

# Mid-write: a policy near the 1 MiB cap makes the write long enough to
# be cut by a SIGKILL at wall-clock instants spread over the whole run.
{
  cat "$SAVE/old"
  for i in $(seq 1 11000); do echo "# padding line $i to make the write take a while......................"; done
} >"$SAVE/old.big"
sed 's/^uxtest1 veth lxcbr0 2$/uxtest1 veth lxcbr0 5/' "$SAVE/old.big" >"$SAVE/new.big"
chmod 0640 "$SAVE/old.big"; chgrp uxnet "$SAVE/old.big"
mv "$SAVE/old.big" "$SAVE/old"; mv "$SAVE/new.big" "$SAVE/new"
reset_policy
start=$(date +%s%N)
"$ADMIN" allow uxtest1 --link lxcbr0 --nics 5 >/dev/null
run_us=$(( ($(date +%s%N) - start) / 1000 ))
fifo=$SAVE/never; mkfifo "$fifo"; exec 9<>"$fifo"
problems= olds=0 news=0 tmps=0 steps=150
for i in $(seq 0 $((steps - 1))); do
  reset_policy
  delay=$(( run_us * 12 / 10 * i / steps ))
  "$ADMIN" allow uxtest1 --link lxcbr0 --nics 5 >/dev/null 2>&1 &
  pid=$!
  read -r -t "$(printf '0.%06d' "$delay")" -u 9 _ 2>/dev/null
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  judge "after ${delay}us"
  case $STATE in old) olds=$((olds + 1)) ;; new) news=$((news + 1)) ;; esac
done
exec 9>&-
echo "# allow timed SIGKILL sweep: one run ${run_us}us with a $(wc -c <"$SAVE/old")-byte file; old after $olds (a temporary file left by $tmps), new after $news of $steps kills"
if [ -z "$problems" ] && [ "$olds" -gt 0 ] && [ "$news" -gt 0 ]; then
  pass admin_allow_sigkill_mid_write_old_or_new
else
  fail admin_allow_sigkill_mid_write_old_or_new "$olds old, $news new: ${problems:-none}"
fi

rm -rf "$SAVE"
