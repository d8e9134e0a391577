#!/usr/bin/env bash
# The privileged core's promises (security/AUDIT.md, "The privileged
# core"), the same for both helpers, read from the kernel while a helper
# waits: the pipe forms block reading their request on fd 0 (a FIFO that
# never delivers), lxc-user-nic behind the quota lock, which the test
# holds. The caller starts each one as hostile as it can: extra fds,
# signals blocked and ignored (glibc's reserved 32 and 33 too), umask 0, cwd elsewhere, low soft rlimits
# under high hard ones, unlimited core files. After the drop the helper
# must show the caller's ids and no groups, exactly its own capabilities
# permitted and none effective, no_new_privs, not dumpable (its /proc
# files owned by root), an empty signal mask with only SIGPIPE ignored, umask
# 077, cwd /, only its own fds, soft limits at the hard ones and no core.
#
# Then the same strict rules at the edges: an argument to a pipe form and
# a closed fd 0 under a front end are refused by both helpers, and a soft
# RLIMIT_NOFILE below what a run needs is raised, not obeyed.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

IDMAP=$WORLD_BIN/uxc-idmap
PROBE=$UXC_BUILD/tests/idmap_probe
# Ignores signals by number, glibc's reserved 32 and 33 included.
IGNORE=$UXC_BUILD/tests/ignore_signals
FIFO=/tmp/hygiene-core-fifo
LOCKER=
# The low soft limit of address space and data under unlimited hard ones.
# ASan reserves some 22 TiB for its shadow before main and cannot start
# under 1 GiB, so a sanitized helper is given 32 TiB: still a soft limit
# below the hard one, which the helper must raise all the same.
LOW_AS=1073741824
if asan_built "$IDMAP"; then LOW_AS=$((1 << 45)); fi
trap 'kill "${HOLDERS[@]}" $LOCKER 2>/dev/null; rm -f "$ERRF" "$FIFO"' EXIT
usernet "uxtest1 veth lxcbr0 2"
holder uxtest1; h1=$HOLDER
# A process of uxtest1 in a new user namespace, as uxc-idmap's target.
holder uxtest1 --user; t1=$HOLDER

# start_waiting NAME FD3 CMD...: runs CMD (a helper, its argv) as uxtest1
# the hostile way, fd 3 on FD3, fd 0 a FIFO that never delivers, and sets
# $PID once the helper (comm NAME) has dropped to uxtest1 and blocks in
# read (0) or fcntl (72, waiting for a line's lock).
start_waiting() {
  local name=$1 fd3=$2 nr
  shift 2
  rm -f "$FIFO"
  mkfifo -m 0666 "$FIFO"
  # shellcheck disable=SC2016
  as_user uxtest1 sh -c 'target=$1; ignore=$2; low=$3; shift 3; cd /home/uxtest1 && umask 0 &&
    exec "$ignore" 32 33 34 64 -- env --block-signal=USR1,TERM --ignore-signal=INT,HUP,CHLD \
      prlimit --nofile=64:1024 --fsize=4096:unlimited --cpu=100:unlimited \
        --data="$low":unlimited --as="$low":unlimited --core=unlimited -- \
      "$@" 0<>"$0" >/dev/null 2>/dev/null 3<"$target" 5</etc/hostname 7</home/uxtest1' \
    "$FIFO" "$fd3" "$IGNORE" "$LOW_AS" "$@" 2>/dev/null &
  JOB=$!
  PID=
  for _ in $(seq 500); do
    PID=$(pgrep -n -x "$name")
    nr=$(cut -d' ' -f1 "/proc/$PID/syscall" 2>/dev/null)
    if [ -n "$PID" ] && grep -q "^Uid:.61001.61001.61001.61001$" "/proc/$PID/status" 2>/dev/null &&
       { [ "$nr" = 0 ] || [ "$nr" = 72 ]; }; then
      return 0
    fi
    sleep 0.01
  done
  echo "the helper did not reach its wait (pid '$PID', syscall '$nr')"
  return 1
}

# state_problems CAPPRM SIGCGT FD-TARGET-RE: what in /proc/$PID breaks a
# promise, one "[...]" each; nothing when all hold.
state_problems() {
  local capprm=$1 sigcgt=$2 fds_ok=$3 status fd target want
  status=$(cat "/proc/$PID/status")
  for want in "Uid:	61001	61001	61001	61001" "Gid:	61001	61001	61001	61001" \
              "CapInh:	0000000000000000" "CapPrm:	$capprm" "CapEff:	0000000000000000" \
              "CapAmb:	0000000000000000" "NoNewPrivs:	1" "SigBlk:	0000000000000000" \
              "SigIgn:	0000000000001000" "SigCgt:	$sigcgt" "Umask:	0077"; do
    grep -qxF "$want" <<<"$status" || echo "[want '$want': $(grep "^${want%%:*}:" <<<"$status")]"
  done
  grep -qE '^Groups:\s*$' <<<"$status" || echo "[groups: $(grep '^Groups:' <<<"$status")]"
  # A task's /proc files (not its directory) belong to root unless it is
  # dumpable.
  [ "$(stat -c %u:%g "/proc/$PID/environ")" = 0:0 ] ||
    echo "[dumpable: /proc/$PID/environ is $(stat -c %u:%g "/proc/$PID/environ")]"
  [ "$(readlink "/proc/$PID/cwd")" = / ] || echo "[cwd $(readlink "/proc/$PID/cwd")]"
  for fd in /proc/"$PID"/fd/*; do
    target=$(readlink "$fd")
    [[ $target =~ $fds_ok ]] || echo "[fd ${fd##*/} -> $target]"
  done
  while read -r want; do
    grep -qE "^$want +([0-9]+|unlimited) +\1 " "/proc/$PID/limits" ||
      echo "[$(grep "^$want" "/proc/$PID/limits")]"
  done <<<$'Max cpu time\nMax file size\nMax data size\nMax open files\nMax address space'
  grep -qE '^Max core file size +0 +0 ' "/proc/$PID/limits" ||
    echo "[$(grep '^Max core file size' "/proc/$PID/limits")]"
}

check_waiting() {  # NAME CAPPRM SIGCGT FD-TARGET-RE
  local name=$1 why
  why=$(state_problems "$2" "$3" "$4")
  if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
  kill -KILL "$PID" 2>/dev/null
  { wait "$JOB"; } 2>/dev/null
}

# ------------------------------------------------------- the waiting state
# SETUID, SETGID, SETFCAP (bits 6, 7, 31); NET_ADMIN (bit 12).
if start_waiting uxc-idmap "/proc/$t1" "$IDMAP" >"$ERRF"; then
  check_waiting hygiene_core_idmap_state_after_the_drop 00000000800000c0 0000000000000000 \
    "^(/tmp/hygiene-core-fifo|/dev/null|/proc/$t1|/etc/subuid|/etc/subgid)$"
else
  fail hygiene_core_idmap_state_after_the_drop "$(cat "$ERRF")"
fi
if start_waiting uxc-nic "/proc/$h1/ns/net" "$NIC" >"$ERRF"; then
  check_waiting hygiene_core_nic_state_after_the_drop 0000000000001000 0000000000000000 \
    "^(/tmp/hygiene-core-fifo|/dev/null|net:\[[0-9]+\]|/run/uxc-nic.lock|/etc/uxc/usernet)$"
else
  fail hygiene_core_nic_state_after_the_drop "$(cat "$ERRF")"
fi
# lxc-user-nic waits for the lock, with its SIGALRM handler (bit 13) set
# for the lock's timeout; its target is the namespace it opened itself,
# and the fd 3 the caller passed is gone; its netlink socket is open (the
# slots are looked at once before the lock). The helper takes byte-range
# (OFD) locks, one per usernet line; a POSIX lock of the whole file
# conflicts with every one of them.
[ -e /run/uxc-nic.lock ] || install -m 0600 /dev/null /run/uxc-nic.lock
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "r+"); fcntl.lockf(f, fcntl.LOCK_EX); time.sleep(1000)' /run/uxc-nic.lock &
LOCKER=$!
# The helper must find the lock taken: wait until the kernel lists it.
lock_ino=$(stat -c %i /run/uxc-nic.lock)
for _ in $(seq 500); do grep -q "POSIX .* $LOCKER [0-9a-f:]*:$lock_ino " /proc/locks && break; sleep 0.01; done
if start_waiting lxc-user-nic /etc/hostname "$LXC_NIC" create /x c "$h1" veth lxcbr0 w0 >"$ERRF"; then
  check_waiting hygiene_core_lxc_user_nic_state_after_the_drop 0000000000001000 0000000000002000 \
    "^(/tmp/hygiene-core-fifo|/dev/null|net:\[[0-9]+\]|socket:\[[0-9]+\]|/run/uxc-nic.lock|/etc/uxc/usernet)$"
else
  fail hygiene_core_lxc_user_nic_state_after_the_drop "$(cat "$ERRF")"
fi
kill "$LOCKER"
wait "$LOCKER" 2>/dev/null
LOCKER=
remove_all_host_ends

# ---------------------------------------- leftover argv, in both helpers
# A valid request on fd 0 does not make an argument acceptable.
GOOD=$(printf 'uxc-idmap 1\nuid 0 100000 65536\nend')
OUT=$(printf '%s\n' "$GOOD" | as_user uxtest1 "$PROBE" -- "$IDMAP" --help 2>/dev/null)
[ "$(sed -n 's/^status=//p' <<<"$OUT")" = exit:14 ] &&
  [[ $(sed -n 's/^answer=//p' <<<"$OUT") == "error request "* ]] &&
  [ "$(sed -n 's/^uid_map=//p' <<<"$OUT")" = "" ] &&
  pass hygiene_core_idmap_argument_refused || fail hygiene_core_idmap_argument_refused "$OUT"
before=$(links_here)
OUT=$(request "op create" "type veth" "link lxcbr0" "name x0" |
  as_user uxtest1 sh -c 'exec "$0" extra 3<"$1"' "$NIC" "/proc/$h1/ns/net" 2>/dev/null)
RC=$?
[ "$RC" = 14 ] && [[ $OUT == "error request "* ]] && [ "$(links_here)" = "$before" ] &&
  pass hygiene_core_nic_argument_refused || fail hygiene_core_nic_argument_refused "exit $RC: $OUT"

# ------------------------------------------- fd 0 closed under a front end
# Front ends read no request, but a closed fd 0 would be the next open's:
# both refuse (exit 1), as the pipe forms do (exit 10).
OUT=$(as_user uxtest1 "$PROBE" --argv0 newuidmap --close 0 -- "$IDMAP" '{pid}' 0 100000 65536 \
  </dev/null 2>/dev/null)
[ "$(sed -n 's/^status=//p' <<<"$OUT")" = exit:1 ] && [ "$(sed -n 's/^uid_map=//p' <<<"$OUT")" = "" ] &&
  pass hygiene_core_newuidmap_stdin_closed_refused ||
  fail hygiene_core_newuidmap_stdin_closed_refused "$OUT"
before=$(links_here)
as_user uxtest1 sh -c 'exec "$0" create /x c "$1" veth lxcbr0 x1 0<&- 2>/dev/null' "$LXC_NIC" "$h1" \
  >/dev/null
RC=$?
[ "$RC" = 1 ] && [ "$(links_here)" = "$before" ] && pass hygiene_core_lxc_user_nic_stdin_closed_refused ||
  fail hygiene_core_lxc_user_nic_stdin_closed_refused "exit $RC"

# ---------------------------------------- a low soft RLIMIT_NOFILE raised
# With a soft limit of 5 (fds 0-3 open, 4 for the loader's libc) a helper
# that obeyed it could not open its two root-owned files; hygiene raises
# it to the hard limit first.
OUT=$(request "op create" "type veth" "link lxcbr0" "name n0" |
  as_user uxtest1 sh -c 'exec prlimit --nofile=5:1024 -- "$0" 3<"$1"' "$NIC" "/proc/$h1/ns/net" \
  2>"$ERRF")
RC=$?
[ "$RC" = 0 ] && [[ $OUT == "ok host="* ]] && pass hygiene_core_nic_soft_nofile_raised ||
  fail hygiene_core_nic_soft_nofile_raised "exit $RC: $OUT $(cat "$ERRF")"
remove_all_host_ends
OUT=$(printf '%s\n' "$GOOD" |
  as_user uxtest1 sh -c 'exec prlimit --nofile=5:1024 -- "$0" 3<"/proc/$1"' "$IDMAP" "$t1" 2>"$ERRF")
RC=$?
[ "$RC" = 0 ] && [ "$OUT" = ok ] && [ "$(awk '{$1=$1; print}' "/proc/$t1/uid_map")" = "0 100000 65536" ] &&
  pass hygiene_core_idmap_soft_nofile_raised ||
  fail hygiene_core_idmap_soft_nofile_raised "exit $RC: $OUT $(cat "$ERRF")"
exit 0
