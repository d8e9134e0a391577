#!/usr/bin/env bash
# Debian 12 with sysvinit (sysvinit-core), booted by the test user with
# cgroups delegated: it reaches runlevel 2 with its address from dnsmasq
# and its name; its console stays usable after the boot although
# sysvinit closes it (the monitor keeps it), its tty1 getty takes a
# login; stop halts it through runlevel 0 (Debian's inittab does nothing
# useful on SIGPWR), stop -r and reboot inside bring it back on the
# same address, poweroff stops it, and nothing is left.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/debian_image.bash"
IMG=$(debian_image sysvinit) || { fail boot_sysvinit_image "the Debian 12 image could not be built (see above)"; exit 0; }
world_reexec "$@"
set -u
source "$(dirname "$0")/boot_common.bash"
source "$(dirname "$0")/cgroup_setup.bash"

C=sv
same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
[ -x "$UXC" ] || { fail boot_sysvinit_built "$UXC was not built"; exit 0; }
if ! have_idmap || ! have_nic; then skip boot_sysvinit "the helpers were not built"; exit 0; fi
command -v tmux >/dev/null || { fail boot_sysvinit_tmux "tmux is not installed (make deps)"; exit 0; }
trap 'tm kill-server 2>/dev/null; cgroup_undelegate' EXIT
boot_world || { fail boot_sysvinit_dnsmasq "dnsmasq did not start"; exit 0; }
cgroup_delegate $U || { fail boot_sysvinit_delegate "no cgroup hierarchy could be delegated in the world"; exit 0; }
boot_create $C "$IMG" || { fail boot_sysvinit_create "the container could not be made from $IMG"; exit 0; }
echo "lxc.console.logfile = /home/$U/$C.console" >>/home/$U/.local/share/uxc/$C/config
LOG=/home/$U/$C.log

# booted NAME: runlevel 2 reached and its last rc script (sshd) up.
booted() {
  local i
  for ((i = 0; i < 300; i++)); do
    in_ct $C sh -c 'runlevel | grep -q " 2$" && pidof sshd >/dev/null' 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# ------------------------------------------------------------- boot
t0=$(date +%s%N)
check boot_sysvinit_start uxc_as $U start -n $C -d -l INFO -o $LOG
check boot_sysvinit_runlevel_2 booted
t1=$(date +%s%N)
echo "boot_sysvinit: runlevel 2 with sshd $(( (t1 - t0) / 1000000 )) ms after start"
same boot_sysvinit_is_sysvinit "$(in_ct $C cat /proc/1/comm)" init
same boot_sysvinit_hostname "$(in_ct $C hostname)" $C
ip=$(wait_for_ip $U $C 30)
check boot_sysvinit_dhcp_address grep -qE '^10\.0\.3\.[0-9]+$' <<<"$ip"
check boot_sysvinit_gettys grep -q 'getty.* tty4$' <<<"$(in_ct $C ps -eo args)"
info=$(uxc_as $U info -n $C)
for field in CPU Memory; do
  check boot_sysvinit_info_$field grep -qE "^$field use: +[0-9.]+ (seconds|bytes|KiB|MiB|GiB)$" <<<"$info"
done

# ------------------------------------------------ console after boot
# sysvinit has closed the console by now; it is still the container's.
run_in con "$UAS console -n $C"
check boot_sysvinit_console_connects wait_for con 'Connected to tty 0'
in_ct $C sh -c 'echo console-still-here >/dev/console'
check boot_sysvinit_console_usable wait_for con '^console-still-here'
tm send-keys -t con C-a q
check boot_sysvinit_console_logged grep -q 'INIT: Entering runlevel: 2' /home/$U/$C.console

in_ct $C sh -c 'useradd -m -s /bin/bash alice && echo alice:Secret-pw-42 | chpasswd'
run_in tty1 "$UAS console -n $C -t 1"
check boot_sysvinit_tty1_shows_prompt wait_for tty1 "^$C login: *\$" 20
tm send-keys -t tty1 alice Enter
wait_for tty1 'Password:' >/dev/null
tm send-keys -t tty1 Secret-pw-42 Enter
sleep 1
tm send-keys -t tty1 'echo "in-as-$(id -un)-on-$(tty)"' Enter
check boot_sysvinit_tty1_login wait_for tty1 '^in-as-alice-on-/dev/tty1'
tm send-keys -t tty1 C-a q
sleep 0.3
tm kill-server 2>/dev/null

# ----------------------------------------------------------- reboots
old=$(init_pid $C)
check boot_sysvinit_stop_r uxc_as $U stop -n $C -r
check boot_sysvinit_stop_r_new_init test "$(init_pid $C)" != "$old"
check boot_sysvinit_stop_r_boots booted
same boot_sysvinit_stop_r_same_address "$(wait_for_ip $U $C 30)" "$ip"

old=$(init_pid $C)
in_ct $C reboot >/dev/null 2>&1
check boot_sysvinit_reboot_inside_restarts wait_for_new_init $C "$old" 30
check boot_sysvinit_reboot_inside_boots booted
same boot_sysvinit_reboot_inside_same_address "$(wait_for_ip $U $C 30)" "$ip"

# ------------------------------------------------------------- stop
t0=$(date +%s%N)
check boot_sysvinit_stop uxc_as $U stop -n $C
t1=$(date +%s%N)
echo "boot_sysvinit: uxc stop took $(( (t1 - t0) / 1000000 )) ms"
check boot_sysvinit_stop_by_runlevel_0 grep -q 'halting with runlevel 0 on /run/initctl' $LOG
check boot_sysvinit_stop_not_killed sh -c "! grep -q 'halt timed out' $LOG"
check boot_sysvinit_stop_orderly grep -q 'Will now halt' /home/$U/$C.console
check boot_sysvinit_stop_nothing_left nothing_of $C

# ------------------------------------------------- poweroff inside
check boot_sysvinit_restart uxc_as $U start -n $C -d
booted
in_ct $C poweroff >/dev/null 2>&1
check boot_sysvinit_poweroff_stops wait_stopped $C 30
check boot_sysvinit_poweroff_nothing_left nothing_of $C
