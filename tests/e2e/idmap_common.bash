# Shared by tests/e2e/idmap_*.sh, sourced after world_reexec. Not a test
# itself (tests/run runs only *.sh).
#
# Every case runs tests/bin/idmap_probe as a test user: it makes a fresh
# target in a new user namespace, runs the helper on it and prints what the
# helper answered and what the kernel then holds (uid_map, gid_map,
# setgroups), so each case can assert both the answer and the effect.

PROBE=$UXC_BUILD/tests/idmap_probe
HELPER=$WORLD_BIN/uxc-idmap
OUT=

# The world's test users (tests/world/init): uxtest1 61001 with subordinate
# ids 100000-165535, uxtest2 61002 with 200000-265535, uxtest3 61003 with none.
U1=61001

# request LINE...: a uxc-idmap request holding these field lines.
request() {
  printf 'uxc-idmap 1\n'
  [ $# -gt 0 ] && printf '%s\n' "$@"
  printf 'end\n'
}

# probe USER REQUEST [OPTION...]: idmap_probe as USER against uxc-idmap,
# sending REQUEST plus the final newline that $(request ...) loses.
# probe_raw USER FILE [OPTION...]: sends FILE's bytes exactly.
# probe_cmd USER [OPTION...] -- CMD [ARG...]: against CMD, empty stdin.
# Each leaves the report in $OUT.
probe() {
  local user=$1 input=$2
  shift 2
  OUT=$(printf '%s\n' "$input" | as_user "$user" "$PROBE" "$@" -- "$HELPER" 2>/dev/null)
}
probe_raw() {
  local user=$1 file=$2
  shift 2
  OUT=$(as_user "$user" "$PROBE" "$@" -- "$HELPER" <"$file" 2>/dev/null)
}
probe_cmd() {
  local user=$1
  shift
  OUT=$(as_user "$user" "$PROBE" "$@" </dev/null 2>/dev/null)
}
got() { sed -n "s/^$1=//p" <<<"$OUT"; }

# expect_map NAME UID_MAP GID_MAP SETGROUPS: the helper exited 0 and the
# kernel holds exactly these maps ("|" between extents).
expect_map() {
  local name=$1
  if [ "$(got status)" = exit:0 ] && [ "$(got uid_map)" = "$2" ] &&
     [ "$(got gid_map)" = "$3" ] && [ "$(got setgroups)" = "$4" ]; then
    pass "$name"
  else
    fail "$name" "want uid_map=$2 gid_map=$3 setgroups=$4; got $OUT"
  fi
}

# expect_refused NAME WORD [UID_MAP [GID_MAP [SETGROUPS]]]: refused, and
# nothing was written. WORD is the error code of the answer ("denied",
# "target", "request", "system"); "-" for the shadow front ends, which
# answer only by exit 1. The maps and setgroups are what the target held
# before the helper ran (default: empty, empty, allow).
expect_refused() {
  local name=$1 word=$2 status answer
  status=$(got status) answer=$(got answer)
  if [ "$word" = - ]; then
    [ "$status" = exit:1 ] && [ -z "$answer" ] || { fail "$name" "want exit 1 and no answer; got $OUT"; return; }
  else
    [[ $status =~ ^exit:([1-9]|[1-9][0-9]|1[01][0-9]|12[0-5])$ ]] || { fail "$name" "not refused: $OUT"; return; }
    case $answer in "error $word "*) ;; *) fail "$name" "want 'error $word ...'; got $OUT"; return ;; esac
  fi
  nothing_written "$name" "${3:-}" "${4:-}" "${5:-allow}"
}

# expect_silent_refusal NAME: refused without an answer (fd 1 unusable).
expect_silent_refusal() {
  local name=$1
  # The helper may not even get to run (a limit of 3 fds stops the
  # loader: 127), or is killed on purpose: any outcome but success, as
  # long as nothing was written.
  case $(got status) in exit:0 | "") fail "$name" "not refused: $OUT"; return ;; esac
  nothing_written "$name" "" "" allow
}

nothing_written() {
  if [ "$(got uid_map)" = "$2" ] && [ "$(got gid_map)" = "$3" ] && [ "$(got setgroups)" = "$4" ]; then
    pass "$1"
  else
    fail "$1" "something was written: $OUT"
  fi
}

# expect_all_or_nothing NAME UID_MAP GID_MAP SETGROUPS: whatever the helper
# managed before it was stopped, each map is empty or exactly the one asked
# for, and a gid map that needs setgroups "deny" never exists without it.
all_or_nothing() {
  local uid gid sg
  uid=$(got uid_map) gid=$(got gid_map) sg=$(got setgroups)
  [ -z "$uid" ] || [ "$uid" = "$1" ] || { echo "uid_map=$uid"; return 1; }
  [ -z "$gid" ] || [ "$gid" = "$2" ] || { echo "gid_map=$gid"; return 1; }
  [ -z "$gid" ] || [ "$sg" = "$3" ] || { echo "gid_map written with setgroups=$sg"; return 1; }
  [ -n "$(got status)" ] || { echo "no report: $OUT"; return 1; }
}
