#!/usr/bin/env bash
# What LXC users type, the way they type it: usage errors exit 2 on every
# command, a positional NAME, -P PATH for another container directory
# (the same name running in two), -q, and start -F's exit status and
# its note on a terminal.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail parity_cli_built "$UXC was not built"; exit 0; }

# ------------------------------------------------ usage errors: exit 2
for c in create start stop info destroy attach console execute wait freeze unfreeze cgroup; do
  out=$(uxc_as $U $c 2>&1 </dev/null); status=$?
  check parity_cli_${c}_name_missing_exit_2 test "$status:$out" = \
    "2:uxc $c: a container NAME is required: uxc $c NAME, or -n NAME (try 'uxc $c --help')"
done
out=$(uxc_as $U ls a b 2>&1); status=$?
check parity_cli_ls_two_regexes_exit_2 test "$status:$out" = "2:uxc ls: one REGEX at most: uxc ls REGEX, or --filter REGEX (try 'uxc ls --help')"
for c in check autostart; do
  out=$(uxc_as $U $c surplus 2>&1); status=$?
  check parity_cli_${c}_operand_exit_2 test "$status:$out" = "2:uxc $c: unexpected argument 'surplus' (try 'uxc $c --help')"
done
out=$(uxc_as $U info foo bar 2>&1); status=$?
check parity_cli_info_extra_operand_exit_2 test "$status:$out" = "2:uxc info: unexpected argument 'bar' (try 'uxc info --help')"
out=$(uxc_as $U info 'a/b' 2>&1); status=$?
check parity_cli_bad_name_exit_2 test "$status" = 2
out=$(uxc_as $U create -n x 2>&1); status=$?
check parity_cli_create_template_missing test "$status:$out" = \
  "2:uxc create: -t TEMPLATE is required: use -t busybox, -t download -- -d DIST -r RELEASE, -t local -- PATH or -t oci -- PATH[:TAG] (try 'uxc create --help')"
out=$(uxc_as $U create -n x -t nosuch 2>&1); status=$?
check parity_cli_create_template_unknown test "$status:$out" = \
  "2:uxc create: unknown template 'nosuch': use -t busybox, -t download -- -d DIST -r RELEASE, -t local -- PATH or -t oci -- PATH[:TAG] (try 'uxc create --help')"
out=$(uxc_as $U console -n x -t one 2>&1); status=$?
check parity_cli_console_tty_number test "$status:$out" = "2:uxc console: -t TTY must be a number, not 'one' (try 'uxc console --help')"
out=$(uxc_as $U console -n x -e 1 2>&1); status=$?
check parity_cli_console_escape_letter test "$status:$out" = "2:uxc console: -e ESCAPE takes a letter: -e a (or ^a) for Ctrl+a (try 'uxc console --help')"
out=$(uxc_as $U autostart -a -g web 2>&1); status=$?
check parity_cli_autostart_exclusive test "$status:$out" = "2:uxc autostart: -a and -g exclude each other (try 'uxc autostart --help')"
# A failure that is not a usage error stays 1.
out=$(uxc_as $U info nothing-here 2>&1); status=$?
check parity_cli_positional_missing_container test "$status:$out" = "1:uxc info: nothing-here doesn't exist"
# Every command's --help lists -P and -q and the exit statuses.
for c in create start stop info ls destroy attach console autostart check execute wait monitor freeze unfreeze cgroup; do
  h=$(uxc_as $U $c --help)
  check parity_cli_${c}_help_common bash -c 'grep -q -- "-P, --lxcpath PATH" <<<"$1" && grep -q -- "-q, --quiet" <<<"$1" &&
    grep -q "^Exit status: 0 success, 1 failure, 2 usage error" <<<"$1"' sh "$h"
done

if ! have_idmap; then skip parity_cli_containers "uxc-idmap was not built"; exit 0; fi
write_plain_default_conf $U 100000

# ----------------------------------------- positional NAME, -q, options after it
out=$(uxc_as $U create pos -t busybox -q 2>&1); status=$?
check parity_cli_create_positional_quiet test "$status:$out" = "0:"
check parity_cli_info_positional_options_after test "$(uxc_as $U info pos -s -H)" = STOPPED
check parity_cli_info_positional_long test "$(uxc_as $U info --state pos --no-humanize)" = STOPPED
out=$(uxc_as $U create pos -t busybox 2>&1); status=$?
check parity_cli_create_exists_exit_1 test "$status:$out" = "1:uxc create: container pos already exists (/home/$U/.local/share/uxc/pos)"

# -------------------------------------------------- -P: another directory
other=/home/$U/other
out=$(uxc_as $U create -P "$other" pos -t busybox 2>&1); status=$?
check parity_cli_lxcpath_create test "$status:$out" = "0:Created container pos"
check parity_cli_lxcpath_files test -f "$other/pos/config"
check parity_cli_lxcpath_rootfs_in_path grep -qx "lxc.rootfs.path = dir:$other/pos/rootfs" "$other/pos/config"
out=$(cd /home/$U && as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" ls -P other)
check parity_cli_lxcpath_relative test "$out" = pos
check parity_cli_start_default uxc_as $U start pos -d
check parity_cli_start_other_path_same_name uxc_as $U start -P "$other" pos -d
p1=$(uxc_as $U info pos -p -H); p2=$(uxc_as $U info -P "$other" pos -p -H)
check parity_cli_lxcpath_two_running test -n "$p1" -a -n "$p2" -a "$p1" != "$p2"
check parity_cli_lxcpath_own_runtime_dir bash -c 'ls -d /tmp/uxc-61001.*/.lxcpath-*/pos >/dev/null'
check parity_cli_stop_other_path uxc_as $U stop -P "$other" pos
check parity_cli_default_still_running test "$(uxc_as $U info pos -s -H)" = RUNNING
check parity_cli_stop_default uxc_as $U stop pos
out=$(uxc_as $U destroy -P "$other" pos -q 2>&1); status=$?
check parity_cli_destroy_quiet test "$status:$out" = "0:"
check parity_cli_lxcpath_destroyed test ! -e "$other/pos"

# ------------------------------------------------------ start -F statuses
cfg=/home/$U/.local/share/uxc/pos/config
uxc_as $U start pos -F -- /bin/sh -c 'exit 3' >/dev/null 2>&1; status=$?
check parity_cli_start_F_command_status test "$status" = 3
# busybox's init halts on SIGUSR1 (lxc.signal.halt) by reboot(2), which
# kills a pid namespace's init with SIGINT: stopped cleanly, so 0.
uxc_as $U start pos -F </dev/null >/tmp/fg.out 2>&1 &
fg=$!
for _ in $(seq 100); do [ "$(uxc_as $U info pos -s -H)" = RUNNING ] && break; sleep 0.1; done
sleep 0.5
check parity_cli_stop_foreground uxc_as $U stop pos -t 20
wait $fg; status=$?
check parity_cli_start_F_stopped_cleanly_exit_0 test "$status" = 0
uxc_as $U start pos -F </dev/null >/tmp/fg.out 2>&1 &
fg=$!
for _ in $(seq 100); do [ "$(uxc_as $U info pos -s -H)" = RUNNING ] && break; sleep 0.1; done
check parity_cli_kill_foreground uxc_as $U stop pos -k
wait $fg; status=$?
check parity_cli_start_F_killed_137 test "$status" = 137
# On a terminal: how to stop it, before the container's own output.
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC_BUILD/tests/pty_feed" "$UXC" start pos -F -- /bin/echo from-inside </dev/null | tr -d '\r')
check parity_cli_start_F_terminal_note test "$(head -4 <<<"$out")" = "uxc start: pos's console is on this terminal; every key goes to it.
  To stop it: 'uxc stop pos' from another terminal, or halt it from inside.
  To detach and come back later, start it with -d and use 'uxc console pos'.
from-inside"
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC_BUILD/tests/pty_feed" "$UXC" start -q pos -F -- /bin/echo from-inside </dev/null | tr -d '\r')
check parity_cli_start_F_terminal_quiet test "$out" = from-inside
out=$(uxc_as $U start pos -F -- /bin/echo plain </dev/null 2>&1)
check parity_cli_start_F_no_note_off_terminal test "$out" = plain
