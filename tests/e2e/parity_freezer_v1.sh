#!/usr/bin/env bash
# uxc freeze on a host where the user has no cgroup v2 but a v1 freezer
# cgroup delegated: freezer.state of the container's own v1 freezer
# cgroup, FROZEN in info and ls, stop of a frozen container.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"
source "$(dirname "$0")/cgroup_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail parity_freezer_v1_built "$UXC was not built"; exit 0; }
have_idmap || { skip parity_freezer_v1 "uxc-idmap was not built"; exit 0; }
_cg_v1_mount freezer >/dev/null || { skip parity_freezer_v1 "this host has no v1 freezer hierarchy"; exit 0; }
write_plain_default_conf $U 100000
uxc_as $U create c1 -t busybox >/dev/null || { fail parity_freezer_v1_create "create failed"; exit 0; }
cgroup_delegate $U v1 || { fail parity_freezer_v1_delegate "no v1 hierarchy could be delegated in the world"; exit 0; }
rootfs=/home/$U/.local/share/uxc/c1/rootfs

check parity_freezer_v1_start uxc_as $U start c1 -d -- /bin/sh -c 'while :; do date +%s%N >/tmp/tick; sleep 0.05; done'
dir=$(cgroup_dir_of c1 freezer)
check parity_freezer_v1_cgroup_made test -n "$dir"
check parity_freezer_v1_no_v2_cgroup test -z "$(cgroup_dir_of c1 v2)"
check parity_freezer_v1_freeze uxc_as $U freeze c1
check parity_freezer_v1_state_file test "$(cat "$dir/freezer.state")" = FROZEN
check parity_freezer_v1_info test "$(uxc_as $U info c1 -s -H)" = FROZEN
t1=$(cat $rootfs/tmp/tick); sleep 0.5; t2=$(cat $rootfs/tmp/tick)
check parity_freezer_v1_stands_still test "$t1" = "$t2"
check parity_freezer_v1_unfreeze uxc_as $U unfreeze c1
check parity_freezer_v1_thawed test "$(cat "$dir/freezer.state"):$(uxc_as $U info c1 -s -H)" = THAWED:RUNNING
check parity_freezer_v1_freeze_again uxc_as $U freeze c1
# On v1 a frozen process does not even die of SIGKILL: stop thaws first.
check parity_freezer_v1_stop_frozen timeout 20 setpriv --reuid=61001 --regid=61001 --init-groups \
  env -i HOME=/home/$U PATH=/usr/bin:/bin "$UXC" stop c1 -k
check parity_freezer_v1_stopped test "$(uxc_as $U info c1 -s -H)" = STOPPED
