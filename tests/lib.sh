# shellcheck shell=bash
# Shared helpers for the end-to-end tests; tests/README.md explains them.
#
# An end-to-end script that needs the isolated world starts with:
#
#   source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
#
# and from then on runs as root inside a fresh world (tests/world/enter).

UXC_SRC=${UXC_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
UXC_BUILD=${UXC_BUILD:-$UXC_SRC/build}
case $UXC_BUILD in /*) ;; *) UXC_BUILD=$PWD/$UXC_BUILD ;; esac
export UXC_SRC UXC_BUILD

# The PATH every as_user command starts with.
UXC_USER_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# world_reexec "$@": outside a world, re-run the calling script inside a
# fresh one and exit with its status; inside a world, return at once.
world_reexec() {
  [ -n "${UXC_IN_WORLD:-}" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "$0: end-to-end tests build an isolated world and must run as root" >&2
    exit 1
  fi
  local script
  script=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
  exec "$UXC_SRC/tests/world/enter" -- bash "$script" "$@"
}

# One line per test, as tests/run counts them. A reason is folded onto one
# line so that nothing it contains can pass for another result line.
_one_line() {
  local text=${*//$'\n'/ | }
  [ "${#text}" -gt 600 ] && text="${text:0:600}..."
  printf '%s' "$text"
}
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $(_one_line "${2:-no reason given}")"; }
skip() { echo "SKIP: $1: $(_one_line "${2:-no reason given}")"; }

# asan_built FILE: FILE, a program of the build, has AddressSanitizer's
# runtime linked in (make SANITIZE=address,...). The few rows that this
# runtime, not uxc, would decide say so in such a build (a SKIP line, or
# the ASan options below), and only there: a plain build runs every row
# as written. security/AUDIT.md, "Sanitizers", lists them and why.
asan_built() { grep -qa __asan_init "$1"; }
# asan_options PROGRAM OPTIONS: sets ASAN_ENV to the command prefix
# `env ASAN_OPTIONS=OPTIONS` when PROGRAM is built with ASan, and to
# nothing for a plain build. Only for a row where the runtime would end
# the program in place of its own outcome; each use says why.
ASAN_ENV=()
asan_options() {
  ASAN_ENV=()
  if asan_built "$1"; then ASAN_ENV=(env "ASAN_OPTIONS=$2"); fi
}

# require_built NAME FILE...: every FILE (a program of the build) is
# there and executable, else FAIL NAME and end the script. The suite
# builds everything it tests (make), so a missing binary is a failure,
# never a skip. A FILE under $WORLD_BIN must also be setuid root.
require_built() {
  local name=$1 file missing=()
  shift
  for file; do
    if [ ! -x "$file" ]; then
      missing+=("$file")
    elif [ -n "${WORLD_BIN:-}" ] && [ "${file%/*}" = "$WORLD_BIN" ] && [ ! -u "$file" ]; then
      missing+=("$file (not setuid)")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  fail "$name" "not built: ${missing[*]} (run make)"
  exit 1
}

# require_tool NAME COMMAND...: every COMMAND is on PATH, else FAIL NAME
# and end the script. `make test` installs the suite's packages first
# (make deps), so a missing tool is a failure too.
require_tool() {
  local name=$1 tool missing=()
  shift
  for tool; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  fail "$name" "not installed: ${missing[*]} (run make deps)"
  exit 1
}

# cleanup CMD...: tidying up after the tests of a script, not a test
# itself: CMD's status and output are of no interest (the world and all
# in it go away when the script ends). Never use it on a step whose
# outcome a test looks at.
cleanup() { "$@" >/dev/null 2>&1; return 0; }

# check NAME CMD...: PASS if CMD exits 0, else FAIL with its status and output.
check() {
  local name=$1 out status
  shift
  if out=$("$@" 2>&1); then
    pass "$name"
  else
    status=$?
    fail "$name" "exit $status: $out"
  fi
}

# as_user USER CMD...: run CMD as USER (uid, gid and supplementary groups
# from the world's /etc/passwd and /etc/group) with a clean environment:
# HOME, USER, LOGNAME and PATH only. No capabilities are left, but
# no_new_privs stays off so setuid helpers work. stdin, stdout, stderr and
# the exit status are CMD's.
as_user() {
  local user=$1 uid gid
  shift
  if ! uid=$(id -u "$user" 2>/dev/null) || ! gid=$(id -g "$user" 2>/dev/null); then
    echo "as_user: no user '$user' in this world" >&2
    return 127
  fi
  setpriv --reuid="$uid" --regid="$gid" --init-groups --inh-caps=-all -- \
    env -i HOME="/home/$user" USER="$user" LOGNAME="$user" PATH="$UXC_USER_PATH" "$@"
}

# world_install_setuid SRC NAME: copy SRC into $WORLD_BIN/NAME, owned by
# root, mode 4755.
world_install_setuid() {
  if [ -z "${UXC_IN_WORLD:-}" ] || [ -z "${WORLD_BIN:-}" ]; then
    echo "world_install_setuid: only inside a world (call world_reexec first)" >&2
    return 1
  fi
  [ -f "$1" ] || { echo "world_install_setuid: $1: no such file" >&2; return 1; }
  install -o root -g root -m 4755 "$1" "$WORLD_BIN/$2"
}
