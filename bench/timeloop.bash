#!/usr/bin/env bash
# Times several commands side by side: each round runs every command once,
# in an order that rotates from round to round, so that all of them see the
# same machine (other load on a shared host hits them alike).
#
#   timeloop.bash RUNS WARMUP OUTDIR NAME CMD [NAME CMD ...]
#
# CMD is one shell command line (run with eval, stdin from /dev/null,
# output discarded). Wall-clock time of each run, from just before the
# fork to just after the wait, goes to OUTDIR/NAME.us in microseconds, one
# a line. A command that exits non-zero stops everything with its output,
# so that a failing command can never look fast.
set -u
runs=$1 warmup=$2 outdir=$3
shift 3
names=() cmds=()
while [ "$#" -ge 2 ]; do names+=("$1"); cmds+=("$2"); shift 2; done
[ "$#" -eq 0 ] && [ "${#names[@]}" -gt 0 ] || { echo "usage: timeloop.bash RUNS WARMUP OUTDIR NAME CMD..." >&2; exit 2; }
mkdir -p "$outdir"
for name in "${names[@]}"; do : >"$outdir/$name.us"; done
n=${#names[@]}

one() {  # one INDEX RECORD
  local i=$1 t0 t1 status
  t0=$EPOCHREALTIME
  eval "${cmds[i]}" </dev/null >/dev/null 2>"$outdir/${names[i]}.err"
  status=$?
  t1=$EPOCHREALTIME
  if [ "$status" -ne 0 ]; then
    echo "timeloop: '${cmds[i]}' exited $status: $(head -c 600 "$outdir/${names[i]}.err")" >&2
    exit 1
  fi
  [ "$2" = 1 ] && echo $(( ${t1/./} - ${t0/./} )) >>"$outdir/${names[i]}.us"
  return 0
}

for ((round = 0; round < warmup + runs; round++)); do
  for ((k = 0; k < n; k++)); do
    one $(( (round + k) % n )) $(( round >= warmup ))
  done
done
