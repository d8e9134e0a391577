#!/usr/bin/env bash
# security/AUDIT.md cannot drift from the code: each setuid helper runs
# under `strace -f -u uxtest1` (strace as root runs the command as that
# user and honours the setuid bit), for successes and refusals in every
# front end, and every system call it makes while privileged must be
# allowed by the helper's ```syscalls block in AUDIT.md. AUDIT.md ("The
# same list, for the drift test") states the rule for "privileged".
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u

AUDIT=$UXC_SRC/security/AUDIT.md
PROBE=$UXC_BUILD/tests/idmap_probe
IDMAP=$WORLD_BIN/uxc-idmap
NIC=$WORLD_BIN/uxc-nic
TRACE=$(mktemp)
HOLDERS=()
trap 'kill "${HOLDERS[@]}" 2>/dev/null; rm -f "$TRACE"' EXIT

require_tool audit_strace_tools strace
# A sanitizer's runtime makes its own system calls as root before main
# (shadow memory, /proc/self/maps, ...); AUDIT.md lists the plain build's.
if grep -qa __asan_init "$IDMAP" || grep -qa __ubsan_handle "$IDMAP"; then
  skip audit_strace "the helpers are built with sanitizers (SANITIZE); AUDIT.md lists the plain build's calls"
  exit 0
fi

# allowed_list HELPER: the helper's block, one "NAME [GLOB...]" a line.
allowed_list() {
  awk -v tag="\`\`\`syscalls $1" '
    $0 == tag { inside = 1; next }
    inside && /^```/ { exit }
    inside && !/^#/ && NF { print }' "$AUDIT"
}

# privileged_calls EXE < TRACE: "NAME KEY" for every call the process that
# executed EXE made while privileged, then "#dropped" if the drop to the
# caller was seen. KEY: nlmsg_type for sendmsg, the first argument for
# prctl and socket, the request for ioctl, else the first string argument
# ("-" if none).
privileged_calls() {
  awk -v exe="$1" '
    function key(name, args,   m) {
      if (name == "sendmsg" && match(args, /nlmsg_type=[A-Z_]+/)) return substr(args, RSTART + 11, RLENGTH - 11)
      if (name == "prctl" || name == "socket") { sub(/[,)].*/, "", args); return args }
      if (name == "ioctl") { sub(/^[^,]*, /, "", args); sub(/[,)].*/, "", args); return args }
      if (match(args, /"[^"]*"/)) return RLENGTH > 2 ? substr(args, RSTART + 1, RLENGTH - 2) : "-"
      return "-"
    }
    {
      pid = $1
      line = $0; sub(/^[0-9]+ +/, "", line)
      # Join calls that strace split around another pid'\''s.
      if (line ~ /<unfinished \.\.\.>$/) { sub(/ <unfinished \.\.\.>$/, "", line); pending[pid] = line; next }
      if (line ~ /^<\.\.\. [a-z0-9_]+ resumed>/) { sub(/^<\.\.\. [a-z0-9_]+ resumed>/, "", line); line = pending[pid] line; delete pending[pid] }
      if (line !~ /^[a-z0-9_]+\(/) next
      name = line; sub(/\(.*/, "", name)
      args = line; sub(/^[a-z0-9_]+\(/, "", args)
      ok = line ~ /\) += 0( |$)/ || (name != "setresuid" && name != "capset")
      if (name == "execve" && index(args, "\"" exe "\"") == 1 && line ~ /= 0$/) {
        helper = pid; root = 1; window = 0; next
      }
      if (pid != helper) next
      if (root || window) print name, key(name, args)
      if (root && name == "setresuid" && ok && args ~ /^[1-9][0-9]*, [1-9][0-9]*, [1-9][0-9]*\)/) {
        root = 0; print "#dropped"
      }
      if (!root && name == "capset" && line ~ /\) += 0$/) {
        if (match(args, /effective=[^,]*/)) window = substr(args, RSTART + 10, RLENGTH - 10) != "0"
        else window = 0
      }
    }'
}

# judge NAME HELPER EXE [--no-drop] [NEED...]: checks $TRACE; each NEED
# ("NAME KEY") must appear among the privileged calls (proof that the
# analysis saw the act itself, not an empty trace). Without --no-drop the
# drop to the caller must have been seen.
judge() {
  local name=$1 helper=$2 exe=$3 calls allowed bad='' call_name call_key entry globs glob ok need
  local want_drop=1
  shift 3
  [ "${1:-}" = --no-drop ] && { want_drop=; shift; }
  calls=$(privileged_calls "$exe" <"$TRACE")
  allowed=$(allowed_list "$helper")
  if [ -z "$allowed" ]; then fail "$name" "no \`\`\`syscalls $helper block in AUDIT.md"; return; fi
  if [ -n "$want_drop" ] && ! grep -qx '#dropped' <<<"$calls"; then
    fail "$name" "never saw $helper drop to the caller; trace: $(grep -c . "$TRACE") lines"
    return
  fi
  for need in "$@"; do
    grep -qxF "$need" <<<"$calls" || { fail "$name" "did not see '$need' while privileged"; return; }
  done
  while read -r call_name call_key; do
    [ "$call_name" = "#dropped" ] && continue
    ok=
    while read -r entry globs; do
      [ "$entry" = "$call_name" ] || continue
      if [ -z "$globs" ]; then ok=1; break; fi
      read -r -a globs <<<"$globs"  # never expanded against the filesystem
      for glob in "${globs[@]}"; do
        # shellcheck disable=SC2053
        [[ $call_key == $glob ]] && { ok=1; break 2; }
      done
    done <<<"$allowed"
    [ -n "$ok" ] || bad+="$call_name($call_key) "
  done < <(sort -u <<<"$calls")
  if [ -n "$bad" ]; then
    fail "$name" "privileged calls not in AUDIT.md's $helper list: $bad"
  else
    pass "$name"
  fi
}

# ---------------------------------------------------------- the checker
# It must flag what the list does not allow: a synthetic trace with a
# root-phase open of a path nobody listed, and a window syscall not listed.
cat >"$TRACE" <<EOF
7 execve("$IDMAP", ["$IDMAP"], 0x0 /* 0 vars */) = 0
7 openat(AT_FDCWD, "/etc/shadow", O_RDONLY) = 4
7 setresuid(61001, 61001, 61001)    = 0
7 capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=1<<CAP_SETUID, permitted=1<<CAP_SETUID, inheritable=0}) = 0
7 unlink("/etc/passwd") = 0
7 capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=0, permitted=0, inheritable=0}) = 0
7 openat(AT_FDCWD, "/etc/nsswitch.conf", O_RDONLY) = 4
EOF
out=$(judge self_test uxc-idmap "$IDMAP")
[[ $out == *"openat(/etc/shadow)"* && $out == *"unlink(/etc/passwd)"* && $out != *nsswitch* ]] &&
  pass audit_strace_checker_flags_unlisted_calls || fail audit_strace_checker_flags_unlisted_calls "$out"

# ------------------------------------------------------------ uxc-idmap
idmap_request() { printf 'uxc-idmap 1\n'; printf '%s\n' "$@"; printf 'end\n'; }
trace_probe() {  # OPTION... -- HELPER [ARG...] < request
  strace -f -qq -s 256 -o "$TRACE" -u uxtest1 "$PROBE" "$@" >/dev/null 2>&1
}

idmap_request "uid 0 100000 65536" "uid 65536 61001 1" "gid 0 100000 65536" "gid 65536 61001 1" |
  trace_probe -- "$IDMAP"
judge audit_strace_idmap_success uxc-idmap "$IDMAP" "openat uid_map" "openat gid_map"

idmap_request "uid 0 200000 65536" | trace_probe -- "$IDMAP"
judge audit_strace_idmap_refused_not_owned uxc-idmap "$IDMAP"

idmap_request "uid 0 100000 65536" | trace_probe --no-userns -- "$IDMAP"
judge audit_strace_idmap_refused_target uxc-idmap "$IDMAP"

printf 'uxc-idmap 1\nuid 0 100000\nend\n' | trace_probe -- "$IDMAP"
judge audit_strace_idmap_refused_malformed uxc-idmap "$IDMAP"

trace_probe --argv0 newuidmap -- "$IDMAP" '{pid}' 0 100000 65536 </dev/null
judge audit_strace_newuidmap_success uxc-idmap "$IDMAP" "openat uid_map"

trace_probe --argv0 newgidmap -- "$IDMAP" '{pid}' 0 300000 1 </dev/null
judge audit_strace_newgidmap_refused uxc-idmap "$IDMAP"

# A grant file someone else could write: refused in phase 1, as root.
chmod 0664 /etc/subuid
idmap_request "uid 0 100000 65536" | trace_probe -- "$IDMAP"
chmod 0644 /etc/subuid
judge audit_strace_idmap_refused_as_root uxc-idmap "$IDMAP" --no-drop "openat /etc/subuid"

# -------------------------------------------------------------- uxc-nic
source "$(dirname "$0")/nic_common.bash"
usernet "uxtest1 veth lxcbr0 1"
holder uxtest1; h1=$HOLDER
trace_nic() {  # request on stdin; fd 3 opened by the user on /proc/$h1/ns/net
  strace -f -qq -s 256 -o "$TRACE" -u uxtest1 sh -c 'exec "$0" 3<"$1"' "$NIC" "/proc/$h1/ns/net" \
    >"$ERRF.out" 2>/dev/null
}

request "op create" "type veth" "link lxcbr0" "name a0" | trace_nic
judge audit_strace_nic_create uxc-nic "$NIC" "sendmsg RTM_NEWLINK" "socket AF_NETLINK"
host=$(sed -n 's/^ok host=\([^ ]*\).*/\1/p' "$ERRF.out")

request "op create" "type veth" "link lxcbr0" "name a1" | trace_nic
judge audit_strace_nic_refused_quota uxc-nic "$NIC"

request "op create" "type veth" "link br1" "name a2" | trace_nic
judge audit_strace_nic_refused_link uxc-nic "$NIC"

request "op delete" "host $host" | trace_nic
judge audit_strace_nic_delete uxc-nic "$NIC" "sendmsg RTM_DELLINK"

strace -f -qq -s 256 -o "$TRACE" -u uxtest1 "$LXC_NIC" create /x c "$h1" veth lxcbr0 b0 >/dev/null 2>&1
judge audit_strace_lxc_user_nic_create uxc-nic "$LXC_NIC" "sendmsg RTM_NEWLINK"
remove_all_host_ends

# A create over a leftover (an untagged, down veth on the bridge in the
# line's only slot, as a helper killed between creating and tagging
# leaves): the helper removes it with CAP_NET_ADMIN raised around that one
# RTM_DELLINK, after the decision; the probe that found it looked without
# the capability (RTM_GETLINK is not in the list).
slot0=$("$UXC_BUILD/tests/nic_slots" uxtest1 veth lxcbr0 0 1)
if [ -z "$slot0" ] || ! ip link add "$slot0" type veth peer name leftover0 ||
   ! ip link set "$slot0" master lxcbr0; then
  fail audit_strace_nic_create_over_leftover "cannot plant a leftover in slot 0 ('$slot0')"
else
  request "op create" "type veth" "link lxcbr0" "name a3" | trace_nic
  judge audit_strace_nic_create_over_leftover uxc-nic "$NIC" "sendmsg RTM_DELLINK" \
    "sendmsg RTM_NEWLINK"
  grep -q "^ok host=$slot0 " "$ERRF.out" && pass audit_strace_nic_create_over_leftover_took_slot ||
    fail audit_strace_nic_create_over_leftover_took_slot "$(cat "$ERRF.out")"
fi

# The host's own namespace as the target: refused after the drop.
strace -f -qq -s 256 -o "$TRACE" -u uxtest1 "$LXC_NIC" create /x c 1 veth lxcbr0 b1 >/dev/null 2>&1
judge audit_strace_lxc_user_nic_refused_target uxc-nic "$LXC_NIC"
remove_all_host_ends
rm -f "$ERRF.out"
exit 0
