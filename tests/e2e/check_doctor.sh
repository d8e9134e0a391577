#!/usr/bin/env bash
# uxc check: a correct set-up passes; each broken one is named with its
# own message and fix, and the exit status says whether the default
# configuration can start.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
require_built check_built "$UXC" "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic"
allow_usernet "uxtest1 veth lxcbr0 10" "uxtest1 veth nosuchbr 10" "uxtest1 veth notabridge 10" "uxtest1 veth br1 10"
write_seed_default_conf $U 100000
conf=/home/$U/.config/uxc/default.conf

# check_as USER [ENV=VALUE...]: uxc check's output; its status in $status.
check_as() {
  local user=$1
  shift
  out=$(as_user "$user" env UXC_HELPER_DIR="$WORLD_BIN" "$@" "$UXC" check 2>&1); status=$?
}
# expect_problem NAME REGEX: exit 1, a FAIL line matching REGEX, followed
# by its fix.
expect_problem() {
  if [ "$status" = 1 ] && grep -A1 -E "^FAIL  $2" <<<"$out" | tail -1 | grep -q '^      fix: ' &&
     grep -q '^uxc check: [0-9]* problems\? to fix$' <<<"$out"; then
    pass "$1"
  else
    fail "$1" "exit $status: $out"
  fi
}
with_conf() {  # with_conf SED-EXPR: default.conf edited for one check
  cp "$conf" /tmp/default.conf.saved
  sed -i "$1" "$conf"
}
restore_conf() { cp /tmp/default.conf.saved "$conf"; }

# ------------------------------------------------------------- correct
check_as $U
check check_correct_setup_passes test "$status" = 0
check check_correct_says_so grep -qx 'uxc check: everything the default configuration needs is in place' <<<"$out"
check check_correct_no_fail_lines test "$(grep -c '^FAIL' <<<"$out")" = 0
check check_correct_helpers grep -q "^ok    uxc-idmap: $WORLD_BIN/uxc-idmap is setuid root$" <<<"$out"
check check_correct_image_tool grep -q "^ok    uxc-image: $WORLD_BIN/uxc-image (create -t download and -t local)$" <<<"$out"
check check_correct_idmap grep -q '^ok    id map: u 0 100000 65536 g 0 100000 65536 is within your ranges' <<<"$out"
check check_correct_usernet grep -q '^ok    usernet: uxtest1 may put 10 veth(s) on lxcbr0' <<<"$out"
check check_correct_bridge grep -q '^ok    bridge lxcbr0 exists and is up$' <<<"$out"
check check_correct_userns grep -q '^ok    unprivileged user namespaces work$' <<<"$out"
check check_correct_paths grep -q '^ok    paths: the container.s root (host uid 100000) can reach' <<<"$out"
check check_cgroups_missing_is_a_warning grep -q '^warn  cgroups: no cgroup is delegated to you' <<<"$out"

# ------------------------------------------------------------- helpers
check_as $U UXC_HELPER_DIR=/nonexistent
expect_problem check_helper_missing "uxc-idmap is not installed at /nonexistent/uxc-idmap"
mkdir -p /run/plain && cp "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic" /run/plain/ && chmod 0755 /run/plain/*
check_as $U UXC_HELPER_DIR=/run/plain
expect_problem check_helper_not_setuid "uxc-idmap at /run/plain/uxc-idmap is not setuid root \(owner 0, mode 0755\)"
mkdir -p /run/nosuidfs && mount -t tmpfs -o nosuid tmpfs /run/nosuidfs &&
  install -m 4755 "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic" /run/nosuidfs/
check_as $U UXC_HELPER_DIR=/run/nosuidfs
expect_problem check_helper_nosuid_filesystem "uxc-idmap at /run/nosuidfs/uxc-idmap is on a filesystem mounted nosuid"

# -------------------------------------------------------- subordinate ids
write_seed_default_conf uxtest3 300000
check_as uxtest3
expect_problem check_no_subuid "id map: no subordinate uids for uxtest3 in /etc/subuid"
check check_no_subuid_fix grep -q "fix: ask your administrator to add a line like 'uxtest3:100000:65536' to /etc/subuid" <<<"$out"
with_conf 's/^lxc.id_map = u 0 100000 65536$/lxc.id_map = u 0 100000 70000/'
check_as $U
expect_problem check_idmap_range_too_small "id map: $conf:[0-9]+: lxc.id_map = u 0 100000 70000: uids 100000-169999 are not yours: /etc/subuid gives uxtest1 100000-165535$"
check check_idmap_range_too_small_fix grep -qx "      fix: write lxc.id_map = u 0 100000 65536 and lxc.id_map = g 0 100000 65536 instead (uxc check --fix does it)" <<<"$out"
restore_conf

# ------------------------------------------------------ usernet, bridge
allow_usernet "uxtest2 veth lxcbr0 10"
check_as $U
expect_problem check_no_usernet_line "usernet: no line of /etc/uxc/usernet lets uxtest1 put a veth on lxcbr0$"
check check_no_usernet_line_fix grep -q "fix: ask your administrator to add 'uxtest1 veth lxcbr0 10' to /etc/uxc/usernet" <<<"$out"
rm /etc/uxc/usernet
check_as $U
expect_problem check_no_usernet_file "usernet: cannot read /etc/uxc/usernet"
allow_usernet "uxtest1 veth lxcbr0 0"
check_as $U
expect_problem check_usernet_zero "usernet: the lines of /etc/uxc/usernet for uxtest1 on lxcbr0 allow 0 veths"
allow_usernet "uxtest1 veth lxcbr0 10" "uxtest1 veth nosuchbr 10" "uxtest1 veth notabridge 10" "uxtest1 veth br1 10"
with_conf 's/^lxc.network.link = lxcbr0$/lxc.network.link = nosuchbr/'
check_as $U
expect_problem check_bridge_missing "bridge nosuchbr does not exist$"
restore_conf
with_conf 's/^lxc.network.link = lxcbr0$/lxc.network.link = notabridge/'
check_as $U
expect_problem check_not_a_bridge "notabridge is not a bridge$"
restore_conf
ip link set br1 down
with_conf 's/^lxc.network.link = lxcbr0$/lxc.network.link = br1/'
check_as $U
expect_problem check_bridge_down "bridge br1 is down$"
check check_bridge_down_fix grep -q 'fix: ask your administrator to run: ip link set br1 up' <<<"$out"
restore_conf
ip link set br1 up
# Without a veth in the default configuration, neither is needed.
write_plain_default_conf $U 100000
rm /etc/uxc/usernet
check_as $U
check check_no_network_needs_no_usernet test "$status" = 0
write_seed_default_conf $U 100000
allow_usernet "uxtest1 veth lxcbr0 10"

# ------------------------------------------------------------- config
echo 'lxc.bogus = 1' >>"$conf"
check_as $U
expect_problem check_bad_default_conf "the default configuration $conf has errors: $conf:7: unknown key lxc.bogus"
write_seed_default_conf $U 100000

# ----------------------------------------------- paths (LXC's x trap)
# A home whose group is not the user's (and not mapped) and that others
# cannot search: the container's root cannot reach the rootfs there.
echo 'other:x:61200:' >>/etc/group
chgrp 61200 /home/$U && chmod 0750 /home/$U
check_as $U
expect_problem check_path_not_traversable "the container's root \(host uid 100000\) cannot reach /home/$U \(owner 61001:61200, mode 0750\)"
check check_path_fix grep -q "fix: grant that uid alone x access: setfacl -m u:100000:x /home/$U (package acl), or chgrp it to your own group" <<<"$out"
check check_path_fix_is_not_chmod_o_x bash -c '! grep -q "o+x" <<<"$1"' sh "$out"
# What check says is what create meets.
out=$(uxc_as $U create -n c -t busybox 2>&1)
check check_path_create_really_fails test $? != 0
# The user follows the advice, as themselves.
require_tool check_doctor_tools setfacl
check check_path_setfacl_as_user as_user $U setfacl -m u:100000:x /home/$U
check_as $U
check check_path_acl_fixes_it test "$status" = 0
check check_path_create_then_works uxc_as $U create -n c -t busybox
# ...and lets in only that uid: another user still cannot search the home.
others_kept_out() {
  if as_user uxtest2 ls "/home/$U/" >/dev/null 2>&1; then echo "uxtest2 can list /home/$U"; return 1; fi
}
check check_path_acl_keeps_others_out others_kept_out
# An ACL entry without x is no fix; check reads it as such.
as_user $U setfacl -m u:100000:r /home/$U
check_as $U
expect_problem check_path_acl_without_x "the container's root \(host uid 100000\) cannot reach /home/$U"
as_user $U setfacl -b /home/$U
chgrp 61001 /home/$U && chmod 0700 /home/$U
check check_path_destroy uxc_as $U destroy -n c

# ------------------------------------------------------------- cgroups
echo 'lxc.cgroup2.memory.max = 64M' >>"$conf"
check_as $U
expect_problem check_cgroup_needed_for_limits "cgroups: no cgroup is delegated to you, but the default configuration sets lxc.cgroup limits"
source "$(dirname "$0")/cgroup_setup.bash"
if cgroup_delegate $U; then
  check_as $U
  check check_cgroup_delegated grep -q '^ok    cgroups: delegated to you: ' <<<"$out"
  if grep -q '^ok    cgroups: delegated to you: .*memory' <<<"$out"; then
    check check_cgroup_delegated_passes test "$status" = 0
  fi
fi
write_seed_default_conf $U 100000

# ------------------------------------------------- user namespaces
# The sysctls are the host's: the world only shows check other values.
echo 0 >/run/zero
mount --bind /run/zero /proc/sys/user/max_user_namespaces
check_as $U
expect_problem check_max_user_namespaces_zero "user namespaces are limited to none \(user.max_user_namespaces = 0\)"
umount /proc/sys/user/max_user_namespaces
mkdir -p /run/fake-kernel-sysctls
echo 0 >/run/fake-kernel-sysctls/unprivileged_userns_clone
echo 1 >/run/fake-kernel-sysctls/apparmor_restrict_unprivileged_userns
mount --bind /run/fake-kernel-sysctls /proc/sys/kernel
check_as $U
expect_problem check_userns_clone_disabled "unprivileged user namespaces are disabled \(kernel.unprivileged_userns_clone = 0\)"
expect_problem check_apparmor_restriction "AppArmor restricts unprivileged user namespaces \(kernel.apparmor_restrict_unprivileged_userns = 1\)"
check check_each_problem_counted grep -qx 'uxc check: 2 problems to fix' <<<"$out"
umount /proc/sys/kernel
