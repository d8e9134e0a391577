#!/usr/bin/env bash
# uxc-nic's setuid hygiene, for what nic_faults.sh does not already cover
# (fds 0, 1, 2 closed one at a time, NLCB/NLDBG/NLSYSCONFDIR and a few
# others, RLIMIT_FSIZE 0, the SIGKILL sweep): all three fds closed, the
# loader's and glibc's variables with a marker library, every other
# resource limit, SIGSTOP/SIGCONT at a sweep of instants, SIGSTOP then
# SIGKILL while it holds the quota lock, and a caller gone before the
# answer. After each: the quota holds, no host end is up without its tag.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

T1=uxc:61001:uxtest1:veth:lxcbr0
usernet "uxtest1 veth lxcbr0 1"
holder uxtest1; h1=$HOLDER
REQ=/tmp/hygiene-nic-request
request "op create" "type veth" "link lxcbr0" "name e0" >"$REQ"
chmod 0644 "$REQ"

# consistent: at most one host end (quota 1); one left untagged is down.
consistent() {
  local n dev alias
  n=$(host_ends | wc -l)
  [ "$n" -le 1 ] || { echo "$n host ends"; return 1; }
  while read -r dev alias; do
    [ -n "$dev" ] || continue
    if [ -z "$alias" ] && ip -o link show "$dev" | grep -q '[<,]UP[,>]'; then
      echo "untagged $dev is up"; return 1
    fi
    [ -z "$alias" ] || [ "$alias" = "$T1" ] || { echo "odd tag $alias"; return 1; }
  done < <(host_ends)
}
# outcome NAME RC [must]: exit 0 with one tagged nic, or a refusal with
# none; with "must", exit 0. Then the slate is wiped.
outcome() {
  local name=$1 rc=$2 why
  if ! why=$(consistent); then fail "$name" "exit $rc: $why"
  elif [ "$rc" = 0 ] && [ "$(count_tag "$T1")" = 1 ]; then pass "$name"
  elif [ "$rc" != 0 ] && [ -z "${3:-}" ] && [ "$(host_ends | wc -l)" = 0 ]; then pass "$name"
  else fail "$name" "exit $rc: $(host_ends | tr '\n' ' ')"
  fi
  remove_all_host_ends
}

# ----------------------------------------------------- fds 0-2 closed
before=$(links_here)
# The refusal comes before the drop to the caller: a sanitized helper then
# ends as root with no capabilities, the kernel refuses LeakSanitizer's
# attach for its check at exit, and the runtime exits 1 in place of the
# helper's 10. There the check at exit is off (ASan and UBSan stay on).
asan_options "$NIC" detect_leaks=0
as_user uxtest1 "${ASAN_ENV[@]}" sh -c 'exec "$0" 3<"$1" 0<&- 1>&- 2>&-' "$NIC" "/proc/$h1/ns/net"
rc=$?
ASAN_ENV=()
[ "$rc" = 10 ] && [ "$(links_here)" = "$before" ] && pass hygiene_nic_all_stdio_closed ||
  fail hygiene_nic_all_stdio_closed "exit $rc"
as_user uxtest1 sh -c 'exec "$0" create /x c1 "$1" veth lxcbr0 e1 0<&- 1>&- 2>&-' "$LXC_NIC" "$h1"
rc=$?
[ "$rc" != 0 ] && [ "$(links_here)" = "$before" ] && pass hygiene_nic_lxc_user_nic_all_stdio_closed ||
  fail hygiene_nic_lxc_user_nic_all_stdio_closed "exit $rc"

# ------------------------------------------------------- environment
# A library whose constructor leaves a mark if it ever runs inside the
# helper; every variable below is one the loader or glibc would obey in
# an ordinary program. The helper is exec'd by env directly, since a
# shell in between would obey them itself.
evil=/tmp/hygiene-nic-evil
mkdir -p "$evil"
cat >"$evil/evil.c" <<'EOC'
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void mark(void) {
  char exe[256] = {0};
  if (readlink("/proc/self/exe", exe, sizeof exe - 1) < 0 || !strstr(exe, "uxc-nic")) return;
  int fd = open("/tmp/hygiene-nic-evil/ran", O_WRONLY | O_CREAT, 0666);
  if (fd >= 0) close(fd);
}
unsigned la_version(unsigned v) { mark(); return v; }
EOC
if gcc_out=$(gcc -shared -fPIC -o "$evil/evil.so" "$evil/evil.c" 2>&1); then
  for lib in libnl-3.so.200 libnl-route-3.so.200 libcap.so.2 libc.so.6; do cp "$evil/evil.so" "$evil/$lib"; done
  mkdir -p "$evil/gconv" "$evil/locale"
  printf 'module INTERNAL EVIL// evil 1\n' >"$evil/gconv/gconv-modules"
  chmod -R a+rwX "$evil"
  envs=("LD_PRELOAD=$evil/evil.so" "LD_LIBRARY_PATH=$evil" "LD_AUDIT=$evil/evil.so"
        "GCONV_PATH=$evil/gconv" "LOCPATH=$evil/locale" "LC_ALL=C.EVIL" "MALLOC_TRACE=$evil/trace"
        "TZ=$evil/evil.so" "NLSPATH=$evil/%N" "LD_DEBUG=all" "LD_DEBUG_OUTPUT=$evil/debug"
        "LD_SHOW_AUXV=1" "MALLOC_TOP_PAD_=999999999999"
        "MALLOC_PERTURB_=165" "GLIBC_TUNABLES=glibc.malloc.mxfast=glibc.malloc.mxfast=$(printf 'A%.0s' $(seq 600))"
        "LIBNL_DEBUG=7" "NLDBG=9" "NLCB=debug" "HOSTALIASES=$evil/h" "RES_OPTIONS=debug")
  bad=
  for e in "${envs[@]}"; do
    OUT=$(as_user uxtest1 env "$e" "$NIC" 3<"/proc/$h1/ns/net" <"$REQ" 2>"$ERRF")
    RC=$?
    [ "$RC" = 0 ] && [[ $OUT == "ok host="* ]] && [ ! -s "$ERRF" ] && [ "$(count_tag "$T1")" = 1 ] ||
      bad+="[${e:0:40}: exit $RC out '${OUT:0:100}' err '$(head -c 100 "$ERRF")'] "
    remove_all_host_ends
  done
  [ -z "$bad" ] && pass hygiene_nic_hostile_environment || fail hygiene_nic_hostile_environment "$bad"
  # LD_PROFILE is one the loader keeps in secure mode: it profiles the
  # named library into the fixed /var/profile, if that directory exists
  # (AUDIT.md, residual risks). The caller chooses neither the directory
  # nor the data; the answer must be unchanged and no file made anywhere.
  # libc is the one shared library every build of the helper maps.
  OUT=$(as_user uxtest1 env LD_PROFILE=libc.so.6 LD_PROFILE_OUTPUT="$evil" "$NIC" \
    3<"/proc/$h1/ns/net" <"$REQ" 2>"$ERRF")
  RC=$?
  [ "$RC" = 0 ] && [[ $OUT == "ok host="* ]] && ! compgen -G "$evil/*profile*" >/dev/null &&
    { [ ! -s "$ERRF" ] || [ "$(grep -vc '^/var/profile/libc.so.6.profile: cannot open file' "$ERRF")" = 0 ]; } &&
    pass hygiene_nic_ld_profile_output_fixed ||
    fail hygiene_nic_ld_profile_output_fixed "exit $RC out '$OUT' err '$(head -c 200 "$ERRF")' files $(ls "$evil")"
  remove_all_host_ends
  if [ -e "$evil/ran" ] || grep -qs uxc-nic "$evil"/debug* "$evil/trace"; then
    fail hygiene_nic_loader_environment_ignored "$(ls "$evil")"
  else
    pass hygiene_nic_loader_environment_ignored
  fi
else
  fail hygiene_nic_hostile_environment "gcc -shared failed (run make deps): $gcc_out"
fi

# ------------------------------------------------------------ rlimits
# prlimit(1) sets the limit and execs the helper itself. A refusal counts
# only if the helper (or the loader, for it) is what gave up.
limited() {  # NAME PRLIMIT-ARGS [must]
  local name=$1 limits=$2 rc
  # LeakSanitizer checks for leaks from a thread of its own at exit, which
  # RLIMIT_NPROC 0 forbids: a sanitizer's limit, not the helper's.
  if [[ $limits == *--nproc* ]] && asan_built "$NIC"; then
    skip "$name" "helpers built with ASan: LeakSanitizer needs a thread at exit"; return
  fi
  # Under ASan, the runtime would decide two kinds of row: a stack
  # overflow's SIGSEGV becomes its report and exit 1, so it is left to the
  # kernel; too few fds refuse before the drop to the caller, where
  # LeakSanitizer cannot attach (see fds 0-2 closed above).
  case $limits in
    --stack=*) asan_options "$NIC" handle_segv=0 ;;
    --nofile=[56]:*) asan_options "$NIC" detect_leaks=0 ;;
    *) ASAN_ENV=() ;;
  esac
  # shellcheck disable=SC2086
  as_user uxtest1 "${ASAN_ENV[@]}" sh -c 'r=$1 t=$2; shift 2; exec prlimit "$@" -- "$0" 3<"/proc/$t/ns/net" <"$r"' \
    "$NIC" "$REQ" "$h1" $limits >/dev/null 2>"$ERRF"
  rc=$?
  ASAN_ENV=()
  if grep -q '^prlimit:' "$ERRF"; then fail "$name" "set-up: $(head -c 200 "$ERRF")"; remove_all_host_ends; return; fi
  if [ "$rc" != 0 ] && ! { [ "$rc" -ge 10 ] && [ "$rc" -le 23 ]; } && [ "$rc" -lt 128 ] &&
     ! { [ "$rc" = 127 ] && grep -q 'error while loading shared libraries' "$ERRF"; }; then
    fail "$name" "exit $rc is not the helper's: $(head -c 200 "$ERRF")"; remove_all_host_ends; return
  fi
  outcome "$name" "$rc" "${3:-}"
}
limited hygiene_nic_rlimit_nofile_3 "--nofile=3:3"
limited hygiene_nic_rlimit_nofile_5 "--nofile=5:5"
limited hygiene_nic_rlimit_nofile_6 "--nofile=6:6"
limited hygiene_nic_rlimit_nofile_16 "--nofile=16:16" must
limited hygiene_nic_rlimit_as_16m "--as=16777216:16777216"
limited hygiene_nic_rlimit_as_64m "--as=67108864"
limited hygiene_nic_rlimit_stack_16k "--stack=16384:16384"
limited hygiene_nic_rlimit_data_1m "--data=1048576:1048576"
limited hygiene_nic_rlimit_cpu_1s_hard "--cpu=1:1" must
limited hygiene_nic_rlimit_nproc_0 "--nproc=0:0" must
limited hygiene_nic_rlimit_memlock_0 "--memlock=0:0" must
limited hygiene_nic_rlimit_locks_0 "--locks=0:0" must
limited hygiene_nic_rlimit_msgqueue_sigpending_0 "--msgqueue=0:0 --sigpending=0:0" must
limited hygiene_nic_rlimit_core_unlimited "--core=unlimited" must

# ------------------------------------------------ SIGSTOP and SIGCONT
# Stopped at a sweep of instants and continued: the outcome is a normal
# one (it may have been slow, never half done).
bad=
for ms in 0 0.5 1 1.5 2 3 4 6 8 12; do
  rcfile=/tmp/hygiene-nic-rc
  rm -f "$rcfile"
  as_user uxtest1 sh -c '"$0" 3<"/proc/$1/ns/net" <"$2" >/dev/null 2>&1 & p=$!
    sleep "$(echo "$3" | awk "{print \$1 / 1000}")"; kill -STOP $p 2>/dev/null; sleep 0.05
    kill -CONT $p 2>/dev/null; wait $p; echo $? >"$4"' "$NIC" "$h1" "$REQ" "$ms" "$rcfile" 2>/dev/null
  rc=$(cat "$rcfile" 2>/dev/null)
  why=$(consistent) || bad+="[$ms ms: $why] "
  [ "$rc" = 0 ] && [ "$(count_tag "$T1")" = 1 ] || bad+="[$ms ms: exit $rc, $(host_ends | tr '\n' ' ')] "
  remove_all_host_ends
done
[ -z "$bad" ] && pass hygiene_nic_sigstop_sigcont_sweep || fail hygiene_nic_sigstop_sigcont_sweep "$bad"

# Stopped while it may hold the lock, then killed: the lock goes with it
# (flock), so the next create is not kept waiting, and the quota holds.
bad=
for ms in 1 2 3 5 8; do
  as_user uxtest1 sh -c '"$0" 3<"/proc/$1/ns/net" <"$2" >/dev/null 2>&1 & p=$!
    sleep "$(echo "$3" | awk "{print \$1 / 1000}")"; kill -STOP $p; sleep 0.2; kill -KILL $p; wait $p' \
    "$NIC" "$h1" "$REQ" "$ms" 2>/dev/null
  start=$(date +%s%N)
  create uxtest1 "$h1" lxcbr0 "name s0"
  took=$(( ($(date +%s%N) - start) / 1000000 ))
  [ "$took" -lt 5000 ] || bad+="[$ms ms: the next create waited $took ms] "
  why=$(consistent) || bad+="[$ms ms: $why] "
  [ "$(count_tag "$T1")" = 1 ] || bad+="[$ms ms: $(count_tag "$T1") tagged after the next create ($RC)] "
  remove_all_host_ends
done
[ -z "$bad" ] && pass hygiene_nic_sigstop_then_sigkill_releases_lock ||
  fail hygiene_nic_sigstop_then_sigkill_releases_lock "$bad"

# ------------------------------------------------ the caller goes away
# The caller starts the helper and exits before reading the answer: fd 1
# is a pipe nobody reads. The helper ignores SIGPIPE (the core's hygiene),
# so writing the answer fails and it exits with the answer step's status
# (23), after the act: the nic then exists, tagged and counted, in the
# caller's container. Never a death by SIGPIPE (141). Or it never got
# that far and nothing exists. The quota holds either way.
for delay in 0 0.3; do
  name=hygiene_nic_caller_gone_${delay/./_}
  status=/tmp/hygiene-nic-status
  rm -f "$status"
  # shellcheck disable=SC2016
  as_user uxtest1 sh -c '{ sleep "$4"; "$0" 3<"/proc/$1/ns/net" <"$2"; echo $? >"$3"; } | true &' \
    "$NIC" "$h1" "$REQ" "$status" "$delay" >/dev/null 2>&1
  for _ in $(seq 100); do [ -s "$status" ] && break; sleep 0.05; done
  rc=$(cat "$status" 2>/dev/null)
  if [ -z "$rc" ]; then fail "$name" "the helper did not finish"; continue; fi
  if ! why=$(consistent); then fail "$name" "exit $rc: $why"
  elif { [ "$rc" = 23 ] || [ "$rc" = 0 ]; } && [ "$(count_tag "$T1")" = 1 ]; then pass "$name"
  elif [ "$rc" != 0 ] && [ "$(host_ends | wc -l)" = 0 ]; then pass "$name"
  else fail "$name" "exit $rc: $(host_ends | tr '\n' ' ')"
  fi
  # The slot is taken exactly when the nic exists.
  create uxtest1 "$h1" lxcbr0 "name g1"
  if [ "$(host_ends | wc -l)" = 1 ] && [ "$RC" = 20 ]; then pass "${name}_quota_intact"
  elif [ "$RC" = 0 ] && [ "$(count_tag "$T1")" = 1 ]; then pass "${name}_quota_intact"
  else fail "${name}_quota_intact" "next create exit $RC: $(host_ends | tr '\n' ' ')"
  fi
  remove_all_host_ends
done
rm -rf "$evil" "$REQ" /tmp/hygiene-nic-*
remove_all_host_ends
exit 0
