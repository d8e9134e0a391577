#!/usr/bin/env bash
# lxc-stop's flags on uxc stop: --nokill (ask the init to halt, never
# SIGKILL, exit 1 when it still runs after -t), -W/--nowait (make the
# request and return: halt, -k, -r), -t -1 (wait for ever, never kill),
# and the combinations that exclude each other.
#
# The containers run sh as init with lxc.signal.halt = SIGUSR2: "slow"
# traps it and exits 3 only once the test creates /tmp/go in its rootfs,
# so whether a stop has returned never depends on timing; "deaf" has no
# handler, so a pid namespace's init never dies of the halt signal.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail parity_stop_built "$UXC was not built"; exit 0; }
have_idmap || { skip parity_stop "uxc-idmap was not built"; exit 0; }
write_plain_default_conf $U 100000
data=/home/$U/.local/share/uxc
for c in slow deaf bb; do
  uxc_as $U create $c -t busybox >/dev/null || { fail parity_stop_create "create $c failed"; exit 0; }
done
echo 'lxc.signal.halt = SIGUSR2' >>$data/slow/config
echo 'lxc.signal.halt = SIGUSR2' >>$data/deaf/config
state() { uxc_as $U info "$1" -s -H; }
# log_has / log_lacks FILE REGEX: the monitor's log, shown when it is not as expected.
log_has() { grep -Eq "$2" "$1" || { echo "no /$2/ in $1: $(cat "$1")"; return 1; }; }
log_lacks() { ! grep -Eq "$2" "$1" || { echo "/$2/ in $1: $(cat "$1")"; return 1; }; }
same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
SLOW='trap "while [ ! -e /tmp/go ]; do sleep 0.05; done; exit 3" USR2; while :; do sleep 0.1; done'
DEAF='while :; do sleep 0.1; done'
start_slow() { rm -f $data/slow/rootfs/tmp/go; uxc_as $U start slow -d -l INFO -o "$1" -- /bin/sh -c "$SLOW"; }
start_deaf() { uxc_as $U start deaf -d -l INFO -o "$1" -- /bin/sh -c "$DEAF"; }
# requested LOG N: the monitor has taken N halt requests (so the stop
# in the background has made its request).
requested() {
  local i
  for ((i = 0; i < 400; i++)); do
    [ "$(grep -c 'halt requested' "$1")" -ge "$2" ] && return 0
    sleep 0.05
  done
  echo "$1 shows fewer than $2 halt requests: $(cat "$1")"
  return 1
}
# Waits until the init of `slow` shows its handler for SIGUSR2, so that
# the halt is taken, not dropped (sh sets the trap a moment after exec).
wait_trap() {
  local pid i
  pid=$(uxc_as $U info slow -p -H)
  for ((i = 0; i < 200; i++)); do
    (( 0x$(awk '/^SigCgt/ {print $2}' /proc/$pid/status) & (1 << 11) )) && return 0
    sleep 0.05
  done
  echo "sh never set its trap"
  return 1
}

# ------------------------------------------------------------ usage
out=$(uxc_as $U stop slow --nokill -k 2>&1); status=$?
same parity_stop_nokill_and_kill "$status:$out" "2:uxc stop: -k and --nokill exclude each other (try 'uxc stop --help')"
out=$(uxc_as $U stop slow --nokill -r 2>&1); status=$?
same parity_stop_nokill_and_reboot "$status:$out" \
  "2:uxc stop: --nokill is for a halt, not for -r (a reboot that times out is killed) (try 'uxc stop --help')"
out=$(uxc_as $U stop slow -r -t -1 2>&1); status=$?
same parity_stop_reboot_forever "$status:$out" \
  "2:uxc stop: -r takes a TIMEOUT of 0 or more seconds (a reboot that times out is killed) (try 'uxc stop --help')"
out=$(uxc_as $U stop slow -t -2 2>&1); status=$?
same parity_stop_bad_timeout "$status:$out" \
  "2:uxc stop: -t TIMEOUT must be a number of seconds, or -1, not '-2' (try 'uxc stop --help')"
out=$(uxc_as $U stop slow --nokill 2>&1); status=$?
same parity_stop_nokill_not_running "$status:$out" "1:uxc stop: slow is not running"

# ------------------------------------------------------- --nokill
# An init that never halts: --nokill gives up after -t, exit 1, and the
# container runs on; nothing kills it later either.
LOG=/home/$U/deaf.log
start_deaf $LOG
out=$(uxc_as $U stop deaf --nokill -t 1 2>&1); status=$?
same parity_stop_nokill_gives_up "$status:$out" \
  "1:uxc stop: deaf did not halt within 1 s and still runs (--nokill: nothing was killed); wait longer with -t, or kill it with 'uxc stop -k deaf'"
same parity_stop_nokill_still_running "$(state deaf)" RUNNING
# The monitor stops asking once the time is up; a SIGKILL would show
# here as the init's end.
for _ in $(seq 100); do grep -q 'did not take the halt request in time' $LOG && break; sleep 0.05; done
check parity_stop_nokill_monitor_gave_up log_has $LOG 'the init did not take the halt request in time; it runs on'
sleep 1
same parity_stop_nokill_never_killed "$(state deaf)" RUNNING
check parity_stop_nokill_no_sigkill_logged log_lacks $LOG 'sending SIGKILL|init exited'
# Without --nokill the same stop kills it after -t.
check parity_stop_kills_after_timeout uxc_as $U stop deaf -t 1
same parity_stop_killed "$(state deaf)" STOPPED
check parity_stop_killed_logged log_has $LOG 'sending SIGKILL'

# An init that halts once allowed to: --nokill -t 1 gives up while it
# is busy halting, a second --nokill waits until it is done.
LOG=/home/$U/slow1.log
start_slow $LOG
wait_trap
out=$(uxc_as $U stop slow --nokill -t 1 2>&1); status=$?
same parity_stop_nokill_busy_init "$status" 1
same parity_stop_nokill_busy_still_running "$(state slow)" RUNNING
uxc_as $U stop slow --nokill -t 60 >/tmp/nokill.out 2>&1 &
stopper=$!
check parity_stop_nokill_second_request requested $LOG 2
touch $data/slow/rootfs/tmp/go
wait $stopper; status=$?
same parity_stop_nokill_halts "$status:$(cat /tmp/nokill.out)" "0:"
same parity_stop_nokill_stopped "$(state slow)" STOPPED
check parity_stop_nokill_init_status log_has $LOG 'init exited with status 3$'
check parity_stop_nokill_nothing_killed log_lacks $LOG 'sending SIGKILL'
check parity_stop_nokill_nothing_left nothing_left $U slow

# ------------------------------------------------------- -t -1
LOG=/home/$U/slow2.log
start_slow $LOG
wait_trap
uxc_as $U stop slow -t -1 >/tmp/forever.out 2>&1 &
stopper=$!
check parity_stop_forever_request requested $LOG 1
# Past the default 60 s would be too long to test; past the monitor's
# own retry window is what matters: it never kills.
sleep 2
check parity_stop_forever_still_waiting kill -0 $stopper
touch $data/slow/rootfs/tmp/go
wait $stopper; status=$?
same parity_stop_forever_returns "$status:$(cat /tmp/forever.out)" "0:"
same parity_stop_forever_stopped "$(state slow)" STOPPED

# ------------------------------------------------------- -W
LOG=/home/$U/slow3.log
start_slow $LOG
wait_trap
out=$(uxc_as $U stop slow -W 2>&1); status=$?
same parity_stop_nowait_returns "$status:$out" "0:"
# The init is still in its handler, waiting for /tmp/go.
same parity_stop_nowait_still_running "$(state slow)" RUNNING
touch $data/slow/rootfs/tmp/go
check parity_stop_nowait_halted uxc_as $U wait slow -s STOPPED -t 30
check parity_stop_nowait_init_status log_has $LOG 'init exited with status 3$'

LOG=/home/$U/deaf2.log
start_deaf $LOG
check parity_stop_nowait_long uxc_as $U stop deaf --nowait -t 1
sleep 2
same parity_stop_nowait_never_kills "$(state deaf)" RUNNING
check parity_stop_nowait_kill uxc_as $U stop deaf -W -k
check parity_stop_nowait_kill_stops uxc_as $U wait deaf -s STOPPED -t 30
check parity_stop_nowait_kill_nothing_left nothing_left $U deaf

uxc_as $U start bb -d
old=$(uxc_as $U info bb -p -H)
check parity_stop_nowait_reboot uxc_as $U stop bb -W -r -t 20
new=
for _ in $(seq 200); do
  new=$(uxc_as $U info bb -p -H 2>/dev/null)
  [ -n "$new" ] && [ "$new" != "$old" ] && break
  sleep 0.1
done
check parity_stop_nowait_rebooted test -n "$new" -a "$new" != "$old"
same parity_stop_nowait_reboot_running "$(state bb)" RUNNING
check parity_stop_bb uxc_as $U stop bb -t 20
check parity_stop_nothing_left nothing_left $U bb
