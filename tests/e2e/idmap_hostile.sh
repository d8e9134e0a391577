#!/usr/bin/env bash
# uxc-idmap against a hostile caller: closed standard fds, a poisoned
# environment, tiny rlimits, and signals sent mid-run. Whatever happens,
# never a partial or unauthorised map.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/idmap_common.bash"
set -u

FULL=$(request "uid 0 100000 65536" "uid 65536 $U1 1" "gid 0 100000 65536" "gid 65536 $U1 1")
FULL_MAP="0 100000 65536|65536 $U1 1"

# expect_all_or_nothing NAME: see all_or_nothing in idmap_common.bash.
expect_all_or_nothing() {
  local why
  if why=$(all_or_nothing "$FULL_MAP" "$FULL_MAP" deny); then pass "$1"; else fail "$1" "$why"; fi
}

# ----------------------------------------------------------- standard fds
# The refusal comes before the drop to the caller: a sanitized helper then
# ends as root with no capabilities, the kernel refuses LeakSanitizer's
# attach for its check at exit, and the runtime exits 1 in place of the
# helper's 10. There the check at exit is off (ASan and UBSan stay on).
asan_options "$HELPER" detect_leaks=0
OUT=$(printf '%s\n' "$FULL" | as_user uxtest1 "${ASAN_ENV[@]}" "$PROBE" --close 0 -- "$HELPER" 2>/dev/null)
ASAN_ENV=()
expect_silent_refusal idmap_hostile_stdin_closed
[ "$(got status)" = exit:10 ] && pass idmap_hostile_stdin_closed_exit_10 ||
  fail idmap_hostile_stdin_closed_exit_10 "$OUT"
probe uxtest1 "$FULL" --close 1
expect_silent_refusal idmap_hostile_stdout_closed
probe uxtest1 "$FULL" --close 0,1,2
expect_silent_refusal idmap_hostile_all_stdio_closed
probe uxtest1 "$FULL" --close 2
expect_silent_refusal idmap_hostile_stderr_closed

# ------------------------------------------------------------ environment
# A library whose constructor leaves a mark if it ever runs inside the
# helper; the loader must ignore every variable below for a setuid program.
evil=/tmp/idmap-evil
mkdir -p "$evil"
cat >"$evil/evil.c" <<'EOF'
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void mark(void) {
  char exe[256] = {0};
  if (readlink("/proc/self/exe", exe, sizeof exe - 1) < 0 || !strstr(exe, "uxc-idmap")) return;
  int fd = open("/tmp/idmap-evil/ran", O_WRONLY | O_CREAT, 0666);
  if (fd >= 0) close(fd);
}
unsigned la_version(unsigned v) { mark(); return v; }
EOF
if gcc_out=$(gcc -shared -fPIC -o "$evil/evil.so" "$evil/evil.c" 2>&1); then
  chmod -R a+rwX "$evil"
  cp "$evil/evil.so" "$evil/libcap.so.2"
  OUT=$(printf '%s\n' "$FULL" | as_user uxtest1 env LD_PRELOAD="$evil/evil.so" \
    LD_LIBRARY_PATH="$evil" LD_AUDIT="$evil/evil.so" GCONV_PATH="$evil" LOCPATH="$evil" \
    NLSPATH="$evil/%N" MALLOC_CHECK_=3 MALLOC_TRACE="$evil/trace" TMPDIR="$evil" \
    HOSTALIASES="$evil/h" LD_DEBUG=all LD_DEBUG_OUTPUT="$evil/debug" LD_PROFILE=libc.so.6 \
    IFS=x PATH="$evil" "$PROBE" -- "$HELPER" 2>/dev/null)
  expect_map idmap_hostile_loader_environment "$FULL_MAP" "$FULL_MAP" deny
  # The probe itself is not setuid and does honour them: only a file that
  # names the helper would show the loader obeyed them inside it.
  if [ -e "$evil/ran" ] || grep -qs uxc-idmap "$evil"/debug*; then
    fail idmap_hostile_loader_environment_ignored "$(ls "$evil")"
  else
    pass idmap_hostile_loader_environment_ignored
  fi
else
  fail idmap_hostile_loader_environment "gcc -shared failed (run make deps): $gcc_out"
fi

# ---------------------------------------------------------------- rlimits
# Hard limits stay the caller's. Tiny ones stop the helper before it
# writes: its checks hold more fds open at once than its writes do.
for n in 3 4 5 6; do
  probe uxtest1 "$FULL" --nofile "$n"
  case $(got status) in
    exit:0) expect_map "idmap_hostile_rlimit_nofile_$n" "$FULL_MAP" "$FULL_MAP" deny ;;
    *) expect_silent_refusal "idmap_hostile_rlimit_nofile_$n" ;;
  esac
done
probe uxtest1 "$FULL" --nofile 16
expect_map idmap_hostile_rlimit_nofile_16 "$FULL_MAP" "$FULL_MAP" deny
probe uxtest1 "$FULL" --fsize 0
expect_map idmap_hostile_rlimit_fsize_0 "$FULL_MAP" "$FULL_MAP" deny

# ---------------------------------------------------------------- signals
# SIGSTOP and SIGCONT at many points of the run: the result is unchanged.
stopped_ok=0 stopped_bad=
for us in 0 100 300 600 1000 2000 4000; do
  probe uxtest1 "$FULL" --stop-us "$us"
  if [ "$(got status)" = exit:0 ] && [ "$(got uid_map)" = "$FULL_MAP" ] &&
     [ "$(got gid_map)" = "$FULL_MAP" ] && [ "$(got setgroups)" = deny ]; then
    stopped_ok=$((stopped_ok + 1))
  else
    stopped_bad+="[$us us: $OUT] "
  fi
done
[ -z "$stopped_bad" ] && pass idmap_hostile_sigstop_midrun || fail idmap_hostile_sigstop_midrun "$stopped_bad"
probe uxtest1 "$FULL" --stop-us 0 --hold-request
expect_map idmap_hostile_sigstop_before_request "$FULL_MAP" "$FULL_MAP" deny

# SIGKILL before the request is complete: nothing at all.
probe uxtest1 "$FULL" --kill-us 1000 --hold-request
expect_silent_refusal idmap_hostile_sigkill_while_reading
[ "$(got status)" = signal:9 ] && pass idmap_hostile_sigkill_while_reading_killed ||
  fail idmap_hostile_sigkill_while_reading_killed "$OUT"

# SIGKILL at many points after the request: each map is all or nothing,
# and the self-mapped gid map never exists without setgroups "deny".
bad= none=0 uid_only=0 both=0
for us in $(seq 0 20 2500) 3000 4000 6000; do
  probe uxtest1 "$FULL" --kill-us "$us"
  if ! why=$(all_or_nothing "$FULL_MAP" "$FULL_MAP" deny); then
    bad+="[$us us: $why] "
  elif [ -n "$(got gid_map)" ]; then both=$((both + 1))
  elif [ -n "$(got uid_map)" ]; then uid_only=$((uid_only + 1))
  else none=$((none + 1))
  fi
done
if [ -z "$bad" ]; then
  pass idmap_hostile_sigkill_midrun
  echo "  (sigkill: $none runs killed before any write, $uid_only between the writes, $both after)"
else
  fail idmap_hostile_sigkill_midrun "$bad"
fi

# SIGKILL the moment uid_map appears, that is between the two writes: the
# gid map is then absent or complete, never anything else.
bad= between=0
for i in $(seq 20); do
  probe uxtest1 "$FULL" --kill-on-uid-map
  if ! why=$(all_or_nothing "$FULL_MAP" "$FULL_MAP" deny); then bad+="[$why] "
  elif [ -z "$(got gid_map)" ]; then between=$((between + 1))
  fi
done
if [ -n "$bad" ]; then fail idmap_hostile_sigkill_between_writes "$bad"
elif [ "$between" -eq 0 ]; then skip idmap_hostile_sigkill_between_writes "never landed between the writes in 20 tries"
else pass idmap_hostile_sigkill_between_writes; echo "  ($between of 20 kills landed between the writes)"
fi

# ------------------------------------------------------------------- argv
probe uxtest1 "$FULL" --argv0 ""
expect_map idmap_hostile_empty_argv0_is_uxc_idmap "$FULL_MAP" "$FULL_MAP" deny
probe uxtest1 "$FULL" --argv0 "newuidmap/../uxc-idmap"
expect_map idmap_hostile_argv0_path_tricks "$FULL_MAP" "$FULL_MAP" deny
probe uxtest1 "$FULL" --argv0 "newuidmap"
expect_refused idmap_hostile_protocol_request_to_newuidmap -
