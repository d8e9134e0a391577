# The Debian 12 image of the slow image test (sourced; not a test script
# itself). It needs Debian's archive, so it is built on the host, before
# world_reexec, and cached outside the source tree (UXC_IMAGE_CACHE,
# default /var/cache/uxc-tests, visible in the world, which shares /var).
# The file name carries a hash of the recipe; builds are serialised by the
# cache's lock (the same one tests/e2e's other Debian images use) and
# renamed into place only when mmdebstrap has succeeded.
#
# debian_minbase_image: prints the path of the tarball, building it once
# (about half a minute to a few minutes, ~50 MB from the archive).

DEBIAN_MINBASE_SUITE=bookworm
DEBIAN_MINBASE_PACKAGES=systemd-sysv,ifupdown,isc-dhcp-client,iproute2

debian_minbase_image() {
  local cache key out tmp
  command -v mmdebstrap >/dev/null || { echo "debian_minbase_image: mmdebstrap is not installed (make deps)" >&2; return 1; }
  cache=${UXC_IMAGE_CACHE:-/var/cache/uxc-tests}
  key=$(printf '%s\n' "$DEBIAN_MINBASE_SUITE" minbase "$DEBIAN_MINBASE_PACKAGES" xz | sha256sum | cut -c1-12)
  out=$cache/debian12-minbase-$key.tar.xz
  [ -s "$out" ] && { echo "$out"; return 0; }
  mkdir -p "$cache" || return 1
  (
    flock 9 || exit 1
    [ -s "$out" ] && exit 0
    # mmdebstrap picks the format from the name: keep ".tar.xz" last.
    tmp=$cache/.building-$$-${out##*/}
    rm -rf "$cache"/.building-*-"${out##*/}"
    echo "debian_minbase_image: building $out (once)" >&2
    if ! mmdebstrap --quiet --variant=minbase --include="$DEBIAN_MINBASE_PACKAGES" "$DEBIAN_MINBASE_SUITE" "$tmp" >&2; then
      rm -rf "$tmp"
      echo "debian_minbase_image: mmdebstrap failed" >&2
      exit 1
    fi
    mv -f "$tmp" "$out"
  ) 9>"$cache/.lock" || return 1
  echo "$out"
}
