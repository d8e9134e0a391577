#!/usr/bin/env bash
# uxc snapshot (lxc-snapshot) on overlay layers: snapshot -> change ->
# restore in place drops the changes and the container starts, with its
# owners, setuid bits and capabilities; a restore killed at every system
# call of the way leaves the old or the new state, both startable; -L
# lists dates, comments and each layer's size; -N restores as a new
# container; -d removes snapshots and the layers only they used; a stack
# past the kernel's 500 layers is refused with what to do.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail storage_snapshot_built "$UXC was not built"; exit 0; }
have_idmap || { fail storage_snapshot_idmap "uxc-idmap was not built"; exit 0; }
SWEEP=$UXC_BUILD/tests/nic_kill_sweep
[ -x "$SWEEP" ] || { fail storage_snapshot_sweep_built "$SWEEP was not built"; exit 0; }
command -v setcap >/dev/null || { fail storage_snapshot_setcap "setcap is not installed (make deps)"; exit 0; }
write_plain_default_conf $U 100000
data=/home/$U/.local/share/uxc
c=$data/c

# in_c SCRIPT: run SCRIPT in c (the container's own view), output on one line.
in_c() { uxc_as $U start -n "${2:-c}" -F -- /bin/sh -c "$1" 2>&1 | tr '\n' ' '; }

check storage_snapshot_create uxc_as $U create -n c -t busybox
uxc_as $U unshare -n c -- sh -ec "
  cp /bin/busybox $c/rootfs/bin/suidbox; chown 0:5 $c/rootfs/bin/suidbox; chmod 4755 $c/rootfs/bin/suidbox
  mkdir $c/rootfs/opt; cp /bin/busybox $c/rootfs/opt/busybox; setcap cap_net_raw+ep $c/rootfs/opt/busybox
  echo 'app:x:1000:1000::/:/bin/sh' >> $c/rootfs/etc/passwd
"
in_c 'echo v1 > /root/marker; chown 7:7 /root/marker' >/dev/null
printf 'before the upgrade\nsecond line\n' >/tmp/comment
chmod 644 /tmp/comment
out=$(uxc_as $U snapshot -n c -c /tmp/comment 2>&1)
check storage_snapshot_take test "$out" = "Created snapshot snap0 of c"
check storage_snapshot_made_layered grep -qx "lxc.rootfs.path = overlay:$c/rootfs:$c/delta0" $c/config
check storage_snapshot_record test "$(cat $c/snaps/snap0/layers)" = "$c/rootfs"

# ---- change, restore in place, the changes are gone
in_c 'echo v2 > /root/marker; echo x > /root/extra; rm /etc/fstab; chmod 700 /bin/suidbox' >/dev/null
check storage_snapshot_changed test "$(in_c 'cat /root/marker; ls -1 /root; test -e /etc/fstab || echo no-fstab')" = "v2 extra marker no-fstab "
out=$(uxc_as $U snapshot -n c -r snap0 2>&1)
check storage_snapshot_restore test "$out" = "Restored c to snapshot snap0"
check storage_snapshot_restored_state test "$(in_c 'cat /root/marker; ls -1 /root; ls /etc/fstab; stat -c %u:%g /root/marker')" = "v1 marker /etc/fstab 7:7 "
check storage_snapshot_restored_setuid test "$(in_c 'ls -l /bin/suidbox | cut -c1-10')" = "-rwsr-xr-x "
check storage_snapshot_restored_capability test "$(in_c "su -s /bin/sh app -c '/opt/busybox grep CapEff /proc/self/status'")" = "CapEff:	0000000000002000 "
check storage_snapshot_restore_dropped_old_upper test ! -e $c/delta0

# ---- list
in_c 'echo v2 > /root/marker; echo x > /root/extra' >/dev/null
check storage_snapshot_second uxc_as $U snapshot -n c
out=$(uxc_as $U snapshot -n c -L 2>&1)
check storage_snapshot_list_snapshots grep -qE '^snap0 +[0-9]{4}:[0-9]{2}:[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}  rootfs$' <<<"$out"
check storage_snapshot_list_second grep -qE '^snap1 +[0-9:]{10} [0-9:]{8}  delta1 rootfs$' <<<"$out"
check storage_snapshot_list_comment grep -qxE ' +# before the upgrade' <<<"$out"
check storage_snapshot_list_comment_first_line test -z "$(grep 'second line' <<<"$out")"
check storage_snapshot_list_all_comments grep -qxE ' +# second line' <<<"$(uxc_as $U snapshot -n c -L -C)"
check storage_snapshot_list_upper grep -qE '^delta2 \(upper\) +0 B  c$' <<<"$out"
check storage_snapshot_list_layer_size grep -qE '^rootfs +[0-9.]+ MiB  c snap0 snap1$' <<<"$out"
check storage_snapshot_list_small_layer grep -qE '^delta1 +[0-9.]+ KiB  c snap1$' <<<"$out"
json=$(uxc_as $U snapshot -n c -L --format json)
check storage_snapshot_list_json grep -qE '^\{"name":"c","snapshots":\[\{"name":"snap0","date":"[0-9: ]{19}","comment":"before the upgrade\\nsecond line","layers":\["'"$c"'/rootfs"\]\},' <<<"$json"
check storage_snapshot_list_json_layers grep -qE '"layers":\[\{"path":"'"$c"'/delta2","upper":true,"bytes":[0-9]+,"used_by":\["c"\]\}' <<<"$json"

# ---- restore as a new container; the source is depended on
out=$(uxc_as $U snapshot -n c -r snap1 -N c1 2>&1)
check storage_snapshot_restore_new test "$out" = "Created container c1 from snapshot snap1 of c"
check storage_snapshot_restore_new_state test "$(in_c 'cat /root/marker; ls -1 /root; hostname' c1)" = "v2 extra marker c1 "
out=$(uxc_as $U destroy -n c 2>&1); status=$?
check storage_snapshot_source_depended_on test "$status:$out" = "1:uxc destroy: c has clones that use its layers: c1; destroy them first, or together with it: uxc destroy -n c -s"

# ---- refusals, one line, nothing changed
before=$(cat $c/config; ls $c $c/snaps)
out=$(uxc_as $U snapshot -n c -r snap9 2>&1); status=$?
check storage_snapshot_unknown test "$status:$out" = "1:uxc snapshot: c has no snapshot snap9 (it has snap0, snap1)"
out=$(uxc_as $U snapshot -n c -d snap9 2>&1); status=$?
check storage_snapshot_unknown_destroy test "$status:$out" = "1:uxc snapshot: c has no snapshot snap9 (it has snap0, snap1)"
out=$(uxc_as $U snapshot -n nope 2>&1); status=$?
check storage_snapshot_unknown_container test "$status:$out" = "1:uxc snapshot: nope doesn't exist"
out=$(uxc_as $U snapshot -n c -r snap0 -N c1 2>&1); status=$?
check storage_snapshot_new_name_taken test "$status:$out" = "1:uxc snapshot: container c1 already exists ($data/c1)"
uxc_as $U start -n c -d
out=$(uxc_as $U snapshot -n c 2>&1); status=$?
check storage_snapshot_running_refused test "$status:$out" = "1:uxc snapshot: c is running: stop it first (uxc stop -n c) to snapshot it"
out=$(uxc_as $U snapshot -n c -r snap0 2>&1); status=$?
check storage_snapshot_running_restore_refused test "$status:$out" = "1:uxc snapshot: c is running: stop it first (uxc stop -n c) to restore it"
check storage_snapshot_running_restore_as_new uxc_as $U snapshot -n c -r snap0 -N c2
uxc_as $U stop -n c -k
out=$(uxc_as $U snapshot -n c -L -r snap0 2>&1); status=$?
check storage_snapshot_usage test "$status:$out" = "2:uxc snapshot: -L, -r and -d exclude each other (try 'uxc snapshot --help')"
check storage_snapshot_refusals_changed_nothing test "$(cat $c/config; ls $c $c/snaps)" = "$before"

# ---- a restore killed at each system call: the old state or the new
# one, and the container starts in either. The old state is snap1
# (v2 and /root/extra), the new one snap0 (v1).
n=1 olds=0 news=0 bad=
while :; do
  uxc_as $U snapshot -n c -r snap1 >/dev/null
  env -i HOME=/home/$U PATH=/usr/bin:/bin UXC_HELPER_DIR="$WORLD_BIN" \
    "$SWEEP" $n $U "$UXC" snapshot -n c -r snap0 >/dev/null 2>/tmp/sweep; rc=$?
  [ $rc = 3 ] && break
  [ $rc = 0 ] || { bad+="stop $n: sweep exit $rc: $(cat /tmp/sweep); "; break; }
  state=$(in_c 'cat /root/marker; ls -1 /root')
  case $state in
    "v2 extra marker ") olds=$((olds + 1)) ;;
    "v1 marker ") news=$((news + 1)) ;;
    *) bad+="stop $n: '$state'; " ;;
  esac
  n=$((n + 1))
done
if [ -z "$bad" ]; then pass storage_snapshot_sweep_every_stop_old_or_new
else fail storage_snapshot_sweep_every_stop_old_or_new "$bad"; fi
check storage_snapshot_sweep_saw_both test "$olds" -gt 0 -a "$news" -gt 0 -a "$n" -gt 100
echo "storage_snapshot: restore killed at $((n - 1)) stops: $olds old, $news new" >&2
# The next command collects what the killed ones left.
uxc_as $U snapshot -n c -r snap0 >/dev/null
check storage_snapshot_sweep_no_garbage test "$(ls $c | tr '\n' ' ')" = "config delta1 delta$(ls $c | sed -n 's/^delta//p' | sort -n | tail -1) olwork rootfs snaps "
check storage_snapshot_sweep_state_new test "$(in_c 'cat /root/marker')" = "v1 "

# ---- destroy snapshots: the layers only they held go
check storage_snapshot_destroy_one test "$(uxc_as $U snapshot -n c -d snap1)" = "Destroyed snapshot snap1 of c"
check storage_snapshot_destroy_keeps_clone_layer test -d $c/delta1   # c1 still uses it
uxc_as $U destroy -n c1 >/dev/null
uxc_as $U destroy -n c2 >/dev/null
check storage_snapshot_destroy_all test "$(uxc_as $U snapshot -n c -d ALL)" = "Destroyed every snapshot of c"
check storage_snapshot_destroy_all_empty test -z "$(ls -A $c/snaps)"
check storage_snapshot_list_none test "$(uxc_as $U snapshot -n c -L | head -1)" = "No snapshots"
# delta1 went with the last snapshot that used it (c1 is gone).
check storage_snapshot_unused_layer_collected test ! -e $c/delta1
check storage_snapshot_destroy_container uxc_as $U destroy -n c
check storage_snapshot_all_gone test -z "$(ls $data)"

# ---- the kernel's stacking limit: a container on 498 read-only layers
# and its rootfs (as a config can name them by hand) starts; a snapshot
# freezes its changes as the 500th layer; one more is refused with what
# to do, and nothing changes; a full copy flattens the stack.
check storage_snapshot_deep_create uxc_as $U create -n deep -t busybox
d=$data/deep
uxc_as $U unshare -n deep -- sh -ec "for i in \$(seq 498); do mkdir $d/l\$i; done; mkdir $d/delta0 $d/olwork
  touch $d/l1/top $d/l250/mid $d/l498/bottom"
lowers=$(for i in $(seq 1 498); do printf '%s:' "$d/l$i"; done)
sed "s|^lxc.rootfs.path = .*|lxc.rootfs.path = overlay:$lowers$d/rootfs:$d/delta0|" $d/config >/tmp/deep.conf
chmod 644 /tmp/deep.conf
as_user $U cp /tmp/deep.conf $d/config
check storage_snapshot_deep_500_start test "$(in_c 'ls -1 /top /mid /bottom /bin/busybox' deep)" = "/bin/busybox /bottom /mid /top "
in_c 'echo new > /new' deep >/dev/null
check storage_snapshot_deep_500th uxc_as $U snapshot -n deep
check storage_snapshot_deep_500_layers test "$(wc -l <$d/snaps/snap0/layers)" = 500
check storage_snapshot_deep_500_start_again test "$(in_c 'cat /new; ls -1 /top' deep)" = "new /top "
in_c 'echo newer > /new' deep >/dev/null
before=$(cat $d/config; ls $d $d/snaps)
out=$(uxc_as $U snapshot -n deep 2>&1); status=$?
check storage_snapshot_deep_501_refused test "$status:$out" = "1:uxc snapshot: deep would have 501 read-only layers; one overlayfs mount stacks at most 500 (the kernel's limit): flatten them into a new container with a full copy (uxc copy -n deep -N NEW -B dir)"
check storage_snapshot_deep_refusal_changed_nothing test "$(cat $d/config; ls $d $d/snaps)" = "$before"
out=$(uxc_as $U copy -n deep -N deepclone -s 2>&1); status=$?
check storage_snapshot_deep_clone_refused grep -qx "1:uxc copy: deep would have 501 read-only layers; .*" <<<"$status:$out"
check storage_snapshot_deep_flatten uxc_as $U copy -n deep -N flat
check storage_snapshot_deep_flat_is_dir grep -qx "lxc.rootfs.path = dir:$data/flat/rootfs" $data/flat/config
check storage_snapshot_deep_flat_starts test "$(in_c 'cat /new; ls -1 /top /mid /bottom' flat)" = "newer /bottom /mid /top "
