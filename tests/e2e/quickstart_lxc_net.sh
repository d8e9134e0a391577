#!/usr/bin/env bash
# user/quickstart.sh on a host where LXC's lxc-net already runs (Debian 12
# enables it with the lxc package): lxcbr0 exists with 10.0.3.1/24 and a
# dnsmasq of LXC's serves it. The script keeps that bridge and that
# dnsmasq, starts no second one, and the user's container still gets a
# DHCP address. NAT off.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u

QS=$UXC_SRC/user/quickstart.sh
B=$UXC_BUILD/bin
require_built quickstart_lxc_net_built "$B/uxc" "$B/uxc-admin" "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic"
for dir in /var/log /var/mail /var/spool/mail /var/lib/misc; do
  [ -d "$dir" ] && mount -t tmpfs tmpfs "$dir"
done

# lxc-net fixes the bridge's MAC (LXC_BRIDGE_MAC, its default here).
ip link set dev lxcbr0 address 00:16:3e:00:00:00
# lxc-net's dnsmasq, as the seed article's ps shows it (DNS off here).
mkdir -p /run/lxc
dnsmasq --conf-file=/dev/null --strict-order --bind-interfaces --pid-file=/run/lxc/dnsmasq.pid \
  --listen-address 10.0.3.1 --dhcp-range 10.0.3.2,10.0.3.254 --dhcp-lease-max=253 \
  --dhcp-no-override --except-interface=lo --interface=lxcbr0 \
  --dhcp-leasefile=/run/lxc/dnsmasq.lxcbr0.leases --dhcp-authoritative --port=0 -u root ||
  { fail quickstart_lxc_net_dnsmasq "LXC-style dnsmasq did not start"; exit 0; }
lxc_pid=$(cat /run/lxc/dnsmasq.pid)
ifindex=$(cat /sys/class/net/lxcbr0/ifindex)

out=$(SUDO_USER=uxtest1 "$QS" --bindir "$B" --sbindir "$B" --helper-dir "$WORLD_BIN" --no-nat 2>&1)
status=$?
[ $status = 0 ] && pass quickstart_lxc_net_runs || fail quickstart_lxc_net_runs "exit $status: $out"
check quickstart_lxc_net_dnsmasq_left_alone bash -c 'grep -q "not started by this script); left alone" <<<"$1"' sh "$out"
check quickstart_lxc_net_no_second_dnsmasq test "$(pgrep -x dnsmasq)" = "$lxc_pid"
check quickstart_lxc_net_bridge_kept test "$(cat /sys/class/net/lxcbr0/ifindex)" = "$ifindex"
check quickstart_lxc_net_bridge_mac_kept bash -c '[ "$(cat /sys/class/net/lxcbr0/address)" = 00:16:3e:00:00:00 ] && ! grep -q "MAC" <<<"$1"' sh "$out"
check quickstart_lxc_net_one_address test "$(ip -4 -o addr show dev lxcbr0 | wc -l)" = 1
ip=$(as_user uxtest1 env UXC_HELPER_DIR="$WORLD_BIN" "$B/uxc" info -n example-container -i -H 2>/dev/null | grep -m1 -E '^10\.0\.3\.')
check quickstart_lxc_net_container_has_dhcp_address test -n "$ip"
check quickstart_lxc_net_lease_from_lxc_dnsmasq grep -q " $ip " /run/lxc/dnsmasq.lxcbr0.leases
cleanup as_user uxtest1 env UXC_HELPER_DIR="$WORLD_BIN" "$B/uxc" stop -n example-container -k
