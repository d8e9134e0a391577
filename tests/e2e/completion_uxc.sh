#!/usr/bin/env bash
# Bash completion (user/completion/uxc.bash), as a user with two
# containers: subcommands, each subcommand's flags exactly as its --help
# lists them, container names after -n, and values of a few flags.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

COMPLETION=$UXC_SRC/user/completion/uxc.bash
U=uxtest1
require_built completion_built "$UXC" "$WORLD_BIN/uxc-idmap"
write_plain_default_conf $U 100000
for c in web-1 db; do
  uxc_as $U create -n $c -t busybox >/dev/null || { fail completion_create "create $c failed"; exit 0; }
done

# complete WORDS...: what _uxc offers for the command line WORDS, the last
# word being the one under the cursor; sorted, one line.
complete_as() {
  as_user $U bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _uxc; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' sh "$COMPLETION" "$@"
}
expect() {  # expect NAME "WANTED" WORDS...
  local name=$1 wanted=$2 got
  shift 2
  got=$(complete_as "$@")
  [ "${got% }" = "$wanted" ] && pass "$name" || fail "$name" "for '$*' wanted '$wanted', got '${got% }'"
}

check completion_registered as_user $U bash -c "source '$COMPLETION' && complete -p uxc | grep -q -- '-F _uxc'"
commands=$("$UXC" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' | sort | tr '\n' ' ')
expect completion_offers_every_subcommand "${commands% }" uxc ""
expect completion_subcommand_prefix "start stop" uxc st
expect completion_top_level_flags "--help --version" uxc --
expect completion_names_after_n "db web-1" uxc start -n ""
expect completion_names_after_long_name "db web-1" uxc info --name ""
expect completion_names_after_name_equals "db web-1" uxc stop --name = ""
expect completion_names_by_prefix "web-1" uxc attach -n w
expect completion_names_after_other_flags "db web-1" uxc console -t 1 -n ""
expect completion_no_names_for_create "" uxc create -n ""
expect completion_templates "busybox download local" uxc create -n x -t ""
expect completion_image_subcommands "ls rm" uxc image ""
expect completion_ls_format "json" uxc ls --format ""
expect completion_log_levels "DEBUG" uxc start -n db -l DE
expect completion_nothing_after_double_dash_is_a_name "" uxc attach -n db -- web

# Each subcommand's flags are exactly those its --help lists.
for command in $commands; do
  wanted=$("$UXC" "$command" --help | grep -oE '^ +(-[A-Za-z0-9], )?--[a-z-]+' | tr -d ' ' | tr ',' '\n' |
    grep . | sort | tr '\n' ' ')
  expect "completion_flags_of_$command" "${wanted% }" uxc "$command" -
done

# Names come from the user's own data directory only.
got=$(as_user uxtest2 bash -c 'source "$1"; COMP_WORDS=(uxc start -n ""); COMP_CWORD=3; _uxc; echo "${COMPREPLY[*]}"' sh "$COMPLETION")
check completion_other_user_sees_no_names test -z "$got"
got=$(as_user $U env XDG_DATA_HOME=/home/$U/elsewhere bash -c 'source "$1"; COMP_WORDS=(uxc start -n ""); COMP_CWORD=3; _uxc; echo "${COMPREPLY[*]}"' sh "$COMPLETION")
check completion_follows_xdg_data_home test -z "$got"
