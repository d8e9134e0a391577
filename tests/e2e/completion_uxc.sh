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
  as_user $U env PATH="$UXC_BUILD/bin:$UXC_USER_PATH" bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
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
expect completion_offers_every_subcommand "$(tr ' ' '\n' <<<"${commands}help" | grep . | sort | tr '\n' ' ' | sed 's/ $//')" uxc ""
expect completion_subcommand_prefix "start stop" uxc st
expect completion_top_level_flags "--help --version" uxc --
expect completion_names_after_n "db web-1" uxc start -n ""
expect completion_names_after_long_name "db web-1" uxc info --name ""
expect completion_names_after_name_equals "db web-1" uxc stop --name = ""
expect completion_names_by_prefix "web-1" uxc attach -n w
expect completion_names_after_other_flags "db web-1" uxc console -t 1 -n ""
expect completion_no_names_for_create "" uxc create -n ""
expect completion_templates "busybox download local oci" uxc create -n x -t ""
expect completion_image_subcommands "ls rm" uxc image ""
expect completion_ls_format "json" uxc ls --format ""
expect completion_log_levels "DEBUG" uxc start -n db -l DE
expect completion_nothing_after_double_dash_is_a_name "" uxc attach -n db -- web
# LXC users' positional NAME, and a name after -P's directory.
expect completion_names_as_operand "db web-1" uxc start ""
expect completion_names_as_operand_prefix "web-1" uxc info w
expect completion_no_second_name "" uxc info db w
expect completion_no_name_after_n_given "" uxc stop -n db w
expect completion_flags_after_operand "-H" uxc info db -H
expect completion_stop_lxc_flags "--nokill --nowait" uxc stop db --no
as_user $U mkdir -p /home/$U/other/elsewhere-1 && as_user $U touch /home/$U/other/elsewhere-1/config
expect completion_names_of_lxcpath "elsewhere-1" uxc start -P /home/$U/other ""
expect completion_names_of_lxcpath_n "elsewhere-1" uxc info -P /home/$U/other -n ""
# Configuration keys, states, help.
expect completion_info_c_keys "lxc.uts.name lxc.utsname" uxc info db -c lxc.uts
expect completion_start_s_key_equals "lxc.start.auto= lxc.start.delay= lxc.start.order=" uxc start db -s lxc.start.
expect completion_wait_states "FROZEN RUNNING STARTING STOPPED" uxc wait db -s ""
expect completion_help_keys "keys" uxc help ""
expect completion_config_keys "uxc.lxcpath" uxc config uxc.lx
# Images: the cache's distributions and releases.
cache=/home/$U/.cache/uxc/images
as_user $U mkdir -p $cache/images.example.org/debian/bookworm/amd64/default $cache/images.example.org/alpine/3.20/amd64/default
expect completion_image_rm_dists "alpine debian" uxc image rm -d ""
expect completion_image_rm_releases "3.20 bookworm" uxc image rm -d debian -r ""
expect completion_create_download_dists "alpine debian" uxc create x -t download -- -d ""

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

# zsh: the same candidates from user/completion/_uxc, and compinit
# loading it for uxc.
ZCOMPLETION=$UXC_SRC/user/completion/_uxc
if ! command -v zsh >/dev/null; then
  fail completion_zsh "zsh is not installed (make deps)"
else
  zwords() {  # zwords WORDS...: _uxc_words's candidates starting with the last word, sorted, one line
    local last=${*: -1}
    as_user $U env PATH="$UXC_BUILD/bin:$UXC_USER_PATH" zsh -f -c 'source "$1"; shift; _uxc_words "$@"' sh "$ZCOMPLETION" "$@" |
      grep -F -- "$last" | grep -- "^$(printf '%s' "$last" | sed 's/[.[\*^$]/\\&/g')" | sort | tr '\n' ' '
  }
  zexpect() {  # zexpect NAME "WANTED" WORDS...
    local name=$1 wanted=$2 got
    shift 2
    got=$(zwords "$@")
    [ "${got% }" = "$wanted" ] && pass "$name" || fail "$name" "for '$*' wanted '$wanted', got '${got% }'"
  }
  zexpect completion_zsh_subcommands "start stop" uxc st
  zexpect completion_zsh_names_after_n "db web-1" uxc start -n ""
  zexpect completion_zsh_names_as_operand "web-1" uxc attach w
  zexpect completion_zsh_no_second_name "" uxc info db x
  zexpect completion_zsh_flags "--keep-env --keep-var" uxc attach db --keep-
  zexpect completion_zsh_states "RUNNING" uxc wait db -s RU
  zexpect completion_zsh_stop_flags "--nokill --nowait" uxc stop db --no
  zexpect completion_zsh_keys "lxc.id_map lxc.idmap lxc.include lxc.init.cmd lxc.init.cwd lxc.init.gid lxc.init.uid lxc.init_cmd" uxc info db -c lxc.i
  zexpect completion_zsh_lxcpath "elsewhere-1" uxc start -P /home/$U/other e
  check completion_zsh_registered as_user $U env PATH="$UXC_BUILD/bin:$UXC_USER_PATH" zsh -f -c \
    'fpath=("${1%/*}" $fpath); autoload -U compinit; compinit -u -D; [[ ${_comps[uxc]} == _uxc ]]' sh "$ZCOMPLETION"
  check completion_zsh_parses zsh -n "$ZCOMPLETION"
fi
