#!/usr/bin/env bash
# bubblewrap CVE-2020-5291: setuid bwrap let its caller supply a user
# namespace and kept its privileges in it. A setuid helper must gain
# nothing when the caller runs it from inside a user namespace of its own,
# where the caller already holds every capability: uxc-idmap and uxc-nic
# never join a namespace (setns is in neither of AUDIT.md's lists, which
# audit_strace.sh enforces), and a setuid-root file run in a namespace
# that does not map host root is not setuid at all, so the helper runs
# with only the caller's namespace capabilities and its checks refuse.
# Every case asserts the refusal and that nothing changed.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u

NIC=$WORLD_BIN/uxc-nic
IDMAP=$WORLD_BIN/uxc-idmap
links_here() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }
mkdir -p /etc/uxc
echo "uxtest1 veth lxcbr0 4" >/etc/uxc/usernet
chmod 0644 /etc/uxc/usernet

# The attack, run as uxtest1 inside `unshare ARGS`: a nested namespace is
# the target; every front end is asked to map it with uxtest1's
# subordinate ids, and with the caller's own id; then the nested
# namespace's maps are printed (empty is empty from any namespace).
# shellcheck disable=SC2016
IDMAP_ATTACK='
  unshare --user sleep 30 &
  t=$!
  sleep 0.3
  printf "uxc-idmap 1\nuid 0 100000 65536\ngid 0 100000 65536\nend\n" | "$0" 3<"/proc/$t" >/dev/null 2>&1
  echo "pipe=$?"
  newuidmap "$t" 0 100000 65536 >/dev/null 2>&1; echo "newuidmap=$?"
  newgidmap "$t" 0 100000 65536 >/dev/null 2>&1; echo "newgidmap=$?"
  newuidmap "$t" 0 0 1 >/dev/null 2>&1; echo "newuidmap_own=$?"
  echo "maps=$(cat /proc/$t/uid_map /proc/$t/gid_map | tr -d "\n")"
  kill $t'
# shellcheck disable=SC2016
NIC_ATTACK='
  unshare --net sleep 30 &
  t=$!
  sleep 0.3
  printf "uxc-nic 1\nop create\ntype veth\nlink lxcbr0\nend\n" | "$0" 3<"/proc/$t/ns/net" >/dev/null 2>&1
  echo "pipe=$?"
  lxc-user-nic create /x c1 "$t" veth lxcbr0 eth0 >/dev/null 2>&1; echo "lxc_user_nic=$?"
  printf "uxc-nic 1\nop create\ntype veth\nlink lxcbr0\nend\n" | "$0" 3</proc/self/ns/net >/dev/null 2>&1
  echo "own_netns=$?"
  echo "peer_links=$(nsenter --preserve-credentials -U -n -t $t ip -o link show 2>/dev/null | grep -vc ": lo:")"
  kill $t'

# refused NAME OUT KEYS...: each KEY=status in OUT is a refusal: an exit
# status of the helper's own (1-125: not success, not a signal, not the
# shell's 126/127 for a helper that never ran).
all_refused() {
  local name=$1 out=$2 key value
  shift 2
  for key in "$@"; do
    value=$(sed -n "s/^$key=//p" <<<"$out")
    [[ $value =~ ^([1-9]|[1-9][0-9]|1[01][0-9]|12[0-5])$ ]] || { fail "$name" "$key not refused: $out"; return 1; }
  done
}

for ns in "-Ur|caller_is_root_in_own_ns" "-U|unmapped_own_ns" "-Urn|own_user_and_net_ns"; do
  args=${ns%%|*} label=${ns#*|}
  # shellcheck disable=SC2086
  out=$(as_user uxtest1 env PATH="$WORLD_COMPAT:$UXC_USER_PATH" unshare $args sh -c "$IDMAP_ATTACK" "$IDMAP" 2>&1)
  if all_refused "cve_2020_5291_idmap_$label" "$out" pipe newuidmap newgidmap newuidmap_own; then
    [ "$(sed -n 's/^maps=//p' <<<"$out")" = "" ] && pass "cve_2020_5291_idmap_$label" ||
      fail "cve_2020_5291_idmap_$label" "the nested namespace was mapped: $out"
  fi
  before=$(links_here)
  # shellcheck disable=SC2086
  out=$(as_user uxtest1 env PATH="$WORLD_COMPAT:$UXC_USER_PATH" unshare $args sh -c "$NIC_ATTACK" "$NIC" 2>&1)
  if all_refused "cve_2020_5291_nic_$label" "$out" pipe lxc_user_nic own_netns; then
    if [ "$(links_here)" != "$before" ]; then
      fail "cve_2020_5291_nic_$label" "a link appeared on the host: $(links_here)"
    elif [ "$(sed -n 's/^peer_links=//p' <<<"$out")" != 0 ]; then
      fail "cve_2020_5291_nic_$label" "a link appeared in the target: $out"
    else
      pass "cve_2020_5291_nic_$label"
    fi
  fi
done

# A namespace mapped by uxc-idmap itself with the caller's subordinate ids:
# root there is host uid 100000, still not host root, so the helpers are
# not setuid there either.
out=$(as_user uxtest1 env PATH="$WORLD_COMPAT:$UXC_USER_PATH" unshare --map-users=100000,0,65536 \
  --map-groups=100000,0,65536 sh -c "$IDMAP_ATTACK" "$IDMAP" 2>&1)
if all_refused cve_2020_5291_idmap_from_subordinate_root "$out" pipe newuidmap newgidmap newuidmap_own; then
  [ "$(sed -n 's/^maps=//p' <<<"$out")" = "" ] && pass cve_2020_5291_idmap_from_subordinate_root ||
    fail cve_2020_5291_idmap_from_subordinate_root "the nested namespace was mapped: $out"
fi

# The control: outside any namespace of its own, the same caller gets the
# same nested map through the same front end (so the refusals above are
# the namespace's doing).
out=$(as_user uxtest1 env PATH="$WORLD_COMPAT:$UXC_USER_PATH" sh -c "$IDMAP_ATTACK" "$IDMAP" 2>&1)
[ "$(sed -n 's/^pipe=//p' <<<"$out")" = 0 ] && [ -n "$(sed -n 's/^maps=//p' <<<"$out")" ] &&
  pass cve_2020_5291_control_outside_maps || fail cve_2020_5291_control_outside_maps "$out"
