#!/usr/bin/env bash
# Build hygiene: on the tree under test (built by `make all tests`, as
# `make test` does) a second make has nothing to do; `make all` and
# `make install` build no test program, and neither needs man-db;
# libraries come from pkg-config, with the Debian flags when a .pc file
# is missing and an error naming the package when the library is too; a
# changed install path still rebuilds what compiles it in.
# Runs make -q and make -n only, so it writes nothing; needs no world.
set -u
source "$(dirname "$0")/../lib.sh"
cd "$UXC_SRC" || exit 1
# Not the flags of a `make test` that may be running this one.
unset MAKEFLAGS MFLAGS MAKELEVEL
mk() { make --no-print-directory "$@"; }

# BUILD as the tree was built with it (build, not /path/to/build: make
# matches the targets its .d files name as strings), and the paths it
# compiled in (a `make PREFIX=...` build is as good as a default one).
dep=$(find "$UXC_BUILD/obj" -name '*.d' 2>/dev/null | head -n 1)
target=$(head -n 1 "${dep:-/dev/null}"); target=${target%%:*}
BUILT=${target%/obj/*}
if [ -z "$dep" ] || [ "$(realpath -m "$BUILT")" != "$(realpath -m "$UXC_BUILD")" ]; then
  fail build_tree_under_test "$UXC_BUILD: no .d file naming its objects (${dep:-none}: '$target'; make)"; exit 0
fi
paths=()
for var in SYSCONFDIR LIBEXECDIR BINDIR RUNSTATEDIR DATADIR; do
  value=$(sed -n "s/^#define UXC_$var \"\\(.*\\)\"\$/\\1/p" "$UXC_BUILD/gen/paths.h" 2>/dev/null)
  [ -n "$value" ] && paths+=("$var=$value")
done
if [ "${#paths[@]}" -ne 5 ]; then
  fail build_second_make_does_nothing "$UXC_BUILD/gen/paths.h is missing or incomplete (make)"
else
  if mk -q BUILD="$BUILT" "${paths[@]}" all tests; then
    pass build_second_make_does_nothing
  else
    fail build_second_make_does_nothing "make -q returns $?; a second make would run: $(mk -n BUILD="$BUILT" "${paths[@]}" all tests 2>&1 | head -n 8)"
  fi
  # The generated header is rewritten when a value changes, and then
  # everything that includes it is out of date.
  out=$(mk -n BUILD="$BUILT" "${paths[@]}" SYSCONFDIR=/elsewhere all 2>&1)
  check build_changed_path_rebuilds grep -q -- "-c setuid-helpers/uxc-idmap.cpp" <<<"$out"
fi

# Everything a target would build, from an empty build directory.
empty=$(mktemp -d)/build
dest=$(mktemp -d)
trap 'rm -rf "$(dirname "$empty")" "$dest"' EXIT
compiles_tests() { grep -E -- "-c tests/|-o $empty/tests/" <<<"$1"; }
runs_man() { grep -E -- '(^|[;&|(] *)(command -v )?man ' <<<"$1"; }

out=$(mk -n BUILD="$empty" DESTDIR="$dest" install 2>&1); status=$?
if [ "$status" -ne 0 ] || ! grep -q -- "-o $empty/bin/uxc " <<<"$out"; then
  fail build_install_builds_only_what_it_installs "make -n install exits $status without linking uxc: $(tail -n 5 <<<"$out")"
elif lines=$(compiles_tests "$out"); then
  fail build_install_builds_only_what_it_installs "make install would build test programs: $(head -n 3 <<<"$lines")"
else
  pass build_install_builds_only_what_it_installs
fi
if lines=$(runs_man "$out"); then fail build_install_needs_no_man "$lines"
else pass build_install_needs_no_man; fi

out=$(mk -n BUILD="$empty" all 2>&1)
if lines=$(compiles_tests "$out"); then fail build_all_builds_no_tests "$(head -n 3 <<<"$lines")"
else pass build_all_builds_no_tests; fi

# make test builds every test program before it runs tests/run.
out=$(mk -n BUILD="$empty" test 2>&1)
missing=
for src in tests/bin/*.cpp; do
  grep -q -- "-o $empty/tests/$(basename "$src" .cpp) " <<<"$out" || missing+="$(basename "$src" .cpp) "
done
grep -q -- "-o $empty/tests/unit_tests " <<<"$out" || missing+="unit_tests "
run_line=$(grep -n 'tests/run' <<<"$out" | tail -n 1 | cut -d: -f1)
last_link=$(grep -n -- "-o $empty/tests/" <<<"$out" | tail -n 1 | cut -d: -f1)
if [ -z "$missing" ] && [ -n "$run_line" ] && [ "${last_link:-0}" -lt "$run_line" ]; then
  pass build_test_builds_test_programs
else
  fail build_test_builds_test_programs "not built: ${missing:-none}; tests/run at line ${run_line:-none}, last test link at ${last_link:-none}"
fi

# Libraries: pkg-config's flags; without .pc files, the Debian package's
# flags; without the library as well, an error naming the package.
link=$(mk -n BUILD="$empty" "$empty/bin/uxc" 2>&1 | grep -- "-o $empty/bin/uxc ")
want="$(pkg-config --libs libnl-route-3.0) $(pkg-config --libs inih) $(pkg-config --libs libcap)"
check build_libs_from_pkg_config bash -c 'tr -s " " <<<"$1" | grep -qF -- "$(tr -s " " <<<"$2" | sed "s/ *$//")"' sh "$link" "$want"
link=$(mk -n BUILD="$empty" PKG_CONFIG=false "$empty/bin/uxc" 2>&1 | grep -- "-o $empty/bin/uxc ")
check build_libs_without_pc_files bash -c 'tr -s " " <<<"$1" | grep -qF -- "-lnl-route-3 -lnl-3 -linih -lcap"' sh "$link"
# (CXX=false: a compiler that finds no library; inih is the first that
# uxc-idmap's link names.)
out=$(mk -n BUILD="$empty" PKG_CONFIG=false CXX=false "$empty/bin/uxc-idmap" 2>&1); status=$?
check build_missing_lib_names_package test "$status:$(grep -c "inih not found: install Debian's libinih-dev" <<<"$out")" = "2:1"
# ...but only a recipe that needs the library asks: deps and clean work
# on a machine without them.
out=$(mk -n BUILD="$empty" PKG_CONFIG=false CXX=false clean deps 2>&1); status=$?
check build_deps_needs_no_libs test "$status" = 0
