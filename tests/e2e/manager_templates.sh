#!/usr/bin/env bash
# uxc create's templates: busybox's rootfs, and local (a tarball or a
# directory), with ownership mapped to the user's subordinate ids.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
require_built manager_templates_built "$UXC" "$WORLD_BIN/uxc-idmap"
write_plain_default_conf $U 100000
data=/home/$U/.local/share/uxc

# busybox: a bootable layout, owned by the container's root.
check manager_templates_busybox_create uxc_as $U create -n bb -t busybox
check manager_templates_busybox_init_is_busybox test "$(readlink $data/bb/rootfs/sbin/init)" = /bin/busybox
check manager_templates_busybox_inittab_getty grep -q '^console::respawn:/sbin/getty' $data/bb/rootfs/etc/inittab
check manager_templates_busybox_tmp_sticky test "$(stat -c %a:%u $data/bb/rootfs/tmp)" = 1777:100000
check manager_templates_busybox_config_signal grep -qx 'lxc.signal.halt = SIGUSR1' $data/bb/config
# busybox's init halts on lxc.signal.halt (SIGUSR1) well before the
# timeout that would SIGKILL it.
SECONDS=0
if uxc_as $U start -n bb -d && uxc_as $U stop -n bb -t 20 && [ $SECONDS -lt 15 ]; then
  pass manager_templates_busybox_boots_and_halts
else
  fail manager_templates_busybox_boots_and_halts "start and stop took $SECONDS s"
fi

# local from a tarball: owners inside the tarball land at base + owner.
src=/tmp/local-src
mkdir -p $src/bin $src/home/app
cp /bin/busybox $src/bin/busybox
ln -s busybox $src/bin/sh
echo app-data > $src/home/app/file
chown -R 1000:1000 $src/home/app
tar -C $src -cf /tmp/rootfs.tar .
chmod 644 /tmp/rootfs.tar
check manager_templates_local_tarball uxc_as $U create -n tarball -t local -- /tmp/rootfs.tar
check manager_templates_local_tarball_owner_mapped test "$(stat -c %u:%g $data/tarball/rootfs/home/app/file)" = 101000:101000
out=$(uxc_as $U start -n tarball -F -- /bin/sh -c 'stat -c %u /home/app/file; cat /home/app/file' 2>&1)
check manager_templates_local_tarball_runs test "$out" = "1000
app-data"

# local from a directory the user prepared: the user's files become the
# container root's.
as_user $U cp -r $src /home/$U/src
check manager_templates_local_directory uxc_as $U create -n dir -t local -- /home/$U/src
check manager_templates_local_directory_owner_mapped test "$(stat -c %u:%g $data/dir/rootfs/home/app/file)" = 100000:100000
check manager_templates_local_directory_runs test "$(uxc_as $U start -n dir -F -- /bin/busybox cat /home/app/file 2>&1)" = app-data

out=$(uxc_as $U create -n x -t local 2>&1); status=$?
check manager_templates_local_needs_path test "$status:$out" = "2:uxc create: -t local needs the rootfs: uxc create -n NAME -t local -- PATH, or -- -m META -f ROOTFS (try 'uxc create --help')"
# A file tar cannot read: create fails and removes what it started.
for i in $(seq 300); do echo "this is not a tar archive"; done >/tmp/broken.tar
chmod 644 /tmp/broken.tar
out=$(uxc_as $U create -n broken -t local -- /tmp/broken.tar 2>&1); status=$?
check manager_templates_broken_tarball_fails test "$status:$(tail -1 <<<"$out")" = "1:uxc create: /tmp/broken.tar is not a tarball uxc can read (Unrecognized archive format): give a .tar, .tar.gz, .tar.xz or .tar.zst file, or a directory"
check manager_templates_broken_tarball_nothing_left test ! -e $data/broken

for c in bb tarball dir; do uxc_as $U destroy -n $c >/dev/null; done
# Only the record of where the runtime directory is (no XDG_RUNTIME_DIR
# here) stays: it is the user's, not a container's.
check manager_templates_all_destroyed test "$(ls -A $data)" = .runtime
