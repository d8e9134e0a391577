# Shared by tests/e2e/engines_*.sh (sourced after world_reexec): the
# engines that run on uxc's helpers through their compat names, from
# Debian's packages, as a test user.

# require_engine_package NAME PACKAGE COMMAND...: the engine's Debian
# package is installed (make deps installs it) and gives COMMAND. A package
# this host's apt sources offer no candidate for cannot be installed here,
# so NAME is skipped with that reason and the script ends; a package that
# could be installed but is not, or a missing COMMAND, is a failure.
require_engine_package() {
  local name=$1 pkg=$2 candidate
  shift 2
  if ! dpkg-query -W -f='${db:Status-Status}\n' "$pkg" 2>/dev/null | grep -qx installed; then
    candidate=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
      skip "$name" "Debian package $pkg cannot be installed: no candidate in this host's apt sources"
      exit 0
    fi
    fail "$name" "Debian package $pkg ($candidate) is not installed (run make deps)"
    exit 1
  fi
  require_tool "$name" "$@"
}

# DHCP on the world's bridge as lxc-net's dnsmasq serves it, with a DNS
# server in the answer: RootlessKit's DHCP client gives up on an answer
# without one ("got no DNS"). Nothing needs to answer on port 53.
# Returns once dnsmasq has answered one DHCP request (busybox udhcpc in a
# namespace of root's on a veth root makes, removed afterwards), so that
# an engine's first request, which its client gives up on after a few
# seconds, never races dnsmasq's start on a busy machine.
start_engine_dnsmasq() {
  local ok=1
  dnsmasq --interface=lxcbr0 --bind-interfaces --except-interface=lo \
    --dhcp-range=10.0.3.2,10.0.3.254 --dhcp-leasefile=/run/uxc-test-leases \
    --dhcp-option=option:dns-server,10.0.3.1 --no-ping \
    --pid-file=/run/uxc-test-dnsmasq.pid --no-resolv --no-hosts --port=0 -u root || return 1
  ip netns add dhcpprobe && ip link add dhcpprobe0 type veth peer name eth0 netns dhcpprobe &&
    ip link set dhcpprobe0 master lxcbr0 up && ip -n dhcpprobe link set eth0 up &&
    ip netns exec dhcpprobe busybox udhcpc -i eth0 -n -q -t 20 -T 1 -s /bin/true >/dev/null 2>&1 || ok=0
  ip link del dhcpprobe0 2>/dev/null
  ip netns del dhcpprobe 2>/dev/null
  [ "$ok" = 1 ] || { echo "dnsmasq on lxcbr0 did not answer a DHCP request" >&2; return 1; }
}

# stub_out_shadow_maps: shadow's newuidmap and newgidmap (Debian's uidmap)
# replaced, in this world only, by a program that refuses, so an engine
# that maps its user namespace at all did it with uxc-idmap.
stub_out_shadow_maps() {
  local stub=$WORLD/shadow-map-stub f
  printf '#!/bin/sh\necho "$0: shadow'"'"'s helper called, not uxc-idmap" >&2\nexit 1\n' >"$stub"
  chmod 0755 "$stub"
  for f in /usr/bin/newuidmap /usr/bin/newgidmap; do
    [ -e "$f" ] && { mount --bind "$stub" "$f" || return 1; }
  done
  return 0
}

# serve_token PORT: an HTTP server on the bridge's address (busybox httpd,
# in the world's network namespace) serving /token; sets $TOKEN.
serve_token() {
  local dir=$WORLD/www
  mkdir -p "$dir"
  TOKEN=token-$RANDOM$RANDOM
  echo "$TOKEN" >"$dir/token"
  busybox httpd -p "10.0.3.1:$1" -h "$dir" || return 1
  for _ in $(seq 100); do
    [ "$(busybox wget -q -O- "http://10.0.3.1:$1/token" 2>/dev/null)" = "$TOKEN" ] && return 0
    sleep 0.05
  done
  return 1
}

# user_procs UID: the user's processes, "PID COMM" a line.
user_procs() { ps -o pid=,comm= -u "$1" 2>/dev/null; }

# wait_nothing_left UID SECONDS: until the user has no process and no host
# end of a veth exists (the kernel removes a dead namespace's links
# asynchronously); on a timeout, says what is left.
wait_nothing_left() {
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    [ -z "$(user_procs "$1")" ] && [ -z "$(host_ends)" ] && return 0
    sleep 0.05
  done
  echo "left: processes [$(user_procs "$1" | tr '\n' ' ')] host ends [$(host_ends | tr '\n' ' ')]"
  return 1
}
