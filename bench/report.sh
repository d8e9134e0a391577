#!/usr/bin/env bash
# Turns the rows the scenarios recorded (bench/lib.bash) into the table:
# printed as aligned text, and written as Markdown, with the machine's
# description, to MARKDOWN_FILE.
#
#   bench/report.sh RESULTS_TSV MARKDOWN_FILE
set -u
results=$1 markdown=$2
here=$(cd "$(dirname "$0")/.." && pwd)

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$here" status --porcelain 2>/dev/null)" ]; then
  commit="$commit (with uncommitted changes)"
fi
mode=full
[ "${BENCH_QUICK:-0}" = 1 ] && mode="quick (BENCH_QUICK=1: fewer runs, N=50)"
machine="$(nproc) cores (${cpu:-unknown CPU}), $(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, kernel $(uname -r), ${os:-unknown OS}"
when="$(date -u '+%Y-%m-%d %H:%M UTC')"

# One line per row, fields separated by tabs: scenario, uxc, peer, ratio,
# runs, target, note (numbers with their unit).
rows() {
  awk -F'\t' '
    function num(v) { return v != "-" && v != "" && v != "nan" }
    {
      scenario = $1; u = $2; p = $3; unit = $4; runs = $5; target = $6; note = $7
      ratio = "-"; r = ""
      if (num(u) && num(p) && p + 0 != 0) {
        r = u / p
        ratio = sprintf(r < 0.1 ? "%.3f" : "%.2f", r)
      }
      verdict = "-"
      if (target != "-" && target != "") {
        split(target, t, /<=|>=/)
        op = index(target, "<=") ? "<=" : ">="
        limit = t[2] + 0
        value = (t[1] == "uxc") ? (num(u) ? u + 0 : "") : r
        if (value == "") verdict = target " (not measured)"
        else if ((op == "<=" && value <= limit) || (op == ">=" && value >= limit)) verdict = target " met"
        else verdict = target " MISSED"
      }
      us = num(u) ? u " " unit : "-"
      ps = num(p) ? p " " unit : "-"
      print scenario "\t" us "\t" ps "\t" ratio "\t" runs "\t" verdict "\t" note
    }' "$results"
}

header=$'scenario\tuxc median\tpeer median\tratio uxc/peer\truns\ttarget\tnote'

# Aligned text for the terminal (the note last, unpadded).
{
  echo "uxc benchmarks, $mode run: $when, commit $commit"
  echo "$machine"
  echo
  { echo "$header"; rows; } | awk -F'\t' '
    { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (i < 7 && length($i) > w[i]) w[i] = length($i) } n = NR }
    END {
      for (r = 1; r <= n; r++) {
        line = ""
        for (i = 1; i <= 6; i++) line = line sprintf("%-" w[i] "s  ", cell[r, i])
        print line cell[r, 7]
      }
    }'
}

# Markdown for bench/RESULTS.md.
{
  echo "# uxc benchmark results"
  echo
  echo "Produced by \`make bench\` (bench/README.md explains every row)."
  echo
  echo "- Run: $mode, $when"
  echo "- Commit: $commit"
  echo "- Machine: $machine"
  echo
  echo "$header" | awk -F'\t' '{ s = "|"; d = "|"; for (i = 1; i <= NF; i++) { s = s " " $i " |"; d = d "---|" } print s; print d }'
  rows | sed 's/|/\\|/g' | awk -F'\t' '{ s = "|"; for (i = 1; i <= NF; i++) s = s " " $i " |"; print s }'
} >"$markdown"
