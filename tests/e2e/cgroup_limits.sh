#!/usr/bin/env bash
# cgroups as a user: a subtree delegated to the test user (v2 and the v1
# hierarchies of memory, pids, cpu, cpuacct, blkio, as the host has
# them); each container gets its own child cgroup with the config's
# limits, which hold; info reports the container's use.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"
source "$(dirname "$0")/cgroup_setup.bash"

same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
U=uxtest1
require_built cgroup_built "$UXC" "$WORLD_BIN/uxc-idmap"
write_plain_default_conf $U 100000

# ------------------------------------------------ without delegation
uxc_as $U create -n plain -t busybox >/dev/null
uxc_as $U start -n plain -d -- /bin/sleep 1000
info=$(uxc_as $U info -n plain)
check cgroup_none_still_runs grep -q '^State: *RUNNING' <<<"$info"
check cgroup_none_info_omits_use test "$(grep -c -E '^(CPU|BlkIO|Memory|KMem) use:' <<<"$info")" = 0
uxc_as $U stop -n plain -k

cgroup_delegate $U || { fail cgroup_delegate "no cgroup hierarchy could be delegated in the world"; exit 0; }
have_controller() {  # the delegated subtree offers controller $1 (v2 or v1)
  local d
  for d in "${CG_ROOTS[@]}"; do
    ls "$d" | grep -q "^$1\." && return 0
    grep -qw "$1" "$d/cgroup.controllers" 2>/dev/null && return 0
  done
  return 1
}

v2_offers() {  # the delegated v2 subtree offers controller $1
  local d
  for d in "${CG_ROOTS[@]}"; do
    [ "$(stat -f -c %T "$d")" = cgroup2fs ] && grep -qw "$1" "$d/cgroup.controllers" && return 0
  done
  return 1
}

# ------------------------------------------------------------- limits
uxc_as $U create -n lim -t busybox >/dev/null
cfg=/home/$U/.local/share/uxc/lim/config
cat >>"$cfg" <<'EOF2'
lxc.cgroup2.memory.max = 48M
lxc.cgroup2.pids.max = 24
lxc.cgroup2.cpu.max = 50000 100000
EOF2
check cgroup_start_with_limits uxc_as $U start -n lim -d
init=$(uxc_as $U info -n lim -p -H)
for kind in v2 memory pids cpu cpuacct blkio; do
  if [ "$kind" = v2 ] || have_controller $kind; then
    dir=$(cgroup_dir_of lim $kind)
    check cgroup_own_child_cgroup_$kind grep -qx "$(sed 's/[^0-9]//g' <<<"$init")" "$dir/cgroup.procs"
  fi
done
check cgroup_owned_by_user_not_container test "$(stat -c %u "$(cgroup_dir_of lim v2)")" = 61001
# Inside, the container's cgroup is its cgroup namespace's root.
out=$(uxc_as $U attach -n lim -- /bin/cat /proc/self/cgroup </dev/null)
check cgroup_namespace_root test "$(grep -vc ':/$' <<<"$out")" = 0

if have_controller memory; then
  if d=$(cgroup_dir_of lim v2) && [ -e "$d/memory.max" ]; then
    same cgroup_memory_max_written "$(cat "$d/memory.max")" 50331648
  else
    same cgroup_memory_max_written_v1 "$(cat "$(cgroup_dir_of lim memory)/memory.limit_in_bytes")" 50331648
  fi
  # An allocator past the limit is OOM-killed; one below it is not.
  uxc_as $U attach -n lim -- /bin/dd if=/dev/zero of=/dev/null bs=16M count=2 </dev/null 2>/dev/null
  check cgroup_memory_below_limit_runs test $? = 0
  uxc_as $U attach -n lim -- /bin/dd if=/dev/zero of=/dev/null bs=96M count=1 </dev/null 2>/dev/null; status=$?
  check cgroup_memory_max_oom_kills test $status = 137
  check cgroup_still_running_after_oom grep -q '^State: *RUNNING' <<<"$(uxc_as $U info -n lim)"
else
  skip cgroup_memory "no memory controller on this host"
fi

if have_controller pids; then
  # A fork bomb: 200 forks, each of which forks again.
  piddir=$(cgroup_dir_of lim pids 2>/dev/null || cgroup_dir_of lim v2)
  uxc_as $U attach -n lim -- /bin/sh -c 'for i in $(seq 200); do (sleep 2; sleep 2) & done; wait' </dev/null >/tmp/bomb 2>&1 &
  sleep 1
  in_cgroup=$(wc -l <"$piddir/cgroup.procs")
  wait
  check cgroup_pids_max_stops_fork_bomb test "$in_cgroup" -le 24 -a "$(cat "$piddir/pids.max")" = 24
  check cgroup_pids_fork_refused grep -q "can't fork" /tmp/bomb
  check cgroup_pids_max_hit grep -q '^max [1-9]' "$piddir/pids.events"
  # Once the bomb's processes are gone, the container takes new ones.
  for i in $(seq 100); do [ "$(cat "$piddir/pids.current")" -lt 12 ] && break; sleep 0.1; done
  check cgroup_attach_after_bomb uxc_as $U attach -n lim -- /bin/true </dev/null
else
  skip cgroup_pids "no pids controller on this host"
fi

if have_controller cpu; then
  if d=$(cgroup_dir_of lim v2) && [ -e "$d/cpu.max" ]; then
    same cgroup_cpu_max_written "$(cat "$d/cpu.max")" "50000 100000"
  else
    d=$(cgroup_dir_of lim cpu)
    same cgroup_cpu_max_written_v1 "$(cat "$d/cpu.cfs_quota_us") $(cat "$d/cpu.cfs_period_us")" "50000 100000"
  fi
fi

# Attached commands are in the container's cgroups.
out=$(uxc_as $U attach -n lim -- /bin/cat /proc/self/cgroup </dev/null 2>&1)
check cgroup_attach_joins grep -q ':/$' <<<"$out"
check cgroup_attach_joined_all test "$(grep -vc ':/$' <<<"$out")" = 0
# From a cgroup outside the delegated subtree, the v2 hierarchy refuses
# the move (delegation containment): attach still runs, and says so.
v2home=
for i in "${!CG_ROOTS[@]}"; do
  [ "$(stat -f -c %T "${CG_ROOTS[$i]}")" = cgroup2fs ] && v2home=${CG_HOMES[$i]}
done
if [ -n "$v2home" ]; then
  out=$(sh -c "echo \$\$ >$v2home && exec setpriv --reuid=61001 --regid=61001 --init-groups --inh-caps=-all env -i HOME=/home/$U PATH=$UXC_USER_PATH UXC_HELPER_DIR=$WORLD_BIN $UXC attach -n lim -- /bin/echo ran" </dev/null 2>&1); status=$?
  check cgroup_attach_outside_delegation_runs test "$status:$(tail -1 <<<"$out")" = "0:ran"
  check cgroup_attach_outside_delegation_warns grep -q "^uxc attach: warning: cannot join the container's cgroup .*; the command runs outside the container's limits$" <<<"$out"
fi

# ------------------------------------------------------------ info
uxc_as $U attach -n lim -- /bin/sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; dd if=/dev/zero of=/tmp/f bs=1M count=4 2>/dev/null' </dev/null
info=$(uxc_as $U info -n lim)
cpu=$(sed -n 's/^CPU use: *\([0-9.]*\) seconds$/\1/p' <<<"$info")
check cgroup_info_cpu_nonzero awk -v c="${cpu:-0}" 'BEGIN { exit !(c > 0) }'
check cgroup_info_memory_nonzero grep -Eq '^Memory use: +[0-9.]+ (KiB|MiB|GiB)$' <<<"$info"
check cgroup_info_kmem grep -Eq '^KMem use: +[0-9.]+ (bytes|KiB|MiB)$' <<<"$info"
check cgroup_info_blkio grep -Eq '^BlkIO use: +[0-9.]+ (bytes|KiB|MiB)$' <<<"$info"
check cgroup_info_order grep -Pzq 'PID:[^\n]*\nCPU use:[^\n]*\nBlkIO use:[^\n]*\nMemory use:[^\n]*\nKMem use:' <<<"$info"
# LXC's -H: labels kept, numbers raw.
raw=$(uxc_as $U info -n lim -H | sed -n 's/^CPU use: *//p')
check cgroup_info_raw_cpu_ns test "${raw:-0}" -gt 1000000
check cgroup_info_stats_only grep -Pzq '^CPU use:[^\n]*\nBlkIO use:[^\n]*\nMemory use:[^\n]*\nKMem use:' <<<"$(uxc_as $U info lim -S)"

uxc_as $U stop -n lim -k
check cgroup_removed_at_stop test -z "$(find "${CG_ROOTS[@]}" -name uxc.payload.lim)"
# A restart gets a fresh cgroup.
check cgroup_restart uxc_as $U start -n lim -d -- /bin/sleep 1000
check cgroup_restart_placed test -d "$(cgroup_dir_of lim v2)"
uxc_as $U stop -n lim -k

# ------------------------------------------------------ v1 spelling
if have_controller memory && ! v2_offers memory; then
  uxc_as $U create -n v1 -t busybox >/dev/null
  echo 'lxc.cgroup.memory.limit_in_bytes = 20M' >>/home/$U/.local/share/uxc/v1/config
  check cgroup_v1_key_start uxc_as $U start -n v1 -d -- /bin/sleep 1000
  same cgroup_v1_key_applied "$(cat "$(cgroup_dir_of v1 memory)/memory.limit_in_bytes")" 20971520
  uxc_as $U stop -n v1 -k
fi

# ------------------------------------------- limits that cannot apply
expect_start_failure() {  # NAME PATTERN SETTING
  local out status
  cp "$cfg" /tmp/lim.config
  echo "$3" >>"$cfg"
  out=$(uxc_as $U start -n lim -d 2>&1); status=$?
  cp /tmp/lim.config "$cfg"
  if [ $status = 1 ] && grep -Eq -- "$2" <<<"$out"; then pass "$1"; else fail "$1" "exit $status: $out"; fi
}
expect_start_failure cgroup_bad_value_is_start_error "^uxc start: cannot apply the cgroup limit (memory.max|memory.limit_in_bytes) = lots .*: Invalid argument$" \
  'lxc.cgroup2.memory.max = lots'
expect_start_failure cgroup_undelegated_controller_is_start_error \
  "^uxc start: lxc.cgroup2.hugetlb.2MB.max \(config line [0-9]+\) cannot be applied: no cgroup with the hugetlb controller is delegated to you: remove the line, or see 'uxc check' for how to get one$" \
  'lxc.cgroup2.hugetlb.2MB.max = 0'
expect_start_failure cgroup_unknown_controller_is_start_error \
  "^uxc start: lxc.cgroup2.frobs.max \(config line [0-9]+\) cannot be applied: no cgroup with the frobs controller is delegated to you" 'lxc.cgroup2.frobs.max = 1'
if have_controller memory && ! v2_offers memory; then
  expect_start_failure cgroup_v2_key_without_v1_equivalent \
    "^uxc start: lxc.cgroup2.memory.high \(config line [0-9]+\) cannot be applied: the memory controller is on cgroup v1 here, where uxc knows no equivalent of memory.high: write it as lxc.cgroup.FILE with the v1 file instead$" \
    'lxc.cgroup2.memory.high = 10M'
fi
check cgroup_failed_start_leaves_no_cgroup test -z "$(find "${CG_ROOTS[@]}" -name uxc.payload.lim)"
check cgroup_failed_start_nothing_left nothing_left $U lim

# --------------------------------- one name in two paths (-P), both running
# Each has a cgroup of its own (uxc.lxcpath-HASH.NAME for the -P one), so
# the second starts at once and stopping one leaves the other running.
other=/home/$U/other-path
as_user $U mkdir -p "$other"
uxc_as $U create -n twin -t busybox >/dev/null
uxc_as $U create -P "$other" -n twin -t busybox >/dev/null
check cgroup_twin_default_start uxc_as $U start -n twin -d -- /bin/sleep 1000
check cgroup_twin_other_path_start uxc_as $U start -P "$other" -n twin -d -- /bin/sleep 1000
p1=$(uxc_as $U info -n twin -p -H); p2=$(uxc_as $U info -P "$other" -n twin -p -H)
c1=$(grep '^0::' /proc/"$p1"/cgroup 2>/dev/null || head -n 1 /proc/"$p1"/cgroup)
c2=$(grep '^0::' /proc/"$p2"/cgroup 2>/dev/null || head -n 1 /proc/"$p2"/cgroup)
check cgroup_twin_default_name grep -q '/uxc\.payload\.twin$' <<<"$c1"
check cgroup_twin_other_path_name grep -Eq '/uxc\.lxcpath-[0-9a-f]{8}\.twin$' <<<"$c2"
uxc_as $U stop -P "$other" -n twin -k
check cgroup_twin_other_stopped_first_runs test "$(uxc_as $U info -n twin -s -H)" = RUNNING
uxc_as $U stop -n twin -k
check cgroup_twin_no_cgroup_left test -z "$(find "${CG_ROOTS[@]}" -name '*.twin')"
