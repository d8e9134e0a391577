#!/usr/bin/env bash
# uxc-idmap's setuid hygiene, for what idmap_hostile.sh does not already
# cover (closed fds 0-2 one by one and together, LD_* and friends with a
# marker library, RLIMIT_NOFILE and RLIMIT_FSIZE, SIGSTOP/SIGCONT and
# SIGKILL sweeps): the other resource limits, soft and hard; TZ, locale,
# malloc and GLIBC_TUNABLES variables; and a caller that is gone before
# the answer. Whatever happens, each map is all or nothing, and a success
# is exactly the authorised map.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/idmap_common.bash"
set -u

FULL=$(request "uid 0 100000 65536" "uid 65536 $U1 1" "gid 0 100000 65536" "gid 65536 $U1 1")
FULL_MAP="0 100000 65536|65536 $U1 1"
REQ=/tmp/hygiene-idmap-request
printf '%s\n' "$FULL" >"$REQ"
chmod 0644 "$REQ"

# target: a process of uxtest1 in a new, unmapped user namespace ($TARGET).
TARGETS=()
target() {
  setpriv --reuid=61001 --regid=61001 --init-groups --inh-caps=-all unshare --user sleep 120 >/dev/null 2>&1 &
  TARGET=$!
  TARGETS+=("$TARGET")
  for _ in $(seq 100); do
    [ "$(readlink "/proc/$TARGET/ns/user" 2>/dev/null)" != "$(readlink /proc/1/ns/user)" ] &&
      [ "$(tr '\0' ' ' <"/proc/$TARGET/cmdline" 2>/dev/null)" = "sleep 120 " ] && return
    sleep 0.02
  done
}
trap 'kill "${TARGETS[@]}" 2>/dev/null; rm -f "$REQ" /tmp/hygiene-idmap-*' EXIT
maps_of() {  # PID: "uid_map / gid_map / setgroups" with extents joined by '|'
  local u g
  u=$(awk '{$1=$1; print}' "/proc/$1/uid_map" | paste -sd'|')
  g=$(awk '{$1=$1; print}' "/proc/$1/gid_map" | paste -sd'|')
  echo "$u/$g/$(cat "/proc/$1/setgroups")"
}
# whole_or_nothing NAME RC PID [MUST-SUCCEED]: the maps are the full
# request (exit 0) or nothing was written; with MUST-SUCCEED, exit 0.
whole_or_nothing() {
  local name=$1 rc=$2 maps
  maps=$(maps_of "$3")
  if [ "$rc" = 0 ] && [ "$maps" = "$FULL_MAP/$FULL_MAP/deny" ]; then pass "$name"
  elif [ "$rc" != 0 ] && [ -z "${4:-}" ] && [ "$maps" = "//allow" ]; then pass "$name"
  else fail "$name" "exit $rc, kernel holds $maps"
  fi
}
# run_limited NAME PRLIMIT-ARGS [must]: the helper under those limits,
# set by prlimit(1) right before it execs the helper. A refusal counts only
# if the helper itself ran (its own exit status, or a signal), not if the
# limit kept prlimit from starting it.
run_limited() {
  local name=$1 limits=$2 rc
  # LeakSanitizer checks for leaks from a thread of its own at exit, which
  # RLIMIT_NPROC 0 forbids: a sanitizer's limit, not the helper's.
  if [[ $limits == *--nproc* ]] && asan_built "$HELPER"; then
    skip "$name" "helpers built with ASan: LeakSanitizer needs a thread at exit"; return
  fi
  # ASan's frames are larger, and its runtime turns a stack overflow's
  # SIGSEGV into a report and exit 1: the kernel is left to end it.
  if [[ $limits == *--stack* ]]; then asan_options "$HELPER" handle_segv=0; else ASAN_ENV=(); fi
  target
  # shellcheck disable=SC2086
  as_user uxtest1 "${ASAN_ENV[@]}" sh -c 'r=$1 t=$2; shift 2; exec prlimit "$@" -- "$0" 3<"/proc/$t" <"$r"' \
    "$HELPER" "$REQ" "$TARGET" $limits >/dev/null 2>/tmp/hygiene-idmap-err
  rc=$?
  ASAN_ENV=()
  if grep -q '^prlimit:' /tmp/hygiene-idmap-err; then
    fail "$name" "set-up: $(head -c 200 /tmp/hygiene-idmap-err)"
  elif [ "$rc" = 127 ] && grep -q 'error while loading shared libraries' /tmp/hygiene-idmap-err; then
    whole_or_nothing "$name" "$rc" "$TARGET"  # the loader gave up: the helper never ran
  elif [ "$rc" != 0 ] && ! { [ "$rc" -ge 10 ] && [ "$rc" -le 21 ]; } && [ "$rc" -lt 128 ]; then
    fail "$name" "exit $rc is not the helper's: $(head -c 200 /tmp/hygiene-idmap-err)"
  else
    whole_or_nothing "$name" "$rc" "$TARGET" "${3:-}"
  fi
}

# ------------------------------------------------------------- rlimits
# Soft and hard limits the caller may lower, each to the bone. The helper
# never raises a hard limit (it would need CAP_SYS_RESOURCE, which it does
# not use), so a tiny one may make it fail, but only before any write.
run_limited hygiene_idmap_rlimit_as_16m "--as=16777216"
run_limited hygiene_idmap_rlimit_as_4m_hard "--as=4194304:4194304"
run_limited hygiene_idmap_rlimit_stack_16k "--stack=16384"
run_limited hygiene_idmap_rlimit_stack_64k_hard "--stack=65536:65536"
run_limited hygiene_idmap_rlimit_data_1m "--data=1048576:1048576"
run_limited hygiene_idmap_rlimit_cpu_1s_hard "--cpu=1:1" must
run_limited hygiene_idmap_rlimit_nproc_0 "--nproc=0:0" must
run_limited hygiene_idmap_rlimit_memlock_0 "--memlock=0:0" must
run_limited hygiene_idmap_rlimit_core_unlimited "--core=unlimited" must
run_limited hygiene_idmap_rlimit_msgqueue_0_sigpending_0 "--msgqueue=0:0 --sigpending=0:0" must
run_limited hygiene_idmap_rlimit_nofile_hard_4 "--nofile=4:4"
run_limited hygiene_idmap_rlimit_fsize_0_hard "--fsize=0:0" must
run_limited hygiene_idmap_rlimit_rttime_0 "--rttime=0:0 --nice=0:0 --rtprio=0:0 --locks=0:0" must

# --------------------------------------------------------- environment
# Variables that glibc or the loader read: time zone files, locale and
# message catalogues, iconv modules, malloc tuning, the tunables string
# (CVE-2023-4911 was an overflow parsing it in a setuid program). Each
# names root-only files or is malformed; the result must be the plain one
# and nothing may be said about them.
mkdir -p /root/hygiene && echo secret >/root/hygiene/tz && chmod 0700 /root
envs=(
  "TZ=/root/hygiene/tz" "TZ=:../../../../root/hygiene/tz" "TZDIR=/root/hygiene"
  "LC_ALL=../../../../root/hygiene" "LANG=xx_XX.UTF-8" "LANGUAGE=../../root" "LOCPATH=/root/hygiene"
  "NLSPATH=/root/hygiene/%N" "GCONV_PATH=/root/hygiene" "MALLOC_PERTURB_=165" "MALLOC_ARENA_MAX=1"
  "MALLOC_TOP_PAD_=999999999999" "MALLOC_MMAP_THRESHOLD_=1" "MALLOC_CHECK_=3"
  "GLIBC_TUNABLES=glibc.malloc.mxfast=glibc.malloc.mxfast=$(printf 'A%.0s' $(seq 600))"
  "GLIBC_TUNABLES=glibc.rtld.nns=1000:glibc.malloc.check=3" "POSIXLY_CORRECT=1" "RES_OPTIONS=debug"
  "HOSTALIASES=/root/hygiene/tz" "LD_BIND_NOW=1" "LD_DYNAMIC_WEAK=1" "LD_SHOW_AUXV=1"
)
bad=
for e in "${envs[@]}"; do
  target
  # env execs the helper directly: a shell in between would itself obey
  # (and may crash on) what the helper must ignore.
  out=$(as_user uxtest1 env "$e" "$HELPER" 3<"/proc/$TARGET" <"$REQ" 2>/tmp/hygiene-idmap-err)
  rc=$?
  [ "$rc" = 0 ] && [ "$out" = ok ] && [ ! -s /tmp/hygiene-idmap-err ] &&
    [ "$(maps_of "$TARGET")" = "$FULL_MAP/$FULL_MAP/deny" ] ||
    bad+="[${e:0:40}: exit $rc, out '$out', err '$(head -c 200 /tmp/hygiene-idmap-err)'] "
done
[ -z "$bad" ] && pass hygiene_idmap_hostile_environment || fail hygiene_idmap_hostile_environment "$bad"

# ------------------------------------------------ the caller goes away
# The caller writes the request, then exits before reading the answer:
# fd 1 is a pipe nobody reads (SIGPIPE is reset to ignored by the helper,
# so the write fails with EPIPE). The maps are still whole or absent, and
# the helper says so by its status, never by hanging.
for delay in 0 0.3; do
  target
  status=/tmp/hygiene-idmap-status
  rm -f "$status"
  # shellcheck disable=SC2016
  as_user uxtest1 sh -c '{ sleep "$4"; "$0" 3<"/proc/$1" <"$2"; echo $? >"$3"; } | true &' \
    "$HELPER" "$TARGET" "$REQ" "$status" "$delay" >/dev/null 2>&1
  for _ in $(seq 100); do [ -s "$status" ] && break; sleep 0.05; done
  rc=$(cat "$status" 2>/dev/null)
  maps=$(maps_of "$TARGET")
  if [ -z "$rc" ]; then fail "hygiene_idmap_caller_gone_$delay" "the helper did not finish"
  elif { [ "$rc" = 21 ] && [ "$maps" = "$FULL_MAP/$FULL_MAP/deny" ]; } ||
       { [ "$rc" = 0 ] && [ "$maps" = "$FULL_MAP/$FULL_MAP/deny" ]; } ||
       { [ "$rc" != 0 ] && [ "$maps" = "//allow" ]; }; then
    pass "hygiene_idmap_caller_gone_${delay/./_}"
  else
    fail "hygiene_idmap_caller_gone_${delay/./_}" "exit $rc, kernel holds $maps"
  fi
done
exit 0
