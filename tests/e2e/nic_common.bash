# Shared by tests/e2e/nic_*.sh (sourced after world_reexec): run uxc-nic
# as a test user against namespaces the test makes, and look at what
# exists afterwards on both sides.

NIC=$WORLD_BIN/uxc-nic
LXC_NIC=$WORLD_COMPAT/lxc-user-nic
ERRF=$(mktemp)
HOLDERS=()
trap 'kill "${HOLDERS[@]}" 2>/dev/null; rm -f "$ERRF"' EXIT

[ -x "$NIC" ] || { fail nic_helper_built "$UXC_BUILD/bin/uxc-nic was not built"; exit 1; }

# usernet LINE...: the whole policy file.
usernet() {
  mkdir -p /etc/uxc
  printf '%s\n' "$@" >/etc/uxc/usernet
  chmod 0644 /etc/uxc/usernet
}

# holder USER [unshare args]: starts a process of USER in a fresh network
# namespace (by default also a user namespace USER owns, like a container)
# and sets $HOLDER to its pid once it sleeps there.
holder() {
  local user=$1 pidfile
  shift
  [ $# -gt 0 ] || set -- -Urn
  pidfile=$(mktemp)
  chmod 0666 "$pidfile"
  local script='echo $$ >"$0"; exec unshare "$@" sleep 100000'
  if [ "$user" = root ]; then
    sh -c "$script" "$pidfile" "$@" >/dev/null 2>&1 &
  else
    as_user "$user" sh -c "$script" "$pidfile" "$@" >/dev/null 2>&1 &
  fi
  HOLDER=
  for _ in $(seq 500); do
    HOLDER=$(cat "$pidfile")
    # Until it execs sleep it is not dumpable and its namespace files
    # are closed even to its owner.
    [ -n "$HOLDER" ] && [ "$(cat "/proc/$HOLDER/comm" 2>/dev/null)" = sleep ] && break
    sleep 0.01
  done
  rm -f "$pidfile"
  HOLDERS+=("$HOLDER")
  [ "$(cat "/proc/$HOLDER/comm" 2>/dev/null)" = sleep ] ||
    { echo "holder: $user's namespace did not appear" >&2; return 1; }
}

# end_holder PID [LEFT]: kills PID and waits (up to 5 s) until at most
# LEFT host ends remain: the kernel removes a dead namespace's veth pairs
# asynchronously.
end_holder() {
  kill "$1" 2>/dev/null
  for _ in $(seq 500); do
    [ "$(host_ends | wc -l)" -le "${2:-0}" ] && return 0
    sleep 0.01
  done
  return 1
}

request() {  # FIELD...: a protocol request with these fields
  printf 'uxc-nic 1\n'
  [ $# -gt 0 ] && printf '%s\n' "$@"
  printf 'end\n'
}

# create USER PID LINK [FIELD...]: as USER, with fd 3 opened by USER on
# /proc/PID/ns/net. Sets $OUT (stdout), $ERR (stderr) and $RC. The helper
# runs under $ASAN_ENV (asan_options in lib.sh; empty unless a row sets it).
create() {
  local user=$1 pid=$2 link=$3
  shift 3
  OUT=$(request "op create" "type veth" "link $link" "$@" |
    as_user "$user" "${ASAN_ENV[@]}" sh -c 'exec "$0" 3<"$1"' "$NIC" "/proc/$pid/ns/net" 2>"$ERRF")
  RC=$?
  ERR=$(cat "$ERRF")
}

# send USER TEXT [CMD-PREFIX...]: raw request text on fd 0, no fd 3.
send() {
  local user=$1 text=$2
  OUT=$(printf '%s' "$text" | as_user "$user" "$NIC" 2>"$ERRF")
  RC=$?
  ERR=$(cat "$ERRF")
}

# delete USER HOST
delete() {
  OUT=$(request "op delete" "host $2" | as_user "$1" "$NIC" 2>"$ERRF")
  RC=$?
  ERR=$(cat "$ERRF")
}

answer_field() {  # KEY: value of KEY=... in $OUT
  sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$OUT"
}

# Host ends (uxc + 8 hex digits) and their aliases, one "NAME ALIAS" a line.
host_ends() {
  local dev
  for dev in /sys/class/net/uxc*; do
    [ -e "$dev" ] || continue
    printf '%s %s\n' "${dev##*/}" "$(cat "$dev/ifalias" 2>/dev/null)"
  done
}
count_tag() { host_ends | awk -v t="$1" '$2 == t' | wc -l; }
untagged_or_dangling() { host_ends | awk 'NF < 2'; }

# ifindex_in PID NAME / mtu_in PID NAME: a link in PID's network namespace
# (/sys is the world's, so ask netlink from inside).
ifindex_in() { nsenter -t "$1" -n ip -o link show "$2" 2>/dev/null | cut -d: -f1; }
mtu_in() { nsenter -t "$1" -n ip -o link show "$2" 2>/dev/null | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }

links_here() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }
links_in() { nsenter -t "$1" -n ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }

remove_all_host_ends() {
  local dev
  for dev in /sys/class/net/uxc*; do
    [ -e "$dev" ] && ip link del "${dev##*/}" 2>/dev/null
  done
  return 0
}

# expect NAME RC-WANTED CODE-WANTED: checks $RC and the error code word.
expect() {
  local name=$1 rc=$2 code=$3
  if [ "$RC" != "$rc" ]; then
    fail "$name" "exit $RC, wanted $rc; out: $OUT; err: $ERR"
  elif [ "$code" = ok ] && [[ $OUT != "ok "* ]]; then
    fail "$name" "answer '$OUT'"
  elif [ "$code" != ok ] && [[ $OUT != "error $code "* ]]; then
    fail "$name" "answer '$OUT', wanted error $code"
  else
    pass "$name"
  fi
}
