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
  case $status in exit:0 | "") fail "$name" "not refused: $OUT"; return ;; esac
  if [ "$codes" = - ]; then
    [ -z "$answer" ] || { fail "$name" "front end answered on fd 1: $OUT"; return; }
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
