#!/usr/bin/env bash
# uxc's command line: --help and --version everywhere, LXC's flags, exit
# statuses, and -n checks before anything is touched.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

require_built manager_cli_built "$UXC"
U=uxtest1
for c in create start stop info ls destroy; do
  out=$(uxc_as $U $c --help 2>&1); status=$?
  check manager_cli_help_$c test "$status:$(head -1 <<<"$out")" = "0:Usage: uxc $c $(sed -n "s/^Usage: uxc $c //p" <<<"$out")"
  check manager_cli_version_$c test "$(uxc_as $U $c --version)" = "uxc 0.1"
done
check manager_cli_top_help grep -q '^  destroy ' <<<"$(uxc_as $U --help)"
uxc_as $U >/dev/null 2>&1; check manager_cli_no_command_exit_2 test $? = 2
out=$(uxc_as $U frobnicate 2>&1); status=$?
check manager_cli_unknown_command test "$status:$out" = "2:uxc: unknown command 'frobnicate' (try 'uxc --help')"
out=$(uxc_as $U start -x 2>&1); status=$?
check manager_cli_unknown_flag test "$status:$out" = "2:uxc start: unknown option -x (try 'uxc start --help')"
out=$(uxc_as $U start -n 2>&1); status=$?
check manager_cli_missing_argument test "$status:$out" = "2:uxc start: missing argument for -n (try 'uxc start --help')"
out=$(uxc_as $U info 2>&1); status=$?
check manager_cli_name_required test "$status:$out" = "2:uxc info: a container NAME is required: uxc info NAME, or -n NAME (try 'uxc info --help')"
out=$(uxc_as $U start -n x -d -F 2>&1); status=$?
check manager_cli_d_and_F_exclusive test "$status:$out" = "2:uxc start: -d and -F exclude each other (try 'uxc start --help')"
out=$(uxc_as $U stop -n x -t soon 2>&1); status=$?
check manager_cli_timeout_number test "$status:$out" = "2:uxc stop: -t TIMEOUT must be a number of seconds, or -1, not 'soon' (try 'uxc stop --help')"
# The seed's long spellings work too.
out=$(uxc_as $U info --name nothing-here 2>&1); status=$?
check manager_cli_long_name test "$status:$out" = "1:uxc info: nothing-here doesn't exist"
check manager_cli_ls_empty test -z "$(uxc_as $U ls)"
check manager_cli_ls_json_empty test "$(uxc_as $U ls --format json)" = "[]"
