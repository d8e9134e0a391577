#!/usr/bin/env bash
# user/quickstart.sh, `make quickstart`'s host set-up, against the world's
# /etc and network: from a world without lxcbr0 it makes the bridge,
# dnsmasq and (with NAT on) the forwarding rules, provisions a sudo user
# and a dedicated uxc-demo user, and each gets a running container with a
# DHCP address on lxcbr0. Running it again changes nothing: files,
# links, addresses, routes, iptables rules, dnsmasq, the containers.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u

QS=$UXC_SRC/user/quickstart.sh
B=$UXC_BUILD/bin
require_built quickstart_built "$B/uxc" "$B/uxc-admin" "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic"
# useradd and dnsmasq must not touch the host's /var (lastlog, faillog,
# mail spool): private file systems for this world.
for dir in /var/log /var/mail /var/spool/mail /var/lib/misc; do
  [ -d "$dir" ] && mount -t tmpfs tmpfs "$dir"
done
ip link del lxcbr0   # the script makes it

qs() { "$QS" --bindir "$B" --sbindir "$B" --helper-dir "$WORLD_BIN" "$@"; }
uxc_as() { local u=$1; shift; as_user "$u" env UXC_HELPER_DIR="$WORLD_BIN" "$B/uxc" "$@"; }
uxc_net_rules() { iptables-save | grep -c -- '--comment uxc-net'; }

# 1. sudo user uxtest3 (no subordinate ids yet), NAT off.
out=$(SUDO_USER=uxtest3 qs --no-nat 2>&1)
status=$?
[ $status = 0 ] && pass quickstart_sudo_user_runs || fail quickstart_sudo_user_runs "exit $status: $out"
check quickstart_bridge_made sh -c "[ -d /sys/class/net/lxcbr0/bridge ] && ip -4 -o addr show dev lxcbr0 | grep -q ' inet 10.0.3.1/24 ' && ip -o link show dev lxcbr0 | grep -q '[<,]UP[,>]'"
# The bridge's MAC is fixed: ports (a veth with a lower MAC than any)
# come and go, and the gateway's MAC stays what it was set to.
bridge_mac() { echo "$(cat /sys/class/net/lxcbr0/address) $(cat /sys/class/net/lxcbr0/addr_assign_type)"; }
check quickstart_bridge_mac_fixed test "$(bridge_mac)" = "00:16:3e:00:00:00 3"
mac_stays() {
  ip link add qsport0 address 00:00:00:00:00:01 type veth peer name qspeer0 &&
    ip link set qsport0 master lxcbr0 && ip link set qsport0 up || return 1
  local with after
  with=$(bridge_mac)
  ip link del qsport0 || return 1
  after=$(bridge_mac)
  [ "$with" = "00:16:3e:00:00:00 3" ] && [ "$after" = "00:16:3e:00:00:00 3" ] ||
    { echo "with a low port: $with; after: $after"; return 1; }
}
check quickstart_bridge_mac_stays_as_ports_come_and_go mac_stays
check quickstart_dnsmasq_pid_file_under_run sh -c 'pid=$(cat /run/uxc-net/dnsmasq.pid) && [ "$(cat /proc/$pid/comm)" = dnsmasq ]'
firewall_alone() {
  local rules forward
  rules=$(iptables-save | grep -- '^-A')
  forward=$(cat /proc/sys/net/ipv4/ip_forward)
  [ -z "$rules" ] && [ "$forward" = 0 ] || { echo "ip_forward=$forward; rules: $rules"; return 1; }
}
check quickstart_no_nat_leaves_firewall_alone firewall_alone
range=$(grep '^uxtest3:' /etc/subuid)
check quickstart_sudo_user_allocated sh -c "[ -n '$range' ] && grep -qx '$range' /etc/subgid"
check quickstart_allocation_overlaps_nobody "$B/uxc-admin" lint
check quickstart_sudo_user_usernet grep -qx 'uxtest3 veth lxcbr0 10' /etc/uxc/usernet
base=$(cut -d: -f2 <<<"$range")
check quickstart_sudo_user_default_conf sh -c "[ \"\$(stat -c %U /home/uxtest3/.config/uxc/default.conf)\" = uxtest3 ] &&
  grep -qx 'lxc.id_map = u 0 $base 65536' /home/uxtest3/.config/uxc/default.conf &&
  grep -qx 'lxc.network.link = lxcbr0' /home/uxtest3/.config/uxc/default.conf"
ip3=$(uxc_as uxtest3 info -n example-container -i -H 2>/dev/null | grep -m1 -E '^10\.0\.3\.')
check quickstart_sudo_user_container_has_dhcp_address test -n "$ip3"
check quickstart_output_shows_info_and_ls bash -c "grep -q '^State: *RUNNING' <<<\"\$1\" && grep -q '^example-container *RUNNING' <<<\"\$1\"" sh "$out"
check quickstart_bridge_reaches_sudo_user_container busybox ping -c 1 -W 2 "$ip3"

# 2. plain root: a dedicated uxc-demo user, NAT on.
out=$(qs 2>&1)
status=$?
[ $status = 0 ] && pass quickstart_root_runs || fail quickstart_root_runs "exit $status: $out"
check quickstart_demo_user_created sh -c 'id uxc-demo && [ "$(stat -c %U /home/uxc-demo)" = uxc-demo ]'
check quickstart_demo_user_allocated sh -c 'grep -q "^uxc-demo:" /etc/subuid && grep -q "^uxc-demo:" /etc/subgid'
check quickstart_demo_user_usernet grep -qx 'uxc-demo veth lxcbr0 10' /etc/uxc/usernet
check quickstart_lint_clean "$B/uxc-admin" lint
check quickstart_nat_rules sh -c "iptables -t nat -C POSTROUTING -s 10.0.3.0/24 ! -d 10.0.3.0/24 -m comment --comment uxc-net -j MASQUERADE &&
  iptables -C FORWARD -i lxcbr0 -m comment --comment uxc-net -j ACCEPT && [ \"\$(cat /proc/sys/net/ipv4/ip_forward)\" = 1 ]"
ipd=$(uxc_as uxc-demo info -n example-container -i -H 2>/dev/null | grep -m1 -E '^10\.0\.3\.')
check quickstart_demo_container_has_dhcp_address test -n "$ipd"
check quickstart_bridge_reaches_demo_container busybox ping -c 1 -W 2 "$ipd"
check quickstart_one_dnsmasq test "$(pgrep -c -x dnsmasq)" = 1

# 3. again, both ways: nothing changes.
snapshot() {
  local f
  for f in /etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/subuid /etc/subgid /etc/uxc/usernet \
    /home/uxtest3/.config/uxc/default.conf /home/uxc-demo/.config/uxc/default.conf \
    /home/uxtest3/.local/share/uxc/example-container/config \
    /home/uxc-demo/.local/share/uxc/example-container/config /run/uxc-net/dnsmasq.pid; do
    echo "$f $(sha256sum <"$f" 2>&1)"
  done
  ip -o link show; ip -o addr show; ip route show; cat /proc/sys/net/ipv4/ip_forward
  iptables-save | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'
  pgrep -a -x dnsmasq
  ls -la /home/uxtest3/.local/share/uxc /home/uxc-demo/.local/share/uxc /run/uxc-net
  for u in uxtest3 uxc-demo; do uxc_as $u info -n example-container -s -p -i -H; done
}
before=$(snapshot 2>&1)
[ -n "${QS_SHOW_SNAPSHOT:-}" ] && echo "$before" >&2
out2=$(qs 2>&1 && SUDO_USER=uxtest3 qs --no-nat 2>&1)
status=$?
[ $status = 0 ] && pass quickstart_second_run_succeeds || fail quickstart_second_run_succeeds "exit $status: $out2"
after=$(snapshot 2>&1)
if [ "$before" = "$after" ]; then
  pass quickstart_second_run_changes_nothing
else
  fail quickstart_second_run_changes_nothing "$(diff <(echo "$before") <(echo "$after"))"
fi
check quickstart_second_run_says_so bash -c "grep -q 'already serves lxcbr0' <<<\"\$1\" && grep -q 'left alone' <<<\"\$1\" && ! grep -qE 'created|started|added|wrote|iptables -t' <<<\"\$1\"" sh "$out2"

# Refusals: not root; a bad option; an existing non-bridge.
out=$(as_user uxtest1 "$QS" --steps net 2>&1)
check quickstart_refuses_non_root_user grep -q 'run this as root' <<<"$out"
out=$("$QS" --bridge notabridge --steps net 2>&1)
check quickstart_refuses_a_non_bridge grep -q 'notabridge exists and is not a bridge' <<<"$out"
out=$("$QS" --nat maybe 2>&1)
check quickstart_refuses_bad_nat grep -q -- '--nat takes 0 or 1' <<<"$out"
out=$("$QS" --bridge-mac 01:00:5e:00:00:01 --steps net 2>&1)
check quickstart_refuses_multicast_bridge_mac grep -q -- '--bridge-mac: "01:00:5e:00:00:01" is not a unicast MAC' <<<"$out"

for u in uxtest3 uxc-demo; do cleanup uxc_as $u stop -n example-container -k; done
