# bash completion for uxc(1): subcommands, each subcommand's flags, the
# user's container names (after -n and as the first operand, from the
# container directory, or the one -P names), configuration keys (info -c,
# start -s), states (wait -s), the images of the cache (create -t
# download -- -d/-r, image rm -d/-r), and a container's snapshots
# (snapshot -r/-d). Installed as
# $(DATADIR)/bash-completion/completions/uxc (make deps installs the
# bash-completion package that loads it); works without that package too
# (source it from ~/.bashrc). user/completion/_uxc is zsh's.

# _uxc_reply COMPGEN-ARGS...: COMPREPLY is compgen's words, one a line.
_uxc_reply() {
  mapfile -t COMPREPLY < <(compgen "$@")
}

# _uxc_lxcpath: the -P PATH of the command line, else the default.
_uxc_lxcpath() {
  local i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -P|--lxcpath) [ -n "${COMP_WORDS[i + 1]:-}" ] && { printf '%s\n' "${COMP_WORDS[i + 1]/#\~/$HOME}"; return; } ;;
    esac
  done
  printf '%s\n' "${XDG_DATA_HOME:-$HOME/.local/share}/uxc"
}

_uxc_containers() {
  local base config
  base=$(_uxc_lxcpath)
  for config in "$base"/*/config; do
    [ -f "$config" ] || continue
    config=${config%/config}
    printf '%s\n' "${config##*/}"
  done
}

# _uxc_snapshots NAME: the snapshots of container NAME.
_uxc_snapshots() {
  local base snap
  [ -n "$1" ] || return 0
  base=$(_uxc_lxcpath)
  for snap in "$base/$1"/snaps/*/; do
    [ -d "$snap" ] || continue
    snap=${snap%/}
    printf '%s\n' "${snap##*/}"
  done
}

# _uxc_images LEVEL [DIST]: distributions (LEVEL 2) or releases (3, of
# DIST if given) in the image cache (SERVER/DIST/RELEASE/ARCH/VARIANT).
_uxc_images() {
  local cache=${XDG_CACHE_HOME:-$HOME/.cache}/uxc/images dir dist=${2:-*}
  for dir in "$cache"/*/$dist/*; do
    [ -d "$dir" ] || continue
    if [ "$1" = 2 ]; then dir=${dir%/*}; fi
    printf '%s\n' "${dir##*/}"
  done | sort -u
}

# _uxc_flags COMMAND: its flags, as in `uxc COMMAND --help`.
_uxc_flags() {
  local common="-P --lxcpath -q --quiet -h --help --version"
  case $1 in
    create) echo "-n --name -t --template -f --config $common" ;;
    start) echo "-n --name -d --daemon -F --foreground -f --rcfile -s --define -p --pidfile -l --logpriority -o --logfile $common" ;;
    stop) echo "-n --name -r --reboot -k --kill -t --timeout -W --nowait --nokill $common" ;;
    info) echo "-n --name -s --state -p --pid -i --ips -S --stats -c --config -H --no-humanize --format $common" ;;
    ls) echo "-1 --line -f --fancy -F --fancy-format --active --running --frozen --stopped -g --groups --filter --format $common" ;;
    destroy) echo "-n --name -f --force -s --snapshots $common" ;;
    attach) echo "-n --name -u --uid -g --gid -v --set-var --keep-var --keep-env --clear-env --cwd -e --elevated-privileges $common" ;;
    console) echo "-n --name -t --tty -e --escape $common" ;;
    autostart) echo "-a --all -g --group -A --ignore-auto -k --kill -s --shutdown -r --reboot -t --timeout -L --list $common" ;;
    check) echo "--fix --format --engines $common" ;;
    execute) echo "-n --name -f --rcfile -s --define -l --logpriority -o --logfile $common" ;;
    wait) echo "-n --name -s --state -t --timeout $common" ;;
    monitor) echo "-n --name --format $common" ;;
    freeze|unfreeze|cgroup) echo "-n --name $common" ;;
    config) echo "-l --list $common" ;;
    image) ;;  # its subcommands, below
    copy) echo "-n --name -N --newname -s --snapshot -B --backingstorage -K --keepname -M --keepmac -e --ephemeral -D --keepdata -d --daemon -F --foreground $common" ;;
    snapshot) echo "-n --name -c --comment -L --list -C --showcomments -r --restore -N --newname -d --destroy --format $common" ;;
    unshare) echo "-n --name $common" ;;
  esac
}

# _uxc_takes_value COMMAND FLAG: whether FLAG of COMMAND takes a value.
_uxc_takes_value() {
  case $1:$2 in
    *:-P|*:--lxcpath) return 0 ;;
    monitor:-n|monitor:--name) return 0 ;;
    *:-n|*:--name) [[ $1 != monitor ]] ;;
    create:-t|create:--template|create:-f|create:--config) return 0 ;;
    start:-f|start:--rcfile|start:-l|start:--logpriority|start:-o|start:--logfile) return 0 ;;
    start:-s|start:--define|start:-p|start:--pidfile) return 0 ;;
    execute:-f|execute:--rcfile|execute:-s|execute:--define|execute:-l|execute:--logpriority|execute:-o|execute:--logfile) return 0 ;;
    stop:-t|stop:--timeout|console:-t|console:--tty|console:-e|console:--escape) return 0 ;;
    info:-c|info:--config|info:--format|check:--format|monitor:--format) return 0 ;;
    ls:--format|ls:-F|ls:--fancy-format|ls:-g|ls:--groups|ls:--filter) return 0 ;;
    wait:-s|wait:--state|wait:-t|wait:--timeout) return 0 ;;
    attach:-u|attach:--uid|attach:-g|attach:--gid|attach:-v|attach:--set-var|attach:--keep-var|attach:--cwd) return 0 ;;
    autostart:-g|autostart:--group|autostart:-t|autostart:--timeout) return 0 ;;
    copy:-N|copy:--newname|copy:-B|copy:--backingstorage) return 0 ;;
    snapshot:-c|snapshot:--comment|snapshot:-r|snapshot:--restore|snapshot:-N|snapshot:--newname) return 0 ;;
    snapshot:-d|snapshot:--destroy|snapshot:--format) return 0 ;;
    *) return 1 ;;
  esac
}

# Commands whose first operand is a container (the name of a new one for
# create, which is not completed).
_uxc_takes_name() {
  case $1 in
    start|stop|info|destroy|attach|console|execute|wait|freeze|unfreeze|cgroup|copy|snapshot|unshare) return 0 ;;
  esac
  return 1
}

_uxc() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev='' command='' i word named='' operands=0 container=''
  local commands="create start stop info ls destroy attach console autostart check execute wait monitor freeze unfreeze cgroup config image copy snapshot unshare"
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

  # The subcommand is the first word that is not a flag. Then: whether a
  # name was given (-n, or an operand), and, after "--", the words are
  # the container's command (files), or a template's arguments.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [ "$word" = "--" ]; then
      [ -z "$command" ] && continue
      if [ "$command" = create ]; then
        case $prev in
          -d|--dist) _uxc_reply -W "$(_uxc_images 2)" -- "$cur" ;;
          -r|--release) _uxc_reply -W "$(_uxc_images 3)" -- "$cur" ;;
          *) compopt -o filenames 2>/dev/null; _uxc_reply -f -- "$cur" ;;
        esac
        return 0
      fi
      compopt -o filenames 2>/dev/null
      _uxc_reply -f -- "$cur"
      return 0
    elif [ -z "$command" ]; then
      [[ $word != -* ]] && command=$word
    elif [ "$word" = -n ] || [ "$word" = --name ]; then
      named=1
      container=${COMP_WORDS[i + 1]:-}
    elif [[ $word != -* ]] && [ "$word" != "=" ] && ! _uxc_takes_value "$command" "${COMP_WORDS[i - 1]}"; then
      operands=$((operands + 1))
      [ "$operands" = 1 ] && [ -z "$named" ] && container=$word
    fi
  done

  if [ -z "$command" ]; then
    if [[ $cur == -* ]]; then
      _uxc_reply -W "-h --help --version" -- "$cur"
    else
      _uxc_reply -W "$commands help" -- "$cur"
    fi
    return 0
  fi

  if [ "$command" = help ]; then
    [ "$COMP_CWORD" -eq 2 ] && _uxc_reply -W "keys" -- "$cur"
    return 0
  fi

  if [ -n "$prev" ] && _uxc_takes_value "$command" "$prev"; then
    case $command:$prev in
      create:-n|create:--name|monitor:-n|monitor:--name) ;;   # a new name, a REGEX
      *:-n|*:--name) _uxc_reply -W "$(_uxc_containers)" -- "$cur" ;;
      *:-P|*:--lxcpath) compopt -o filenames 2>/dev/null; _uxc_reply -d -- "$cur" ;;
      create:-t|create:--template) _uxc_reply -W "busybox download local oci" -- "$cur" ;;
      start:-l|start:--logpriority|execute:-l|execute:--logpriority)
        _uxc_reply -W "TRACE DEBUG INFO NOTICE WARN ERROR CRIT ALERT FATAL" -- "$cur" ;;
      *:--format) _uxc_reply -W "json" -- "$cur" ;;
      copy:-B|copy:--backingstorage) _uxc_reply -W "dir overlay" -- "$cur" ;;
      snapshot:-r|snapshot:--restore|snapshot:-d|snapshot:--destroy)
        _uxc_reply -W "$(_uxc_snapshots "$container") $([[ $prev == -d || $prev == --destroy ]] && echo ALL)" -- "$cur" ;;
      snapshot:-c|snapshot:--comment)
        compopt -o filenames 2>/dev/null
        _uxc_reply -f -- "$cur" ;;
      info:-c|info:--config) _uxc_reply -W "$(uxc help keys --names 2>/dev/null | grep -v '[A-Z]')" -- "$cur" ;;
      start:-s|start:--define|execute:-s|execute:--define)
        compopt -o nospace 2>/dev/null
        _uxc_reply -S = -W "$(uxc help keys --names 2>/dev/null | grep -v '[A-Z]')" -- "$cur" ;;
      wait:-s|wait:--state) _uxc_reply -W "STOPPED STARTING RUNNING FROZEN" -- "$cur" ;;
      ls:-F|ls:--fancy-format)
        _uxc_reply -W "NAME STATE PID RAM AUTOSTART GROUPS INTERFACE IPV4 IPV6 UNPRIVILEGED IMAGE DIST RELEASE ARCH" -- "$cur" ;;
      console:-t|console:--tty) _uxc_reply -W "0 1 2 3 4 5 6 7 8 9 10 11 12" -- "$cur" ;;
      *:-f|*:--config|*:--rcfile|*:-o|*:--logfile|*:-p|*:--pidfile)
        compopt -o filenames 2>/dev/null
        _uxc_reply -f -- "$cur" ;;
    esac
    return 0
  fi

  # uxc image ls|rm: the subcommand first; rm's -d and -r from the cache.
  if [ "$command" = image ]; then
    if [ "$COMP_CWORD" -eq 2 ]; then
      [[ $cur != -* ]] && _uxc_reply -W "ls rm" -- "$cur"
    elif [ "${COMP_WORDS[2]}" = rm ]; then
      case $prev in
        -d|--dist) _uxc_reply -W "$(_uxc_images 2)" -- "$cur" ;;
        -r|--release) _uxc_reply -W "$(_uxc_images 3)" -- "$cur" ;;
        *) _uxc_reply -W "-d --dist -r --release -a --arch --variant --server --all -h --help" -- "$cur" ;;
      esac
    fi
    return 0
  fi

  # A flag; else the container, as the first operand.
  if [[ $cur == -* ]]; then
    _uxc_reply -W "$(_uxc_flags "$command")" -- "$cur"
  elif [ -z "$named" ] && [ "$operands" = 0 ] && _uxc_takes_name "$command"; then
    _uxc_reply -W "$(_uxc_containers)" -- "$cur"
  elif [ "$command" = config ] && [ "$operands" = 0 ]; then
    _uxc_reply -W "$(uxc config -l 2>/dev/null)" -- "$cur"
  elif [ -z "$cur" ]; then
    _uxc_reply -W "$(_uxc_flags "$command")" -- "$cur"
  fi
  return 0
}

complete -F _uxc uxc
