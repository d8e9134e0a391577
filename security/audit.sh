#!/usr/bin/env bash
# make audit: static analysis and binary hardening checks for the code that
# runs with privilege (policy/, setuid-helpers/, net-helper/).
#
# Fails on any finding. A suppression must sit in the source, next to the
# line it excuses, with the reason (NOLINT(check): why / cppcheck-suppress).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
findings=0
note() { echo "audit: $*"; }
finding() { echo "audit: FINDING: $*"; findings=$((findings + 1)); }

sources=$(ls policy/*.cpp setuid-helpers/*.cpp net-helper/*.cpp 2>/dev/null)
cflags="-std=c++20 -I. -I$BUILD/gen $(pkg-config --cflags libnl-route-3.0)"

# --- clang-tidy
checks='-*,bugprone-*,cert-*,clang-analyzer-*,performance-*,portability-*,misc-redundant-expression,misc-unused-*,readability-implicit-bool-conversion'
checks+=',-bugprone-easily-swappable-parameters,-cert-err58-cpp,-readability-implicit-bool-conversion'
for f in $sources; do
  out=$(clang-tidy --quiet --checks="$checks" --warnings-as-errors='*' "$f" -- $cflags 2>&1)
  if [ $? -ne 0 ]; then finding "clang-tidy $f"; echo "$out" | grep -E 'error:|warning:' | head -n 20; fi
done
note "clang-tidy: $(echo $sources | wc -w) files"

# --- cppcheck
out=$(cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
        --inline-suppr --std=c++20 --language=c++ -I. -I"$BUILD/gen" \
        --suppress=missingIncludeSystem $sources 2>&1)
if [ $? -ne 0 ]; then finding "cppcheck"; echo "$out" | head -n 40; else note "cppcheck: clean"; fi

# --- line budgets for privileged code (non-blank, non-comment lines)
budget() {
  local dir=$1 max=$2 n
  [ -d "$dir" ] || return 0
  n=$(cat "$dir"/*.cpp "$dir"/*.h 2>/dev/null | grep -cvE '^\s*($|//)')
  if [ "$n" -gt "$max" ]; then finding "$dir has $n privileged lines (budget $max)"
  else note "$dir: $n of $max lines"; fi
}
budget setuid-helpers 300
budget net-helper 400

# --- the built helpers: hardening and no code that runs before main
for bin in "$BUILD/bin/uxc-idmap" "$BUILD/bin/uxc-nic"; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  readelf -h "$bin" | grep -q 'Type:.*DYN' || finding "$name is not PIE"
  readelf -lW "$bin" | grep -q GNU_RELRO || finding "$name has no RELRO"
  readelf -dW "$bin" | grep -qE 'BIND_NOW|FLAGS.*NOW' || finding "$name has partial RELRO (no BIND_NOW)"
  readelf -lW "$bin" | grep GNU_STACK | grep -q RWE && finding "$name has an executable stack"
  nm -D "$bin" | grep -q __stack_chk_fail || finding "$name has no stack protector"
  nm -D "$bin" | grep -qE '__[a-z_]+_chk(@|$)' || finding "$name has no FORTIFY checks"
  ctors=$(nm -C "$bin" | grep -E '_GLOBAL__sub_I_|global constructors' || true)
  [ -z "$ctors" ] || finding "$name has global constructors: $ctors"
  readelf -SW "$bin" | grep -q gcc_except_table && finding "$name has exception tables"
  note "$name: PIE, full RELRO, NX, stack protector, FORTIFY, no constructors checked"
done

if [ "$findings" -gt 0 ]; then note "$findings finding(s)"; exit 1; fi
note "no findings"
