#!/usr/bin/env bash
# `make bench`: every benchmark, each in a fresh isolated world (the test
# world of tests/world/enter: nothing a benchmark does leaves it), then one
# table, printed and written to bench/RESULTS.md. bench/README.md explains
# the scenarios and how to read the table.
#
#   bench/run.sh               (root; BUILD=build-dir picks the build)
#   BENCH_QUICK=1 bench/run.sh a short run: fewer runs, N=50
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
: "${UXC_BUILD:=$here/${BUILD:-build}}"
case $UXC_BUILD in /*) ;; *) UXC_BUILD=$here/$UXC_BUILD ;; esac
UXC_SRC=$here
BENCH_QUICK=${BENCH_QUICK:-0}
[ "$BENCH_QUICK" = 1 ] || BENCH_QUICK=0
export UXC_BUILD UXC_SRC BENCH_QUICK
source "$here/bench/lib.bash"

[ "$(id -u)" = 0 ] || { echo "bench/run.sh: benchmarks build isolated worlds and must run as root" >&2; exit 1; }
[ -x "$UXC_BUILD/bin/uxc" ] || { echo "bench/run.sh: $UXC_BUILD/bin/uxc is not built (make)" >&2; exit 1; }
# The idmap and nic benchmarks drive the helpers with test programs.
for prog in idmap_bench nic_time nic_slots nic_floor; do
  [ -x "$UXC_BUILD/tests/$prog" ] || { echo "bench/run.sh: $UXC_BUILD/tests/$prog is not built (make tests)" >&2; exit 1; }
done

out=$UXC_BUILD/bench
mkdir -p "$out"
BENCH_RESULTS=$out/results.tsv
export BENCH_RESULTS
: >"$BENCH_RESULTS"
started=$SECONDS

# step NAME SECONDS CMD...: runs one benchmark (its output in
# $out/NAME.log). If it fails or records nothing, the table says why.
step() {
  local name=$1 limit=$2 before status
  shift 2
  before=$(wc -l <"$BENCH_RESULTS")
  bench_log "$name (log: $out/$name.log)"
  timeout "$limit" "$@" >"$out/$name.log" 2>&1
  status=$?
  if [ "$status" = 0 ] && declare -F "rows_$name" >/dev/null; then
    "rows_$name" <"$out/$name.log" >>"$BENCH_RESULTS" || status=1
  fi
  if [ "$(wc -l <"$BENCH_RESULTS")" = "$before" ]; then
    if [ "$status" = 124 ]; then
      bench_skip "$name" "did not finish within ${limit}s"
    else
      bench_skip "$name" "exit $status: $(grep -v '^bench:' "$out/$name.log" | tail -n 3)"
    fi
  elif [ "$status" != 0 ]; then
    bench_skip "$name (the rest)" "exit $status after its rows above: $(grep -v '^bench:' "$out/$name.log" | tail -n 3)"
  fi
  return 0
}

# 1. uid+gid map. bench/idmap.sh prints its medians; they become a row.
idmap_runs=200
[ "$BENCH_QUICK" = 1 ] && idmap_runs=30
rows_idmap() {
  awk -v runs="$idmap_runs" '
    /^uxc-idmap/ { for (i = 1; i <= NF; i++) if ($i == "median") u = $(i + 1) }
    /^newuidmap/ { for (i = 1; i <= NF; i++) if ($i == "median") p = $(i + 1) }
    END {
      if (u == "" || p == "") exit 1
      printf "uid+gid map: uxc-idmap vs newuidmap + newgidmap\t%.3f\t%.3f\tms\t%d\tratio<=0.6\tone exec vs two; shadow 4.13 from Debian\n",
        u / 1000, p / 1000, runs
    }'
}
step idmap 300 bash "$here/bench/idmap.sh" "$idmap_runs"

# 2. nic create at 0, 600 and 5,000 existing nics: bench/nic.sh records its
# own rows.
nic_runs=31
[ "$BENCH_QUICK" = 1 ] && nic_runs=9
step nic 600 bash "$here/bench/nic.sh" "$nic_runs"

# 3-7. The container scenarios, each in a world of its own.
step start 300 bash "$here/bench/scenarios.sh" start
step pss 180 bash "$here/bench/scenarios.sh" pss
step scale 900 bash "$here/bench/scenarios.sh" scale
step net 300 bash "$here/bench/scenarios.sh" net
step boot 600 bash "$here/bench/scenarios.sh" boot
step storage 900 bash "$here/bench/scenarios.sh" storage

# 7. create -t download vs lxc-create -t download, cold and warm cache: a
# Debian 12 image (built once from Debian's archive, cached outside the
# tree), served by a local HTTPS server. bench/images.sh records its rows.
image_runs=5
[ "$BENCH_QUICK" = 1 ] && image_runs=2
step images 1500 bash "$here/bench/images.sh" "$image_runs"

# 10. RootlessKit on uxc-nic, lxc-user-nic and slirp4netns: throughput
# and start time. bench/engines.sh records its rows.
engine_rounds=5 engine_starts=15
[ "$BENCH_QUICK" = 1 ] && engine_rounds=1 engine_starts=5
step engines 600 bash "$here/bench/engines.sh" "$engine_rounds" "$engine_starts"

bench_log "done in $((SECONDS - started))s"
echo
bash "$here/bench/report.sh" "$BENCH_RESULTS" "$here/bench/RESULTS.md"
echo
echo "written to bench/RESULTS.md"
