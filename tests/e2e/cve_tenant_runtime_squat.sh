#!/usr/bin/env bash
# Another tenant must not be able to keep a user from starting containers
# by taking the runtime directory's name first. Without XDG_RUNTIME_DIR
# and /run/user/UID (a cron job, su without a login session: this world
# has neither), uxc used /tmp/uxc-UID; another user made it first and the
# victim could start nothing, nor remove it. The fallback must be a
# directory the victim owns by construction.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"
require_built cve_tenant_runtime_squat_built "$UXC" "$WORLD_BIN/uxc-idmap"

U=uxtest1 C=squat
write_plain_default_conf $U 100000
check cve_runtime_no_run_user test ! -e /run/user/61001

# uxtest2 squats every name in /tmp that an older uxc used or that a
# predictable scheme would: the directory itself, a private one, a
# symlink to its own directory, and a file.
as_user uxtest2 mkdir -m 0777 /tmp/uxc-61001
as_user uxtest2 mkdir -m 0700 /tmp/uxc-61001.run /tmp/uxc-61001-run
as_user uxtest2 ln -s /home/uxtest2 /tmp/uxc-61001.0
as_user uxtest2 touch /tmp/uxc-61001.tmp

check cve_runtime_create uxc_as $U create -n $C -t busybox
out=$(uxc_as $U start -n $C -d -- /bin/sleep 1000 2>&1); status=$?
[ "$status:$out" = "0:" ] && pass cve_runtime_squatted_tmp_start_works ||
  fail cve_runtime_squatted_tmp_start_works "exit $status: $out"
check cve_runtime_squatted_tmp_info_running test "$(uxc_as $U info -n $C -s -H 2>&1)" = RUNNING
check cve_runtime_squatted_tmp_attach uxc_as $U attach -n $C -- /bin/true

# Where the state went: a directory of uxtest1's own, mode 0700, not one of
# the names above, and nothing in uxtest2's squats.
dir=$(runtime_dir_of $U)
owned() {
  [ -n "$dir" ] && [ "$(stat -c '%U %a %F' "$dir")" = "uxtest1 700 directory" ] &&
    [ -S "$dir/$C/sock" ] || { echo "runtime dir '$dir': $(ls -la "$dir" 2>&1)"; return 1; }
  case $dir in /tmp/uxc-61001|/tmp/uxc-61001.run|/tmp/uxc-61001-run|/tmp/uxc-61001.0|/tmp/uxc-61001.tmp)
    echo "a squatted name: $dir"; return 1 ;; esac
  local landed
  landed=$(find /tmp/uxc-61001 /tmp/uxc-61001.run /tmp/uxc-61001-run /home/uxtest2 -mindepth 1)
  [ -z "$landed" ] || { echo "something landed in uxtest2's: $landed"; return 1; }
}
check cve_runtime_dir_is_the_users_own owned
# uxtest2 cannot see into it, and cannot plant anything there.
closed() {
  [ -n "$dir" ] || { echo "no runtime directory"; return 1; }
  if as_user uxtest2 ls "$dir" >/dev/null 2>&1; then echo "uxtest2 can list $dir"; return 1; fi
  if as_user uxtest2 touch "$dir/x" 2>/dev/null; then echo "uxtest2 can write in $dir"; return 1; fi
}
check cve_runtime_dir_closed_to_others closed

# A second container and a stop find the same directory.
check cve_runtime_create_second uxc_as $U create -n ${C}2 -t busybox
check cve_runtime_second_start uxc_as $U start -n ${C}2 -d -- /bin/sleep 1000
check cve_runtime_same_dir_for_both test "$(runtime_dir_of $U)" = "$dir" -a -S "$dir/${C}2/sock"
check cve_runtime_ls_sees_both bash -c '[ "$(grep -c RUNNING <<<"$1")" = 2 ]' sh "$(uxc_as $U ls -f)"
check cve_runtime_stop uxc_as $U stop -n $C -k
check cve_runtime_stop_second uxc_as $U stop -n ${C}2 -k
check cve_runtime_stopped_state test "$(uxc_as $U info -n $C -s -H 2>&1)" = STOPPED

# The directory goes (a reboot empties /tmp, or a cleaner removes it) and
# uxtest2 takes a name right away: the next start makes a new one.
rm -rf "$dir"
check cve_runtime_restart_after_tmp_cleaned uxc_as $U start -n $C -d -- /bin/sleep 1000
new=$(runtime_dir_of $U)
check cve_runtime_new_dir_after_tmp_cleaned test -n "$new" -a "$(stat -c '%U %a' "$new" 2>&1)" = "uxtest1 700"
cleanup uxc_as $U stop -n $C -k
