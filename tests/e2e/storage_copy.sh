#!/usr/bin/env bash
# uxc copy (lxc-copy): full copies keep every owner, mode, setuid bit,
# file capability, extended attribute, hard link, hole and timestamp;
# overlay clones (-s) start, share their source's files as read-only
# layers and hold only their own changes; ephemeral clones (-e) vanish
# when they stop; refusals are one line and leave nothing behind.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail storage_copy_built "$UXC was not built"; exit 0; }
have_idmap || { fail storage_copy_idmap "uxc-idmap was not built"; exit 0; }
have_nic || { fail storage_copy_nic "uxc-nic was not built"; exit 0; }
for tool in setcap getcap setfattr getfattr; do
  command -v $tool >/dev/null || { fail storage_copy_tool_$tool "$tool is not installed (make deps)"; exit 0; }
done
write_seed_default_conf $U 100000
allow_usernet "$U veth lxcbr0 10"
data=/home/$U/.local/share/uxc

# Every attribute a copy must keep, one line per file, paths relative.
tree_list() {
  (cd "$1" && find . -printf '%P|%U:%G|%m|%y|%s|%n|%l|%T@\n' | sort)
}
xattr_list() {  # FILE|NAME=VALUE, sorted: directory order is the filesystem's
  (cd "$1" && getfattr -R -h -d -m - . 2>/dev/null) |
    awk '/^# file: / { f = substr($0, 9); next } /=/ { print f "|" $0 }' | sort
}

check storage_copy_create uxc_as $U create -n a -t busybox
r=$data/a/rootfs
# Made as the container's root: setuid (chown first: it clears the bit),
# setgid dir, a file capability, user and ACL-free xattrs, hard links, a
# sparse file, a fifo, a symlink owned by another id, an old mtime.
uxc_as $U unshare -n a -- sh -ec "
  cp /bin/busybox $r/bin/suidbox; chown 0:5 $r/bin/suidbox; chmod 4755 $r/bin/suidbox
  mkdir $r/srv; chown 0:50 $r/srv; chmod 2775 $r/srv
  mkdir $r/opt; cp /bin/busybox $r/opt/busybox; setcap cap_net_raw+ep $r/opt/busybox
  echo note > $r/srv/noted; setfattr -n user.note -v hello $r/srv/noted
  echo data > $r/root/h1; ln $r/root/h1 $r/root/h2; chown 33:33 $r/root/h1
  truncate -s 100M $r/root/sparse; echo tail >> $r/root/sparse
  mkfifo $r/root/fifo
  ln -s /nowhere $r/root/link; chown -h 44:44 $r/root/link
  touch -d '2001-02-03 04:05:06.789' $r/srv/noted
  echo 'app:x:1000:1000::/:/bin/sh' >> $r/etc/passwd
"
src_tree=$(tree_list $r)
src_xattrs=$(xattr_list $r)
check storage_copy_source_has_cap grep -q 'cap_net_raw=ep' <<<"$(getcap $r/opt/busybox)"

# ---- full copy
check storage_copy_full uxc_as $U copy -n a -N full
f=$data/full/rootfs
check storage_copy_full_same_tree test "$(tree_list $f)" = "$src_tree"
check storage_copy_full_same_xattrs test "$(xattr_list $f)" = "$src_xattrs"
check storage_copy_full_setuid test "$(stat -c %A:%u:%g $f/bin/suidbox)" = "-rwsr-xr-x:100000:100005"
check storage_copy_full_capability grep -q 'cap_net_raw=ep' <<<"$(uxc_as $U unshare -n full -- getcap $f/opt/busybox)"
check storage_copy_full_user_xattr test "$(getfattr --absolute-names --only-values -n user.note $f/srv/noted)" = hello
check storage_copy_full_hard_link test "$(stat -c %i $f/root/h1)" = "$(stat -c %i $f/root/h2)"
check storage_copy_full_sparse test "$(du -k $f/root/sparse | cut -f1)" -le 64
check storage_copy_full_sparse_data test "$(tail -c 5 $f/root/sparse)" = tail
check storage_copy_full_own_hostname grep -qx 'lxc.uts.name = full' $data/full/config
src_mac=$(sed -n 's/^lxc.network.hwaddr = //p' $data/a/config)
new_mac=$(sed -n 's/^lxc.network.hwaddr = //p' $data/full/config)
check storage_copy_full_new_mac test "${new_mac:0:9}" = 00:16:3e: -a "$new_mac" != "$src_mac" -a ${#new_mac} = 17
check storage_copy_full_source_untouched grep -q "^lxc.rootfs.path = dir:$r\$" $data/a/config
check storage_copy_keep_name_mac uxc_as $U copy -n a -N kept -K -M
check storage_copy_kept_name grep -qx 'lxc.uts.name = a' $data/kept/config
check storage_copy_kept_mac grep -qx "lxc.network.hwaddr = $src_mac" $data/kept/config
uxc_as $U destroy -n kept >/dev/null
out=$(uxc_as $U start -n full -F -- /bin/sh -c 'hostname; ls -l /bin/suidbox | cut -c1-10' 2>&1)
check storage_copy_full_starts test "$out" = "full
-rwsr-xr-x"
# The capability works: a non-root user in the container gets it.
out=$(uxc_as $U start -n full -F -- /bin/su -s /bin/sh app -c '/opt/busybox grep CapEff /proc/self/status' 2>&1)
check storage_copy_full_capability_effective test "$out" = "CapEff:	0000000000002000"

# ---- overlay clone of a stopped plain container
SECONDS=0
check storage_copy_clone uxc_as $U copy -n a -N cl -s
check storage_copy_clone_upper_empty test -z "$(ls -A $data/cl/delta0)"
check storage_copy_clone_config grep -qx "lxc.rootfs.path = overlay:$r:$data/cl/delta0" $data/cl/config
# The source's files are now its first read-only layer; its own changes
# go to its own upper layer, so the clone never sees them.
check storage_copy_clone_source_layered grep -qx "lxc.rootfs.path = overlay:$r:$data/a/delta0" $data/a/config
out=$(uxc_as $U start -n cl -F -- /bin/sh -c 'hostname; ls -l /bin/suidbox | cut -c1-10; cat /root/h2; echo new > /root/changed; rm /etc/fstab; grep " / / " /proc/self/mountinfo' 2>&1)
check storage_copy_clone_starts test "$(head -3 <<<"$out")" = "cl
-rwsr-xr-x
data"
check storage_copy_clone_overlay_in_userns grep -qE '^[0-9]+ [0-9]+ [0-9:]+ / / .* - overlay uxc .*userxattr' <<<"$out"
check storage_copy_clone_upper_holds_changes test "$(cd $data/cl/delta0 && find . -mindepth 1 | sort | tr '\n' ' ')" = "./etc ./etc/fstab ./root ./root/changed "
check storage_copy_clone_whiteout test "$(stat -c %F:%t:%T $data/cl/delta0/etc/fstab)" = "character special file:0:0"
out=$(uxc_as $U start -n cl -F -- /bin/su -s /bin/sh app -c '/opt/busybox grep CapEff /proc/self/status' 2>&1)
check storage_copy_clone_capability_effective test "$out" = "CapEff:	0000000000002000"
out=$(uxc_as $U start -n a -F -- /bin/sh -c 'ls /root/changed /etc/fstab 2>&1; echo mine > /root/mine' 2>&1)
check storage_copy_clone_source_unaffected test "$out" = "ls: /root/changed: No such file or directory
/etc/fstab"
check storage_copy_clone_not_in_clone test ! -e $data/cl/delta0/root/mine -a -f $data/a/delta0/root/mine

# ---- a full copy of an overlay container is flat
check storage_copy_full_of_clone uxc_as $U copy -n cl -N flat
check storage_copy_flat_is_dir grep -qx "lxc.rootfs.path = dir:$data/flat/rootfs" $data/flat/config
check storage_copy_flat_has_change test "$(cat $data/flat/rootfs/root/changed)" = new
check storage_copy_flat_no_whiteout test ! -e $data/flat/rootfs/etc/fstab
check storage_copy_flat_keeps_setuid test "$(stat -c %A $data/flat/rootfs/bin/suidbox)" = -rwsr-xr-x
check storage_copy_flat_keeps_capability grep -q 'cap_net_raw=ep' <<<"$(getcap $data/flat/rootfs/opt/busybox)"
check storage_copy_flat_keeps_xattr test "$(getfattr --absolute-names --only-values -n user.note $data/flat/rootfs/srv/noted)" = hello

# ---- a kernel before 5.11 (uname as the UNAME26 personality reports
# it, 2.6.N): overlay work is refused, naming the kernel needed; a full
# copy is made only when asked for.
old_kernel() { as_user $U setarch "$(uname -m)" --uname-2.6 env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" "$@"; }
out=$(old_kernel copy -n a -N old -s 2>&1); status=$?
check storage_copy_old_kernel_clone_refused grep -qxE "1:uxc copy: an overlay clone needs overlayfs in a user namespace, which needs Linux 5.11 or later; this kernel is 2\.6\.[^ ]+; make a full copy instead \(uxc copy -B dir\)" <<<"$status:$out"
out=$(old_kernel start -n cl -F -- /bin/true 2>&1); status=$?
check storage_copy_old_kernel_start_refused grep -qxE "1:uxc start: this container's rootfs needs overlayfs in a user namespace, which needs Linux 5.11 or later; this kernel is 2\.6\.[^ ]+" <<<"$status:$out"
out=$(old_kernel snapshot -n full 2>&1); status=$?
check storage_copy_old_kernel_snapshot_refused grep -qxE "1:uxc snapshot: a snapshot needs overlayfs in a user namespace, which needs Linux 5.11 or later; this kernel is 2\.6\.[^ ]+" <<<"$status:$out"
check storage_copy_old_kernel_refusals_leave_nothing test ! -e $data/old -a ! -e $data/full/snaps
check storage_copy_old_kernel_full_copy old_kernel copy -n full -N old -B dir
check storage_copy_old_kernel_full_copy_starts test "$(old_kernel start -n old -F -- /bin/echo ok 2>&1)" = ok
uxc_as $U destroy -n old >/dev/null

# ---- running sources
uxc_as $U start -n full -d
out=$(uxc_as $U copy -n full -N x 2>&1); status=$?
check storage_copy_running_full_refused test "$status:$out" = "1:uxc copy: full is running: stop it first (uxc stop -n full) to make a full copy of it"
out=$(uxc_as $U copy -n full -N x -s 2>&1); status=$?
check storage_copy_running_dir_clone_refused test "$status:$out" = "1:uxc copy: cannot clone full while it runs: its rootfs is a plain directory, which would change under the clone; stop it first (uxc stop -n full)"
check storage_copy_running_refusals_leave_nothing test ! -e $data/x
uxc_as $U stop -n full -k
uxc_as $U start -n cl -d
out=$(uxc_as $U copy -n cl -N cl2 -s 2>&1); status=$?
check storage_copy_running_overlay_clone test "$status" = 0
check storage_copy_running_overlay_clone_says_why grep -q 'cl is running: cl2 gets the layers cl was cloned or snapshotted from' <<<"$out"
check storage_copy_running_overlay_clone_layers grep -qx "lxc.rootfs.path = overlay:$r:$data/cl2/delta0" $data/cl2/config
uxc_as $U stop -n cl -k

# ---- ephemeral
out=$(uxc_as $U copy -n cl -N eph -e 2>&1); status=$?
check storage_copy_ephemeral_runs test "$status:$(uxc_as $U info -n eph -s -H)" = "0:RUNNING"
check storage_copy_ephemeral_marked grep -qx 'lxc.ephemeral = 1' $data/eph/config
check storage_copy_ephemeral_stop uxc_as $U stop -n eph -t 10
check storage_copy_ephemeral_gone test ! -e $data/eph
check storage_copy_ephemeral_not_listed test -z "$(uxc_as $U ls | grep -x eph)"
uxc_as $U copy -n cl -N eph2 -e >/dev/null 2>&1
out=$(uxc_as $U destroy -n eph2 -f 2>&1); status=$?
check storage_copy_ephemeral_destroy_f test "$status:$out" = "0:Destroyed container eph2"
check storage_copy_ephemeral_destroy_f_gone test ! -e $data/eph2
out=$(uxc_as $U copy -n cl -N keep -e -D 2>&1)
uxc_as $U stop -n keep -k
check storage_copy_ephemeral_keepdata test -f $data/keep/config
check storage_copy_ephemeral_keepdata_not_ephemeral test -z "$(grep lxc.ephemeral $data/keep/config)"

# ---- refusals: one line, nothing changed
before=$(ls $data; cat $data/*/config | md5sum)
out=$(uxc_as $U copy -n a -N full 2>&1); status=$?
check storage_copy_existing_name test "$status:$out" = "1:uxc copy: container full already exists ($data/full)"
out=$(uxc_as $U copy -n nope -N y 2>&1); status=$?
check storage_copy_unknown_source test "$status:$out" = "1:uxc copy: nope doesn't exist"
out=$(uxc_as $U copy -n a -N y -s -B dir 2>&1); status=$?
check storage_copy_s_and_dir test "$status:$out" = "2:uxc copy: -s makes an overlay clone and -B dir a full copy: give one of them (try 'uxc copy --help')"
out=$(uxc_as $U copy -n a -N y -B lvm 2>&1); status=$?
check storage_copy_bad_backing test "$status:$out" = "2:uxc copy: -B takes dir or overlay, not 'lvm' (try 'uxc copy --help')"
out=$(uxc_as $U copy -n a 2>&1); status=$?
check storage_copy_needs_newname test "$status:$out" = "2:uxc copy: -N NEWNAME is required (try 'uxc copy --help')"
check storage_copy_refusals_left_nothing test "$(ls $data; cat $data/*/config | md5sum)" = "$before"

# ---- dependants
out=$(uxc_as $U destroy -n a 2>&1); status=$?
check storage_copy_destroy_source_refused test "$status:$out" = "1:uxc destroy: a has clones that use its layers: cl, cl2, keep; destroy them first, or together with it: uxc destroy -n a -s"
check storage_copy_destroy_with_clones uxc_as $U destroy -n a -s
check storage_copy_destroy_with_clones_gone test "$(ls $data)" = "$(printf 'flat\nfull')"
for c in flat full; do uxc_as $U destroy -n $c >/dev/null; done
check storage_copy_all_destroyed test -z "$(ls $data)"

# ---- a full disk in the middle of a copy: one line, the half copy removed
U2=uxtest2
write_plain_default_conf $U2 200000
d2=/home/$U2/.local/share/uxc
as_user $U2 mkdir -p $d2
mount -t tmpfs -o size=3m,mode=0755,uid=$(id -u $U2),gid=$(id -g $U2) uxc-small $d2
check storage_copy_small_create uxc_as $U2 create -n small -t busybox
out=$(uxc_as $U2 copy -n small -N big 2>&1); status=$?
check storage_copy_disk_full_one_line test "$status:$(wc -l <<<"$out")" = "1:1"
check storage_copy_disk_full_says_why grep -q "^uxc copy: cannot write $d2/big/rootfs/.*: No space left on device\$" <<<"$out"
check storage_copy_disk_full_half_copy_removed test "$(ls $d2)" = small
check storage_copy_disk_full_source_starts test "$(uxc_as $U2 start -n small -F -- /bin/echo ok 2>&1)" = ok
umount $d2
