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
    ip=$(uxc_as "$user" info -n "$name" -i -H 2>/dev/null | grep -m1 -E '^[0-9]+\.')
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

# runtime_dir_of USER: the directory where USER's uxc keeps its running
# containers' state in this world (no XDG_RUNTIME_DIR, no /run/user/UID):
# a directory of the user's own in /tmp, whose name uxc records in the
# data directory. Empty while none was ever made.
runtime_dir_of() {
  local record=/home/$1/.local/share/uxc/.runtime
  [ -f "$record" ] && head -n 1 "$record"
  return 0
}

# Nothing of a failed or stopped container is left: no monitor or init,
# no host-side veth, no runtime state.
nothing_left() {
  local user=$1 name=$2 uid links procs
  uid=$(id -u "$user")
  # start -F and stop return once the veths are gone from the host; the
  # kernel's answer to the deletion comes later, to a process named
  # uxc-veth-del (a child of the monitor, or the monitor itself once
  # `uxc stop` holds its lock), which exits by itself within tens of
  # milliseconds. Only that process gets time to go.
  for _ in $(seq 200); do
    pgrep -u "$uid" -x uxc-veth-del >/dev/null || break
    sleep 0.01
  done
  # A zombie (state Z) has exited already; reaping it is the world's
  # init's business, and on a loaded machine it may not have got to it.
  procs=$(ps -o pid=,stat=,args= -u "$uid" | awk '$2 !~ /^Z/' | grep -v -e ' ps ' -e 'grep')
  [ -z "$procs" ] || { echo "processes left: $procs"; return 1; }
  procs=$(ps -e -o pid=,uid=,stat=,args= | awk '$2 >= 100000 && $2 < 300000 && $3 !~ /^Z/')
  [ -z "$procs" ] || { echo "container processes left: $procs"; return 1; }
  links=$(ip -o link show | grep -o 'uxc[0-9a-f]\{8\}')
  [ -z "$links" ] || { echo "host veths left: $links"; return 1; }
  local dir
  dir=$(runtime_dir_of "$user")
  if [ -n "$dir" ] && [ -d "$dir/$name" ] && ls "$dir/$name/" | grep -qv "^lock$"; then
    echo "runtime state left: $(ls "$dir/$name/")"; return 1
  fi
}
