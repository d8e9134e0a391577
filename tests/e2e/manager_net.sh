#!/usr/bin/env bash
# Containers on the world's bridge: DHCP, static addresses, container to
# container (ICMP and TCP), bridge to container.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
require_built manager_net_built "$UXC" "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic"
allow_usernet "uxtest1 veth lxcbr0 10"
start_dnsmasq || { fail manager_net_dnsmasq "dnsmasq did not start"; exit 0; }
write_seed_default_conf $U 100000
for c in dhcp static client; do
  uxc_as $U create -n $c -t busybox >/dev/null || { fail manager_net_create "create $c failed"; exit 0; }
done

# dhcp: busybox init, address by DHCP.
check manager_net_start_dhcp uxc_as $U start -n dhcp -d
ip1=$(wait_for_ip $U dhcp 20)
check manager_net_dhcp_lease grep -Eq '^10\.0\.3\.[0-9]+$' <<<"$ip1"
check manager_net_bridge_pings_dhcp_container busybox ping -c 1 -W 2 "$ip1"

# static: lxc.net.0.ipv4.address and gateway, no DHCP client at all; a
# TCP service on port 5000.
cfg=/home/$U/.local/share/uxc/static/config
as_user $U sh -c "printf 'lxc.network.ipv4 = 10.0.3.201/24\nlxc.network.ipv4.gateway = 10.0.3.1\n' >> $cfg"
check manager_net_start_static uxc_as $U start -n static -d -- /bin/sh -c 'while :; do echo hello-over-tcp | nc -l -p 5000; done'
check manager_net_static_address_in_info grep -qx 10.0.3.201 <<<"$(uxc_as $U info -n static -i -H)"
check manager_net_bridge_pings_static_container busybox ping -c 1 -W 2 10.0.3.201

# client: a second container reaches both, by ICMP and TCP.
probe="udhcpc -n -q -i eth0 -s /etc/udhcpc/default.script >/dev/null 2>&1
ip route | grep -q '^default via 10.0.3.1' && echo route-ok
ping -c 1 -W 2 $ip1 >/dev/null && echo ping-dhcp-ok
ping -c 1 -W 2 10.0.3.201 >/dev/null && echo ping-static-ok
echo tcp=\$(nc -w 3 10.0.3.201 5000 </dev/null)"
out=$(uxc_as $U start -n client -F -- /bin/sh -c "$probe" 2>&1)
check manager_net_client_default_route_by_dhcp grep -qx route-ok <<<"$out"
check manager_net_container_pings_container grep -qx ping-dhcp-ok <<<"$out"
check manager_net_container_pings_static_container grep -qx ping-static-ok <<<"$out"
check manager_net_container_tcp_to_container grep -qx tcp=hello-over-tcp <<<"$out"

for c in dhcp static; do uxc_as $U stop -n $c -k; done
check manager_net_no_host_veth_after_stop sh -c "! ip -o link show | grep 'uxc[0-9a-f]\{8\}'"

# The static container's address and default route come from its config.
out=$(uxc_as $U start -n static -F -- /bin/sh -c 'ip -4 addr show dev eth0; ip route' 2>&1)
check manager_net_static_address_configured grep -q 'inet 10.0.3.201/24' <<<"$out"
check manager_net_static_gateway_configured grep -q '^default via 10.0.3.1 dev eth0' <<<"$out"
for c in dhcp static client; do uxc_as $U destroy -n $c >/dev/null; done
