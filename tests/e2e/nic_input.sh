#!/usr/bin/env bash
# uxc-nic refuses bad input with the right error and creates nothing:
# malformed requests, links that are missing or not bridges, bad names and
# MACs, a name that already exists in the container.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

usernet "uxtest1 veth lxcbr0 5" "uxtest1 veth nosuchbr 5" "uxtest1 veth notabridge 5" \
  "uxtest1 veth lo 5"
holder uxtest1; h1=$HOLDER

# refused NAME RC CODE FIELD...: a create that must fail and leave both
# sides as they were.
refused() {
  local name=$1 rc=$2 code=$3 host_before ns_before
  shift 3
  host_before=$(links_here) ns_before=$(links_in "$h1")
  create uxtest1 "$h1" "$@"
  if [ "$(links_here)" != "$host_before" ] || [ "$(links_in "$h1")" != "$ns_before" ]; then
    fail "$name" "links changed: $(links_here) / $(links_in "$h1")"
  else
    expect "$name" "$rc" "$code"
  fi
}

# raw NAME TEXT: request bytes exactly as given, fd 3 the caller's container.
raw() {
  local name=$1 text=$2 host_before
  host_before=$(links_here)
  OUT=$(printf '%s' "$text" | as_user uxtest1 sh -c 'exec "$0" 3<"$1"' "$NIC" "/proc/$h1/ns/net" 2>"$ERRF")
  RC=$?
  ERR=$(cat "$ERRF")
  if [ "$(links_here)" != "$host_before" ]; then
    fail "$name" "links changed"
  else
    expect "$name" 14 request
  fi
}

H=$'uxc-nic 1\n'
raw nic_empty_request_refused ""
raw nic_no_end_refused "${H}op create"$'\n'"type veth"$'\n'"link lxcbr0"$'\n'
raw nic_no_final_newline_refused "${H}op create"$'\n'"type veth"$'\n'"link lxcbr0"$'\n'"end"
raw nic_wrong_header_refused $'uxc-idmap 1\nop create\ntype veth\nlink lxcbr0\nend\n'
raw nic_wrong_version_refused $'uxc-nic 2\nop create\ntype veth\nlink lxcbr0\nend\n'
raw nic_unknown_key_refused "${H}op create"$'\n'"type veth"$'\n'"link lxcbr0"$'\n'"netns 1"$'\n'"end"$'\n'
raw nic_repeated_key_refused "${H}op create"$'\n'"type veth"$'\n'"link lxcbr0"$'\n'"link br1"$'\n'"end"$'\n'
raw nic_crlf_request_refused $'uxc-nic 1\r\nop create\r\ntype veth\r\nlink lxcbr0\r\nend\r\n'
raw nic_trailing_bytes_refused "${H}op create"$'\n'"type veth"$'\n'"link lxcbr0"$'\n'"end"$'\n'"op delete"$'\n'
raw nic_huge_request_refused "${H}op create"$'\n'"type veth"$'\n'"link $(head -c 20000 /dev/zero | tr '\0' b)"$'\n'"end"$'\n'
raw nic_type_other_refused "${H}op create"$'\n'"type macvlan"$'\n'"link lxcbr0"$'\n'"end"$'\n'
raw nic_op_unknown_refused "${H}op destroy"$'\n'"end"$'\n'
# A NUL cannot travel in a shell string: write the bytes with printf.
OUT=$(printf 'uxc-nic 1\nop create\ntype veth\nlink lxc\000br0\nend\n' |
  as_user uxtest1 sh -c 'exec "$0" 3<"$1"' "$NIC" "/proc/$h1/ns/net" 2>/dev/null)
RC=$?
expect nic_nul_in_request_refused 14 request
OUT=$(as_user uxtest1 "$NIC" --help </dev/null 2>/dev/null)
RC=$?
expect nic_arguments_refused 14 request

refused nic_unknown_bridge_refused 18 link nosuchbr
refused nic_not_a_bridge_refused 18 link notabridge
refused nic_loopback_as_bridge_refused 18 link lo
refused nic_name_16_bytes_refused 14 request lxcbr0 "name abcdefghijklmnop"
refused nic_name_slash_refused 14 request lxcbr0 "name a/b"
refused nic_name_dotdot_refused 14 request lxcbr0 "name .."
refused nic_name_colon_refused 14 request lxcbr0 "name eth:0"
refused nic_name_template_refused 14 request lxcbr0 "name eth%d"
refused nic_name_space_refused 14 request lxcbr0 "name a b"
refused nic_mac_garbage_refused 14 request lxcbr0 "hwaddr zz:zz:zz:zz:zz:zz"
refused nic_mac_multicast_refused 14 request lxcbr0 "hwaddr 01:00:5e:00:00:01"
refused nic_mac_zero_refused 14 request lxcbr0 "hwaddr 00:00:00:00:00:00"
refused nic_mac_short_refused 14 request lxcbr0 "hwaddr 00:16:3e:00:00"
refused nic_link_slash_refused 14 request ../lxcbr0

# A name that already exists in the container: the pair is created in one
# call or not at all, and nothing is charged.
refused nic_existing_name_lo_refused 21 link lxcbr0 "name lo"
create uxtest1 "$h1" lxcbr0 "name taken"
expect nic_first_taken_created 0 ok
refused nic_existing_name_refused 21 link lxcbr0 "name taken"
[[ $OUT == *"taken already exists in the container"* ]] && pass nic_existing_name_says_so ||
  fail nic_existing_name_says_so "$OUT"
[ "$(host_ends | wc -l)" = 1 ] && pass nic_clash_charges_nothing || fail nic_clash_charges_nothing "$(host_ends)"

# A requested MAC lands on the container end.
create uxtest1 "$h1" lxcbr0 "name m0" "hwaddr 00:16:3E:AA:BB:CC"
nsenter -t "$h1" -n ip -o link show m0 | grep -q 'link/ether 00:16:3e:aa:bb:cc' &&
  pass nic_requested_mac_on_peer || fail nic_requested_mac_on_peer "$OUT $(links_in "$h1")"

# lxc-user-nic argv garbage: exit 1, a message, nothing on stdout.
for args in "create" "create /x c1" "create /x c1 $h1 veth" "create /x c1 $h1 macvlan lxcbr0" \
  "create /x c1 x$h1 veth lxcbr0" "create /x c1 -1 veth lxcbr0" "create /x c1 $h1 veth lxcbr0 a/b" \
  "create /x c1 $h1 veth lxcbr0 abcdefghijklmnop" "create /x c1 $h1 veth none" \
  "delete /x c1 /proc/1/ns/net veth lxcbr0" "frobnicate /x c1 $h1 veth lxcbr0"; do
  before=$(links_here) name=nic_lxc_argv_refused_$(tr -c 'a-zA-Z0-9\n' _ <<<"${args//$h1/PID}" | cut -c1-40)
  # shellcheck disable=SC2086
  out=$(as_user uxtest1 "$LXC_NIC" $args 2>"$ERRF")
  rc=$?
  if [ "$rc" != 1 ] || [ -n "$out" ] || [ ! -s "$ERRF" ] || [ "$(links_here)" != "$before" ]; then
    fail "$name" "rc $rc out '$out'"
  else
    pass "$name"
  fi
done
exit 0
