#!/usr/bin/env bash
# uxc create -t download against a local HTTPS image server in LXC's
# layout: what lands on disk, the cache (hits with the server down,
# expiry, --flush-cache, --no-cache, uxc image ls/rm, concurrent creates,
# interrupted downloads), and every error the issue lists (truncated
# download, wrong SHA256, untrusted certificate, unknown names, no
# server, plain HTTP, a hostile tarball).
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"
source "$(dirname "$0")/images_setup.bash"

U=uxtest1
P=8443
S=localhost:$P
[ -x "$UXC" ] || { fail images_download_built "$UXC was not built"; exit 0; }
[ -x "$WORLD_BIN/uxc-image" ] || { fail images_download_built "uxc-image was not built"; exit 0; }
have_idmap || { fail images_download_built "uxc-idmap was not built"; exit 0; }
write_plain_default_conf $U 100000
data=/home/$U/.local/share/uxc
cache=/home/$U/.cache/uxc/images/$S/busybox

mkdir -p $IMG
img_make_ca main && img_make_ca rogue || { fail images_download_setup "cannot make certificates"; exit 0; }
img_trust_ca main
img_busybox_tree $IMG/tree
later=$(($(date +%s) + 30 * 86400))
p_test=$(img_publish busybox test 20260101_00:00 $IMG/tree)
p_old=$(img_publish busybox old 20250101_00:00 $IMG/tree $(($(date +%s) - 86400)))
p_badsum=$(img_publish busybox badsum 20260101_00:00 $IMG/tree)
p_cut=$(img_publish busybox cut 20260101_00:00 $IMG/tree)
p_nosums=$(img_publish busybox nosums 20260101_00:00 $IMG/tree)
p_slow=$(img_publish busybox slow 20260101_00:00 $IMG/tree)
p_stream=$(img_publish busybox stream 20260101_00:00 $IMG/tree)
p_badmeta=$(img_publish busybox badmeta 20260101_00:00 $IMG/tree)
# Hostile: a member that climbs out of the rootfs.
mkdir -p $IMG/evil
$PYTHON - $IMG/evil/rootfs.tar <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in (("./etc/ok", b"ok\n"), ("../../../../../../escaped", b"escaped\n")):
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
EOF
p_evil=$(img_publish busybox evil 20260101_00:00 $IMG/tree)
xz -T2 <$IMG/evil/rootfs.tar >$IMG_ROOT$p_evil/rootfs.tar.xz
(cd $IMG_ROOT$p_evil && sha256sum rootfs.tar.xz meta.tar.xz >SHA256SUMS)
# The same, followed by 48 MiB that do not compress, sent slowly: the
# unpack refuses the image while most of the download is still to come.
$PYTHON - $IMG/evil/big.tar <<'EOF2'
import io, os, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in (("./etc/ok", b"ok\n"), ("../../../../../../escaped", b"escaped\n"), ("./big", os.urandom(48 << 20))):
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
EOF2
p_evilbig=$(img_publish busybox evilbig 20260101_00:00 $IMG/tree)
xz -0 <$IMG/evil/big.tar >$IMG_ROOT$p_evilbig/rootfs.tar.xz
(cd $IMG_ROOT$p_evilbig && sha256sum rootfs.tar.xz meta.tar.xz >SHA256SUMS)
echo 5 >$IMG_ROOT$p_evilbig/rootfs.tar.xz.slow  # 4 s for the whole download
# Damage: a wrong sum (of the rootfs, of the metadata), a cut download,
# no sums at all, slow files.
sed -i "/  rootfs.tar.xz$/s/^[0-9a-f]\{8\}/00000000/" $IMG_ROOT$p_badsum/SHA256SUMS
sed -i "/  meta.tar.xz$/s/^[0-9a-f]\{8\}/00000000/" $IMG_ROOT$p_badmeta/SHA256SUMS
echo $(($(stat -c %s $IMG_ROOT$p_cut/rootfs.tar.xz) / 2)) >$IMG_ROOT$p_cut/rootfs.tar.xz.cut
rm $IMG_ROOT$p_nosums/SHA256SUMS
echo 100 >$IMG_ROOT$p_slow/rootfs.tar.xz.slow
echo 300 >$IMG_ROOT$p_stream/rootfs.tar.xz.slow
index=()
for p in "$p_test" "$p_old" "$p_badsum" "$p_cut" "$p_nosums" "$p_slow" "$p_evil" "$p_stream" "$p_badmeta" "$p_evilbig"; do
  IFS=/ read -r _ _ dist release arch variant build _ <<<"$p"
  index+=("$dist;$release;$arch;$variant;$build;$p")
done
img_index "${index[@]}" "a line no server should write" "busybox;test;$IMG_ARCH;default;20200101_00:00;/images/../../etc/"
img_start_server main $P || { fail images_download_server "$(cat $IMG/server-$P.log)"; exit 0; }

get() { as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" create -n "$1" -t download -- -d busybox -r "$2" --server $S "${@:3}" 2>&1; }
rootfs_count() { img_requests $P "rootfs.tar.xz 200"; }
nothing_of() {  # nothing_of NAME: no container directory, not in uxc ls
  [ ! -e $data/$1 ] || { echo "$data/$1 exists: $(ls -A $data/$1)"; return 1; }
  ! uxc_as $U ls | grep -qx "$1" || { echo "uxc ls shows $1"; return 1; }
}
no_partials() {
  local left
  left=$(find /home/$U/.cache/uxc/images -name '.partial-*' -o -name '.nocache-*' 2>/dev/null)
  [ -z "$left" ] || { echo "left: $left"; return 1; }
}

# ---------------------------------------------------------------- a create
out=$(get bb1 test); status=$?
check images_download_create test "$status" = 0 -a -n "$(grep -x 'Created container bb1' <<<"$out")"
r=$data/bb1/rootfs
check images_download_devices_line grep -qx 'Skipped 3 device nodes of the image: uxc creates /dev at every start' <<<"$out"
check images_download_create_message grep -qx 'You just created a busybox test container (build 20260101_00:00).' <<<"$out"
check images_download_not_a_terminal_no_progress test -z "$(grep -e Downloading -e Unpacking <<<"$out")"
check images_download_template_hostname test "$(cat $r/etc/hostname)" = bb1
check images_download_template_hosts grep -qx '127.0.1.1 bb1' $r/etc/hosts
check images_download_excludes_honoured test ! -e $r/etc/excluded-by-image
check images_download_no_device_nodes test -d $r/dev -a ! -e $r/dev/null -a ! -e $r/dev/console
check images_download_shadow_owner test "$(stat -c %u:%g:%a $r/etc/shadow)" = 100000:100042:640
check images_download_user_owner test "$(stat -c %u:%g $r/home/user/file)" = 101000:101000
check images_download_hard_link test "$(stat -c %i:%h $r/usr/bin/hard-a)" = "$(stat -c %i:%h $r/usr/bin/hard-b)" -a "$(stat -c %h $r/usr/bin/hard-a)" = 2
check images_download_setuid test "$(stat -c %a:%u $r/usr/bin/suid)" = 4755:100000
caps=$($PYTHON -c 'import os,struct,sys; v=os.getxattr(sys.argv[1],"security.capability"); m=struct.unpack("<I",v[:4])[0]; print(len(v), m>>24, struct.unpack("<I",v[20:24])[0] if len(v)==24 else "-")' $r/usr/bin/pinger 2>&1)
check images_download_file_capability_namespaced test "$caps" = "24 3 100000"
check images_download_sparse test "$(stat -c %s $r/var/lib/sparse)" = $((64 * 1024 * 1024 + 4)) -a "$(stat -c %b $r/var/lib/sparse)" -lt 1024
check images_download_long_name test "$(cat $r/var/lib/d*/e*/f*)" = long
check images_download_fifo test -p $r/run/fifo
c=$data/bb1/config
check images_download_config_records_image grep -qx -e 'uxc.image.dist = busybox' $c
check images_download_config_records_release grep -qx 'uxc.image.release = test' $c
check images_download_config_records_arch grep -qx "uxc.image.arch = $IMG_ARCH" $c
check images_download_config_arch grep -qx "lxc.arch = $(uname -m)" $c
# LXC's shared configs stay included, as LXC writes them; uxc reads its
# own equivalents in their place (the container runs, below).
check images_download_config_includes_kept grep -qx 'lxc.include = LXC_TEMPLATE_CONFIG/common.conf' $c
# In the container, a user who runs the file gains the capability: the
# namespaced capability belongs to the container's root.
out=$(uxc_as $U start -n bb1 -F -- /bin/sh -c 'hostname; stat -c %u:%g /etc/shadow
  su -s /bin/sh user -c "grep CapEff /proc/self/status; /usr/lib/caps/cat /proc/self/status | grep CapEff"' 2>&1)
check images_download_runs test "$out" = "bb1
0:42
CapEff:	0000000000000000
CapEff:	0000000000002000"
check images_download_one_download test "$(rootfs_count)" = 1
# The cache holds the user's rootfs tarballs: its directories are the
# user's alone, and one an older uxc left open is closed.
open_dirs() { find "$1" -type d ! -perm 700 -printf '%m %p\n'; }
check images_download_cache_private test "$(stat -c %a /home/$U/.cache/uxc/images):$(open_dirs /home/$U/.cache/uxc/images)" = "700:"
as_user $U mkdir -p -m 755 /home/$U/oldcache/uxc/images
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" XDG_CACHE_HOME=/home/$U/oldcache "$UXC" create -n oldc -t download -- -d busybox -r test --server $S 2>&1); status=$?
check images_download_old_cache_created test "$status" = 0
check images_download_old_cache_closed test "$(stat -c %a /home/$U/oldcache/uxc/images):$(open_dirs /home/$U/oldcache/uxc/images)" = "700:"
check images_download_old_cache_destroy uxc_as $U destroy oldc
check images_download_compat_index_first grep -q "GET /meta/1.0/index-user.7 404" $IMG/requests-$P

# ------------------------------------------------------------------ cache
# The first unpack leaves a zstd copy of the decompressed tar, recorded in
# the build's sums; later creates unpack that.
b=$cache/test/$IMG_ARCH/default/20260101_00:00
check images_download_zstd_copy_made test -f $b/rootfs.tar.zst -a ! -e $b/.rootfs.tar.zst.partial
check images_download_zstd_copy_is_the_tar cmp -s <(zstd -dc $b/rootfs.tar.zst) <(xz -dc $b/rootfs.tar.xz)
check images_download_zstd_copy_recorded grep -qx "$(sha256sum <$b/rootfs.tar.zst | cut -d' ' -f1)  rootfs.tar.zst" $b/.sums
before=$(wc -l <$IMG/requests-$P)
out=$(get bb2 test); status=$?
check images_download_cache_hit_no_request test "$status:$(wc -l <$IMG/requests-$P)" = "0:$before"
# A damaged copy is dropped and made again from rootfs.tar.xz.
truncate -s 1000 $b/rootfs.tar.zst
out=$(get bb2z test); status=$?
check images_download_zstd_copy_damaged_still_creates test "$status" = 0 -a "$(cat $data/bb2z/rootfs/etc/hostname 2>&1)" = bb2z
check images_download_zstd_copy_remade cmp -s <(zstd -dc $b/rootfs.tar.zst) <(xz -dc $b/rootfs.tar.xz)
# A damaged download (a crash cut it short): downloaded again.
rm $b/rootfs.tar.zst && truncate -s 1000 $b/rootfs.tar.xz
n=$(rootfs_count)
out=$(get bb2x test); status=$?
check images_download_damaged_cache_downloaded_again test "$status:$(rootfs_count)" = "0:$((n + 1))"
check images_download_damaged_cache_says_so grep -qF "The cached busybox test $IMG_ARCH (default) is damaged: downloading it again" <<<"$out"
img_stop_server $P
out=$(get bb3 test); status=$?
check images_download_cache_hit_server_down test "$status" = 0 -a -f $data/bb3/config
check images_download_cache_hit_rootfs test "$(cat $data/bb3/rootfs/etc/hostname)" = bb3
out=$(get nocache test --no-cache); status=$?
check images_download_no_cache_needs_server test "$status" = 1 -a -n "$(grep -F "cannot reach $S" <<<"$out")"
check images_download_no_cache_failure_nothing_left nothing_of nocache
img_start_server main $P

# An expired build: the index is asked again, the build is reused while it
# is the newest, and a server that is down is no reason to fail.
get old1 old >/dev/null
n=$(rootfs_count); i=$(img_requests $P "index-user 200")
out=$(get old2 old); status=$?
check images_download_expired_asks_index test "$status:$(img_requests $P "index-user 200")" = "0:$((i + 1))"
check images_download_expired_same_build_reused test "$(rootfs_count)" = "$n"
img_stop_server $P
out=$(get old3 old); status=$?
check images_download_expired_server_down_uses_cache test "$status" = 0 -a -f $data/old3/config
check images_download_expired_server_down_says_so grep -q "cannot reach $S.*using the cached busybox old $IMG_ARCH (default), build 20250101_00:00" <<<"$out"
out=$(get old4 old --force-cache); status=$?
check images_download_force_cache test "$status" = 0
img_start_server main $P

n=$(rootfs_count)
out=$(get flushed test --flush-cache); status=$?
check images_download_flush_cache_downloads test "$status:$(rootfs_count)" = "0:$((n + 1))"
n=$(rootfs_count)
out=$(get private test --no-cache); status=$?
check images_download_no_cache_downloads test "$status:$(rootfs_count)" = "0:$((n + 1))"
check images_download_no_cache_leaves_nothing no_partials

out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" image ls 2>&1)
check images_download_image_ls test -n "$(grep -E "^$S +busybox +test +$IMG_ARCH +default +20260101_00:00 +[0-9.]+ (KiB|MiB) +[0-9-]+$" <<<"$out")" -a \
  -n "$(grep -E "^$S +busybox +old .* \(expired\)$" <<<"$out")"
# The same as JSON (docs/json.md), and a cache directory whose name holds
# a quote, an escape sequence, a newline and non-ASCII text: escaped, never
# passed through.
json=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" image ls --format json 2>&1)
check images_download_image_ls_json python3 "$(dirname "$0")/json_check.py" images <<<"$json"
check images_download_image_ls_json_fields python3 -c 'import json,sys; l=json.loads(sys.argv[1])
t=[i for i in l if i["release"]=="test"][0]; o=[i for i in l if i["release"]=="old"][0]
assert t["server"]==sys.argv[2] and t["dist"]=="busybox" and t["arch"]==sys.argv[3] and t["variant"]=="default"
assert t["build"]=="20260101_00:00" and t["current"] is True and t["size_bytes"]>1000 and t["expired"] is False
assert t["path"].endswith("/busybox/test/"+sys.argv[3]+"/default/20260101_00:00")
assert o["expired"] is True and type(o["expires"]) is int' "$json" "$S" "$IMG_ARCH"
odd=$'q"\\\e[2J\nd\u00e9'
as_user $U mkdir -p "/home/$U/.cache/uxc/images/$S/$odd/r/a/v/20260101_00:00"
json=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" image ls --format json 2>&1)
check images_download_image_ls_json_odd_name python3 "$(dirname "$0")/json_check.py" images <<<"$json"
check images_download_image_ls_json_escaped grep -qF '"dist":"q\"\\\u001b[2J\nd\u00e9"' <<<"$json"
check images_download_image_ls_json_round_trip python3 -c 'import json,sys; l=json.loads(sys.argv[1])
assert [i for i in l if i["dist"]==sys.argv[2]][0]["size_bytes"]==0' "$json" "$odd"
as_user $U rm -r "/home/$U/.cache/uxc/images/$S/$odd"
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" image ls --format yaml 2>&1); status=$?
check images_download_image_ls_format_usage test "$status:$out" = "2:uxc image ls: --format takes only 'json' (try 'uxc image ls --help')"
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" image rm -d busybox -r old 2>&1); status=$?
check images_download_image_rm test "$status" = 0 -a -n "$(grep "^Removed busybox old $IMG_ARCH (default) 20250101_00:00 from $S" <<<"$out")"
check images_download_image_rm_gone test -z "$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" image ls | grep ' old ')"
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" image rm 2>&1); status=$?
check images_download_image_rm_needs_what test "$status" = 2

# Three creates of an image not in the cache: one download.
as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" image rm -d busybox -r test >/dev/null
n=$(rootfs_count)
for i in 1 2 3; do (get par$i test >$IMG/par$i.out; echo $? >$IMG/par$i.status) & done
wait $(jobs -p | grep -v -x -e "${IMG_SERVER_PID[$P]:-none}")
check images_download_concurrent_all_created test "$(cat $IMG/par1.status $IMG/par2.status $IMG/par3.status | tr -d '\n')" = 000
check images_download_concurrent_one_download test "$(rootfs_count)" = "$((n + 1))"

# A download killed halfway: never a cache entry, cleaned by the next one.
(get killed slow >$IMG/killed.out 2>&1) &
for i in $(seq 200); do ls -d $cache/slow/*/*/.partial-* >/dev/null 2>&1 && break; sleep 0.05; done
pkill -KILL -u $U -f 'uxc-image fetch'
wait $(jobs -p | grep -v -x -e "${IMG_SERVER_PID[$P]:-none}")
check images_download_killed_download_fails test -n "$(grep -F 'uxc-image was killed' $IMG/killed.out)"
check images_download_killed_nothing_left nothing_of killed
check images_download_killed_no_build test -z "$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" image ls | grep ' slow ')"
rm $IMG_ROOT$p_slow/rootfs.tar.xz.slow
out=$(get slow1 slow); status=$?
check images_download_after_kill test "$status" = 0
check images_download_after_kill_partial_removed no_partials

# A download is unpacked as it arrives (300 ms per 64 KiB here): files
# of the image are in the new container while the download is still
# short of its size, and the build is a cache entry only at the end.
full=$(stat -c %s $IMG_ROOT$p_stream/rootfs.tar.xz)
(get streamed stream >$IMG/streamed.out 2>&1; echo $? >$IMG/streamed.status) &
members=0 got=
for i in $(seq 600); do
  members=$(find $data/streamed/rootfs -mindepth 1 2>/dev/null | wc -l)
  got=$(stat -c %s $cache/stream/*/*/.partial-*/rootfs.tar.xz 2>/dev/null | head -1)
  [ "$members" -gt 0 ] && break
  sleep 0.05
done
cached_meanwhile=$(ls $cache/stream/*/default/ 2>/dev/null | tr '\n' ' ')
wait $(jobs -p | grep -v -x -e "${IMG_SERVER_PID[$P]:-none}")
overlapped() {
  [ "$members" -gt 0 ] && [ -n "$got" ] && [ "$got" -lt "$full" ] ||
    { echo "$members members in the rootfs with ${got:-no} of $full bytes downloaded"; return 1; }
}
tree_of() { (cd "$1" && find . ! -path ./etc/hostname ! -path ./etc/hosts -printf '%p %y %m %U %G %s %l\n' | sort); }
check images_download_streamed_created test "$(cat $IMG/streamed.status)" = 0
check images_download_streamed_unpacks_while_downloading overlapped
check images_download_streamed_not_cached_meanwhile test -z "$cached_meanwhile"
check images_download_streamed_cached_after test -n "$(ls $cache/stream/*/default/current 2>/dev/null)"
out=$(get streamed2 stream); status=$?
check images_download_streamed_same_as_cached test "$status" = 0 -a "$(tree_of $data/streamed/rootfs)" = "$(tree_of $data/streamed2/rootfs)"
rm $IMG_ROOT$p_stream/rootfs.tar.xz.slow

# A full disk under the cache: the download fails, nothing is cached.
mkdir -p $IMG/smallcache && mount -t tmpfs -o size=256k,uid=$(id -u $U),gid=$(id -g $U) tmpfs $IMG/smallcache
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" XDG_CACHE_HOME=$IMG/smallcache "$UXC" create -n full1 -t download -- -d busybox -r test --server $S 2>&1); status=$?
check images_download_cache_disk_full_fails test "$status" = 1 -a -n "$(grep -F 'No space left on device (free some space, or remove cached images' <<<"$out")"
check images_download_cache_disk_full_nothing_cached test -z "$(find $IMG/smallcache -name 'rootfs*' -o -name '.partial-*' -o -name current)"
check images_download_cache_disk_full_no_container nothing_of full1
umount $IMG/smallcache

# ----------------------------------------------------------------- errors
out=$(get cut1 cut); status=$?
check images_download_truncated_fails test "$status" = 1 -a -n "$(grep -F 'stopped before its end' <<<"$out")"
check images_download_truncated_nothing_left nothing_of cut1
check images_download_truncated_not_cached test -z "$(ls $cache/cut/*/default/ 2>/dev/null)"
check images_download_truncated_no_partial no_partials
out=$(get sum1 badsum); status=$?
check images_download_bad_sha256_fails test "$status" = 1 -a -n "$(grep -F 'rootfs.tar.xz from localhost:8443 does not match its SHA256SUMS' <<<"$out")"
check images_download_bad_sha256_nothing_left nothing_of sum1
check images_download_bad_sha256_not_cached test -z "$(ls $cache/badsum/*/default/ 2>/dev/null)"
check images_download_bad_sha256_no_partial no_partials
out=$(get meta1 badmeta); status=$?
check images_download_bad_meta_sha256_fails test "$status" = 1 -a -n "$(grep -F 'meta.tar.xz from localhost:8443 does not match its SHA256SUMS' <<<"$out")"
check images_download_bad_meta_sha256_nothing_left nothing_of meta1
check images_download_bad_meta_sha256_not_cached test -z "$(ls $cache/badmeta/*/default/ 2>/dev/null)"
check images_download_bad_meta_sha256_no_partial no_partials
out=$(get nosums1 nosums); status=$?
check images_download_without_sha256sums test "$status" = 0
out=$(get evil1 evil); status=$?
check images_download_hostile_refused test "$status" = 1 -a -n "$(grep -F "the image is refused: its member '../../../../../../escaped' would land outside the rootfs" <<<"$out")"
check images_download_hostile_nothing_left nothing_of evil1
check images_download_hostile_no_zstd_copy test -z "$(ls -A $cache/evil/*/default/*/ | grep zst)"
# Refused early in a download: the download stops, nothing is cached,
# and the error is the unpack's.
out=$(get evil2 evilbig); status=$?
check images_download_hostile_streamed_refused test "$status" = 1 -a -n "$(grep -F "the image is refused: its member '../../../../../../escaped' would land outside the rootfs" <<<"$out")"
check images_download_hostile_streamed_nothing_left nothing_of evil2
check images_download_hostile_streamed_download_stopped test -z "$(ls $cache/evilbig/*/default/ 2>/dev/null)"
check images_download_hostile_streamed_no_partial no_partials
check images_download_hostile_nothing_escaped test -z "$(find /home /tmp /run -name escaped 2>/dev/null)"
out=$(get x1 tset); status=$?
check images_download_unknown_release test "$status:$(tail -1 <<<"$out")" = "1:uxc create: no release 'tset' of busybox on $S (did you mean 'test'?); busybox releases: badmeta, badsum, cut, evil, evilbig, nosums, old, slow, stream, test (choose one with -r)"
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" create -n x2 -t download -- -d busybx -r test --server $S 2>&1); status=$?
check images_download_unknown_dist test "$status:$(tail -1 <<<"$out")" = "1:uxc create: no distribution 'busybx' on $S (did you mean 'busybox'?); it offers: busybox (choose one with -d)"
out=$(get x3 test -a s390x); status=$?
check images_download_unknown_arch grep -qF "busybox test is not offered for s390x on $S; architectures: $IMG_ARCH (choose one with -a)" <<<"$out"
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" create -n x4 -t download -- -d busybox -r test --server localhost:8449 --no-cache 2>&1); status=$?
check images_download_unreachable test "$status" = 1 -a -n "$(grep -E "^uxc create: cannot reach localhost:8449: .*(onnect|refused)" <<<"$out")"
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" create -n x5 -t download -- -d busybox -r test --server http://$S 2>&1); status=$?
check images_download_no_plain_http grep -qF "images come only over HTTPS" <<<"$out"
img_start_server rogue 8444
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" create -n x6 -t download -- -d busybox -r test --server localhost:8444 2>&1); status=$?
check images_download_untrusted_ca test "$status" = 1 -a -n "$(grep -F 'cannot verify the TLS certificate of localhost:8444' <<<"$out")" -a -n "$(grep -F 'update-ca-certificates' <<<"$out")"
check images_download_untrusted_nothing_cached test ! -e /home/$U/.cache/uxc/images/localhost:8444/busybox/test/$IMG_ARCH/default/current
for n in x1 x2 x3 x4 x5 x6; do nothing_of $n >/dev/null || fail images_download_errors_leave_nothing "$n"; done
img_stop_server 8444

# The server named by no --server: the administrator's uxc.conf, unless the
# user's own names one.
mkdir -p /etc/uxc && printf '[images]\nserver = %s\n' $S >/etc/uxc/uxc.conf
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" create -n admsrv -t download -- -d busybox -r test 2>&1); status=$?
check images_download_admin_server test "$status" = 0 -a "$(grep -x 'uxc.image.server = .*' $data/admsrv/config)" = "uxc.image.server = $S"
as_user $U sh -c "printf '[images]\nserver = localhost:8449\n' >/home/$U/.config/uxc/uxc.conf"
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" create -n usrsrv -t download -- -d busybox -r test 2>&1); status=$?
check images_download_user_server_wins test "$status" = 1 -a -n "$(grep -F 'cannot reach localhost:8449' <<<"$out")"
rm /home/$U/.config/uxc/uxc.conf /etc/uxc/uxc.conf

# Progress on a terminal, not with --quiet.
as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" image rm -d busybox -r test >/dev/null
out=$(as_user $U script -qec "env UXC_HELPER_DIR=$WORLD_BIN $UXC create -n tty1 -t download -- -d busybox -r test --server $S" /dev/null 2>&1)
check images_download_progress_on_terminal grep -qE 'Downloading and unpacking busybox test: [0-9.]+ [KM]iB of [0-9.]+ [KM]iB' <<<"$out"
out=$(as_user $U script -qec "env UXC_HELPER_DIR=$WORLD_BIN $UXC create -n tty3 -t download -- -d busybox -r test --server $S" /dev/null 2>&1)
check images_download_progress_unpacking grep -q 'Unpacking busybox test' <<<"$out"
out=$(as_user $U script -qec "env UXC_HELPER_DIR=$WORLD_BIN $UXC create -q -n tty2 -t download -- -d busybox -r test --server $S" /dev/null 2>&1)
check images_download_quiet_on_terminal test "$(tr -d '\r' <<<"$out")" = "You just created a busybox test container (build 20260101_00:00)."

out=$(uxc_as $U ls -F NAME,IMAGE,DIST,RELEASE,ARCH 2>&1)
check images_download_ls_header grep -Eq '^NAME +IMAGE +DIST +RELEASE +ARCH$' <<<"$out"
check images_download_ls_image_column grep -Eq "^bb1 +busybox test $IMG_ARCH +busybox +test +$IMG_ARCH$" <<<"$out"
check images_download_ls_json grep -qF "{\"name\":\"bb1\",\"state\":\"STOPPED\",\"autostart\":false,\"groups\":[],\"ipv4\":[],\"ipv6\":[],\"unprivileged\":true,\"pid\":null,\"interfaces\":[],\"memory_bytes\":null,\"image\":{\"dist\":\"busybox\",\"release\":\"test\",\"arch\":\"$IMG_ARCH\",\"variant\":\"default\",\"build\":\"20260101_00:00\",\"server\":\"$S\"}}" <<<"$(uxc_as $U ls --format json)"
out=$(uxc_as $U ls -F NAME,COLOUR 2>&1); status=$?
check images_download_ls_unknown_field test "$status" = 2 -a -n "$(grep -F "unknown column 'COLOUR'" <<<"$out")"

# ------------------------------------------------- -t download -- --list
# LXC's listing of what the server offers, filtered by -d/-r/-a/--variant;
# no name needed, nothing created.
list() { as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" create "$@" 2>&1; }
tab=$'\t'
out=$(list -t download -- --list --server $S); status=$?
check images_download_list test "$status:$(sed -n '1,3p' <<<"$out" | tr '\n' '|')" = "0:---|DIST${tab}RELEASE${tab}ARCH${tab}VARIANT${tab}BUILD|---|"
check images_download_list_entries test "$(grep -c "^busybox$tab" <<<"$out"):$(tail -1 <<<"$out")" = "10:---"
check images_download_list_line grep -qx "busybox${tab}test${tab}$IMG_ARCH${tab}default${tab}20260101_00:00" <<<"$out"
out=$(list lst -t download -- -l -r old --server $S); status=$?
check images_download_list_filtered test "$status:$(sed -n 4p <<<"$out"):$(wc -l <<<"$out")" = "0:busybox${tab}old${tab}$IMG_ARCH${tab}default${tab}20250101_00:00:5"
check images_download_list_creates_nothing nothing_of lst
out=$(list -t download -- --list -d fedora -a $IMG_ARCH --server $S); status=$?
check images_download_list_no_match test "$status:$out" = \
  "1:uxc create: $S offers no image that matches -d fedora -a $IMG_ARCH (--list without them shows all it offers)"
out=$(list -t download -- --list --force-cache --server $S); status=$?
check images_download_list_usage test "$status:$out" = "2:uxc create: --list asks the server for its images: it takes -d, -r, -a, --variant and --server as filters, not --flush-cache, --force-cache or --no-cache (try 'uxc create --help')"
out=$(list -t download -- --list --server localhost:8449); status=$?
check images_download_list_unreachable test "$status:$(wc -l <<<"$out")" = 1:1 -a -n "$(grep -E '^uxc create: cannot reach localhost:8449: ' <<<"$out")"

# ------------------------------------- -t local -- -m META -f ROOTFS
# An image's two tarballs, as distrobuilder writes them (here the image
# server's own): the metadata is honoured as download honours it.
sp=/home/$U/split
as_user $U mkdir -p $sp
cp $IMG_ROOT$p_test/meta.tar.xz $IMG_ROOT$p_test/rootfs.tar.xz $sp/ && chown $U: $sp/*
out=$(list split1 -t local -- -m $sp/meta.tar.xz -f $sp/rootfs.tar.xz); status=$?
check images_download_split_created test "$status" = 0 -a -n "$(grep -x 'Created container split1' <<<"$out")"
check images_download_split_create_message grep -qx 'You just created a busybox test container (build 20260101_00:00).' <<<"$out"
r=$data/split1/rootfs
check images_download_split_template_hostname test "$(cat $r/etc/hostname)" = split1
check images_download_split_excludes test ! -e $r/etc/excluded-by-image
check images_download_split_owners test "$(stat -c %u:%g:%a $r/etc/shadow)" = 100000:100042:640
check images_download_split_config grep -qx "lxc.arch = $(uname -m)" $data/split1/config
check images_download_split_config_source grep -qx "# Distribution configuration, from $sp/meta.tar.xz" $data/split1/config
check images_download_split_runs test "$(uxc_as $U start split1 -F -- /bin/cat /etc/hostname 2>&1)" = split1
check images_download_split_no_private_dir no_partials
check images_download_split_destroy uxc_as $U destroy split1
# Malformed input: one line that says what is wrong, nothing on disk.
mkdir -p $IMG/noconf && echo /etc/hostname >$IMG/noconf/templates
tar -C $IMG/noconf -cJf $sp/noconf.tar.xz . && chown $U: $sp/noconf.tar.xz
out=$(list split2 -t local -- -m $sp/noconf.tar.xz -f $sp/rootfs.tar.xz); status=$?
check images_download_split_meta_without_config test "$status:$out" = "1:uxc create: $sp/noconf.tar.xz has no config file (config-user or config): -m takes an image's metadata tarball, the meta.tar.xz that distrobuilder or an image server makes next to rootfs.tar.xz"
check images_download_split_meta_without_config_nothing_left nothing_of split2
check images_download_split_meta_without_config_no_private_dir no_partials
head -c 3000 /dev/urandom >$sp/garbage.tar.xz && chown $U: $sp/garbage.tar.xz
out=$(list split3 -t local -- -m $sp/garbage.tar.xz -f $sp/rootfs.tar.xz); status=$?
if [ "$status:$(wc -l <<<"$out")" = 1:1 ] && grep -qE "^uxc create: $sp/garbage.tar.xz is not a tarball uxc can read \(.*\): give the metadata tarball of an image \(meta.tar.xz\)$" <<<"$out"; then
  pass images_download_split_meta_garbage
else
  fail images_download_split_meta_garbage "status $status: $out"
fi
check images_download_split_meta_garbage_nothing_left nothing_of split3
check images_download_split_meta_garbage_no_private_dir no_partials
out=$(list split4 -t local -- -m $sp/nope.tar.xz -f $sp/rootfs.tar.xz); status=$?
check images_download_split_meta_missing test "$status:$out" = "1:uxc create: the metadata tarball $sp/nope.tar.xz does not exist"
check images_download_split_meta_missing_nothing_left nothing_of split4
out=$(list split5 -t local -- -m $sp/meta.tar.xz -f $sp/nope.tar.xz); status=$?
check images_download_split_rootfs_missing test "$status:$out" = "1:uxc create: the rootfs $sp/nope.tar.xz does not exist"
check images_download_split_rootfs_missing_nothing_left nothing_of split5
out=$(list split6 -t local -- -m $sp/meta.tar.xz); status=$?
check images_download_split_meta_alone test "$status:$out" = "2:uxc create: -m META needs the rootfs that goes with it: -f ROOTFS (try 'uxc create --help')"
# A rootfs that is not a tarball, with good metadata: the half-made
# container goes, and so does the metadata's private directory.
out=$(list split7 -t local -- -m $sp/meta.tar.xz -f $sp/garbage.tar.xz); status=$?
check images_download_split_rootfs_garbage test "$status" = 1 -a -n "$(grep -F "is not a tarball uxc can read" <<<"$out")"
check images_download_split_rootfs_garbage_nothing_left nothing_of split7
check images_download_split_rootfs_garbage_no_private_dir no_partials

img_stop_server $P
expected=$(printf '%s\n' admsrv bb1 bb2 bb2x bb2z bb3 flushed nosums1 old1 old2 old3 old4 par1 par2 par3 private slow1 streamed streamed2 tty1 tty2 tty3)
check images_download_ls_no_ghosts test "$(uxc_as $U ls)" = "$expected"
for c in $expected; do uxc_as $U destroy -n $c >/dev/null || fail images_download_destroy "$c"; done
check images_download_all_destroyed test -z "$(ls -A $data | grep -Fvx .runtime)"
