#!/usr/bin/env bash
# The rest of the seed article, as a user: attach and set a password,
# log in on the console, info with the cgroup lines, autostart shown by
# ls -f, all with the seed's words (uxc for lxc-).
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"
source "$(dirname "$0")/cgroup_setup.bash"

U=uxtest1 C=example-container
require_built manager6_seed_built "$UXC" "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic"
require_tool manager6_seed_tools tmux
allow_usernet "uxtest1 veth lxcbr0 10"
start_dnsmasq || { fail manager6_seed_dnsmasq "dnsmasq did not start"; exit 0; }
write_seed_default_conf $U 100000
cgroup_delegate $U || skip manager6_seed_cgroups "no cgroup could be delegated"

check manager6_seed_check_passes uxc_as $U check
uxc_as $U create -t busybox -n $C >/dev/null
# "Say you want to autostart the container": lxc.start.auto = 1.
echo 'lxc.start.auto = 1' >>/home/$U/.local/share/uxc/$C/config
check manager6_seed_autostart_starts_it uxc_as $U autostart
ip=$(wait_for_ip $U $C 20)
check manager6_seed_ls_autostart_1 grep -Eq "^$C +RUNNING +1 +- +$ip +- +true$" <<<"$(uxc_as $U ls -f)"

# "Attach directly to the running container, create your users and
# change all relevant passwords using the passwd command".
SOCK=/home/$U/tmux.sock
tm() { as_user $U env TERM=xterm tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; cgroup_undelegate' EXIT
screen_of() { tm capture-pane -p -J -S - -t "$1" 2>/dev/null; }
wait_for() {
  local i
  for ((i = 0; i < 100; i++)); do screen_of "$1" | grep -Eq -- "$2" && return 0; sleep 0.1; done
  echo "never showed /$2/:"; screen_of "$1"; return 1
}
tm new-session -d -s att -x 100 -y 30 "env UXC_HELPER_DIR=$WORLD_BIN $UXC attach -n $C; sleep 30"
check manager6_seed_attach_prompt wait_for att "^/ #"
tm send-keys -t att 'hostname' Enter
check manager6_seed_attach_sees_container wait_for att "^$C$"
tm send-keys -t att "echo 'petros:x:1000:1000::/home/petros:/bin/sh' >>/etc/passwd; echo 'petros:!:1:0:99999:7:::' >>/etc/shadow; mkdir -p /home/petros; chown 1000 /home/petros; passwd petros" Enter
wait_for att 'New password:' >/dev/null && tm send-keys -t att 'pw-for-petros' Enter
wait_for att 'Retype password:' >/dev/null && tm send-keys -t att 'pw-for-petros' Enter
check manager6_seed_passwd_updated wait_for att 'password for petros changed'
tm send-keys -t att exit Enter

# "you'll be able to log in directly to the container from a console".
tm new-session -d -s con -x 100 -y 30 "env UXC_HELPER_DIR=$WORLD_BIN $UXC console -n $C; sleep 30"
wait_for con 'Connected to tty 0' >/dev/null && tm send-keys -t con Enter
check manager6_seed_console_login_prompt wait_for con "^$C login:"
tm send-keys -t con petros Enter
wait_for con 'Password:' >/dev/null && tm send-keys -t con 'pw-for-petros' Enter
sleep 1
tm send-keys -t con 'echo "I am $(id -un) on $(hostname) at $(ip -4 -o addr show eth0 | sed "s/.*inet \([0-9.]*\).*/\1/")"' Enter
check manager6_seed_console_logged_in wait_for con "^I am petros on $C at $ip$"
tm send-keys -t con C-a q
sleep 0.5
check manager6_seed_still_running grep -q '^State: *RUNNING$' <<<"$(uxc_as $U info -n $C)"

# lxc-info's resource lines come from the container's cgroup.
info=$(uxc_as $U info -n $C)
if [ ${#CG_ROOTS[@]} -gt 0 ]; then
  check manager6_seed_info_cgroup_lines grep -Pzq 'IP: *[0-9.]+\nCPU use: *[0-9.]+ seconds\nBlkIO use: [^\n]+\nMemory use: *[0-9.]+ (KiB|MiB)\nKMem use: [^\n]+\nLink: ' <<<"$info"
fi
check manager6_seed_stop uxc_as $U stop -n $C
check manager6_seed_ls_stopped grep -Eq "^$C +STOPPED +1 +- +- +- +true$" <<<"$(uxc_as $U ls -f)"
tmux_kill_server $U "$SOCK"
check manager6_seed_destroy test "$(uxc_as $U destroy -n $C)" = "Destroyed container $C"
check manager6_seed_nothing_left nothing_left $U $C
