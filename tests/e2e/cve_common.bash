# Shared by tests/e2e/cve_*.sh (sourced after world_reexec and
# idmap_common.bash): assertions on idmap_probe's report ($OUT) that name
# the refusal and the absence of any side effect.

# refused_unmapped NAME CODES: the helper failed, answered "error CODE"
# with CODE matching the extended regex CODES ("-" for the shadow front
# ends, which answer only by exit 1), and the target's maps are still
# empty with setgroups allowed: the attack changed nothing.
refused_unmapped() {
  local name=$1 codes=$2 status answer
  status=$(got status) answer=$(got answer)
  # A refusal is an exit with a status of the helper's own: not 0, not a
  # signal, not 126/127 (the helper never ran).
  [[ $status =~ ^exit:([1-9]|[1-9][0-9]|1[01][0-9]|12[0-5])$ ]] || { fail "$name" "not refused: $OUT"; return; }
  if [ "$codes" = - ]; then
    [ "$status" = exit:1 ] && [ -z "$answer" ] || { fail "$name" "want exit 1 and no answer on fd 1: $OUT"; return; }
  elif ! [[ $answer =~ ^error\ ($codes)\  ]]; then
    fail "$name" "want 'error $codes ...'; got $OUT"
    return
  fi
  if [ -n "$(got uid_map)$(got gid_map)" ] || [ "$(got setgroups)" != allow ]; then
    fail "$name" "something was written: $OUT"
    return
  fi
  pass "$name"
}

# same_outcome NAME A B: two runs' "exit|stdout|stderr" must be equal.
same_outcome() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "differs: [$2] vs [$3]"; fi
}
