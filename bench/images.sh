#!/usr/bin/env bash
# `uxc create -t download` vs LXC 5's `lxc-create -t download`, in an
# isolated world, as the unprivileged test user, against one local HTTPS
# image server (tests/e2e/image_server.py) serving one image: Debian 12
# minbase from mmdebstrap (tests/e2e/images_debian.bash; built once from
# Debian's archive and cached in /var/cache/uxc-tests).
#
#   bench/images.sh [RUNS]
#
# Cold: neither cache holds the image (uxc image rm --all; rm -rf
# ~/.cache/lxc), so the create downloads it. Warm: the image is cached.
# Each create is timed alone: the container of the previous one is
# destroyed, untimed, first. Rounds run uxc and LXC in rotating order.
#
# Two encodings of the same rootfs: the tarball as mmdebstrap writes it
# (xz, one block, as distrobuilder's images are: decoding it cannot be
# spread over cores), and the same tar recompressed with `xz -T0` (one
# block per 3 x dictionary, which liblzma's multi-threaded decoder splits
# across cores).
#
# A last row: cold creates from a server slowed to about 10 MB/s, where
# the download is no longer nearly free as it is over loopback.
#
# Floor rows: the time `xz -dc` takes to merely decode the same
# rootfs.tar.xz to /dev/null, in one thread (for the multi-block file, on
# every core), timed as the user in the same rounds. Every create of a
# one-block image must decode all of it in one thread, whatever else it
# overlaps with that, so the floor's ratio to lxc-create is the least any
# create can reach on the machine.
here=$(cd "$(dirname "$0")/.." && pwd)
: "${UXC_BUILD:=$here/${BUILD:-build}}"
export UXC_BUILD
source "$here/tests/e2e/images_debian.bash"
if [ -z "${UXC_IN_WORLD:-}" ] && [ "$(id -u)" = 0 ]; then
  UXC_DEBIAN_TARBALL=$(debian_minbase_image) || { echo "bench/images.sh: no Debian image (mmdebstrap failed)" >&2; exit 1; }
  mt=${UXC_DEBIAN_TARBALL%.tar.xz}.mt.tar.xz
  if [ ! -s "$mt" ]; then
    xz -dc "$UXC_DEBIAN_TARBALL" | xz -T0 -6 >"$mt.tmp" && mv "$mt.tmp" "$mt" ||
      { echo "bench/images.sh: cannot recompress the image" >&2; exit 1; }
  fi
  export UXC_DEBIAN_TARBALL UXC_DEBIAN_TARBALL_MT=$mt
fi
source "$here/tests/lib.sh"; world_reexec "$@"
set -u
source "$here/tests/e2e/manager_setup.bash"
source "$here/tests/e2e/images_setup.bash"
source "$here/bench/lib.bash"

runs=${1:-5}
U=uxtest1
UHOME=/home/$U
P=8443
S=localhost:$P
SUB=100000
out=/tmp/bench-images
mkdir -p $out $IMG && chown $U: $out
run_user() { as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$@"; }

# The server: both encodings, each as its own release of "debian".
img_make_ca main && img_trust_ca main || { echo "cannot make certificates"; exit 1; }
publish() {  # publish RELEASE TARBALL [MS]: MS, a pause after each 64 KiB of rootfs.tar.xz
  local path=/images/debian/$1/$IMG_ARCH/default/20260101_05:24
  mkdir -p $IMG_ROOT$path $IMG/meta-$1
  cp "$2" $IMG_ROOT$path/rootfs.tar.xz
  [ -z "${3:-}" ] || echo "$3" >$IMG_ROOT$path/rootfs.tar.xz.slow
  printf 'lxc.include = LXC_TEMPLATE_CONFIG/common.conf\nlxc.include = LXC_TEMPLATE_CONFIG/userns.conf\nlxc.arch = %s\n' \
    "$(uname -m)" | tee $IMG/meta-$1/config-user >$IMG/meta-$1/config
  printf '/etc/hostname\n/etc/hosts\n' >$IMG/meta-$1/templates
  tar -tvf "$2" | awk '/^[cb]/ { print $NF }' | tee $IMG/meta-$1/excludes-user >$IMG/meta-$1/excludes
  echo $(($(date +%s) + 86400)) >$IMG/meta-$1/expiry
  tar -C $IMG/meta-$1 -cJf $IMG_ROOT$path/meta.tar.xz .
  (cd $IMG_ROOT$path && sha256sum rootfs.tar.xz meta.tar.xz >SHA256SUMS)
  echo "debian;$1;$IMG_ARCH;default;20260101_05:24;$path/"
}
img_index "$(publish bookworm "$UXC_DEBIAN_TARBALL")" "$(publish bookworm-mt "$UXC_DEBIAN_TARBALL_MT")" \
  "$(publish bookworm-slow "$UXC_DEBIAN_TARBALL" 5)"
img_start_server main $P || { echo "the image server did not start"; exit 1; }

# uxc: no network in the containers (the create is what is measured).
write_plain_default_conf $U $SUB
# LXC 5 unprivileged, as its documentation sets it up: the user's
# default.conf with lxc.idmap, Debian's setuid newuidmap/newgidmap.
run_user mkdir -p $UHOME/.config/lxc $UHOME/.local/share/lxc
printf 'lxc.idmap = u 0 %s 65536\nlxc.idmap = g 0 %s 65536\n' $SUB $SUB | run_user sh -c "cat > $UHOME/.config/lxc/default.conf"
lxc_version=$(lxc-create --version)

uxc_create() { run_user "$UXC" create -q -n u -t download -- -d debian -r "$1" -a "$IMG_ARCH" --server $S; }
uxc_clean() { run_user "$UXC" destroy -n u >/dev/null; }
uxc_flush() { run_user "$UXC" image rm --all >/dev/null; }
lxc_create() { run_user lxc-create -q -n l -t download -- -d debian -r "$1" -a "$IMG_ARCH" --server $S; }
lxc_clean() { run_user lxc-destroy -n l >/dev/null; }
lxc_flush() { rm -rf $UHOME/.cache/lxc; }

# timed NAME CMD...: CMD's wall-clock time in microseconds, appended to
# $out/NAME.us; a failing CMD stops the benchmark with its output.
timed() {
  local name=$1 t0 t1
  shift
  t0=$EPOCHREALTIME
  if ! "$@" >$out/$name.err 2>&1; then
    echo "bench/images.sh: $* failed: $(tail -n 5 $out/$name.err)" >&2
    exit 1
  fi
  t1=$EPOCHREALTIME
  echo $(( ${t1/./} - ${t0/./} )) >>$out/$name.us
}

# The floor: decoding alone of the file the server serves for RELEASE,
# with THREADS threads (one for the image of one block, where more would
# not help; one per core for the multi-block file).
xz_floor() {  # xz_floor RELEASE THREADS
  run_user sh -c 'xz -T"$2" -dc "$1" >/dev/null' sh "$IMG_ROOT/images/debian/$1/$IMG_ARCH/default/20260101_05:24/rootfs.tar.xz" "$2"
}

# One round: cold then warm for each tool, tools in rotating order, and
# the floor.
round() {  # round INDEX RELEASE SUFFIX
  local k
  for k in 0 1 2; do
    case $(( ($1 + k) % 3 )) in
      0) uxc_flush; timed uxc-cold$3 uxc_create "$2"; uxc_clean; timed uxc-warm$3 uxc_create "$2"; uxc_clean ;;
      1) lxc_flush; timed lxc-cold$3 lxc_create "$2"; lxc_clean; timed lxc-warm$3 lxc_create "$2"; lxc_clean ;;
      2) timed floor$3 xz_floor "$2" "$([ -n "$3" ] && echo 0 || echo 1)" ;;
    esac
  done
}

# A first, untimed round of each: the page cache holds the image files.
round 0 bookworm "" && rm -f $out/*.us
for ((r = 0; r < runs; r++)); do round $r bookworm ""; done
for ((r = 0; r < runs; r++)); do round $r bookworm-mt -mt; done
# A server that sends about 10 MB/s (a pause of 5 ms after each 64 KiB),
# as a real mirror might: cold creates only.
for ((r = 0; r < runs; r++)); do
  for k in 0 1; do
    case $(( (r + k) % 2 )) in
      0) uxc_flush; timed uxc-cold-slow uxc_create bookworm-slow; uxc_clean ;;
      1) lxc_flush; timed lxc-cold-slow lxc_create bookworm-slow; lxc_clean ;;
    esac
  done
done

ms() { median "$out/$1.us" | us_to_ms; }
size=$(du -m "$UXC_DEBIAN_TARBALL" | cut -f1)
note="Debian 12 minbase, $size MB rootfs.tar.xz from mmdebstrap, one block; local HTTPS server; $lxc_version"
bench_row "create -t download, cold cache: uxc vs lxc-create" "$(ms uxc-cold)" "$(ms lxc-cold)" ms "$runs" "ratio<=0.5" "$note"
bench_row "create -t download, warm cache: uxc vs lxc-create" "$(ms uxc-warm)" "$(ms lxc-warm)" ms "$runs" "ratio<=0.5" "$note"
bench_row "create -t download, cold cache: floor (xz -dc of the rootfs alone, one thread) vs lxc-create" "$(ms floor)" "$(ms lxc-cold)" ms "$runs" - \
  "the least a cold create of a one-block image can take: decoding it cannot be spread over cores"
note="the same rootfs recompressed with xz -T0 (blocks liblzma decodes in parallel)"
bench_row "create -t download, cold cache, multi-block xz: uxc vs lxc-create" "$(ms uxc-cold-mt)" "$(ms lxc-cold-mt)" ms "$runs" - "$note"
bench_row "create -t download, warm cache, multi-block xz: uxc vs lxc-create" "$(ms uxc-warm-mt)" "$(ms lxc-warm-mt)" ms "$runs" - "$note"
bench_row "create -t download, cold cache, multi-block xz: floor (xz -T0 -dc alone) vs lxc-create" "$(ms floor-mt)" "$(ms lxc-cold-mt)" ms "$runs" - \
  "decoding the multi-block file alone, on every core"
bench_row "create -t download, cold cache, server at about 10 MB/s: uxc vs lxc-create" "$(ms uxc-cold-slow)" "$(ms lxc-cold-slow)" ms "$runs" - \
  "the one-block file, sent with a 5 ms pause after each 64 KiB: uxc unpacks while it downloads, lxc-create after"
for f in $out/*.us; do echo "bench: $(basename "$f" .us): median $(median "$f" | us_to_ms) ms over $(count "$f")"; done >&2
