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
# The privileged core (setuid-helpers/core.{h,cpp}) is in both helpers, so
# each budget is the helper's own files plus the core, counted once.
# Lines that carry two statements to fit a budget are a finding too.
lines() { cat "$@" | grep -cvE '^\s*($|//)'; }
budget() {
  local name=$1 max=$2 n
  shift 2
  n=$(lines "$@")
  if [ "$n" -gt "$max" ]; then finding "$name has $n privileged lines (budget $max)"
  else note "$name: $n of $max lines ($*)"; fi
}
core=(setuid-helpers/core.h setuid-helpers/core.cpp)
idmap=(setuid-helpers/uxc-idmap.cpp)
nic=(net-helper/*.h net-helper/*.cpp)
note "core: $(lines "${core[@]}") lines, counted once in each budget below"
budget "uxc-idmap + core" 450 "${idmap[@]}" "${core[@]}"
budget "uxc-nic + core" 550 "${nic[@]}" "${core[@]}"
# Every privileged source must be in a budget.
for f in setuid-helpers/* net-helper/*; do
  [[ " ${core[*]} ${idmap[*]} ${nic[*]} " == *" $f "* ]] || finding "$f is in no line budget"
done
# Packed lines: two statements on one line (a ';' followed by more code,
# outside for(;;) headers and string literals).
packed=$(cat "${core[@]}" "${idmap[@]}" "${nic[@]}" | sed -E 's://.*$::; s/"([^"\\]|\\.)*"/""/g' |
         grep -vE '^\s*for \(' | grep -cE ';\s*[^ ;}].*')
[ "$packed" = 0 ] || finding "$packed privileged lines hold more than one statement"

# --- FORTIFY: a helper whose buffers all have sizes known at compile time
# needs no runtime _chk call, so the binaries cannot prove it. Prove instead
# that the flags the helpers are built with turn it on.
probe_dir=$(mktemp -d)
printf '%s\n' '#include <cstring>' 'void sink(char*);' \
  'void fill(const char* src, unsigned long n) { char buf[8]; std::memcpy(buf, src, n); sink(buf); }' \
  > "$probe_dir/probe.cpp"
# shellcheck disable=SC2046
if ${CXX:-g++} $(make -s --no-print-directory print-cxxflags BUILD="$BUILD") -c \
     "$probe_dir/probe.cpp" -o "$probe_dir/probe.o" &&
   nm "$probe_dir/probe.o" | grep -q __memcpy_chk; then
  note "FORTIFY: the helpers' compiler flags enable it"
else
  finding "the helpers' compiler flags do not enable FORTIFY"
fi
rm -rf "$probe_dir"

# --- the built helpers: hardening and no code that runs before main

# init_functions BIN: what BIN's own .preinit_array and .init_array call
# before main, one name a line (a shared library's initialisers are in its
# own arrays; what a helper links statically is in the helper's). A PIE
# holds the entries as R_X86_64_RELATIVE relocations.
init_functions() {
  local bin=$1 sec addr size off type target name
  local -A names=()
  while read -r addr _ name; do names[$((16#$addr))]=$name; done < <(nm "$bin" | awk 'NF == 3')
  while read -r sec addr size; do
    while read -r off _ type target _; do
      [ "$type" = R_X86_64_RELATIVE ] || continue
      if (( 16#$off >= 16#$addr && 16#$off < 16#$addr + 16#$size )); then
        echo "${names[$((16#$target))]:-0x$target}"
      fi
    done < <(readelf -rW "$bin")
  done < <(readelf -SW "$bin" | sed 's/^ *\[ *[0-9]*\] *//' |
           awk '$1 == ".preinit_array" || $1 == ".init_array" { print $1, $3, $5 }')
}
# What may run: the core's empty_environment (.preinit_array, first); the
# C runtime's frame_dummy; libstdc++'s emergency exception pool and
# libcap's _libcap_initialize (both helpers carry a static libstdc++ and
# libcap.a); for uxc-nic, the five initialisers of the libnl objects it
# links (AUDIT.md says what each does).
allowed_inits_uxc_idmap='_ZN3uxc4core12_GLOBAL__N_117empty_environmentEiPPcS3_ frame_dummy
  _GLOBAL__sub_I_eh_alloc.cc _libcap_initialize'
allowed_inits_uxc_nic="$allowed_inits_uxc_idmap link_init veth_init init_msg_size init_default_cb
  nl_debug_init"

for bin in "$BUILD/bin/uxc-idmap" "$BUILD/bin/uxc-nic"; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  readelf -h "$bin" | grep -q 'Type:.*DYN' || finding "$name is not PIE"
  readelf -lW "$bin" | grep -q GNU_RELRO || finding "$name has no RELRO"
  readelf -dW "$bin" | grep -qE 'BIND_NOW|FLAGS.*NOW' || finding "$name has partial RELRO (no BIND_NOW)"
  readelf -lW "$bin" | grep GNU_STACK | grep -q RWE && finding "$name has an executable stack"
  nm -D "$bin" | grep -q __stack_chk_fail || finding "$name has no stack protector"
  fortified=$(nm -D "$bin" | grep -cE '__[a-z_]+_chk(@|$)')
  allowed=allowed_inits_${name//-/_}
  inits=$(init_functions "$bin") unlisted=
  [ -n "$inits" ] || finding "$name: no initialisers found at all (cannot read its .init_array?)"
  for f in $inits; do [[ " ${!allowed//$'\n'/ } " == *" $f "* ]] || unlisted+=" $f"; done
  [ -z "$unlisted" ] || finding "$name runs code before main that AUDIT.md does not list:$unlisted"
  note "$name: PIE, full RELRO, NX, stack protector, $(wc -w <<<"$inits") initialisers" \
       "before main (unlisted:${unlisted:- none}); $fortified FORTIFY-checked calls"
done
# No exception tables in our privileged objects. (Checked on the objects: a
# static libstdc++, as in uxc-idmap, brings tables of its own.)
for o in "$BUILD"/obj/policy/*.o "$BUILD"/obj/setuid-helpers/*.o "$BUILD"/obj/net-helper/*.o; do
  [ -e "$o" ] || continue
  readelf -SW "$o" | grep -q gcc_except_table && finding "$o has exception tables"
done

if [ "$findings" -gt 0 ]; then note "$findings finding(s)"; exit 1; fi
note "no findings"
