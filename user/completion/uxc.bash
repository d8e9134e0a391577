# bash completion for uxc(1): subcommands, each subcommand's flags, and
# the user's container names after -n (from ~/.local/share/uxc/*/config,
# or $XDG_DATA_HOME/uxc). Installed as
# $(DATADIR)/bash-completion/completions/uxc; works without the
# bash-completion package too (source it from ~/.bashrc).

# _uxc_reply COMPGEN-ARGS...: COMPREPLY is compgen's words, one a line.
_uxc_reply() {
  mapfile -t COMPREPLY < <(compgen "$@")
}

_uxc_containers() {
  local base=${XDG_DATA_HOME:-$HOME/.local/share}/uxc config
  for config in "$base"/*/config; do
    [ -f "$config" ] || continue
    config=${config%/config}
    printf '%s\n' "${config##*/}"
  done
}

# _uxc_snapshots NAME: the snapshots of container NAME.
_uxc_snapshots() {
  local base=${XDG_DATA_HOME:-$HOME/.local/share}/uxc snap
  [ -n "$1" ] || return 0
  for snap in "$base/$1"/snaps/*/; do
    [ -d "$snap" ] || continue
    snap=${snap%/}
    printf '%s\n' "${snap##*/}"
  done
}

# _uxc_flags COMMAND: its flags, as in `uxc COMMAND --help`.
_uxc_flags() {
  local common="-P --lxcpath -q --quiet -h --help --version"
  case $1 in
    create) echo "-n --name -t --template -f --config $common" ;;
    start) echo "-n --name -d --daemon -F --foreground -f --rcfile -s --define -p --pidfile -l --logpriority -o --logfile $common" ;;
    stop) echo "-n --name -k --kill -t --timeout $common" ;;
    info) echo "-n --name -s --state -p --pid -i --ips -S --stats -c --config -H --no-humanize --format $common" ;;
    ls) echo "-1 --line -f --fancy -F --fancy-format --active --running --frozen --stopped -g --groups --filter --format $common" ;;
    destroy) echo "-n --name -f --force -s --snapshots $common" ;;
    attach) echo "-n --name -u --uid -g --gid -v --set-var --keep-var --keep-env --clear-env --cwd -e --elevated-privileges $common" ;;
    console) echo "-n --name -t --tty -e --escape $common" ;;
    autostart) echo "-a --all -g --group -A --ignore-auto -k --kill -s --shutdown -r --reboot -t --timeout -L --list $common" ;;
    check) echo "--fix --format $common" ;;
    execute) echo "-n --name -f --rcfile -s --define -l --logpriority -o --logfile $common" ;;
    wait) echo "-n --name -s --state -t --timeout $common" ;;
    monitor) echo "-n --name --format $common" ;;
    freeze|unfreeze|cgroup) echo "-n --name $common" ;;
    image) ;;  # its subcommands, below
    unshare) echo "-n --name $common" ;;
    snapshot) echo "-n --name -c --comment -L --list -C --showcomments -r --restore -N --newname -d --destroy --format $common" ;;
    copy) echo "-n --name -N --newname -s --snapshot -B --backingstorage -K --keepname -M --keepmac -e --ephemeral -D --keepdata -d --daemon -F --foreground $common" ;;
  esac
}

# _uxc_takes_value COMMAND FLAG: whether FLAG of COMMAND takes a value.
_uxc_takes_value() {
  case $1:$2 in
    *:-n|*:--name|*:-P|*:--lxcpath) return 0 ;;
    create:-t|create:--template|create:-f|create:--config) return 0 ;;
    start:-f|start:--rcfile|start:-l|start:--logpriority|start:-o|start:--logfile) return 0 ;;
    stop:-t|stop:--timeout|console:-t|console:--tty|console:-e|console:--escape) return 0 ;;
    info:--format|check:--format|ls:--format|ls:-F|ls:--fancy-format|ls:-g|ls:--groups|ls:--filter) return 0 ;;
    start:-s|start:--define|start:-p|start:--pidfile) return 0 ;;
    execute:-f|execute:--rcfile|execute:-s|execute:--define|execute:-l|execute:--logpriority|execute:-o|execute:--logfile) return 0 ;;
    wait:-s|wait:--state|wait:-t|wait:--timeout|monitor:--format) return 0 ;;
    attach:-u|attach:--uid|attach:-g|attach:--gid|attach:-v|attach:--set-var|attach:--keep-var|attach:--cwd) return 0 ;;
    autostart:-g|autostart:--group|autostart:-t|autostart:--timeout) return 0 ;;
    copy:-N|copy:--newname|copy:-B|copy:--backingstorage) return 0 ;;
    snapshot:-c|snapshot:--comment|snapshot:-r|snapshot:--restore|snapshot:-N|snapshot:--newname) return 0 ;;
    snapshot:-d|snapshot:--destroy|snapshot:--format) return 0 ;;
  esac
  return 1
}

_uxc() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev='' command='' container='' i word
  local commands="create start stop info ls destroy attach console autostart check execute wait monitor freeze unfreeze cgroup image copy snapshot unshare"
  COMPREPLY=()
  # --flag=value: bash splits it into "--flag" "=" "value".
  if [ "$COMP_CWORD" -ge 2 ] && [ "${COMP_WORDS[COMP_CWORD - 1]}" = "=" ]; then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
  elif [ "$cur" = "=" ]; then
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    cur=
  elif [ "$COMP_CWORD" -ge 1 ]; then
    prev=${COMP_WORDS[COMP_CWORD - 1]}
  fi

  # The subcommand is the first word that is not a flag; after "--" the
  # words are a command for the container, completed as files.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [ "$word" = "--" ]; then
      [ -n "$command" ] && { _uxc_reply -f -- "$cur"; return 0; }
    elif [ -z "$command" ] && [[ $word != -* ]]; then
      command=$word
    elif [[ ${COMP_WORDS[i - 1]} == -n || ${COMP_WORDS[i - 1]} == --name ]]; then
      container=$word
    fi
  done

  if [ -z "$command" ]; then
    if [[ $cur == -* ]]; then
      _uxc_reply -W "-h --help --version" -- "$cur"
    else
      _uxc_reply -W "$commands" -- "$cur"
    fi
    return 0
  fi

  if [ -n "$prev" ] && _uxc_takes_value "$command" "$prev"; then
    case $command:$prev in
      create:-n|create:--name) ;;   # a new name
      *:-n|*:--name) _uxc_reply -W "$(_uxc_containers)" -- "$cur" ;;
      create:-t|create:--template) _uxc_reply -W "busybox download local" -- "$cur" ;;
      start:-l|start:--logpriority)
        _uxc_reply -W "TRACE DEBUG INFO NOTICE WARN ERROR CRIT ALERT FATAL" -- "$cur" ;;
      ls:--format|info:--format|check:--format|monitor:--format|snapshot:--format) _uxc_reply -W "json" -- "$cur" ;;
      copy:-B|copy:--backingstorage) _uxc_reply -W "dir overlay" -- "$cur" ;;
      snapshot:-r|snapshot:--restore|snapshot:-d|snapshot:--destroy)
        _uxc_reply -W "$(_uxc_snapshots "$container") $([[ $prev == -d || $prev == --destroy ]] && echo ALL)" -- "$cur" ;;
      snapshot:-c|snapshot:--comment)
        compopt -o filenames 2>/dev/null
        _uxc_reply -f -- "$cur" ;;
      console:-t|console:--tty) _uxc_reply -W "0 1 2 3 4 5 6 7 8 9 10 11 12" -- "$cur" ;;
      *:-f|*:--config|*:--rcfile|*:-o|*:--logfile)
        compopt -o filenames 2>/dev/null
        _uxc_reply -f -- "$cur" ;;
    esac
    return 0
  fi

  # uxc image ls|rm: the subcommand first.
  if [ "$command" = image ]; then
    [ "$COMP_CWORD" -eq 2 ] && [[ $cur != -* ]] && _uxc_reply -W "ls rm" -- "$cur"
    return 0
  fi

  # Every operand is a flag: offer them from the first character on.
  [ -z "$cur" ] || [[ $cur == -* ]] && _uxc_reply -W "$(_uxc_flags "$command")" -- "$cur"
  return 0
}

complete -F _uxc uxc
