#!/usr/bin/env bash
# Times one full uid + gid map of a new user namespace: uxc-idmap (one exec)
# against Debian's newuidmap + newgidmap (package uidmap, two execs), side
# by side in one run inside the isolated test world, as test user uxtest1.
# Prints both medians and the ratio; the target is ours <= 0.6 of theirs.
#
#   bench/idmap.sh [RUNS]        (as root; BUILD=build-dir to pick a build)
here=$(cd "$(dirname "$0")/.." && pwd)
: "${UXC_BUILD:=$here/${BUILD:-build}}"
export UXC_BUILD
source "$here/tests/lib.sh"; world_reexec "$@"
set -eu

runs=${1:-200}
bench=$UXC_BUILD/tests/idmap_bench
[ -x "$bench" ] || { echo "bench/idmap.sh: $bench is not built (make tests)" >&2; exit 1; }
[ -x "$WORLD_BIN/uxc-idmap" ] || { echo "bench/idmap.sh: uxc-idmap is not built (make)" >&2; exit 1; }
for tool in newuidmap newgidmap; do
  [ -u "/usr/bin/$tool" ] || { echo "bench/idmap.sh: /usr/bin/$tool missing or not setuid (apt-get install uidmap)" >&2; exit 1; }
done

echo "one full map (uid 0 100000 65536 + gid 0 100000 65536), $(uname -r), $(nproc) CPUs"
as_user uxtest1 "$bench" "$runs" "$WORLD_BIN/uxc-idmap" /usr/bin/newuidmap /usr/bin/newgidmap 0 100000 65536
