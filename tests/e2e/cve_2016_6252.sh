#!/usr/bin/env bash
# CVE-2016-6252: shadow's newuidmap checked "outside + count" in 32-bit
# arithmetic, so a range that wrapped past 2^32 passed the subordinate-id
# check and mapped host uid 0. uxc-idmap must refuse every wrapping or
# oversized extent, in the pipe protocol and in the newuidmap/newgidmap
# command lines, and write nothing.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/idmap_common.bash"
source "$(dirname "$0")/cve_common.bash"
set -u

# uxtest1 owns 100000-165535. Each extent reaches host id 0 or past
# 2^32-1 only through a wrap or an out-of-range number.
cases=(
  "wrap_to_zero|0 4294967295 2"
  "start_in_range_wraps_to_zero|0 100000 4294867297"
  "outside_end_exactly_2_32|0 4294901760 65536"
  "inside_wraps|4294967295 100000 1"
  "inside_end_past_2_32|4294967000 100000 1000"
  "count_2_32_minus_1|0 100000 4294967295"
  "number_above_32_bits|0 4294967296 1"
  "number_wraps_64_bits|0 18446744073709651616 1"
  "count_zero|0 100000 0"
)
for c in "${cases[@]}"; do
  name=${c%%|*} extent=${c#*|}
  probe uxtest1 "$(request "uid $extent")"
  refused_unmapped "cve_2016_6252_uid_$name" "request|denied"
  probe uxtest1 "$(request "gid $extent")"
  refused_unmapped "cve_2016_6252_gid_$name" "request|denied"
  # shellcheck disable=SC2086
  probe_cmd uxtest1 --argv0 newuidmap -- "$HELPER" "{pid}" $extent
  refused_unmapped "cve_2016_6252_newuidmap_$name" -
  # shellcheck disable=SC2086
  probe_cmd uxtest1 --argv0 newgidmap -- "$HELPER" "{pid}" $extent
  refused_unmapped "cve_2016_6252_newgidmap_$name" -
done

# A valid extent followed by a wrapping one: no partial map either.
probe uxtest1 "$(request "uid 0 100000 65536" "uid 65536 4294967295 2")"
refused_unmapped cve_2016_6252_valid_then_wrapping_extent "request|denied"

# The control: the same helper does map the caller's real range, so the
# refusals above are about the numbers, not a broken set-up.
probe uxtest1 "$(request "uid 0 100000 65536")"
[ "$(got status)" = exit:0 ] && [ "$(got uid_map)" = "0 100000 65536" ] &&
  pass cve_2016_6252_control_real_range_maps || fail cve_2016_6252_control_real_range_maps "$OUT"
