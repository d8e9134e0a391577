#!/usr/bin/env bash
# The seed article's walkthrough, as a regular user, end to end: default
# config, create, start -d, info, ls -f, stop, destroy.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1 C=example-container
require_built manager_seed_built "$UXC" "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic"
allow_usernet "uxtest1 veth lxcbr0 10"
start_dnsmasq || { fail manager_seed_dnsmasq "dnsmasq did not start"; exit 0; }
write_seed_default_conf $U 100000

out=$(uxc_as $U create -t busybox -n $C 2>&1)
check manager_seed_create_busybox test $? = 0
cfg=/home/$U/.local/share/uxc/$C/config
hw=$(sed -n 's/^lxc.network.hwaddr = //p' "$cfg")
check manager_seed_hwaddr_template_filled grep -Eq '^00:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$' <<<"$hw"
check manager_seed_rootfs_owned_by_subordinate_root test "$(stat -c %u:%g /home/$U/.local/share/uxc/$C/rootfs/bin/busybox)" = 100000:100000

check manager_seed_start_detached uxc_as $U start -n $C -d
info=$(uxc_as $U info -n $C)
check manager_seed_info_running grep -q '^State: *RUNNING$' <<<"$info"
pid=$(uxc_as $U info -n $C -p -H)
check manager_seed_info_pid_is_init test "$(ps -o args= -p "$pid" 2>/dev/null)" = init
ip=$(wait_for_ip $U $C 20)
check manager_seed_dhcp_address_on_bridge_subnet grep -Eq '^10\.0\.3\.[0-9]+$' <<<"$ip"
info=$(uxc_as $U info -n $C)
if grep -q "^IP: *$ip$" <<<"$info" && grep -q '^Link: *uxc[0-9a-f]\{8\}[0-9a-z]\{0,4\}$' <<<"$info" &&
   grep -q '^ TX bytes: ' <<<"$info" && grep -q '^ RX bytes: ' <<<"$info" && grep -q '^ Total bytes: ' <<<"$info"; then
  pass manager_seed_info_fields
else
  fail manager_seed_info_fields "$info"
fi
link=$(sed -n 's/^Link: *//p' <<<"$info")
check manager_seed_host_veth_on_bridge sh -c "ip -o link show $link | grep -q 'master lxcbr0'"
ls_out=$(uxc_as $U ls -f)
check manager_seed_ls_fancy_header grep -Eq '^NAME +STATE +AUTOSTART +GROUPS +IPV4 +IPV6 +UNPRIVILEGED$' <<<"$ls_out"
check manager_seed_ls_fancy_row grep -Eq "^$C +RUNNING +0 +- +$ip +- +true$" <<<"$ls_out"
json=$(uxc_as $U ls --format json)
check manager_seed_ls_json test "$json" = "[{\"name\":\"$C\",\"state\":\"RUNNING\",\"autostart\":false,\"groups\":[],\"ipv4\":[\"$ip\"],\"ipv6\":[],\"unprivileged\":true,\"pid\":$pid,\"interfaces\":[\"$link\"],\"memory_bytes\":null,\"image\":null}]"
check manager_seed_bridge_reaches_container busybox ping -c 1 -W 2 "$ip"

out=$(uxc_as $U destroy -n $C 2>&1); status=$?
check manager_seed_destroy_running_refused test "$status:$out" = "1:uxc destroy: $C is running"
check manager_seed_stop uxc_as $U stop -n $C
out=$(uxc_as $U info -n $C)
check manager_seed_info_stopped test "$out" = "$(printf 'Name:           %s\nState:          STOPPED' $C)"
check manager_seed_ls_stopped grep -Eq "^$C +STOPPED +0 +- +- +- +true$" <<<"$(uxc_as $U ls -f)"
check manager_seed_nothing_left_after_stop nothing_left $U $C
out=$(uxc_as $U destroy -n $C 2>&1)
check manager_seed_destroy test "$out" = "Destroyed container $C"
out=$(uxc_as $U info -n $C 2>&1); status=$?
check manager_seed_info_missing test "$status:$out" = "1:uxc info: $C doesn't exist"
check manager_seed_ls_empty test -z "$(uxc_as $U ls -f)"
# Only the record of where the runtime directory is (no XDG_RUNTIME_DIR
# here) stays: it is the user's, not a container's.
check manager_seed_no_files_left test "$(ls -A /home/$U/.local/share/uxc)" = .runtime

# lxc-start -F -- CMD: the command's exit status.
write_plain_default_conf $U 100000
uxc_as $U create -n fg -t busybox >/dev/null
check manager_start_foreground_true uxc_as $U start -n fg -F -- /bin/true
uxc_as $U start -n fg -F -- /bin/false; status=$?
check manager_start_foreground_false test $status = 1
out=$(uxc_as $U start -n fg -F -- /bin/echo hello 2>&1)
check manager_start_foreground_console_output test "$out" = hello
# On a terminal: the container's console is a pty of its own, as large
# as the terminal, and the exit status still comes through.
out=$(as_user $U script -qec "stty rows 33 cols 111; env UXC_HELPER_DIR=$WORLD_BIN $UXC start -n fg -F -- /bin/sh -c 'stty size; tty; exit 3'" /dev/null </dev/null 2>&1); status=$?
check manager_start_foreground_terminal_size grep -q '33 111' <<<"$out"
# script(1) answers the end of its stdin (/dev/null) by typing an EOF
# character into the session, here a NUL; when that lands before `stty`
# or `tty` runs, the container's pty echoes it as ^@. That echo is input
# relayed faithfully, not something the container printed.
out=${out//'^@'/}
check manager_start_foreground_console_is_container_pty bash -c 'grep -q "^/dev/pts/0" <<<"$1" || { echo "$1"; exit 1; }' sh "$out"
check manager_start_foreground_terminal_status test $status = 3
uxc_as $U destroy -n fg >/dev/null
