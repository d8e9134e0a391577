#!/usr/bin/env bash
# The rooms' include directions (docs/layout.md, "Which way the includes
# point"): every #include "..." of the project's sources names a room
# its own room may use. A new back-edge (host/ including runtime/, the
# helpers including user/, policy/ including anything) fails here, with
# the file and the line. Reads the sources only; needs no world.
set -u
source "$(dirname "$0")/../lib.sh"
cd "$UXC_SRC" || exit 1

# room PATH: the room a source file is in, as the table names it.
room() {
  case $1 in
    policy/*) echo policy ;;
    setuid-helpers/* | net-helper/*) echo helpers ;;
    user/common/*) echo common ;;
    user/storage/*) echo storage ;;
    user/host/*) echo host ;;
    user/runtime/*) echo runtime ;;
    user/commands/*) echo commands ;;
    user/admin/*) echo admin ;;
    *) echo other ;;
  esac
}
# allowed ROOM: the rooms ROOM may include, its own always.
allowed() {
  case $1 in
    policy) echo "policy" ;;
    helpers) echo "helpers policy" ;;
    common) echo "common policy" ;;
    storage) echo "storage host common policy" ;;
    host) echo "host common policy" ;;
    runtime) echo "runtime host storage common policy" ;;
    commands) echo "commands runtime storage host common policy" ;;
    admin) echo "admin common policy" ;;
  esac
}

# violations DIR: "FILE:LINE: ROOM includes TARGET" for each include of
# the sources under DIR against the table. user/storage/image/ is
# uxc-image's own program, in storage.
violations() {
  local file from to line target dirs=()
  for file in policy setuid-helpers net-helper user; do [ -d "$1/$file" ] && dirs+=("$file"); done
  while IFS=: read -r file line target; do
    from=$(room "$file")
    [ "$from" = other ] && continue
    target=${target#*\"}; target=${target%%\"*}
    [[ $target == */* ]] || continue   # a system header or build/gen's paths.h
    to=$(room "$target")
    [ "$to" = other ] && continue
    [[ " $(allowed "$from") " == *" $to "* ]] || echo "$file:$line: $from includes $target"
  done < <(cd "$1" && grep -rn '^#include "' "${dirs[@]}" --include='*.cpp' --include='*.h')
}

out=$(violations .)
if [ -z "$out" ]; then pass build_layout_includes_point_down
else fail build_layout_includes_point_down "$(head -n 10 <<<"$out" | tr '\n' ';')"; fi
# The check itself: back-edges planted in a scratch tree are found, and
# the includes the table allows are not.
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/user/host" "$scratch/policy" "$scratch/user/runtime"
printf '#include "user/runtime/launch.h"\n#include "user/common/util.h"\n' >"$scratch/user/host/a.cpp"
printf '#include "user/common/util.h"\n#include <string>\n' >"$scratch/policy/b.h"
printf '#include "user/host/cgroup.h"\n#include "policy/names.h"\n' >"$scratch/user/runtime/c.cpp"
check build_layout_finds_back_edges test "$(violations "$scratch" | sort)" = \
"policy/b.h:1: policy includes user/common/util.h
user/host/a.cpp:1: host includes user/runtime/launch.h"
