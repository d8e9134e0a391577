#!/usr/bin/env bash
# The commands LXC users script with: uxc wait, uxc monitor (lines and
# JSON), uxc freeze/unfreeze on cgroup v2 (ls --frozen, stop of a frozen
# container), uxc cgroup (read, write, v1 and v2, errors) and uxc execute
# (a minimal init as pid 1, the command's status, stop).
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"
source "$(dirname "$0")/cgroup_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail parity_commands_built "$UXC was not built"; exit 0; }
have_idmap || { skip parity_commands "uxc-idmap was not built"; exit 0; }
write_plain_default_conf $U 100000
data=/home/$U/.local/share/uxc
for c in c1 c2; do uxc_as $U create $c -t busybox >/dev/null || { fail parity_commands_create "create $c failed"; exit 0; }; done
state() { uxc_as $U info "$1" -s -H; }
same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
rootfs=$data/c1/rootfs

# ------------------------------------------------ without a delegated cgroup
uxc_as $U start c1 -d
out=$(uxc_as $U freeze c1 2>&1); status=$?
check parity_freeze_without_cgroup test "$status:$out" = \
  "1:uxc freeze: c1 has no freezer: it needs a cgroup v2 (or a v1 freezer cgroup) delegated to you; see uxc check"
out=$(uxc_as $U cgroup c1 pids.max 2>&1); status=$?
check parity_cgroup_without_cgroup test "$status:$out" = "1:uxc cgroup: c1 has no cgroup of its own: you have no delegated cgroup (see uxc check)"
uxc_as $U stop c1 -k

cgroup_delegate $U || { fail parity_commands_delegate "no cgroup hierarchy could be delegated in the world"; exit 0; }

# ------------------------------------------------------------ wait
out=$(uxc_as $U wait c1 -s RUNNING -t 0 2>&1); status=$?
check parity_wait_timeout test "$status:$out" = "1:uxc wait: timed out after 0 s: c1 is STOPPED, not RUNNING"
check parity_wait_already uxc_as $U wait c1 -s 'RUNNING|STOPPED' -t 0
out=$(uxc_as $U wait c1 -s THAWED 2>&1); status=$?
check parity_wait_lxc_only_state test "$status:$out" = \
  "2:uxc wait: 'THAWED' is not a state uxc reports: use STOPPED, STARTING, RUNNING or FROZEN, joined by '|' (try 'uxc wait --help')"
out=$(uxc_as $U wait c1 2>&1); status=$?
check parity_wait_needs_state test "$status" = 2
out=$(uxc_as $U wait nosuch -s RUNNING 2>&1); status=$?
check parity_wait_missing_container test "$status:$out" = "1:uxc wait: nosuch doesn't exist"

# monitor, in the background from here on; monitor_saw N STATE waits (at
# most 10 s) until it has reported c1 in STATE N times.
monitor_saw() {
  for _ in $(seq 200); do
    [ "$(grep -c "^'c1' changed state to \[$2\]$" /tmp/monitor.lines)" -ge "$1" ] && return 0
    sleep 0.05
  done
}
uxc_as $U monitor >/tmp/monitor.lines 2>&1 &
mon_lines=$!
uxc_as $U monitor c1 --format json >/tmp/monitor.json 2>&1 &
mon_json=$!
uxc_as $U monitor 'c2|nothing' >/tmp/monitor.c2 2>&1 &
mon_c2=$!
sleep 0.5
uxc_as $U wait c1 -s RUNNING -t 30 >/tmp/wait.out 2>&1 &
waiter=$!
sleep 0.2
# A container whose init writes a tick every 50 ms, to see it stop.
check parity_start_ticking uxc_as $U start c1 -d -- /bin/sh -c 'while :; do date +%s%N >/tmp/tick; sleep 0.05; done'
wait $waiter; status=$?
check parity_wait_returns_when_running test "$status:$(cat /tmp/wait.out)" = "0:"

# ------------------------------------------------------------ freeze
check parity_freeze uxc_as $U freeze c1
check parity_frozen_state test "$(state c1)" = FROZEN
check parity_ls_frozen test "$(uxc_as $U ls --frozen)" = c1
check parity_ls_running_excludes_frozen test -z "$(uxc_as $U ls --running)"
check parity_ls_fancy_frozen grep -Eq '^c1 +FROZEN ' <<<"$(uxc_as $U ls -f)"
t1=$(cat $rootfs/tmp/tick); sleep 0.5; t2=$(cat $rootfs/tmp/tick)
check parity_frozen_stands_still test "$t1" = "$t2"
check parity_wait_frozen uxc_as $U wait c1 -s FROZEN -t 5
check parity_cgroup_reads_freeze test "$(uxc_as $U cgroup c1 cgroup.freeze)" = 1
check parity_freeze_again_is_fine uxc_as $U freeze c1
check parity_unfreeze uxc_as $U unfreeze c1
check parity_thawed_state test "$(state c1)" = RUNNING
sleep 0.3; t3=$(cat $rootfs/tmp/tick)
check parity_thawed_moves test "$t3" != "$t2"
# A frozen container stops: uxc stop thaws it first (here its sh gets
# the halt signal's SIGKILL after -t 1: it has no handler).
check parity_freeze_before_stop uxc_as $U freeze c1
# The stop ends the frozen state within milliseconds, and the start
# below the stopped one: wait for the monitor to have reported each, so
# that a loaded machine does not make parity_monitor_lines a race.
monitor_saw 2 FROZEN
check parity_stop_frozen uxc_as $U stop c1 -t 1
check parity_stopped_after_frozen test "$(state c1)" = STOPPED
monitor_saw 1 STOPPED

# ------------------------------------------------------------ cgroup
check parity_start_again uxc_as $U start c1 -d -- /bin/sleep 1000
check parity_cgroup_write_v2 uxc_as $U cgroup c1 cgroup.max.descendants 7
check parity_cgroup_read_v2 test "$(uxc_as $U cgroup c1 cgroup.max.descendants)" = 7
check parity_cgroup_really_written test "$(cat "$(cgroup_dir_of c1 v2)/cgroup.max.descendants")" = 7
if [ -n "$(cgroup_dir_of c1 memory)" ]; then
  check parity_cgroup_write_v1 uxc_as $U cgroup c1 memory.limit_in_bytes 64M
  check parity_cgroup_read_v1 test "$(uxc_as $U cgroup c1 memory.limit_in_bytes)" = 67108864
else
  skip parity_cgroup_v1 "no v1 memory hierarchy on this host"
fi
out=$(uxc_as $U cgroup c1 ../cgroup.procs 2>&1); status=$?
check parity_cgroup_no_path test "$status:$out" = \
  "2:uxc cgroup: '../cgroup.procs' is not a cgroup file: use CONTROLLER.FILE, as memory.max or pids.current (try 'uxc cgroup --help')"
out=$(uxc_as $U cgroup c1 nosuch.file 2>&1); status=$?
check parity_cgroup_unknown_controller bash -c '[[ $1 == "1:uxc cgroup: c1'"'"'s cgroups have no nosuch controller (cgroup v2: "*"); '"'"'uxc check'"'"' says which controllers are delegated to you" ]]' sh "$status:$out"
out=$(uxc_as $U cgroup c1 cgroup.nosuch 2>&1); status=$?
check parity_cgroup_unknown_file bash -c '[[ $1 == "1:uxc cgroup: c1'"'"'s cgroup has no file cgroup.nosuch (looked in "* ]]' sh "$status:$out"
out=$(uxc_as $U cgroup c1 cgroup.max.descendants nonsense 2>&1); status=$?
check parity_cgroup_bad_value bash -c '[[ $1 == "1:uxc cgroup: cannot write '"'"'nonsense'"'"' to "*"/cgroup.max.descendants: Invalid argument" ]]' sh "$status:$out"
out=$(uxc_as $U cgroup c1 2>&1); status=$?
check parity_cgroup_needs_key test "$status:$out" = "2:uxc cgroup: a cgroup KEY is required: uxc cgroup NAME KEY [VALUE] (try 'uxc cgroup --help')"
uxc_as $U stop c1 -k

# ------------------------------------------------------------ execute
uxc_as $U execute c2 -- /bin/sh -c 'exit 7' </dev/null >/dev/null 2>&1; status=$?
check parity_execute_status test "$status" = 7
out=$(uxc_as $U execute c2 -- /bin/sh -c 'echo $$; cat /proc/1/comm; readlink /proc/1/exe || echo no-exe' </dev/null 2>&1)
check parity_execute_minimal_init test "$(tr -d '\r' <<<"$out" | grep -v '^readlink:')" = "2
init.uxc
no-exe"
out=$(uxc_as $U execute c2 </dev/null 2>&1); status=$?
check parity_execute_needs_command test "$status:$out" = "2:uxc execute: a COMMAND is required: uxc execute c2 -- COMMAND [ARG...] (try 'uxc execute --help')"
# Orphans are reaped: a double-forked child leaves no zombie behind.
out=$(uxc_as $U execute c2 -- /bin/sh -c '(sleep 0.1 &); sleep 0.5; ps -o stat,comm | grep -c "^Z" || true' </dev/null 2>&1 | tr -d '\r')
check parity_execute_reaps test "$out" = 0
uxc_as $U execute c2 -- /bin/sleep 1000 </dev/null >/dev/null 2>&1 &
ex=$!
uxc_as $U wait c2 -s RUNNING -t 10
check parity_execute_stop uxc_as $U stop c2 -t 10
wait $ex; status=$?
check parity_execute_stopped_cleanly test "$status" = 0
uxc_as $U execute c2 -- /bin/nothing </dev/null >/dev/null 2>&1; status=$?
check parity_execute_missing_command test "$status" = 1

# ------------------------------------------------------------ monitor
sleep 1.5
kill $mon_lines $mon_json $mon_c2 2>/dev/null
wait $mon_lines $mon_json $mon_c2 2>/dev/null
# Every line as lxc-monitor prints it, and the states in order; the thaw
# before the stop of a frozen container may be too short to be seen.
check parity_monitor_line_format test -z "$(grep -v "^'c[12]' changed state to \[[A-Z]*\]$" /tmp/monitor.lines)"
states=$(sed -n "s/^'c1' changed state to \[\([A-Z]*\)\]$/\1/p" /tmp/monitor.lines | grep -v STARTING | tr '\n' ' ')
if grep -Eqx 'RUNNING FROZEN RUNNING FROZEN (RUNNING )?STOPPED RUNNING STOPPED ' <<<"$states"; then pass parity_monitor_lines
else fail parity_monitor_lines "states seen: $states"; fi
check parity_monitor_c2_too grep -q "^'c2' changed state to \[RUNNING\]$" /tmp/monitor.lines
check parity_monitor_regex_is_whole_name test -z "$(grep -v "^'c2'" /tmp/monitor.c2)"
check parity_monitor_regex_c2 grep -q "^'c2' changed state to \[STOPPED\]$" /tmp/monitor.c2
bad=0; n=0
while read -r line; do
  n=$((n + 1))
  python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert set(o)=={"name","state","time"} and o["name"]=="c1"' "$line" || bad=1
done </tmp/monitor.json
check parity_monitor_json_valid test "$bad:$((n >= 6))" = "0:1"
