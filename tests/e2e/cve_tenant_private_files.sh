#!/usr/bin/env bash
# Another tenant must not read a user's containers or write into them.
# With Debian's default 0755 homes, uxc's 0755 data and container
# directories and 0644 configs let every local user read any user's
# configs and rootfs, and drop files into a running container's /tmp
# (1777), where they showed up inside; a 0700 directory left there made
# the owner's destroy fail half-way (/etc, /usr, /root gone, the rest
# unremovable without root). The container directory must be private,
# and destroy must check the whole tree before it removes anything.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"
require_built cve_tenant_private_files_built "$UXC" "$WORLD_BIN/uxc-idmap"

U=uxtest1 C=priv
data=/home/$U/.local/share/uxc
write_plain_default_conf $U 100000
chmod 0755 /home/$U  # Debian's default for a home (adduser's DIR_MODE)
check cve_private_create uxc_as $U create -n $C -t busybox
check cve_private_start uxc_as $U start -n $C -d

# denied NAME CMD...: CMD, run as uxtest2, must fail.
denied() {
  local name=$1 out
  shift
  if out=$(as_user uxtest2 "$@" 2>&1); then fail "$name" "uxtest2 could: $* -> $out"; else pass "$name"; fi
}
denied cve_private_other_cannot_list_containers ls "$data"
denied cve_private_other_cannot_read_config cat "$data/$C/config"
denied cve_private_other_cannot_list_rootfs ls "$data/$C/rootfs/etc"
denied cve_private_other_cannot_read_rootfs_file cat "$data/$C/rootfs/etc/inittab"
denied cve_private_other_cannot_write_running_tmp touch "$data/$C/rootfs/tmp/from-uxtest2"
denied cve_private_other_cannot_plant_dir_in_tmp mkdir "$data/$C/rootfs/tmp/planted"
check cve_private_nothing_landed_inside test -z "$(uxc_as $U attach -n $C -- /bin/ls -A /tmp </dev/null)"

# The modes, and what stays as it was inside: /tmp is 1777 there.
modes() {
  local got
  got="$(stat -c %a "$data") $(stat -c %a "$data/$C") $(stat -c %a "$data/$C/config")"
  case $got in
    700\ 700\ 600) ;;
    *) echo "data dir, container dir, config: $got (want 700 700 600)"; return 1 ;;
  esac
  [ "$(uxc_as $U attach -n $C -- /bin/stat -c %a /tmp </dev/null)" = 1777 ] ||
    { echo "/tmp inside is $(uxc_as $U attach -n $C -- /bin/stat -c %a /tmp </dev/null)"; return 1; }
}
check cve_private_modes modes

# A container made by an older uxc (0755, 0644): uxc check says so, and
# its fix closes it.
chmod 0755 "$data/$C" && chmod 0644 "$data/$C/config"
out=$(uxc_as $U check 2>&1)
check cve_private_check_warns_open_container bash -c 'grep -qx "warn  containers open to other users (made by an older uxc): $2" <<<"$1" &&
  grep -qx "      fix: chmod go= $2 $2/config" <<<"$1" || { echo "$1"; exit 1; }' sh "$out" "$data/$C"
check cve_private_check_fix_applies as_user $U chmod go= "$data/$C" "$data/$C/config"
check cve_private_check_quiet_when_private bash -c '! grep -q "open to other users" <<<"$1"' sh "$(uxc_as $U check 2>&1)"

# ------------------------------------------------------------- destroy
# The container's root leaves 0700 and 0000 directories with files in
# them, in /tmp and in /root: all of it is the container's, so destroy
# removes it all.
plant='mkdir -p /tmp/keep/deeper /root/locked/inner && echo x >/tmp/keep/deeper/f && echo y >/root/locked/inner/g &&
  chmod 0700 /tmp/keep && chmod 0000 /tmp/keep/deeper /root/locked/inner && chown 1000:1000 /root/locked && chmod 0700 /root/locked'
check cve_private_container_root_plants uxc_as $U attach -n $C -- /bin/sh -c "$plant" </dev/null
check cve_private_stop uxc_as $U stop -n $C
check cve_private_destroy_with_planted_dirs uxc_as $U destroy -n $C
check cve_private_destroy_left_nothing test ! -e "$data/$C"

# A leftover the container's user namespace cannot remove: a 0700
# directory of another uid's with a file in it (what uxtest2 could plant
# in /tmp before the container directory was private; root makes it
# here, in /bin, which a removal reaches only after most of the tree).
# destroy must refuse before it removes anything, and say what is in the
# way and why.
check cve_private_create_second uxc_as $U create -n $C -t busybox
evil=$data/$C/rootfs/bin/evil
mkdir -m 0700 "$evil" && echo z >"$evil/f" && chown -R 61002:61002 "$evil"
out=$(uxc_as $U destroy -n $C 2>&1); status=$?
if [ "$status" = 1 ] && grep -q "$evil" <<<"$out" && grep -qi "nothing was removed" <<<"$out"; then
  pass cve_private_destroy_refuses_and_names_leftover
else
  fail cve_private_destroy_refuses_and_names_leftover "exit $status: $out"
fi
intact() {
  local f
  for f in config rootfs/etc/inittab rootfs/bin/busybox rootfs/root rootfs/usr rootfs/tmp rootfs/sbin/init rootfs/bin/evil/f; do
    [ -e "$data/$C/$f" ] || [ -L "$data/$C/$f" ] || { echo "$f is gone"; return 1; }
  done
  [ "$(uxc_as $U ls 2>&1)" = "$C" ] || { echo "ls: $(uxc_as $U ls 2>&1)"; return 1; }
}
check cve_private_destroy_refusal_removed_nothing intact
rm -rf "$evil"  # what root does for the user
check cve_private_destroy_after_leftover_removed uxc_as $U destroy -n $C
check cve_private_destroy_after_leftover_left_nothing test ! -e "$data/$C"
