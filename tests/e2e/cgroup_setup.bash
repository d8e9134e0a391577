# Cgroup delegation for the tests/e2e/cgroup_*.sh scripts (sourced after
# world_reexec). The cgroup hierarchies are the host's, shared with the
# world: everything made here is a new subtree under this script's own
# cgroup (so the host's accounting of the world still holds), owned by
# the test user, and removed at exit.

CG_ROOTS=()   # the delegated subtrees
CG_HOMES=()   # where this script was, per hierarchy

# The mount point of the v1 hierarchy whose controllers are exactly $1
# (comma-separated, as /proc/self/cgroup lists them).
_cg_v1_mount() {
  local want=$1 target opts o ctrls
  while read -r target opts; do
    ctrls=
    for o in ${opts//,/ }; do
      case $o in rw|ro|relatime|noatime|nosuid|nodev|noexec|clone_children|xattr|noprefix|cpuset_v2_mode|release_agent=*) ;;
        *) ctrls+="${ctrls:+,}$o" ;;
      esac
    done
    [ "$(tr , '\n' <<<"$ctrls" | sort | paste -sd,)" = "$(tr , '\n' <<<"$want" | sort | paste -sd,)" ] && { echo "$target"; return 0; }
  done < <(findmnt -rn -t cgroup -o TARGET,VFS-OPTIONS,FS-OPTIONS | awk '{print $1, $2 "," $3}')
  return 1
}

# cgroup_delegate USER [v1]: a subtree owned by USER in the v2 hierarchy
# (not with "v1") and in the v1 hierarchies of memory, pids, cpu,
# cpuacct, blkio and freezer; this script moves into a leaf of it, so
# every process it starts from now on (uxc as USER included) is inside.
# Prints nothing; fails if no hierarchy could be delegated.
cgroup_delegate() {
  local user=$1 only=${2:-} tag id ctrls path mnt dir
  tag=uxc-world-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
  local mine
  mine=$(cat /proc/self/cgroup)  # read once: this script moves as it goes
  while IFS=: read -r id ctrls path; do
    if [ "$id" = 0 ]; then
      [ "$only" = v1 ] && continue
      mnt=$(findmnt -rn -t cgroup2 -o TARGET | head -1)
    else
      case ",$ctrls," in *,cpuset,*|*,name=*) continue ;; esac
      case ",$ctrls," in *,memory,*|*,pids,*|*,cpu,*|*,cpuacct,*|*,blkio,*|*,freezer,*) ;; *) continue ;; esac
      mnt=$(_cg_v1_mount "$ctrls")
    fi
    [ -n "$mnt" ] && [ -d "$mnt" ] || continue
    [ "$path" = / ] && path=
    dir=$mnt$path/$tag
    mkdir "$dir" "$dir/shell" 2>/dev/null || continue
    chown -R "$user:" "$dir"
    CG_ROOTS+=("$dir")
    CG_HOMES+=("$mnt$path/cgroup.procs")
    echo $$ >"$dir/shell/cgroup.procs"
  done <<<"$mine"
  trap cgroup_undelegate EXIT
  [ ${#CG_ROOTS[@]} -gt 0 ]
}

# Moves this script back, kills what is left in the subtrees, removes them.
cgroup_undelegate() {
  local i d p
  for i in "${!CG_ROOTS[@]}"; do
    echo $$ >"${CG_HOMES[$i]}" 2>/dev/null
  done
  for d in "${CG_ROOTS[@]}"; do
    for p in $(cat $(find "$d" -name cgroup.procs) 2>/dev/null); do
      [ "$p" != $$ ] && kill -9 "$p" 2>/dev/null
    done
  done
  for d in "${CG_ROOTS[@]}"; do
    for i in $(seq 50); do
      find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
      [ -d "$d" ] || break
      sleep 0.1
    done
    [ -d "$d" ] && echo "cgroup_undelegate: could not remove $d" >&2
  done
  CG_ROOTS=()
}

# cgroup_dir_of NAME KIND: the container's cgroup directory in the v2
# hierarchy (KIND v2) or in the v1 hierarchy of controller KIND.
cgroup_dir_of() {
  local leaf=uxc.payload.$1 d
  for d in "${CG_ROOTS[@]}"; do
    if [ "$2" = v2 ]; then
      [ "$(stat -f -c %T "$d")" = cgroup2fs ] || continue
    else
      [ "$(stat -f -c %T "$d")" = cgroupfs ] && ls "$d" | grep -q "^$2\\." || continue
    fi
    [ -d "$d/$leaf" ] && { echo "$d/$leaf"; return 0; }
  done
  return 1
}
