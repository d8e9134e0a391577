#!/usr/bin/env bash
# Debian 12 with systemd, booted by the test user with cgroups delegated
# (cgroup_setup.bash, name=systemd included): it reaches running or
# degraded (only the units README explains fail), gets its address by
# DHCP from dnsmasq on lxcbr0, knows it is in a container and its name,
# owns its cgroup but not its limits, shows a login prompt on its console
# that takes a login, serves ssh, reports its use in info, stops
# cleanly, reboots (stop -r, reboot inside) to the same address, and
# powers off leaving nothing behind.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/debian_image.bash"
IMG=$(debian_image systemd) || { fail boot_systemd_image "the Debian 12 image could not be built (see above)"; exit 0; }
world_reexec "$@"
set -u
source "$(dirname "$0")/boot_common.bash"
source "$(dirname "$0")/cgroup_setup.bash"

C=deb
same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
[ -x "$UXC" ] || { fail boot_systemd_built "$UXC was not built"; exit 0; }
if ! have_idmap || ! have_nic; then skip boot_systemd "the helpers were not built"; exit 0; fi
command -v tmux >/dev/null || { fail boot_systemd_tmux "tmux is not installed (make deps)"; exit 0; }
trap 'tm kill-server 2>/dev/null; cgroup_undelegate' EXIT
boot_world || { fail boot_systemd_dnsmasq "dnsmasq did not start"; exit 0; }
cgroup_delegate $U || { fail boot_systemd_delegate "no cgroup hierarchy could be delegated in the world"; exit 0; }
boot_create $C "$IMG" || { fail boot_systemd_create "the container could not be made from $IMG"; exit 0; }
DIR=/home/$U/.local/share/uxc/$C
# mmdebstrap copied the building machine's /etc/hostname in.
same boot_systemd_hostname_file_named "$(cat $DIR/rootfs/etc/hostname)" $C
cat >>$DIR/config <<EOF
lxc.console.logfile = /home/$U/$C.console
lxc.console.buffer.size = 16384
EOF
LOG=/home/$U/$C.log

# state NAME: waits for systemctl is-system-running to settle; prints it.
settled_state() {
  local i s
  for ((i = 0; i < 600; i++)); do
    s=$(in_ct $C systemctl is-system-running 2>/dev/null)
    case $s in running|degraded|maintenance|stopping) break ;; esac
    sleep 0.1
  done
  echo "$s"
}

# ------------------------------------------------------------- boot
t0=$(date +%s%N)
check boot_systemd_start uxc_as $U start -n $C -d -l INFO -o $LOG
state=$(settled_state)
t1=$(date +%s%N)
echo "boot_systemd: is-system-running says '$state' $(( (t1 - t0) / 1000000 )) ms after start"
check boot_systemd_running_or_degraded grep -qxE 'running|degraded' <<<"$state"
# README ("Booting a distribution") explains each unit that may fail.
failed=$(in_ct $C systemctl list-units --failed --plain --no-legend | awk '{print $1}' | grep -vx 'sys-kernel-debug.mount' | tr '\n' ' ')
same boot_systemd_no_unexplained_failed_unit "$failed" ""
same boot_systemd_detects_container "$(in_ct $C systemd-detect-virt -c)" lxc
same boot_systemd_container_env "$(in_ct $C sh -c 'tr "\0" "\n" </proc/1/environ | grep ^container=')" container=lxc
same boot_systemd_hostname "$(in_ct $C hostname)" $C
# What LXC's common.conf gives a distribution: /dev with the host's
# harmless nodes, a devpts of its own, ttys with gettys; /run and
# /dev/shm tmpfs; /proc/sys read-only but for the netns's own net.
mounts=$(in_ct $C cat /proc/self/mountinfo)
for node in null zero full random urandom tty console tty1 tty4; do
  check boot_systemd_dev_$node test -c "/proc/$(init_pid $C)/root/dev/$node"
done
same boot_systemd_dev_ptmx "$(in_ct $C readlink /dev/ptmx)" pts/ptmx
same boot_systemd_dev_fd "$(in_ct $C readlink /dev/fd)" /proc/self/fd
check boot_systemd_devpts grep -q ' /dev/pts .* - devpts ' <<<"$mounts"
check boot_systemd_run_tmpfs grep -q ' /run .* - tmpfs ' <<<"$mounts"
check boot_systemd_shm_tmpfs grep -q ' /dev/shm .* - tmpfs ' <<<"$mounts"
check boot_systemd_proc_sys_read_only grep -qE ' /proc/sys ro,.* - proc ' <<<"$mounts"
check boot_systemd_proc_sys_net_writable in_ct $C sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
check boot_systemd_ttys_have_gettys test "$(in_ct $C systemctl is-active container-getty@1 container-getty@4 console-getty | sort -u)" = active
ip=$(wait_for_ip $U $C 30)
check boot_systemd_dhcp_address grep -qE '^10\.0\.3\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])$' <<<"$ip"
check boot_systemd_dhcp_lease_from_dnsmasq grep -q " $ip " /run/uxc-test-leases

# ---------------------------------------------------------- cgroups
# The container's root owns its cgroup (systemd made init.scope in it);
# the limit files stay the user's.
sysd=$(find /sys/fs/cgroup/systemd -type d -name uxc.payload.$C 2>/dev/null | head -1)
if [ -n "$sysd" ]; then
  same boot_systemd_cgroup_owned_by_container_root "$(stat -c %u:%g "$sysd")" 100000:100000
  check boot_systemd_made_init_scope test -d "$sysd/init.scope"
fi
mem=$(find /sys/fs/cgroup/memory -type d -name uxc.payload.$C 2>/dev/null | head -1)
if [ -n "$mem" ]; then
  same boot_systemd_limits_stay_the_users "$(stat -c %u "$mem/memory.limit_in_bytes")" 61001
  out=$(in_ct $C sh -c 'echo 1G >/sys/fs/cgroup/memory/memory.limit_in_bytes' 2>&1); status=$?
  check boot_systemd_cannot_raise_own_limit test "$status" != 0
fi
check boot_systemd_mounts_cgroup_tree grep -q 'cgroup on /sys/fs/cgroup/systemd type cgroup (rw' <<<"$(in_ct $C mount)"
check boot_systemd_attach_in_init_cgroup grep -qE '^[0-9]+:name=systemd:/init.scope$' <<<"$(in_ct $C cat /proc/self/cgroup)"
info=$(uxc_as $U info -n $C)
for field in CPU BlkIO Memory KMem; do
  check boot_systemd_info_$field grep -qE "^$field use: +[0-9.]+ (seconds|bytes|KiB|MiB|GiB)$" <<<"$info"
done

# ---------------------------------------------- console login, ssh
in_ct $C sh -c 'useradd -m -s /bin/bash alice && echo alice:Secret-pw-42 | chpasswd'
check boot_systemd_useradd test $? = 0
run_in con "$UAS console -n $C"
# The prompt the getty printed at boot is shown at once, being the
# console's last line. On a loaded machine systemd prints its boot status
# (ShowStatus=auto: when the boot is slow) and that may come after the
# prompt; Enter then gets a fresh one, as it would for a user.
wait_for con "^$C login: *\$" 10 >/dev/null || tm send-keys -t con Enter
check boot_systemd_console_shows_prompt wait_for con "^$C login: *\$" 20
tm send-keys -t con alice Enter
check boot_systemd_console_password_prompt wait_for con 'Password:'
tm send-keys -t con Secret-pw-42 Enter
sleep 1
tm send-keys -t con 'echo "in-as-$(id -un)-on-$(tty)"' Enter
check boot_systemd_console_login wait_for con '^in-as-alice-on-/dev/console'
tm send-keys -t con C-a q
sleep 0.3
tm kill-server 2>/dev/null

ssh-keygen -q -t ed25519 -N '' -f /root/boot-key
uxc_as $U attach -n $C -- sh -c 'mkdir -p ~alice/.ssh && cat >~alice/.ssh/authorized_keys && chown -R alice: ~alice/.ssh' </root/boot-key.pub
out=$(ssh -i /root/boot-key -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
  -o ConnectTimeout=10 alice@"$ip" 'echo "ssh-as-$(id -un)-on-$(hostname)"' 2>&1)
same boot_systemd_ssh "$out" "ssh-as-alice-on-$C"

# ----------------------------------------------------------- reboots
old=$(init_pid $C)
check boot_systemd_stop_r uxc_as $U stop -n $C -r
check boot_systemd_stop_r_new_init test "$(init_pid $C)" != "$old"
check boot_systemd_stop_r_runs_again grep -qxE 'running|degraded' <<<"$(settled_state)"
same boot_systemd_stop_r_same_address "$(wait_for_ip $U $C 30)" "$ip"

old=$(init_pid $C)
in_ct $C systemctl reboot >/dev/null 2>&1
check boot_systemd_reboot_inside_restarts wait_for_new_init $C "$old" 30
check boot_systemd_reboot_inside_runs_again grep -qxE 'running|degraded' <<<"$(settled_state)"
same boot_systemd_reboot_inside_same_address "$(wait_for_ip $U $C 30)" "$ip"

# ------------------------------------------------------------- stop
t0=$(date +%s%N)
check boot_systemd_stop uxc_as $U stop -n $C
t1=$(date +%s%N)
echo "boot_systemd: uxc stop took $(( (t1 - t0) / 1000000 )) ms"
# Halted by systemd itself, not killed at the timeout.
check boot_systemd_stop_not_killed sh -c "! grep -q 'halt timed out' $LOG"
check boot_systemd_stop_orderly sh -c "grep -q 'Halting system\.' /home/$U/$C.console || { tail -n 6 /home/$U/$C.console | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-90; false; }"
check boot_systemd_stop_nothing_left nothing_of $C
# The console log is a ring of lxc.console.buffer.size: never past twice that.
check boot_systemd_console_log_ring test "$(stat -c %s /home/$U/$C.console)" -lt 32768

# ------------------------------------------------- poweroff inside
check boot_systemd_restart uxc_as $U start -n $C -d
grep -qxE 'running|degraded' <<<"$(settled_state)"
in_ct $C poweroff >/dev/null 2>&1
check boot_systemd_poweroff_stops wait_stopped $C 30
check boot_systemd_poweroff_nothing_left nothing_of $C
