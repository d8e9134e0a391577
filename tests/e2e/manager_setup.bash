# Shared set-up for the tests/e2e/manager_*.sh scripts (sourced after
# world_reexec; not a test script itself).

UXC=$UXC_BUILD/bin/uxc

# uxc_as USER ARGS...: run uxc as USER with the world's setuid helpers.
uxc_as() {
  local user=$1
  shift
  as_user "$user" env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" "$@"
}

have_idmap() { [ -u "$WORLD_BIN/uxc-idmap" ]; }
have_nic() { [ -u "$WORLD_BIN/uxc-nic" ]; }

# The seed's ~/.config/.../default.conf, for uxc: legacy keys, the xx
# MAC template, the user's subordinate ranges.
write_seed_default_conf() {
  local user=$1 base=$2
  as_user "$user" mkdir -p "/home/$user/.config/uxc"
  as_user "$user" sh -c "cat > /home/$user/.config/uxc/default.conf" <<EOF2
lxc.network.type = veth
lxc.network.link = lxcbr0
lxc.network.flags = up
lxc.network.hwaddr = 00:16:3e:xx:xx:xx
lxc.id_map = u 0 $base 65536
lxc.id_map = g 0 $base 65536
EOF2
}

# A default.conf without network, for tests that need only the id map.
write_plain_default_conf() {
  local user=$1 base=$2
  as_user "$user" mkdir -p "/home/$user/.config/uxc"
  printf 'lxc.idmap = u 0 %s 65536\nlxc.idmap = g 0 %s 65536\n' "$base" "$base" |
    as_user "$user" sh -c "cat > /home/$user/.config/uxc/default.conf"
}

allow_usernet() {  # allow_usernet LINE...
  mkdir -p /etc/uxc
  printf '%s\n' "$@" >/etc/uxc/usernet
}

# DHCP on the world's bridge, as lxc-net's dnsmasq does on a host.
start_dnsmasq() {
  dnsmasq --interface=lxcbr0 --bind-interfaces --except-interface=lo \
    --dhcp-range=10.0.3.2,10.0.3.254 --dhcp-leasefile=/run/uxc-test-leases \
    --pid-file=/run/uxc-test-dnsmasq.pid --no-resolv --no-hosts --port=0 -u root
}

# wait_for_ip USER NAME SECONDS: prints the first IPv4 address info shows.
wait_for_ip() {
  local user=$1 name=$2 i ip
  for ((i = 0; i < $3 * 5; i++)); do
    ip=$(uxc_as "$user" info -n "$name" -i -H 2>/dev/null | grep -m1 -E '^[0-9]+\.' || true)
    [ -n "$ip" ] && { echo "$ip"; return 0; }
    sleep 0.2
  done
  return 1
}

# tmux_kill_server USER SOCK: tmux's kill-server returns before the server
# and its panes' processes are gone; they are tmux's, not uxc's, so wait
# for them before nothing_left counts what uxc left.
tmux_kill_server() {
  local uid
  uid=$(id -u "$1")
  as_user "$1" tmux -S "$2" kill-server 2>/dev/null
  for _ in $(seq 100); do
    pgrep -u "$uid" -f "tmux -S $2|^sleep [0-9]+$" >/dev/null || return 0
    sleep 0.05
  done
  echo "tmux's processes outlived kill-server: $(pgrep -a -u "$uid")"
  return 1
}

# Nothing of a failed or stopped container is left: no monitor or init,
# no host-side veth, no runtime state.
nothing_left() {
  local user=$1 name=$2 uid links procs
  uid=$(id -u "$user")
  # start -F returns once its veths are gone from the host; the kernel's
  # answer to the deletion comes later, to a child named uxc-veth-del,
  # which exits by itself within tens of milliseconds. Only that child
  # gets time to go.
  for _ in $(seq 200); do
    pgrep -u "$uid" -x uxc-veth-del >/dev/null || break
    sleep 0.01
  done
  procs=$(ps -o pid=,args= -u "$uid" | grep -v -e ' ps ' -e 'grep' || true)
  [ -z "$procs" ] || { echo "processes left: $procs"; return 1; }
  procs=$(ps -e -o pid=,uid=,args= | awk '$2 >= 100000 && $2 < 300000' || true)
  [ -z "$procs" ] || { echo "container processes left: $procs"; return 1; }
  links=$(ip -o link show | grep -o 'uxc[0-9a-f]\{8\}' || true)
  [ -z "$links" ] || { echo "host veths left: $links"; return 1; }
  if ls /tmp/uxc-"$uid"/"$name"/ 2>/dev/null | grep -qv "^lock$"; then
    echo "runtime state left: $(ls /tmp/uxc-"$uid"/"$name"/)"; return 1
  fi
}
