#!/usr/bin/env bash
# Times one veth create: uxc-nic against LXC's lxc-user-nic, side by side in
# one run inside the isolated test world, as test user uxtest1, with 0, 600
# and 5,000 nics already on the bridge. Prints per-call medians and ratios.
# Targets: ours <= 0.15 of lxc-user-nic's time at 600 existing nics and
# <= 1.15x the floor below, and ours at 5,000 <= 2x ours at 0. Then 8
# users creating in parallel on 8 bridges (NIC_BENCH_PAR creates each,
# default 10), wall time against lxc-user-nic's and against one shared
# lock.
#
#   bench/nic.sh [RUNS]        (as root; BUILD=build-dir to pick a build)
#
# The existing nics are real veth pairs whose container ends sit in
# sleeping holder namespaces of uxtest1 and whose host ends are on
# bridges: the first 1,000 on lxcbr0, the rest on extra bridges of 1,000
# each, because a Linux bridge takes at most 1,024 ports (BR_MAX_PORTS).
# They are made by root with one `ip -batch` (thousands of helper calls
# would only slow the set-up) exactly as uxc-nic makes them: named after
# consecutive quota slots of the user's line for their bridge, fe: MAC,
# uxc:UID:LINE tag, enslaved and up; and each is also listed in
# lxc-user-nic's database (/run/lxc/nics), so both helpers see the same
# N nics of the user. Each timed call creates a pair in a separate target
# namespace; root deletes it afterwards (untimed), so N stays put.
#
# A third column times tests/bin/nic_floor, installed setuid root in the
# world only: the same setuid exec and the same netlink requests with no
# check at all, so it shows how much of the budget the kernel and the
# exec alone take.
here=$(cd "$(dirname "$0")/.." && pwd)
: "${UXC_BUILD:=$here/${BUILD:-build}}"
export UXC_BUILD
source "$here/tests/lib.sh"; world_reexec "$@"
source "$here/bench/lib.bash"
set -u

runs=${1:-31}
levels=${NIC_BENCH_LEVELS:-"0 600 5000"}
NIC=$WORLD_BIN/uxc-nic
LXC_NIC=/usr/libexec/lxc/lxc-user-nic
TIME=$UXC_BUILD/tests/nic_time
SLOTS=$UXC_BUILD/tests/nic_slots
FLOOR=$WORLD_BIN/nic_floor
[ -x "$TIME" ] || { echo "bench/nic.sh: $TIME is not built (make tests)" >&2; exit 1; }
[ -x "$SLOTS" ] || { echo "bench/nic.sh: $SLOTS is not built (make tests)" >&2; exit 1; }
[ -x "$NIC" ] || { echo "bench/nic.sh: uxc-nic is not built (make)" >&2; exit 1; }
[ -x "$UXC_BUILD/tests/nic_floor" ] || { echo "bench/nic.sh: $UXC_BUILD/tests/nic_floor is not built (make tests)" >&2; exit 1; }
# A floor maps libc alone, as uxc-nic does: the shared C++ runtime would
# add its loading to every call and lift the floor.
[ "$(ldd "$UXC_BUILD/tests/nic_floor" | grep -cE 'libstdc\+\+|libgcc_s|libnl')" = 0 ] ||
  { echo "bench/nic.sh: tests/nic_floor maps more than libc: not a floor" >&2; exit 1; }
world_install_setuid "$UXC_BUILD/tests/nic_floor" nic_floor
[ -u "$LXC_NIC" ] || { echo "bench/nic.sh: $LXC_NIC missing or not setuid (apt-get install lxc)" >&2; exit 1; }

mkdir -p /etc/uxc /etc/lxc /run/lxc
echo "uxtest1 veth lxcbr0 100000" >/etc/uxc/usernet
echo "uxtest1 veth lxcbr0 100000" >/etc/lxc/lxc-usernet
: >/run/lxc/nics
work=$(mktemp -d)
chmod 0711 "$work"
holders=()
trap 'kill "${holders[@]}" 2>/dev/null; rm -rf "$work"' EXIT

# new_holder: a sleeping process of uxtest1 in its own user + network
# namespace; prints its pid once it sleeps there.
new_holder() {
  local pidfile=$work/pid.$RANDOM
  install -m 0666 /dev/null "$pidfile"
  as_user uxtest1 sh -c 'echo $$ >"$0"; exec unshare -Urn sleep 1000000' "$pidfile" \
    >/dev/null 2>&1 &
  for _ in $(seq 500); do
    [ -s "$pidfile" ] && [ "$(cat "/proc/$(cat "$pidfile")/comm" 2>/dev/null)" = sleep ] && break
    sleep 0.01
  done
  cat "$pidfile"
}

# fill_to N: adds nics until N exist, 1,000 per holder namespace and per
# bridge.
existing=0 holder= bridge=lxcbr0 names=()
fill_to() {
  local want=$1 batch=$work/batch db=$work/db name slot
  : >"$batch"
  : >"$db"
  while [ "$existing" -lt "$want" ]; do
    slot=$((existing % 1000))
    if [ "$slot" = 0 ]; then
      holder=$(new_holder)
      holders+=("$holder")
      if [ "$existing" -gt 0 ]; then
        bridge=brfill$((existing / 1000))
        printf 'link add %s type bridge\nlink set %s up\n' "$bridge" "$bridge" >>"$batch"
        echo "uxtest1 veth $bridge 100000" | tee -a /etc/lxc/lxc-usernet >>/etc/uxc/usernet
      fi
      mapfile -t names < <("$SLOTS" uxtest1 veth "$bridge" 0 1000)
    fi
    name=${names[slot]}
    printf 'link add %s address fe:00:%02x:%02x:%02x:01 type veth peer name f%d netns %d\n' \
      "$name" $((existing >> 16 & 255)) $((existing >> 8 & 255)) $((existing & 255)) \
      "$existing" "$holder" >>"$batch"
    printf 'link set %s alias uxc:61001:uxtest1:veth:%s master %s up\n' "$name" "$bridge" \
      "$bridge" >>"$batch"
    printf 'uxtest1 veth %s %s\n' "$bridge" "$name" >>"$db"
    existing=$((existing + 1))
  done
  ip -batch "$batch" || exit 1
  cat "$db" >>/run/lxc/nics
}

# one_call WHICH I: times one create into the target namespace, then
# removes what it made; appends microseconds to $work/WHICH.us.
one_call() {
  local which=$1 i=$2 out=$work/out err=$work/err host
  if [ "$which" = uxc ]; then
    printf 'uxc-nic 1\nop create\ntype veth\nlink lxcbr0\nname u%d\nend\n' "$i" >"$work/req"
    "$TIME" uxtest1 "$NIC" <"$work/req" 3<"/proc/$target/ns/net" >"$out" 2>"$err"
    host=$(sed -n 's/^ok host=\([^ ]*\) .*/\1/p' "$out")
  elif [ "$which" = floor ]; then
    "$TIME" uxtest1 "$FLOOR" "uxcfloor$i" "f$i" lxcbr0 3<"/proc/$target/ns/net" >"$out" 2>"$err" </dev/null
    host=$(sed -n 's/^ok host=//p' "$out")
  else
    "$TIME" uxtest1 "$LXC_NIC" create /x bench "$target" veth lxcbr0 "l$i" >"$out" 2>"$err" </dev/null
    host=$(cut -d: -f3 "$out")
  fi
  read -r _ us status cpu < <(grep '^nic_time ' "$err" | tail -n 1)
  if [ "${status:-1}" != 0 ] || [ -z "$host" ]; then
    echo "bench/nic.sh: $which call failed: $(cat "$out" "$err")" >&2
    exit 1
  fi
  echo "$us" >>"$work/$which.us"
  echo "$cpu" >>"$work/$which.cpu"
  ip link del "$host"
}

# 8 users creating in parallel, each on a bridge of its own (so each on its
# own usernet line and its own lock byte): all 8 start at once and each
# makes PAR nics in a row into a namespace of its own. Wall time for all
# 8 x PAR creates, uxc-nic against lxc-user-nic, whose one database lock
# serialises every user on the host; against uxc-nic with the same 8 users
# charged to one shared line (@uxpar on brparall), so that every create
# waits for the same lock byte, as under a host-wide lock; and uxc-nic's
# one user making the same 8 x PAR in a row, for how far the parallel run
# scales. PAR_ROUNDS rounds (default 5), medians. It runs first, with no
# other nics on the host and lxc-user-nic's database emptied before each
# run: both helpers' per-call cost grows with the nics that exist (the
# rows below), and these rows are about the lock, not the count.
par=${NIC_BENCH_PAR:-10}
par_rounds=${NIC_BENCH_PAR_ROUNDS:-5}
par_users=()
for k in 1 2 3 4 5 6 7 8; do
  u=uxpar$k
  if ! getent passwd "$u" >/dev/null; then
    echo "$u:x:$((61010 + k)):$((61010 + k))::/home/$u:/bin/sh" >>/etc/passwd
    echo "$u:x:$((61010 + k)):" >>/etc/group
    install -d -o $((61010 + k)) -g $((61010 + k)) -m 0700 "/home/$u"
  fi
  ip link add "brpar$k" type bridge && ip link set "brpar$k" up || exit 1
  echo "$u veth brpar$k 100000" | tee -a /etc/lxc/lxc-usernet >>/etc/uxc/usernet
  par_users+=("$u")
done
grep -q '^uxpar:' /etc/group ||
  echo "uxpar:x:61020:$(IFS=,; echo "${par_users[*]}")" >>/etc/group
ip link add brparall type bridge && ip link set brparall up || exit 1
echo "@uxpar veth brparall 100000" >>/etc/uxc/usernet
# par_holder K: like new_holder, for user uxparK.
par_holder() {
  local pidfile=$work/parpid.$1 pid
  install -m 0666 /dev/null "$pidfile"
  as_user "uxpar$1" sh -c 'echo $$ >"$0"; exec unshare -Urn sleep 1000000' "$pidfile" >/dev/null 2>&1 &
  for _ in $(seq 500); do
    pid=$(cat "$pidfile")
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && { echo "$pid"; return 0; }
    sleep 0.01
  done
  echo "bench/nic.sh: uxpar$1's namespace did not appear" >&2
  return 1
}
declare -A par_target
for k in 1 2 3 4 5 6 7 8; do
  par_target[$k]=$(par_holder "$k") || exit 1
  holders+=("${par_target[$k]}")
done
# par_run WHICH K COUNT: user K's COUNT creates on brparK (uxcone: on
# brparall, charged to the shared line), in a row.
par_run() {
  local which=$1 k=$2 count=$3 i link=brpar$2
  local u=uxpar$k pid=${par_target[$k]}
  [ "$which" = uxcone ] && link=brparall
  for ((i = 0; i < count; i++)); do
    if [ "$which" != lxc ]; then
      printf 'uxc-nic 1\nop create\ntype veth\nlink %s\nname p%d\nend\n' "$link" "$i" |
        "$TIME" "$u" "$NIC" 3<"/proc/$pid/ns/net" >/dev/null 2>"$work/par.$k.err"
    else
      "$TIME" "$u" "$LXC_NIC" create /x bench "$pid" veth "brpar$k" "p$i" >/dev/null 2>"$work/par.$k.err" </dev/null
    fi
    grep -q '^nic_time [0-9]* 0 [0-9]*$' "$work/par.$k.err" ||
      { echo "bench/nic.sh: $which create by $u failed: $(cat "$work/par.$k.err")" >&2; return 1; }
  done
}
# par_clear: every nic made on the brpar bridges goes (their ports, and
# the container ends with them).
par_clear() {
  local k dev
  for k in 1 2 3 4 5 6 7 8 all; do
    for dev in $(ip -o link show master "brpar$k" | awk -F': ' '{print $2}' | sed 's/@.*//'); do
      ip link del "$dev"
    done
  done
}
now_us() { echo $(( $(date +%s%N) / 1000 )); }
for ((r = 0; r < par_rounds; r++)); do
  for which in uxc uxcone lxc serial; do
    : >/run/lxc/nics
    start=$(now_us)
    if [ "$which" = serial ]; then
      par_run uxc 1 $((8 * par)) || exit 1
    else
      pids=()
      for k in 1 2 3 4 5 6 7 8; do par_run "$which" "$k" "$par" & pids+=($!); done
      for p in "${pids[@]}"; do wait "$p" || exit 1; done
    fi
    awk -v d=$(( $(now_us) - start )) 'BEGIN { printf "%.1f\n", d / 1000 }' >>"$work/par.$which.ms"
    par_clear
  done
done
declare -A par_ms
for which in uxc uxcone lxc serial; do par_ms[$which]=$(median "$work/par.$which.ms"); done
par_ratio() { awk -v a="${par_ms[$1]}" -v b="${par_ms[$2]}" 'BEGIN { printf "%.3f", a / b }'; }
echo "8 users x $par creates in parallel on 8 bridges (wall, median of $par_rounds):" \
  "uxc-nic ${par_ms[uxc]} ms, lxc-user-nic ${par_ms[lxc]} ms, ratio $(par_ratio uxc lxc);" \
  "uxc-nic, all 8 on one shared line (one lock): ${par_ms[uxcone]} ms, ratio $(par_ratio uxc uxcone);" \
  "uxc-nic, one user making the same $((8 * par)) in a row: ${par_ms[serial]} ms, ratio $(par_ratio uxc serial)"
if [ -n "${BENCH_RESULTS:-}" ]; then
  bench_row "nic create, 8 users in parallel on 8 bridges ($((8 * par)) creates, wall)" "${par_ms[uxc]}" \
    "${par_ms[lxc]}" ms "$par_rounds" - "lxc-user-nic 5 from Debian, its database holding only these nics"
  bench_row "nic create, 8 users in parallel: 8 lines (a lock each) vs one shared line (one lock)" \
    "${par_ms[uxc]}" "${par_ms[uxcone]}" ms "$par_rounds" - "uxc-nic both; the shared line is @uxpar on one bridge"
  bench_row "nic create, 8 users in parallel vs one user making the same creates in a row" \
    "${par_ms[uxc]}" "${par_ms[serial]}" ms "$par_rounds" - "uxc-nic both; 2 CPUs"
fi
: >/run/lxc/nics  # the levels below start from an empty database

target=$(new_holder)
holders+=("$target")
echo "veth create on lxcbr0 as uxtest1, $runs calls each (interleaved, 3 warm-up), $(uname -r), $(nproc) CPUs"
printf '%10s %14s %18s %8s %10s %12s %10s %15s\n' "existing" "uxc-nic ms" "lxc-user-nic ms" "ratio" "floor ms" \
  "floor ratio" "uxc/floor" "CPU uxc/floor"
declare -A ours floors
for n in $levels; do
  fill_to "$n"
  [ "$(grep -l '^uxc:61001:' /sys/class/net/uxc*/ifalias 2>/dev/null | wc -l)" = "$n" ] ||
    { echo "bench/nic.sh: expected $n existing nics" >&2; exit 1; }
  for ((i = 0; i < runs + 3; i++)); do
    case $((i % 3)) in
      0) one_call uxc "$i"; one_call lxc "$i"; one_call floor "$i" ;;
      1) one_call lxc "$i"; one_call floor "$i"; one_call uxc "$i" ;;
      2) one_call floor "$i"; one_call uxc "$i"; one_call lxc "$i" ;;
    esac
    if [ "$i" = 2 ]; then  # warm-up done
      for f in uxc lxc floor; do : >"$work/$f.us"; : >"$work/$f.cpu"; done
    fi
  done
  u=$(median "$work/uxc.us" | us_to_ms) l=$(median "$work/lxc.us" | us_to_ms) f=$(median "$work/floor.us" | us_to_ms)
  ours[$n]=$u floors[$n]=$f
  ratio=$(awk -v a="$u" -v b="$l" 'BEGIN { printf "%.3f", a / b }')
  floor_ratio=$(awk -v a="$f" -v b="$l" 'BEGIN { printf "%.3f", a / b }')
  over_floor=$(awk -v a="$u" -v b="$f" 'BEGIN { printf "%.3f", a / b }')
  uc=$(median "$work/uxc.cpu" | us_to_ms) fc=$(median "$work/floor.cpu" | us_to_ms)
  cpu_floor=$(awk -v a="$uc" -v b="$fc" 'BEGIN { printf "%.3f/%.3f", a, b }')
  printf '%10d %14s %18s %8s %10s %12s %10s %15s\n' "$n" "$u" "$l" "$ratio" "$f" "$floor_ratio" \
    "$over_floor" "$cpu_floor"
  if [ -n "${BENCH_RESULTS:-}" ]; then
    target_rule=-
    [ "$n" = 600 ] && target_rule="ratio<=0.15"
    bench_row "nic create, $n nics on the bridge" "$u" "$l" ms "$runs" "$target_rule" \
      "lxc-user-nic 5 from Debian"
    [ "$n" = 600 ] && bench_row "nic create, 600 nics: netlink-only floor (no checks) vs lxc-user-nic" \
      "$f" "$l" ms "$runs" - "tests/bin/nic_floor: the setuid exec and the kernel's work alone"
    [ "$n" = 600 ] && bench_row "nic create, 600 nics: uxc-nic vs the netlink-only floor" \
      "$u" "$f" ms "$runs" "ratio<=1.15" "what every check of uxc-nic costs on top of the kernel's work"
    [ "$n" = 600 ] && bench_row "nic create, 600 nics: uxc-nic vs the netlink-only floor, CPU time" \
      "$uc" "$fc" ms "$runs" - "user + system time of the helper (wait4): moves less with the load than wall time"
  fi
done
# The floor any exec'd helper pays here: fork + exec of /bin/true as uxtest1.
: >"$work/true.us"
for ((i = 0; i < runs; i++)); do
  "$TIME" uxtest1 /bin/true 2>&1 >/dev/null | awk '/^nic_time / {print $2}' >>"$work/true.us"
done
echo "floor (fork + exec of /bin/true as uxtest1): $(median "$work/true.us" | us_to_ms) ms"

if [ -n "${ours[0]:-}" ] && [ -n "${ours[5000]:-}" ]; then
  growth=$(awk -v a="${ours[5000]}" -v b="${ours[0]}" 'BEGIN { printf "%.2f", a / b }')
  floor_growth=$(awk -v a="${floors[5000]}" -v b="${floors[0]}" 'BEGIN { printf "%.2f", a / b }')
  echo "uxc-nic at 5000 / at 0: $growth (target <= 2); the floor's: $floor_growth"
  [ -n "${BENCH_RESULTS:-}" ] && bench_row "nic create, 5000 vs 0 nics (uxc-nic)" "${ours[5000]}" \
    "${ours[0]}" ms "$runs" "ratio<=2" "peer column is uxc-nic at 0 nics; the floor's own 5000/0: $floor_growth"
fi
exit 0
