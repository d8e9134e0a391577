#!/usr/bin/env bash
# A real distribution: Debian 12 built by mmdebstrap from Debian's archive
# (cached between runs, tests/e2e/images_debian.bash), imported with
# `uxc create -t local` and served by the local image server for
# `uxc create -t download`. Owners land at the user's subordinate ids as
# the image says (/etc/shadow root:shadow -> SUBUID+0:SUBGID+42), setuid
# bits survive, the 8 device nodes are left out, and the container runs;
# its full copy and overlay clone (uxc copy) keep all of that.
source "$(dirname "$0")/images_debian.bash"
if [ -z "${UXC_IN_WORLD:-}" ] && [ "$(id -u)" = 0 ]; then
  # On the host: the world has no route to Debian's archive.
  if ! UXC_DEBIAN_TARBALL=$(debian_minbase_image); then
    echo "FAIL: images_debian_image: mmdebstrap could not build the Debian 12 image (network to deb.debian.org?)"
    exit 0
  fi
  export UXC_DEBIAN_TARBALL
fi
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"
source "$(dirname "$0")/images_setup.bash"

U=uxtest1
P=8443
S=localhost:$P
T=${UXC_DEBIAN_TARBALL:-}
[ -x "$UXC" ] || { fail images_debian_built "$UXC was not built"; exit 0; }
[ -x "$WORLD_BIN/uxc-image" ] || { fail images_debian_built "uxc-image was not built"; exit 0; }
have_idmap || { fail images_debian_built "uxc-idmap was not built"; exit 0; }
[ -s "$T" ] || { fail images_debian_image "no Debian tarball (UXC_DEBIAN_TARBALL='$T')"; exit 0; }
write_plain_default_conf $U 100000
data=/home/$U/.local/share/uxc

# debian_ok NAME: what a Debian rootfs must look like after either create.
debian_ok() {
  local r=$data/$1/rootfs out
  [ "$(stat -c %u:%g:%a $r/etc/shadow)" = 100000:100042:640 ] || { echo "shadow: $(stat -c %u:%g:%a $r/etc/shadow)"; return 1; }
  [ "$(stat -c %a:%u:%g $r/usr/bin/passwd)" = 4755:100000:100000 ] || { echo "passwd: $(stat -c %a:%u:%g $r/usr/bin/passwd)"; return 1; }
  [ -d $r/dev ] && [ -z "$(find $r/dev \( -type c -o -type b \))" ] || { echo "device nodes: $(ls -l $r/dev)"; return 1; }
  out=$(uxc_as $U start -n "$1" -F -- /bin/sh -c 'cut -d. -f1 /etc/debian_version; id -u; stat -c %U:%G /etc/shadow' 2>&1)
  [ "$out" = "12
0
root:shadow" ] || { echo "in the container: $out"; return 1; }
}

# ---------------------------------------------------------------- -t local
out=$(uxc_as $U create -n deb-local -t local -- "$T" 2>&1); status=$?
check images_debian_local_created test "$status" = 0
check images_debian_local_devices_line grep -qx 'Skipped 8 device nodes of the image: uxc creates /dev at every start' <<<"$out"
check images_debian_local_rootfs debian_ok deb-local
c=$data/deb-local/config
check images_debian_local_records grep -qx 'uxc.image.dist = debian' $c
check images_debian_local_records_release grep -qx 'uxc.image.release = bookworm' $c
check images_debian_local_records_arch grep -qx "uxc.image.arch = $(dpkg --print-architecture)" $c

# ------------------------------------------------------------- -t download
# The same tarball as an image server publishes it, with the meta files
# an LXC image of Debian carries.
mkdir -p $IMG
img_make_ca main && img_trust_ca main
path=/images/debian/bookworm/$IMG_ARCH/default/20260101_05:24
mkdir -p $IMG_ROOT$path $IMG/meta
cp "$T" $IMG_ROOT$path/rootfs.tar.xz
printf 'lxc.include = LXC_TEMPLATE_CONFIG/common.conf\nlxc.include = LXC_TEMPLATE_CONFIG/userns.conf\nlxc.arch = %s\n' "$(uname -m)" >$IMG/meta/config-user
cp $IMG/meta/config-user $IMG/meta/config
printf '/etc/hostname\n/etc/hosts\n' >$IMG/meta/templates
tar -tvf "$T" | awk '/^[cb]/ { print $NF }' >$IMG/meta/excludes-user
echo "Debian bookworm, for the uxc tests." >$IMG/meta/create-message
echo $(($(date +%s) + 86400)) >$IMG/meta/expiry
tar -C $IMG/meta -cJf $IMG_ROOT$path/meta.tar.xz .
(cd $IMG_ROOT$path && sha256sum rootfs.tar.xz meta.tar.xz >SHA256SUMS)
img_index "debian;bookworm;$IMG_ARCH;default;20260101_05:24;$path/"
img_start_server main $P || { fail images_debian_server "$(cat $IMG/server-$P.log)"; exit 0; }

out=$(uxc_as $U create -n deb-dl -t download -- -d debian -r bookworm --server $S 2>&1); status=$?
check images_debian_download_created test "$status" = 0
check images_debian_download_devices_line grep -qx 'Skipped 8 device nodes of the image: uxc creates /dev at every start' <<<"$out"
check images_debian_download_message grep -qx 'Debian bookworm, for the uxc tests.' <<<"$out"
check images_debian_download_rootfs debian_ok deb-dl
img_stop_server $P
out=$(uxc_as $U create -n deb-cached -t download -- -d debian -r bookworm --server $S 2>&1); status=$?
check images_debian_download_from_cache test "$status" = 0
check images_debian_download_from_cache_rootfs debian_ok deb-cached

# ------------------------------------------------ copies of a distribution
# A full copy and an overlay clone of the Debian container keep every
# owner, mode (setuid bits included) and link count, and run.
tree_list() { (cd "$1" && find . -printf '%P|%U:%G|%m|%y|%s|%n|%l\n' | sort); }
check images_debian_full_copy uxc_as $U copy -n deb-local -N deb-copy
check images_debian_full_copy_same_tree test "$(tree_list $data/deb-local/rootfs | sha256sum)" = \
  "$(tree_list $data/deb-copy/rootfs | sha256sum)"
check images_debian_full_copy_rootfs debian_ok deb-copy
check images_debian_overlay_clone uxc_as $U copy -n deb-local -N deb-clone -s
# The clone's files are its layers, seen whole only inside it.
out=$(uxc_as $U start -n deb-clone -F -- /bin/sh -c \
  'cut -d. -f1 /etc/debian_version; stat -c %U:%G:%a /etc/shadow; stat -c %a:%U /usr/bin/passwd' 2>&1)
check images_debian_overlay_clone_runs test "$out" = "12
root:shadow:640
4755:root"
for c in deb-clone deb-copy; do uxc_as $U destroy -n $c >/dev/null || fail images_debian_destroy "$c"; done

for c in deb-local deb-dl deb-cached; do uxc_as $U destroy -n $c >/dev/null || fail images_debian_destroy "$c"; done
check images_debian_all_destroyed test -z "$(ls -A $data | grep -Fvx .runtime)"
