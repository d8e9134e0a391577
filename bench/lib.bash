# shellcheck shell=bash
# Shared by the bench/ scripts (sourced, not run): where results go, how a
# row is recorded, medians.
#
# Every scenario appends tab-separated rows to $BENCH_RESULTS:
#
#   SCENARIO  UXC  PEER  UNIT  RUNS  TARGET  NOTE
#
# UXC and PEER are numbers in UNIT ("-" when there is none); the table
# prints UXC / PEER as the ratio. TARGET is "ratio<=0.35", "ratio>=0.9",
# "uxc<=1.5" or "-"; bench/report.sh says whether it was met. A scenario
# that cannot run records one row whose NOTE starts with "skipped:".

BENCH_QUICK=${BENCH_QUICK:-0}

# bench_row SCENARIO UXC PEER UNIT RUNS TARGET NOTE
bench_row() {
  local IFS=$'\t'
  local fields=("$@")
  local i
  for i in "${!fields[@]}"; do fields[i]=${fields[i]//[$'\t\n']/ }; done
  while [ "${#fields[@]}" -lt 7 ]; do fields+=("-"); done
  printf '%s\n' "${fields[*]}" >>"${BENCH_RESULTS:?}"
}

# bench_skip SCENARIO WHY: the scenario could not run; WHY says exactly why.
bench_skip() {
  bench_row "$1" - - - - - "skipped: $2"
  echo "bench: $1: skipped: $2" >&2
}

# median [FILE]: the median of the numbers in FILE (or stdin), one a line.
median() {
  sort -g "$@" | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit 1 }
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# count FILE: how many numbers FILE holds.
count() { grep -c . "$1"; }

# slice FILE FROM TO: lines FROM..TO (1-based) of FILE.
slice() { sed -n "$2,$3p" "$1"; }

# us_to_ms: microseconds on stdin to milliseconds, three decimals.
us_to_ms() { awk '{ printf "%.3f\n", $1 / 1000 }'; }

bench_log() { echo "bench: $*" >&2; }
