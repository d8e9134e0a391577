#!/usr/bin/env bash
# uxc unshare (lxc-usernsexec's job): a command as root of a container's
# user namespace, which repairs and removes rootfs files the user alone
# cannot touch; broken containers (config missing or unreadable) are
# listed, explained, and removed by destroy -f.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail storage_unshare_built "$UXC was not built"; exit 0; }
have_idmap || { fail storage_unshare_idmap "uxc-idmap was not built"; exit 0; }
write_plain_default_conf $U 100000
data=/home/$U/.local/share/uxc

# Bare: the default map, root inside, the user's own ids above the
# container's 65536, so the user's home stays reachable.
check storage_unshare_bare_is_root test "$(uxc_as $U unshare -- id -u):$(uxc_as $U unshare -- id -g)" = 0:0
check storage_unshare_bare_own_uid_mapped test "$(uxc_as $U unshare -- stat -c %u:%g /home/$U)" = 65536:65536
check storage_unshare_bare_map test "$(uxc_as $U unshare -- cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')" = "0 100000 65536
65536 61001 1"
out=$(uxc_as $U unshare -- sh -c 'exit 7' 2>&1); status=$?
check storage_unshare_exit_status test "$status:$out" = "7:"
out=$(uxc_as $U unshare -- /nonexistent 2>&1); status=$?
check storage_unshare_cannot_run test "$status:$out" = "1:uxc unshare: cannot run /nonexistent: No such file or directory"
out=$(uxc_as $U unshare -n nope -- true 2>&1); status=$?
check storage_unshare_unknown_container test "$status:$out" = "1:uxc unshare: nope doesn't exist"
# The default shell when no command is given.
check storage_unshare_default_shell test "$(echo 'id -u' | uxc_as $U unshare)" = 0

check storage_unshare_create uxc_as $U create -n a -t busybox
rootfs=$data/a/rootfs

# Files the user cannot touch as themselves, created and changed as the
# container's root.
out=$(as_user $U rm -f $rootfs/etc/fstab 2>&1); status=$?
check storage_unshare_user_alone_denied test "$status" != 0 -a -e $rootfs/etc/fstab
check storage_unshare_writes_as_root uxc_as $U unshare -n a -- touch $rootfs/root/made-inside
check storage_unshare_file_owned_by_container_root test "$(stat -c %u:%g $rootfs/root/made-inside)" = 100000:100000

# A broken rootfs: busybox unreadable. start fails; unshare repairs it.
uxc_as $U unshare -n a -- chmod 0 $rootfs/bin/busybox
out=$(uxc_as $U start -n a -F -- /bin/true 2>&1); status=$?
check storage_unshare_broken_rootfs_fails test "$status" != 0
check storage_unshare_repair uxc_as $U unshare -n a -- chmod 755 $rootfs/bin/busybox
check storage_unshare_repaired_starts test "$(uxc_as $U start -n a -F -- /bin/echo repaired 2>&1)" = repaired

# An orphaned rootfs: the config deleted by hand.
as_user $U rm $data/a/config
out=$(uxc_as $U ls -f 2>&1)
check storage_unshare_ls_shows_broken grep -qE '^a +BROKEN ' <<<"$out"
check storage_unshare_ls_plain_lists_it test "$(uxc_as $U ls)" = a
check storage_unshare_ls_stopped_hides_broken test -z "$(uxc_as $U ls --stopped)"
check storage_unshare_ls_json_broken grep -q '"name":"a","state":"BROKEN"' <<<"$(uxc_as $U ls --format json)"
out=$(uxc_as $U create -n a -t busybox 2>&1); status=$?
check storage_unshare_create_says_what_to_do test "$status:$out" = "1:uxc create: a broken container a is in $data/a (its config is missing): remove it with 'uxc destroy -f -n a', or look inside as its root with 'uxc unshare -n a'"
out=$(uxc_as $U destroy -n a 2>&1); status=$?
check storage_unshare_destroy_needs_f test "$status:$out" = "1:uxc destroy: a is broken (its config is missing): uxc destroy -f -n a removes it"
out=$(as_user $U rm -rf $data/a 2>&1); status=$?
check storage_unshare_rm_rf_denied test "$status" != 0 -a -d $rootfs
check storage_unshare_removes_orphan uxc_as $U unshare -n a -- rm -rf $data/a
check storage_unshare_orphan_gone test ! -e $data/a
check storage_unshare_ls_empty test -z "$(uxc_as $U ls)"

# destroy -f removes a broken container: config missing, or unreadable.
uxc_as $U create -n b -t busybox >/dev/null
uxc_as $U create -n c -t busybox >/dev/null
as_user $U rm $data/b/config
echo 'lxc.bogus.key = 1' | as_user $U sh -c "cat >> $data/c/config"
out=$(uxc_as $U ls -f 2>&1)
check storage_unshare_ls_bad_config_broken grep -qE '^c +BROKEN ' <<<"$out"
check storage_unshare_destroy_f_missing_config test "$(uxc_as $U destroy -f -n b 2>&1)" = "Destroyed container b"
check storage_unshare_destroy_f_bad_config test "$(uxc_as $U destroy -f -n c 2>&1)" = "Destroyed container c"
check storage_unshare_destroyed_all test -z "$(ls $data)"  # .runtime, where the runtime directory is, stays
