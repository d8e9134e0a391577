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

source "$(dirname "${BASH_SOURCE[0]}")/debian_image.bash"

DEBIAN_MINBASE_SUITE=bookworm
DEBIAN_MINBASE_PACKAGES=systemd-sysv,ifupdown,isc-dhcp-client,iproute2

debian_minbase_image() {
  mmdebstrap_cached debian_minbase_image minbase "$DEBIAN_MINBASE_SUITE" "$DEBIAN_MINBASE_PACKAGES" tar.xz xz
}
