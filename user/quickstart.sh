#!/usr/bin/env bash
# uxc quick start: set up a host for uxc the way LXC's lxc-net service and
# the seed article's manual steps do, then run a first container.
#
# Run as root, after `make install` (the Makefile's `quickstart` target does
# both). Every step looks before it changes anything, so a second run
# changes nothing. Steps, in order:
#
#   net    bridge BRIDGE with ADDRESS and a fixed MAC (lxc-net's
#          00:16:3e:00:00:00 by default: a bridge whose MAC is not set
#          takes its lowest port's, so the containers' gateway would change
#          its MAC as containers come and go), up; dnsmasq serving DHCP (and DNS) on
#          it, its pid file and leases under RUNDIR; with NAT on, IPv4
#          forwarding and iptables rules (tagged with the comment "uxc-net")
#          that masquerade the bridge's subnet and accept its forwarding.
#   user   the user: --user, else SUDO_USER, else a dedicated user uxc-demo
#          (created without subordinate ids, so that uxc-admin gives them);
#          `uxc-admin allocate USER`; `uxc-admin allow USER --link BRIDGE
#          --nics 10`; ~USER/.config/uxc/default.conf with the seed's keys
#          and the user's ranges, written as the user, kept if it exists.
#   demo   as the user: create CONTAINER from busybox if it does not exist,
#          start it if it is not running, wait for its DHCP address, and
#          print `uxc info -n CONTAINER` and `uxc ls -f`.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: quickstart.sh [OPTIONS]

Set up this host for uxc (bridge, DHCP, NAT, a user's subordinate ids,
usernet line and default.conf) and start a first container. Run as root.

Options:
  --steps LIST        comma-separated steps: net, user, demo (default: all three)
  --bridge NAME       the bridge (default lxcbr0)
  --address A/N       the bridge's address (default 10.0.3.1/24)
  --bridge-mac MAC    the bridge's fixed MAC (default 00:16:3e:00:00:00, as lxc-net)
  --dhcp-range R      first,last address for DHCP (default: .2 to .254 of a /24)
  --nat 0|1           masquerade the bridge's subnet (default 1); --no-nat is --nat 0
  --dns 0|1           dnsmasq also answers DNS on the bridge address (default 1)
  --rundir DIR        dnsmasq's pid file and leases (default /run/uxc-net)
  --user NAME         the user to provision (default: SUDO_USER, else uxc-demo)
  --nics N            the user's nics on the bridge (default 10)
  --container NAME    the demo container (default example-container)
  --bindir DIR        where uxc is installed (default /usr/local/bin)
  --sbindir DIR       where uxc-admin is installed (default /usr/local/sbin)
  --sysconfdir DIR    where subuid, subgid and uxc/usernet are (default /etc);
                      must be the one uxc and the helpers were built with
  --helper-dir DIR    run uxc with UXC_HELPER_DIR=DIR (default: the built-in one)
  -h, --help          show this help and exit
EOF
}

steps=net,user,demo
bridge=lxcbr0
address=10.0.3.1/24
bridge_mac=00:16:3e:00:00:00
dhcp_range=
nat=1
dns=1
rundir=/run/uxc-net
user=
nics=10
container=example-container
bindir=/usr/local/bin
sbindir=/usr/local/sbin
sysconfdir=/etc
helper_dir=

die() { echo "quickstart: $*" >&2; exit 1; }
say() { echo "quickstart: $*"; }

while [ $# -gt 0 ]; do
  opt=$1
  case $opt in
    -h|--help) usage; exit 0 ;;
    --no-nat) nat=0; shift; continue ;;
    --*=*) set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; continue ;;
  esac
  [ $# -ge 2 ] || die "$opt needs a value (see --help)"
  case $opt in
    --steps) steps=$2 ;;
    --bridge) bridge=$2 ;;
    --address) address=$2 ;;
    --bridge-mac) bridge_mac=$2 ;;
    --dhcp-range) dhcp_range=$2 ;;
    --nat) nat=$2 ;;
    --dns) dns=$2 ;;
    --rundir) rundir=$2 ;;
    --user) user=$2 ;;
    --nics) nics=$2 ;;
    --container) container=$2 ;;
    --bindir) bindir=$2 ;;
    --sbindir) sbindir=$2 ;;
    --sysconfdir) sysconfdir=$2 ;;
    --helper-dir) helper_dir=$2 ;;
    *) die "unknown option $opt (see --help)" ;;
  esac
  shift 2
done

[ "$(id -u)" = 0 ] || die "run this as root (sudo make quickstart)"
case $nat in 0|1) ;; *) die "--nat takes 0 or 1" ;; esac
case $dns in 0|1) ;; *) die "--dns takes 0 or 1" ;; esac
[[ $nics =~ ^[0-9]+$ ]] || die "--nics takes a number"
[[ $bridge =~ ^[A-Za-z0-9_.-]{1,15}$ ]] || die "--bridge: \"$bridge\" is not an interface name"
bridge_mac=${bridge_mac,,}
[[ $bridge_mac =~ ^[0-9a-f]{2}(:[0-9a-f]{2}){5}$ ]] && (( (16#${bridge_mac:0:2} & 1) == 0 )) &&
  [ "$bridge_mac" != 00:00:00:00:00:00 ] || die "--bridge-mac: \"$bridge_mac\" is not a unicast MAC (xx:xx:xx:xx:xx:xx)"
for dir in "$rundir" "$bindir" "$sbindir" "$sysconfdir" ${helper_dir:+"$helper_dir"}; do
  case $dir in /*) ;; *) die "\"$dir\": paths must be absolute" ;; esac
done
has_step() { [[ ,$steps, == *,$1,* ]]; }
for s in ${steps//,/ }; do
  case $s in net|user|demo) ;; *) die "--steps: unknown step \"$s\" (net, user, demo)" ;; esac
done

# ------------------------------------------------------------------ address
# ADDRESS as a.b.c.d/N; the subnet for NAT and, for a /24, the DHCP range.
[[ $address =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})$ ]] ||
  die "--address: \"$address\" is not a.b.c.d/N"
ip_int=0
for i in 1 2 3 4; do
  octet=${BASH_REMATCH[$i]}
  [ "$((10#$octet))" -le 255 ] || die "--address: \"$address\" is not an IPv4 address"
  ip_int=$(( (ip_int << 8) | 10#$octet ))
done
prefix=$((10#${BASH_REMATCH[5]}))
if [ "$prefix" -lt 8 ] || [ "$prefix" -gt 30 ]; then die "--address: the prefix must be 8 to 30"; fi
dotted() { echo "$(( $1 >> 24 & 255 )).$(( $1 >> 16 & 255 )).$(( $1 >> 8 & 255 )).$(( $1 & 255 ))"; }
mask=$(( (0xffffffff << (32 - prefix)) & 0xffffffff ))
net_int=$(( ip_int & mask ))
subnet=$(dotted "$net_int")/$prefix
host_ip=$(dotted "$ip_int")
if [ -z "$dhcp_range" ]; then
  [ "$prefix" = 24 ] || die "--address is not a /24: give --dhcp-range FIRST,LAST"
  dhcp_range=$(dotted $((net_int + 2))),$(dotted $((net_int + 254)))
fi

# ---------------------------------------------------------------------- net
setup_bridge() {
  if [ -e "/sys/class/net/$bridge" ]; then
    [ -d "/sys/class/net/$bridge/bridge" ] || die "$bridge exists and is not a bridge"
  else
    ip link add "$bridge" address "$bridge_mac" type bridge
    say "created bridge $bridge (MAC $bridge_mac)"
  fi
  # addr_assign_type 3: the MAC was set, and stays whatever ports come
  # and go. A bridge that follows its ports gets the fixed MAC while it has
  # none (changing it under running containers would leave them with a
  # stale gateway MAC until their ARP entries expire).
  if [ "$(cat "/sys/class/net/$bridge/addr_assign_type")" != 3 ]; then
    if [ -z "$(ls -A "/sys/class/net/$bridge/brif")" ]; then
      ip link set dev "$bridge" address "$bridge_mac"
      say "gave $bridge the fixed MAC $bridge_mac"
    else
      say "warning: $bridge's MAC follows its ports; when it has none, fix it with: ip link set dev $bridge address $bridge_mac"
    fi
  fi
  if ! ip -4 -o addr show dev "$bridge" | grep -q " inet $address "; then
    ip addr add "$address" dev "$bridge"
    say "gave $bridge the address $address"
  fi
  if ! ip -o link show dev "$bridge" | grep -q '[<,]UP[,>]'; then
    ip link set "$bridge" up
    say "brought $bridge up"
  fi
  # Containers' veths need the veth driver (the seed's `modprobe veth`).
  if [ ! -d /sys/module/veth ] && ! grep -qs '/veth\.ko' "/lib/modules/$(uname -r)/modules.builtin"; then
    if command -v modprobe >/dev/null && ! modprobe -q veth; then
      say "warning: cannot load the veth module; starting a container may fail"
    fi
  fi
}

serves_bridge() {  # serves_bridge PID: a dnsmasq listening on the bridge
  [[ $1 =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = dnsmasq ] &&
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "--interface=$bridge "
}

dnsmasq_pid() {  # the pid of our running dnsmasq, if any
  local pid
  pid=$(cat "$rundir/dnsmasq.pid" 2>/dev/null) && serves_bridge "$pid" && echo "$pid"
}

other_dnsmasq_pid() {  # another dnsmasq on the bridge (LXC's lxc-net, say)
  local dir
  for dir in /proc/[0-9]*; do
    serves_bridge "${dir#/proc/}" && { echo "${dir#/proc/}"; return 0; }
  done
  return 1
}

setup_dnsmasq() {
  command -v dnsmasq >/dev/null || die "dnsmasq not found (Debian: apt-get install dnsmasq-base)"
  local pid
  if pid=$(dnsmasq_pid); then
    say "dnsmasq already serves $bridge (pid $pid)"
    return 0
  fi
  if pid=$(other_dnsmasq_pid); then
    say "dnsmasq already serves $bridge (pid $pid, not started by this script); left alone"
    return 0
  fi
  install -d -m 0755 "$rundir"
  local account=nobody
  getent passwd dnsmasq >/dev/null && account=dnsmasq
  local args=(--conf-file=/dev/null --strict-order --bind-interfaces
    --pid-file="$rundir/dnsmasq.pid" --listen-address "$host_ip"
    --dhcp-range "$dhcp_range" --dhcp-lease-max=253 --dhcp-no-override
    --except-interface=lo --interface="$bridge"
    --dhcp-leasefile="$rundir/dnsmasq.$bridge.leases" --dhcp-authoritative
    --user="$account")
  [ "$dns" = 1 ] || args+=(--port=0)
  dnsmasq "${args[@]}" || die "dnsmasq did not start"
  pid=$(dnsmasq_pid) || die "dnsmasq started but $rundir/dnsmasq.pid names no dnsmasq"
  say "started dnsmasq on $bridge (pid $pid, DHCP $dhcp_range)"
}

# iptables_ensure TABLE CHAIN RULE...: append RULE unless it is there.
iptables_ensure() {
  local table=$1 chain=$2
  shift 2
  if ! iptables -w -t "$table" -C "$chain" "$@" -m comment --comment uxc-net 2>/dev/null; then
    iptables -w -t "$table" -A "$chain" "$@" -m comment --comment uxc-net
    say "iptables -t $table -A $chain $*"
  fi
}

setup_nat() {
  command -v iptables >/dev/null || die "iptables not found (Debian: apt-get install iptables)"
  if [ "$(cat /proc/sys/net/ipv4/ip_forward)" != 1 ]; then
    echo 1 >/proc/sys/net/ipv4/ip_forward
    say "enabled IPv4 forwarding"
  fi
  iptables_ensure nat POSTROUTING -s "$subnet" ! -d "$subnet" -j MASQUERADE
  iptables_ensure filter FORWARD -i "$bridge" -j ACCEPT
  iptables_ensure filter FORWARD -o "$bridge" -j ACCEPT
  iptables_ensure filter INPUT -i "$bridge" -p udp --dport 67 -j ACCEPT
  if [ "$dns" = 1 ]; then
    iptables_ensure filter INPUT -i "$bridge" -p udp --dport 53 -j ACCEPT
    iptables_ensure filter INPUT -i "$bridge" -p tcp --dport 53 -j ACCEPT
  fi
}

# --------------------------------------------------------------------- user
choose_user() {
  if [ -n "$user" ]; then
    getent passwd "$user" >/dev/null || die "--user $user: no such user"
  elif [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
    user=$SUDO_USER
  else
    user="uxc-demo"
    if ! getent passwd "$user" >/dev/null; then
      # -l: no lastlog or faillog entry; no subordinate ids from useradd,
      # uxc-admin allocates them below.
      useradd --create-home --user-group --shell /bin/sh -l \
        -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$user"
      say "created user $user"
    fi
  fi
  [ "$(id -u "$user")" != 0 ] || die "uxc is for regular users, not root"
  home=$(getent passwd "$user" | cut -d: -f6)
  [ -d "$home" ] || die "$user's home $home does not exist"
}

# as_user CMD...: run CMD as the user, with a clean environment.
as_user() {
  setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- \
    env -i HOME="$home" USER="$user" LOGNAME="$user" \
    PATH="$bindir:/usr/local/bin:/usr/bin:/bin" ${helper_dir:+UXC_HELPER_DIR="$helper_dir"} "$@"
}

first_range() {  # first_range FILE: START of the user's first range
  awk -F: -v u="$user" '$1 == u { print $2; exit }' "$1"
}

provision_user() {
  "$sbindir/uxc-admin" allocate "$user" | sed 's/^/quickstart: /'
  "$sbindir/uxc-admin" allow "$user" --link "$bridge" --nics "$nics" | sed 's/^/quickstart: /'
  local conf=$home/.config/uxc/default.conf uid_base gid_base
  if as_user test -e "$conf"; then
    say "$conf exists; left as it is"
    return 0
  fi
  uid_base=$(first_range "$sysconfdir/subuid")
  gid_base=$(first_range "$sysconfdir/subgid")
  if [ -z "$uid_base" ] || [ -z "$gid_base" ]; then
    die "no range for $user in $sysconfdir/subuid or subgid (is --sysconfdir the one uxc-admin uses?)"
  fi
  as_user mkdir -p "$home/.config/uxc"
  # shellcheck disable=SC2016 # $1 is the inner shell's
  as_user sh -c 'umask 022; cat > "$1"' sh "$conf" <<EOF
lxc.network.type = veth
lxc.network.link = $bridge
lxc.network.flags = up
lxc.network.hwaddr = 00:16:3e:xx:xx:xx
lxc.id_map = u 0 $uid_base 65536
lxc.id_map = g 0 $gid_base 65536
EOF
  say "wrote $conf"
}

# --------------------------------------------------------------------- demo
run_demo() {
  local uxc=$bindir/uxc state ip i
  [ -x "$uxc" ] || die "$uxc not found (make install, or --bindir)"
  if ! as_user "$uxc" info -n "$container" -s -H >/dev/null 2>&1; then
    as_user "$uxc" create -t busybox -n "$container" | sed 's/^/quickstart: /'
  fi
  state=$(as_user "$uxc" info -n "$container" -s -H)
  if [ "$state" != RUNNING ]; then
    if ! as_user "$uxc" start -n "$container" -d; then
      as_user "$uxc" check || true
      die "the container did not start; 'uxc check' above says what is missing"
    fi
    say "started $container as $user"
  fi
  for ((i = 0; i < 100; i++)); do
    ip=$(as_user "$uxc" info -n "$container" -i -H | grep -m1 -E '^[0-9]+\.' || true)
    [ -n "$ip" ] && break
    sleep 0.2
  done
  [ -n "$ip" ] || say "$container has no IPv4 address yet (is dnsmasq serving $bridge?)"
  echo
  echo "\$ uxc info -n $container"
  as_user "$uxc" info -n "$container"
  echo
  echo "\$ uxc ls -f"
  as_user "$uxc" ls -f
  local become="As $user"
  [ "$user" = "${SUDO_USER:-}" ] || become="As $user (su - $user)"
  cat <<EOF

$container runs as $user. $become, try:
  uxc attach -n $container     a root shell inside it (exit leaves it running)
  uxc console -n $container    its console (Ctrl+a q detaches)
  uxc stop -n $container       stop it (uxc destroy -n $container removes it)
  uxc check                    what this host offers uxc, and what is missing
EOF
}

if has_step net; then
  setup_bridge
  setup_dnsmasq
  if [ "$nat" = 1 ]; then setup_nat; else say "NAT off: no forwarding or iptables changes"; fi
fi
if has_step user || has_step demo; then choose_user; fi
if has_step user; then provision_user; fi
if has_step demo; then run_demo; fi
