# Debian 12 root filesystems for the tests that boot a real distribution
# (sourced; not a test script itself).
#
# debian_image INIT: prints the path of a cached tarball of Debian 12
# (minbase, plus networking, ssh and login tools) whose init is INIT
# (systemd or sysvinit), building it with mmdebstrap on a miss. It needs
# Debian's archive, so it runs on the host, before world_reexec; the
# cache is outside the source tree (UXC_IMAGE_CACHE, default
# /var/cache/uxc-tests) and visible in the world, which shares /var.
#
# The file name carries a hash of everything that goes into the image,
# so a changed package list builds a new one. Builds are serialised by a
# lock and written to a temporary name that is renamed into place only
# when mmdebstrap has succeeded: a concurrent run waits for the first one,
# and an interrupted build leaves nothing that looks like an image.
#
# debian_image_stage TARBALL DIR BASE: unpacks TARBALL into a new DIR as
# the container's root would, ids shifted by BASE, without the device
# nodes of ./dev (a user namespace cannot make them; the container's /dev
# is built at start), and configures eth0 by DHCP as LXC's templates do.
# Run as root in the world; DIR is then a rootfs for
# `uxc create -t local -- DIR`, which copies it with its owners.

DEBIAN_IMAGE_SUITE=bookworm
DEBIAN_IMAGE_COMMON=ifupdown,isc-dhcp-client,iproute2,openssh-server,passwd,login

debian_image() {
  local pkgs
  case $1 in
    systemd) pkgs=systemd-sysv,$DEBIAN_IMAGE_COMMON ;;
    sysvinit) pkgs=sysvinit-core,$DEBIAN_IMAGE_COMMON ;;
    *) echo "debian_image: unknown init '$1' (systemd or sysvinit)" >&2; return 2 ;;
  esac
  mmdebstrap_cached debian_image "$1" "$DEBIAN_IMAGE_SUITE" "$pkgs" tar
}

# mmdebstrap_cached LABEL STEM SUITE PACKAGES EXT [KEY...]: prints the
# path of the cached tarball $cache/debian12-STEM-HASH.EXT of SUITE's
# minbase plus PACKAGES, building it on a miss (messages say LABEL). The
# hash covers SUITE, the variant, PACKAGES and each KEY; mmdebstrap picks
# the format from EXT.
mmdebstrap_cached() {
  local label=$1 stem=$2 suite=$3 pkgs=$4 ext=$5 cache key out tmp
  shift 5
  command -v mmdebstrap >/dev/null || { echo "$label: mmdebstrap is not installed (make deps)" >&2; return 1; }
  cache=${UXC_IMAGE_CACHE:-/var/cache/uxc-tests}
  key=$(printf '%s\n' "$suite" minbase "$pkgs" "$@" | sha256sum | cut -c1-12)
  out=$cache/debian12-$stem-$key.$ext
  [ -s "$out" ] && { echo "$out"; return 0; }
  mkdir -p "$cache" || return 1
  (
    flock 9 || exit 1
    [ -s "$out" ] && exit 0
    # The extension stays last: mmdebstrap reads the format from it.
    tmp=$cache/.building-$$-${out##*/}
    rm -rf "$cache"/.building-*-"${out##*/}"
    echo "$label: building $out (once; a few minutes)" >&2
    if ! mmdebstrap --quiet --variant=minbase --include="$pkgs" "$suite" "$tmp" >&2; then
      rm -rf "$tmp"
      echo "$label: mmdebstrap failed" >&2
      exit 1
    fi
    mv -f "$tmp" "$out"
  ) 9>"$cache/.lock" || return 1
  echo "$out"
}

debian_image_stage() {
  local tarball=$1 dir=$2 base=$3
  mkdir "$dir" && chown "$base:$base" "$dir" || return 1
  "$UXC_BUILD/tests/as_mapped_root" "$base" 65536 "$dir" sh -c '
    tar -x -p --numeric-owner --anchored --exclude="./dev/*" -f "$1" &&
    printf "auto eth0\niface eth0 inet dhcp\n" > etc/network/interfaces.d/eth0' sh "$tarball"
}
