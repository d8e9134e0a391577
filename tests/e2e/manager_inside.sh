#!/usr/bin/env bash
# What a process inside a running container sees, and how the host sees it.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1 C=inside
require_built manager_inside_built "$UXC" "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic"
allow_usernet "uxtest1 veth lxcbr0 10"
write_seed_default_conf $U 100000
uxc_as $U create -n $C -t busybox >/dev/null || { fail manager_inside_create "create failed"; exit 0; }
cfg=/home/$U/.local/share/uxc/$C/config
mac=$(sed -n 's/^lxc.network.hwaddr = //p' "$cfg")
# A host directory of the user's, bind-mounted like the seed's /mnt.
as_user $U mkdir -p /home/$U/shared
as_user $U sh -c "echo from-the-host > /home/$U/shared/marker"
as_user $U sh -c "echo 'lxc.mount.entry = /home/$U/shared mnt/shared none bind,create=dir 0 0' >> $cfg"
as_user $U sh -c "echo 'lxc.mount.entry = /nonexistent mnt/opt none bind,create=dir,optional 0 0' >> $cfg"

check manager_inside_start uxc_as $U start -n $C -d
pid=$(uxc_as $U info -n $C -p -H)
check manager_inside_root_is_subordinate_uid_on_host \
  grep -Eq '^Uid:[[:space:]]+100000[[:space:]]+100000[[:space:]]+100000[[:space:]]+100000$' /proc/"$pid"/status
check manager_inside_gid_is_subordinate_gid_on_host \
  grep -Eq '^Gid:[[:space:]]+100000[[:space:]]+100000' /proc/"$pid"/status
check manager_inside_uid_map test "$(tr -s ' ' </proc/"$pid"/uid_map)" = " 0 100000 65536"
check manager_inside_own_namespaces sh -c "for ns in user mnt pid uts ipc net cgroup; do [ \"\$(readlink /proc/$pid/ns/\$ns)\" != \"\$(readlink /proc/self/ns/\$ns)\" ] || { echo shared \$ns; exit 1; }; done"
uxc_as $U stop -n $C -k

# The same container, with a command instead of init: what it sees.
probe='echo "uid=$(id -u)"; echo "gid=$(id -g)"; echo "host=$(hostname)"
echo "procs=$(ls -d /proc/[0-9]* | wc -l)"
echo "world_init=$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " " | grep -c "tests/world/ini[t]")"; echo "mac=$(cat /sys/class/net/eth0/address)"
echo "marker=$(cat /mnt/shared/marker)"; echo "mnt=$(ls /mnt | tr "\n" " ")"
echo "pid1=$(tr "\0" " " </proc/1/cmdline)"'
out=$(uxc_as $U start -n $C -F -- /bin/sh -c "$probe" 2>&1)
val() { sed -n "s/^$1=//p" <<<"$out"; }
check manager_inside_uid_zero test "$(val uid)" = 0
check manager_inside_gid_zero test "$(val gid)" = 0
check manager_inside_hostname_is_container_name test "$(val host)" = $C
# sh, its subshells, ls and wc: only the container's processes (the host has dozens).
check manager_inside_proc_shows_only_container test "$(val procs)" -le 5
check manager_inside_proc_hides_host_processes test "$(val world_init)" = 0
check manager_inside_host_sees_world_init grep -q "tests/world/init" /proc/1/cmdline
check manager_inside_eth0_has_configured_mac test "$(val mac)" = "$mac"
check manager_inside_bind_mount_visible test "$(val marker)" = from-the-host
check manager_inside_optional_mount_skipped test "$(val mnt)" = "opt shared "
check manager_inside_pid1_is_command test "$(val pid1)" = "/bin/sh -c $(head -1 <<<"$probe")"
check manager_inside_host_file_untouched test "$(cat /home/$U/shared/marker)" = from-the-host
# The init ignores no signal, whatever the user's shell ignored (nohup's
# SIGHUP, a runner's SIGTERM, glibc's reserved 32 and 33).
out=$(as_user $U "$UXC_BUILD/tests/ignore_signals" 1 2 3 15 32 33 -- env UXC_HELPER_DIR="$WORLD_BIN" \
  "$UXC" start -n $C -F -- /bin/grep '^SigIgn:' /proc/1/status </dev/null 2>&1)
check manager_inside_init_ignores_no_signal test "$(tr -d '\r' <<<"$out")" = "$(printf 'SigIgn:\t0000000000000000')"

# Writes as container root land as subordinate ids on the host.
check manager_inside_file_made_inside uxc_as $U start -n $C -F -- /bin/sh -c 'touch /root/made-inside'
check manager_inside_file_owner_subordinate test "$(stat -c %u:%g /home/$U/.local/share/uxc/$C/rootfs/root/made-inside)" = 100000:100000

# lxc.uts.name wins over the container's name.
as_user $U sh -c "echo 'lxc.uts.name = other-name' >> $cfg"
check manager_inside_uts_name test "$(uxc_as $U start -n $C -F -- /bin/hostname 2>&1)" = other-name

# lxc.cap.drop: the capability is gone from the bounding set.
as_user $U sh -c "echo 'lxc.cap.drop = sys_time' >> $cfg"
capbnd=$(uxc_as $U start -n $C -F -- /bin/sh -c 'sed -n "s/^CapBnd:[[:space:]]*//p" /proc/self/status' 2>&1)
check manager_inside_cap_drop test $(( 0x$capbnd & (1 << 25) )) = 0

# A symlink the container plants cannot steer create=dir or a mount
# target out of its root: /tmp here is the container's /tmp.
check manager_inside_symlink_planted uxc_as $U start -n $C -F -- /bin/ln -s /tmp /mnt/escape
as_user $U sh -c "echo 'lxc.mount.entry = /home/$U/shared mnt/escape/planted none bind,create=dir 0 0' >> $cfg"
out=$(uxc_as $U start -n $C -F -- /bin/cat /tmp/planted/marker 2>&1)
check manager_inside_symlink_stays_in_rootfs test "$out" = from-the-host
check manager_inside_symlink_host_tmp_untouched test ! -e /tmp/planted
check manager_inside_symlink_created_inside test -d /home/$U/.local/share/uxc/$C/rootfs/tmp/planted

# ro: the bind is read-only inside, and a tmpfs entry is mounted as given.
as_user $U sh -c "echo 'lxc.mount.entry = /home/$U/shared mnt/ro none bind,ro,create=dir 0 0' >> $cfg"
as_user $U sh -c "echo 'lxc.mount.entry = tmpfs mnt/scratch tmpfs size=1m,create=dir 0 0' >> $cfg"
out=$(uxc_as $U start -n $C -F -- /bin/sh -c 'cat /mnt/ro/marker; touch /mnt/ro/new 2>/dev/null && echo wrote; grep " /mnt/scratch " /proc/mounts | cut -d" " -f3' 2>&1)
check manager_inside_ro_bind_readable grep -qx from-the-host <<<"$out"
check manager_inside_ro_bind_not_writable test "$(grep -c wrote <<<"$out"):$(ls /home/$U/shared)" = "0:marker"
check manager_inside_tmpfs_entry grep -qx tmpfs <<<"$out"

check manager_inside_destroy uxc_as $U destroy -n $C
check manager_inside_nothing_left nothing_left $U $C
