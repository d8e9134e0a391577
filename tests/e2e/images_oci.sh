#!/usr/bin/env bash
# uxc create -t oci: OCI image layouts (a directory and a tarball of one,
# through a nested image index to this machine's manifest) and docker save
# archives, their layers (plain, gzip, zstd) applied in order with
# whiteouts and opaque directories honoured, owners mapped, the image's
# Cmd and Env in the config; a wrong digest, an unknown tag, a layer that
# escapes the rootfs and a broken index.json refused with nothing left.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"
source "$(dirname "$0")/images_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail images_oci_built "$UXC was not built"; exit 0; }
[ -x "$WORLD_BIN/uxc-image" ] || { fail images_oci_built "uxc-image was not built"; exit 0; }
have_idmap || { fail images_oci_built "uxc-idmap was not built"; exit 0; }
write_plain_default_conf $U 100000
data=/home/$U/.local/share/uxc
SRC=$IMG/oci
mkdir -p $SRC && chmod 755 $IMG $SRC
build() { "$PYTHON" "$UXC_SRC/tests/e2e/oci_image.py" "$@" --busybox /bin/busybox --arch "$IMG_ARCH"; }
build oci $SRC/layout || { fail images_oci_build "the OCI layout could not be built"; exit 0; }
build docker $SRC/saved.tar || { fail images_oci_build "the docker archive could not be built"; exit 0; }
tar -C $SRC/layout -cf $SRC/layout.tar . && gzip -1 -c $SRC/saved.tar >$SRC/saved.tar.gz
chmod -R a+rX $SRC

nothing_of() {
  [ ! -e $data/$1 ] || { echo "$data/$1 exists: $(ls -A $data/$1)"; return 1; }
  ! uxc_as $U ls | grep -qx "$1" || { echo "uxc ls shows $1"; return 1; }
}
# layered NAME: the tree the three layers make together.
layered() {
  local r=$data/$1/rootfs
  [ ! -e $r/etc/removed ] || { echo "etc/removed survived its whiteout"; return 1; }
  [ "$(ls -A $r/opt/data | tr '\n' ' ')" = "c " ] || { echo "opt/data holds: $(ls -A $r/opt/data)"; return 1; }
  [ "$(cat $r/opt/data/c)" = "c from layer two" ] || { echo "opt/data/c: $(cat $r/opt/data/c)"; return 1; }
  [ "$(ls -A $r/srv/old | tr '\n' ' ')" = "new " ] || { echo "srv/old holds: $(ls -A $r/srv/old)"; return 1; }
  [ -z "$(find $r -name '.wh.*')" ] || { echo "whiteout files in the rootfs: $(find $r -name '.wh.*')"; return 1; }
  [ -f $r/var/becomes-file ] && [ "$(cat $r/var/becomes-file)" = "a file now" ] || { echo "var/becomes-file: $(ls -ld $r/var/becomes-file)"; return 1; }
  [ "$(cat $r/etc/motd)" = "layer three" ] || { echo "motd: $(cat $r/etc/motd)"; return 1; }
  [ "$(stat -c %u:%g:%a $r/etc/shadow)" = 100000:100042:640 ] || { echo "shadow: $(stat -c %u:%g:%a $r/etc/shadow)"; return 1; }
  [ "$(stat -c %u:%g $r/home/user/file)" = 101000:101000 ] || { echo "user file: $(stat -c %u:%g $r/home/user/file)"; return 1; }
  [ "$(stat -c %a:%u $r/usr/bin/suid)" = 4755:100000 ] || { echo "suid: $(stat -c %a:%u $r/usr/bin/suid)"; return 1; }
  [ "$(stat -c %a:%u $r/tmp)" = 1777:100000 ] || { echo "tmp: $(stat -c %a:%u $r/tmp)"; return 1; }
  [ -d $r/dev ] && [ ! -e $r/dev/null ] || { echo "dev: $(ls -l $r/dev)"; return 1; }
}
# configured NAME: the image's Cmd and Env in the config, and the record.
configured() {
  local c=$data/$1/config
  grep -qx 'lxc.init.cmd = /bin/cat /etc/motd' $c || { echo "no init.cmd: $(grep init $c)"; return 1; }
  grep -qx 'lxc.environment = GREETING=hello' $c || { echo "no GREETING: $(grep environment $c)"; return 1; }
  grep -qx 'lxc.environment = PATH=/usr/bin:/bin' $c || { echo "no PATH: $(grep environment $c)"; return 1; }
  grep -qx 'lxc.init.cwd = /opt' $c || { echo "no init.cwd: $(grep init $c)"; return 1; }
  grep -qx "uxc.image.arch = $IMG_ARCH" $c || { echo "no arch: $(grep uxc.image $c)"; return 1; }
  grep -qx 'uxc.image.dist = busybox' $c || { echo "no dist: $(grep uxc.image $c)"; return 1; }
  grep -q '^uxc.image.build = sha256:[0-9a-f]\{12\}$' $c || { echo "no build: $(grep uxc.image $c)"; return 1; }
}

# ------------------------------------------------------------ good images
for kind in layout layout.tar saved.tar saved.tar.gz; do
  n=${kind//./-}
  case $kind in layout*) arg=$SRC/$kind:latest ;; *) arg=$SRC/$kind:busybox:latest ;; esac
  out=$(uxc_as $U create -n "$n" -t oci -- "$arg" 2>&1); status=$?
  t=images_oci_${n//-/_}
  check "${t}_created" test "$status" = 0 -a -n "$(grep -x "Created container $n" <<<"$out")"
  check "${t}_devices_line" grep -qx 'Skipped 1 device node of the image: uxc creates /dev at every start' <<<"$out"
  check "${t}_left_out_named" grep -qx "  ExposedPorts (\"80/tcp\") are not carried over: the container has its own network" <<<"$out"
  check "${t}_layers_applied" layered "$n"
  check "${t}_config" configured "$n"
done
# The image's own command, with its environment, is what the container runs.
check images_oci_runs_cmd test "$(uxc_as $U start -n layout -F 2>&1)" = "layer three"
check images_oci_runs_with_env test "$(uxc_as $U start -n layout -F -- /bin/sh -c 'echo $GREETING' 2>&1)" = hello
check images_oci_runs_in_workdir test "$(uxc_as $U start -n layout -F -- /bin/sh -c 'echo $PWD' 2>&1)" = /opt
# The layout's image runs as User "user", looked up in its /etc/passwd;
# the docker archive's as User 1000:1000.
check images_oci_user_name_resolved grep -qx 'lxc.init.uid = 1000' $data/layout/config
check images_oci_user_name_group grep -qx 'lxc.init.gid = 1000' $data/layout/config
check images_oci_runs_as_named_user test "$(uxc_as $U start -n layout -F -- /bin/sh -c 'echo $(id -u):$(id -g)' 2>&1)" = 1000:1000
check images_oci_user_recorded grep -qx 'lxc.init.uid = 1000' $data/saved-tar/config
check images_oci_group_recorded grep -qx 'lxc.init.gid = 1000' $data/saved-tar/config
check images_oci_runs_as_user test "$(uxc_as $U start -n saved-tar -F -- /bin/sh -c 'echo $(id -u):$(id -g):$(id -G)' 2>&1)" = 1000:1000:1000
check images_oci_runs_cmd_as_user test "$(uxc_as $U start -n saved-tar -F 2>&1)" = "layer three"
check images_oci_ls_shows_image grep -qx "layout *busybox *1.36 *$IMG_ARCH" <<<"$(uxc_as $U ls -F NAME,DIST,RELEASE,ARCH 2>&1)"
# The only image of an archive needs no tag; a tag without ':' means :latest.
check images_oci_docker_untagged uxc_as $U create -n d-untagged -t oci -- $SRC/saved.tar
check images_oci_docker_latest_implied uxc_as $U create -n d-latest -t oci -- $SRC/saved.tar:busybox
check images_oci_layout_other_tag uxc_as $U create -n l-other -t oci -- $SRC/layout:other
check images_oci_layout_other_tag_layered layered l-other

# ------------------------------------------------------------ choices refused
out=$(uxc_as $U create -n untagged -t oci -- $SRC/layout 2>&1); status=$?
check images_oci_several_images_need_tag test "$status" = 1 -a -n "$(grep -F 'holds 2 images ("latest", "other"): name one as PATH:TAG' <<<"$out")"
check images_oci_several_images_nothing_left nothing_of untagged
out=$(uxc_as $U create -n unknown -t oci -- $SRC/layout:nosuch 2>&1); status=$?
check images_oci_unknown_tag_lists_tags test "$status" = 1 -a -n "$(grep -F 'no image tagged "nosuch"; its tags: "latest", "other"' <<<"$out")"
check images_oci_unknown_tag_nothing_left nothing_of unknown
out=$(uxc_as $U create -n unknown -t oci -- $SRC/saved.tar:busybox:2 2>&1); status=$?
check images_oci_unknown_docker_tag_lists_tags test "$status" = 1 -a -n "$(grep -F 'its tags: "busybox:latest", "busybox:1.36"' <<<"$out")"
check images_oci_unknown_docker_tag_nothing_left nothing_of unknown
out=$(uxc_as $U create -n plain -t oci -- /bin/busybox 2>&1); status=$?
check images_oci_not_an_image_refused test "$status" = 1 -a -n "$(grep -F 'not an OCI layout or docker save archive' <<<"$out")"
check images_oci_not_an_image_nothing_left nothing_of plain

# ------------------------------------------------------------ damaged images
# A layer whose bytes are not the ones its digest names: refused before
# anything is applied, and the half-made container is gone.
cp -a $SRC/layout $SRC/bad-layer
layer=$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["layers"][1]["digest"][7:])' \
  $SRC/bad-layer/blobs/sha256/$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][1]["digest"][7:])' $SRC/layout/index.json))
printf 'X' | dd of=$SRC/bad-layer/blobs/sha256/$layer bs=1 seek=40 conv=notrunc status=none
out=$(uxc_as $U create -n bad-layer -t oci -- $SRC/bad-layer:other 2>&1); status=$?
check images_oci_wrong_layer_digest_refused test "$status" = 1 -a -n "$(grep -F "should have the sha256 digest $layer" <<<"$out")"
check images_oci_wrong_layer_digest_nothing_left nothing_of bad-layer
# The same in a docker archive: its layer.tar against the config's diff_id.
"$PYTHON" - $SRC/saved.tar $SRC/bad-saved.tar <<'EOF'
import io, sys, tarfile
src, dst = tarfile.open(sys.argv[1]), tarfile.open(sys.argv[2], "w", format=tarfile.PAX_FORMAT)
done = False
for m in src.getmembers():
    data = src.extractfile(m).read() if m.isfile() else None
    if m.name.endswith("layer.tar") and not done and m.size < 100000:
        data = data.replace(b"layer two", b"layer 2!!"); done = True
    dst.addfile(m, io.BytesIO(data) if data is not None else None)
dst.close()
EOF
chmod 644 $SRC/bad-saved.tar
out=$(uxc_as $U create -n bad-saved -t oci -- $SRC/bad-saved.tar 2>&1); status=$?
check images_oci_wrong_docker_layer_refused test "$status" = 1 -a -n "$(grep -F 'should have the sha256 digest' <<<"$out")"
check images_oci_wrong_docker_layer_nothing_left nothing_of bad-saved
# A manifest altered in place (its name kept): refused before any layer.
cp -a $SRC/layout $SRC/bad-manifest
m=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][1]["digest"][7:])' $SRC/layout/index.json)
sed -i 's/"schemaVersion": 2/"schemaVersion":  2/' $SRC/bad-manifest/blobs/sha256/$m
out=$(uxc_as $U create -n bad-manifest -t oci -- $SRC/bad-manifest:other 2>&1); status=$?
check images_oci_wrong_manifest_digest_refused test "$status" = 1 -a -n "$(grep -F "should have the sha256 digest $m" <<<"$out")"
check images_oci_wrong_manifest_digest_nothing_left nothing_of bad-manifest
# A broken index.json: the reader's line and column.
cp -a $SRC/layout $SRC/bad-index
printf '{"schemaVersion": 2, "manifests": [],}' >$SRC/bad-index/index.json
out=$(uxc_as $U create -n bad-index -t oci -- $SRC/bad-index 2>&1); status=$?
check images_oci_malformed_index_refused test "$status" = 1 -a -n "$(grep -F 'index.json: 1:' <<<"$out")"
check images_oci_malformed_index_nothing_left nothing_of bad-index
chmod -R a+rX $SRC

# ------------------------------------------------------------ hostile layers
# Right digests, wrong contents: only the extraction stands in the way.
as_user $U sh -c 'echo precious >/home/uxtest1/victim'
up="../../../../../"  # from the rootfs to /home/uxtest1
build evil $SRC/evil-dotdot --member "${up}planted"
build evil $SRC/evil-symlink --member escape --symlink /home/$U
build evil $SRC/evil-whiteout --member "${up}.wh.victim"
# A whiteout through a lower layer's symlink: refused, not followed (the
# chroot keeps it inside the rootfs anyway).
build evil $SRC/evil-linkwhiteout --member escape --symlink /home/$U --whiteout victim
chmod -R a+rX $SRC
for kind in dotdot symlink whiteout linkwhiteout; do
  out=$(uxc_as $U create -n "evil-$kind" -t oci -- $SRC/evil-$kind 2>&1); status=$?
  check "images_oci_hostile_${kind}_refused" test "$status" = 1 -a -n "$(grep -e 'refused' -e 'Cannot extract through symlink' <<<"$out")"
  check "images_oci_hostile_${kind}_nothing_left" nothing_of "evil-$kind"
  check "images_oci_hostile_${kind}_nothing_planted" test ! -e /home/$U/planted -a ! -e /home/$U/.local/share/planted
  check "images_oci_hostile_${kind}_victim_untouched" test "$(cat /home/$U/victim 2>&1)" = precious
done

# ------------------------------------------------------------ usage
out=$(uxc_as $U create -n two -t oci -- a b 2>&1); status=$?
check images_oci_one_argument test "$status" = 2 -a -n "$(grep -F 'takes one argument: -- PATH[:TAG]' <<<"$out")"
check images_oci_help_names_template grep -q '^  oci ' <<<"$(uxc_as $U create --help)"

for c in $(uxc_as $U ls); do uxc_as $U destroy -n "$c" >/dev/null || fail images_oci_destroy "$c"; done
check images_oci_all_destroyed test -z "$(ls -A $data | grep -Fvx .runtime)"
