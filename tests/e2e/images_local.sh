#!/usr/bin/env bash
# uxc create -t local: rootfs tarballs of every compression and rootfs
# directories of every kind of owner, imported with device nodes left out
# and owners mapped; hostile tarballs refused with nothing left behind; an
# interrupted or disk-full create removes its half-made container.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"
source "$(dirname "$0")/images_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail images_local_built "$UXC was not built"; exit 0; }
[ -x "$WORLD_BIN/uxc-image" ] || { fail images_local_built "uxc-image was not built"; exit 0; }
have_idmap || { fail images_local_built "uxc-idmap was not built"; exit 0; }
write_plain_default_conf $U 100000
data=/home/$U/.local/share/uxc
mkdir -p $IMG/src && chmod 755 $IMG
img_busybox_tree $IMG/tree
nothing_of() {
  [ ! -e $data/$1 ] || { echo "$data/$1 exists: $(ls -A $data/$1)"; return 1; }
  ! uxc_as $U ls | grep -qx "$1" || { echo "uxc ls shows $1"; return 1; }
}
# imported NAME: the checks every good import must pass.
imported() {
  local r=$data/$1/rootfs
  [ "$(stat -c %u:%g:%a $r/etc/shadow)" = 100000:100042:640 ] || { echo "shadow: $(stat -c %u:%g:%a $r/etc/shadow)"; return 1; }
  [ "$(stat -c %u:%g $r/home/user/file)" = 101000:101000 ] || { echo "user file: $(stat -c %u:%g $r/home/user/file)"; return 1; }
  [ "$(stat -c %a:%u $r/usr/bin/suid)" = 4755:100000 ] || { echo "suid: $(stat -c %a:%u $r/usr/bin/suid)"; return 1; }
  [ "$(stat -c %i $r/usr/bin/hard-a)" = "$(stat -c %i $r/usr/bin/hard-b)" ] || { echo "hard link lost"; return 1; }
  [ -d $r/dev ] && [ ! -e $r/dev/null ] || { echo "dev: $(ls -l $r/dev)"; return 1; }
  [ "$(cat $r/var/lib/d*/e*/f*)" = long ] || { echo "long name lost"; return 1; }
  [ "$(stat -c %b $r/var/lib/sparse)" -lt 1024 ] || { echo "sparse file filled: $(stat -c %b $r/var/lib/sparse) blocks"; return 1; }
  [ "$(uxc_as $U start -n "$1" -F -- /bin/cat /etc/hostname 2>&1)" = LXC_NAME ] || { echo "does not run"; return 1; }
}

# ------------------------------------------------------- tarballs of every kind
for t in rootfs.tar rootfs.tar.gz rootfs.tar.xz rootfs.tar.zst; do
  img_tarball $IMG/tree $IMG/src/$t
  chmod 644 $IMG/src/$t
  n=t-${t#rootfs.tar}; n=${n%-}; n=${n/-./-}
  out=$(uxc_as $U create -n "$n" -t local -- $IMG/src/$t 2>&1); status=$?
  check "images_local_${n//-/_}_created" test "$status" = 0
  check "images_local_${n//-/_}_devices_line" grep -qx 'Skipped 3 device nodes of the image: uxc creates /dev at every start' <<<"$out"
  check "images_local_${n//-/_}_imported" imported "$n"
done
c=$data/t-xz/config
check images_local_records_os_release grep -qx 'uxc.image.dist = busybox' $c
check images_local_records_version grep -qx 'uxc.image.release = 1.35' $c
check images_local_records_arch grep -qx "uxc.image.arch = $IMG_ARCH" $c

# ------------------------------------------------------ directories
# Made by root and readable by all (a debootstrap tree someone opened up):
# read outside the namespace, its numeric owners kept.
cp -a $IMG/tree $IMG/rootdir
chmod -R o+rX $IMG/rootdir && chmod 644 $IMG/rootdir/etc/shadow
out=$(uxc_as $U create -n d-root -t local -- $IMG/rootdir 2>&1); status=$?
check images_local_root_tree_created test "$status" = 0
check images_local_root_tree_devices_line grep -qx 'Skipped 3 device nodes of the image: uxc creates /dev at every start' <<<"$out"
check images_local_root_tree_owners test "$(stat -c %u:%g $data/d-root/rootfs/etc/shadow):$(stat -c %u:%g $data/d-root/rootfs/home/user/file)" = 100000:100042:101000:101000
check images_local_root_tree_capability test "$($PYTHON -c 'import os,sys; print(len(os.getxattr(sys.argv[1],"security.capability")))' $data/d-root/rootfs/usr/bin/pinger 2>&1)" = 24
# Made by root as debootstrap leaves it (/etc/shadow 0640): refused, with
# the way to import it.
chmod 640 $IMG/rootdir/etc/shadow
out=$(uxc_as $U create -n d-closed -t local -- $IMG/rootdir 2>&1); status=$?
check images_local_unreadable_tree_refused test "$status" = 1 -a -n "$(grep -F 'Permission denied' <<<"$out")" -a -n "$(grep -F -- '--numeric-owner' <<<"$out")"
check images_local_unreadable_tree_nothing_left nothing_of d-closed
# Owned by the user's subordinate ids (mmdebstrap --mode=unshare, another
# container's rootfs): read inside the namespace, where all of it is
# readable.
cp -a $IMG/tree /home/$U/subtree
find /home/$U/subtree -depth -exec sh -c 'for f; do chown -h $(($(stat -c %u "$f") + 100000)):$(($(stat -c %g "$f") + 100000)) "$f"; done' _ {} +
setcap cap_net_raw+ep /home/$U/subtree/usr/bin/pinger && chmod 4755 /home/$U/subtree/usr/bin/suid
chmod 700 /home/$U/subtree/root
out=$(uxc_as $U create -n d-sub -t local -- /home/$U/subtree 2>&1); status=$?
check images_local_subid_tree_created test "$status" = 0
check images_local_subid_tree_devices_line grep -qx 'Skipped 3 device nodes of the image: uxc creates /dev at every start' <<<"$out"
check images_local_subid_tree_imported imported d-sub

# ------------------------------------------------------ hostile tarballs
# Each is refused, nothing of the container is left, and nothing outside
# the rootfs changed. The victim is a file of the user's.
as_user $U sh -c 'echo precious >/home/uxtest1/victim'
$PYTHON - $IMG/src <<'EOF'
import io, sys, tarfile
def tar(name, members):
    with tarfile.open(sys.argv[1] + "/" + name, "w", format=tarfile.PAX_FORMAT) as t:
        for m, data in members:
            t.addfile(m, io.BytesIO(data) if data is not None else None)
def reg(name, data):
    i = tarfile.TarInfo(name); i.size = len(data); return (i, data)
def sym(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target; return (i, None)
def hard(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.LNKTYPE; i.linkname = target; return (i, None)
up = "../" * 5  # from the rootfs to /home/uxtest1
tar("dotdot.tar", [reg("./etc/ok", b"ok\n"), reg(up + "planted", b"planted\n")])
tar("symlink.tar", [reg("./etc/ok", b"ok\n"), sym("./escape", "/home/uxtest1"), reg("./escape/planted", b"planted\n")])
tar("hardlink.tar", [reg("./etc/ok", b"ok\n"), hard("./etc/victim", up + "victim")])
EOF
chmod 644 $IMG/src/*.tar
for kind in dotdot symlink hardlink; do
  out=$(uxc_as $U create -n "evil-$kind" -t local -- $IMG/src/$kind.tar 2>&1); status=$?
  check "images_local_hostile_${kind}_refused" test "$status" = 1 -a -n "$(grep -e 'refused' -e 'Cannot extract through symlink' <<<"$out")"
  check "images_local_hostile_${kind}_nothing_left" nothing_of "evil-$kind"
  check "images_local_hostile_${kind}_nothing_planted" test ! -e /home/$U/planted -a ! -e /home/$U/.local/share/planted
  check "images_local_hostile_${kind}_victim_untouched" test "$(cat /home/$U/victim):$(stat -c %h:%u /home/$U/victim)" = "precious:1:61001"
done

# ------------------------------------------------ interrupted and full
# A tarball that arrives slowly through a FIFO: the create is interrupted
# in the middle of unpacking.
img_tarball $IMG/tree $IMG/src/big.tar
mkfifo -m 666 $IMG/src/slow.tar
feed() { (head -c 300000 $IMG/src/big.tar; sleep 20) >$IMG/src/slow.tar & }
started() { for _ in $(seq 200); do [ -d $data/$1/rootfs ] && return 0; sleep 0.05; done; return 1; }
feed; feeder=$!
uxc_as $U create -n slow -t local -- $IMG/src/slow.tar >$IMG/slow.out 2>&1 &
creator=$!
started slow && pkill -TERM -u $U -x uxc
wait $creator; status=$?
kill $feeder 2>/dev/null; wait $feeder 2>/dev/null
check images_local_sigterm_reported test "$status:$(tail -1 $IMG/slow.out)" = "1:uxc create: interrupted by SIGTERM: the half-made container slow was removed"
check images_local_sigterm_nothing_left nothing_of slow
feed; feeder=$!
uxc_as $U create -n slow -t local -- $IMG/src/slow.tar >$IMG/slow.out 2>&1 &
creator=$!
started slow && pkill -KILL -u $U -x uxc
wait $creator
kill $feeder 2>/dev/null; wait $feeder 2>/dev/null
for _ in $(seq 100); do pgrep -u $U -f uxc-image >/dev/null || break; sleep 0.05; done
check images_local_sigkill_no_ghost test -z "$(uxc_as $U ls | grep -x slow)"
check images_local_sigkill_leftover_reused uxc_as $U create -n slow -t local -- $IMG/src/big.tar
check images_local_sigkill_reused_complete test -f $data/slow/config -a -f $data/slow/rootfs/bin/busybox
uxc_as $U destroy -n slow >/dev/null

# A disk that fills up: the user's containers on a 1 MiB file system.
mkdir -p $data/full
mount -t tmpfs -o size=1m,mode=0755,uid=$(id -u $U),gid=$(id -g $U) tmpfs $data/full
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" XDG_DATA_HOME=$data/full "$UXC" create -n fill -t local -- $IMG/src/rootfs.tar.xz 2>&1); status=$?
check images_local_disk_full_fails test "$status" = 1 -a -n "$(grep -F 'No space left on device' <<<"$out")"
check images_local_disk_full_nothing_left test -z "$(ls -A $data/full/uxc 2>/dev/null)"
umount $data/full && rmdir $data/full

for c in $(uxc_as $U ls); do uxc_as $U destroy -n "$c" >/dev/null || fail images_local_destroy "$c"; done
check images_local_all_destroyed test -z "$(ls -A $data | grep -Fvx .runtime)"
