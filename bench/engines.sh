#!/usr/bin/env bash
# RootlessKit (the base of rootless Docker and containerd) on uxc-nic
# against RootlessKit on LXC's lxc-user-nic and on slirp4netns, as test
# user uxtest1 in the isolated test world:
#
# - TCP throughput from RootlessKit's namespace (where a rootless Docker
#   daemon and, behind its own bridge, its containers live) to an iperf3
#   server on lxcbr0's address: --net=lxc-user-nic on uxc-nic vs on
#   lxc-user-nic (target >= 0.95) and vs --net=slirp4netns (target >= 10).
# - start time, `rootlesskit --net=lxc-user-nic ... true` (the veth, DHCP,
#   the child, its exit), on uxc-nic vs on lxc-user-nic, with 0 and 500 of
#   the user's nics already on the bridge (target <= 0.5 at 500).
# - floors: the same runs on tests/bin/nic_floor, installed setuid root in
#   the world only, which RootlessKit calls as it calls lxc-user-nic and
#   which only asks the kernel for the veth (no checks, no quota, no
#   database). Its throughput against slirp4netns is the most any helper's
#   veth can give; its start time against lxc-user-nic's is the lowest
#   ratio any helper can reach, since RootlessKit's own work and DHCP are
#   in both.
#
#   bench/engines.sh [ROUNDS] [STARTS]    (as root; BUILD=build-dir)
#
# The existing nics are made as bench/nic.sh makes them: real veth pairs
# into a sleeping holder namespace of uxtest1, named and tagged as uxc-nic
# names and tags them, and listed in lxc-user-nic's database, so both
# helpers see the same nics.
here=$(cd "$(dirname "$0")/.." && pwd)
: "${UXC_BUILD:=$here/${BUILD:-build}}"
export UXC_BUILD
source "$here/tests/lib.sh"; world_reexec "$@"
source "$here/bench/lib.bash"
source "$here/tests/e2e/nic_common.bash"  # host_ends
source "$here/tests/e2e/engines_common.bash"
set -u

rounds=${1:-5}
starts=${2:-15}
IPERF_SECONDS=5
[ "$BENCH_QUICK" = 1 ] && IPERF_SECONDS=2
UXC_NIC=$WORLD_COMPAT/lxc-user-nic
LXC_NIC=/usr/libexec/lxc/lxc-user-nic
SLOTS=$UXC_BUILD/tests/nic_slots
U=61001
for tool in rootlesskit iperf3 slirp4netns dnsmasq; do
  command -v $tool >/dev/null || { echo "bench/engines.sh: $tool missing (make bench-deps)" >&2; exit 1; }
done
[ -x "$SLOTS" ] || { echo "bench/engines.sh: $SLOTS is not built (make tests)" >&2; exit 1; }
[ -x "$UXC_BUILD/tests/nic_floor" ] || { echo "bench/engines.sh: $UXC_BUILD/tests/nic_floor is not built (make tests)" >&2; exit 1; }
world_install_setuid "$UXC_BUILD/tests/nic_floor" nic_floor || exit 1
FLOOR_NIC=$WORLD_BIN/nic_floor
[ -u "$WORLD_BIN/uxc-nic" ] || { echo "bench/engines.sh: uxc-nic is not built (make)" >&2; exit 1; }
[ -u "$LXC_NIC" ] || { echo "bench/engines.sh: $LXC_NIC missing or not setuid (apt-get install lxc)" >&2; exit 1; }

mkdir -p /etc/uxc /etc/lxc /run/lxc
echo "uxtest1 veth lxcbr0 1000" >/etc/uxc/usernet
echo "uxtest1 veth lxcbr0 1000" >/etc/lxc/lxc-usernet
: >/run/lxc/nics
start_engine_dnsmasq || { echo "bench/engines.sh: dnsmasq did not start" >&2; exit 1; }
# slirp4netns needs /dev/net/tun usable by the user (bench/scenarios.sh).
if [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
  mknod -m 0666 "$WORLD/tun" c 10 200 && mount --bind "$WORLD/tun" /dev/net/tun || exit 1
fi
RUN=/tmp/uxtest1-run
mkdir -p "$RUN" && chown "$U:$U" "$RUN" && chmod 0700 "$RUN"
work=$(mktemp -d)
chmod 0711 "$work"
holders=()
trap 'kill "${holders[@]}" 2>/dev/null; rm -rf "$work"' EXIT

n_rk=0
rk() {  # rk NET-ARGS... -- CMD...: one RootlessKit run as uxtest1
  n_rk=$((n_rk + 1))
  as_user uxtest1 env PATH="$WORLD_COMPAT:$UXC_USER_PATH" XDG_RUNTIME_DIR="$RUN" \
    rootlesskit --state-dir="$RUN/rk$n_rk" --pidns "$@"
}
net_args() {  # net_args uxc|lxc|floor|slirp
  case $1 in
    floor) echo "--net=lxc-user-nic --lxc-user-nic-binary=$FLOOR_NIC --lxc-user-nic-bridge=lxcbr0" ;;
    uxc) echo "--net=lxc-user-nic --lxc-user-nic-binary=$UXC_NIC --lxc-user-nic-bridge=lxcbr0" ;;
    lxc) echo "--net=lxc-user-nic --lxc-user-nic-binary=$LXC_NIC --lxc-user-nic-bridge=lxcbr0" ;;
    slirp) echo "--net=slirp4netns --mtu=65520 --disable-host-loopback" ;;
  esac
}
# Until the last run's processes and namespace are gone (the holder of
# the existing nics stays): its nic must not count for the next one.
settle() {
  for _ in $(seq 200); do
    [ -z "$(pgrep -u $U | grep -vxF -f <(printf "%s\n" "${holders[@]}"))" ] &&
      [ "$(host_ends | wc -l)" -le "${1:-0}" ] && return 0
    sleep 0.02
  done
  echo "bench/engines.sh: a RootlessKit run left processes or nics behind" >&2
  exit 1
}

# ---------------------------------------------------------- throughput
iperf3 -s -B 10.0.3.1 -p 5201 >/dev/null 2>&1 &
holders+=($!)
sleep 0.3
mbps() {  # mbps uxc|lxc|floor|slirp: one iperf3 run from RootlessKit's namespace
  local out
  # shellcheck disable=SC2046
  out=$(rk $(net_args "$1") iperf3 -c 10.0.3.1 -p 5201 -t "$IPERF_SECONDS" -O 1 -f m 2>&1)
  settle
  # Once, as for the starts below: RootlessKit gave up on DHCP.
  if grep -q 'could not exchange DHCP' <<<"$out"; then
    echo "$1" >>"$work/iperf.retries"
    out=$(rk $(net_args "$1") iperf3 -c 10.0.3.1 -p 5201 -t "$IPERF_SECONDS" -O 1 -f m 2>&1)
    settle
  fi
  awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }' <<<"$out" | grep . ||
    { echo "bench/engines.sh: iperf3 over $1 failed: $(tail -n 3 <<<"$out")" >&2; exit 1; }
}
: >"$work/uxc.mbps"; : >"$work/lxc.mbps"; : >"$work/floor.mbps"; : >"$work/slirp.mbps"
order=(uxc lxc floor slirp)
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < 4; k++)); do
    v=${order[(r + k) % 4]}
    mbps "$v" >>"$work/$v.mbps"
  done
done
gbit() { median "$1" | awk '{ printf "%.2f\n", $1 / 1000 }'; }
tu=$(gbit "$work/uxc.mbps") tl=$(gbit "$work/lxc.mbps") ts=$(gbit "$work/slirp.mbps")
tf=$(gbit "$work/floor.mbps")
iperf_retries=-
[ -s "$work/iperf.retries" ] && iperf_retries=$(sort "$work/iperf.retries" | uniq -c | awk '{ print $1, $2 }' | paste -sd, -)
echo "TCP throughput from RootlessKit's namespace, $rounds rounds of iperf3 -t $IPERF_SECONDS: uxc-nic $tu, lxc-user-nic $tl, nic_floor $tf, slirp4netns $ts Gbit/s"
if [ -n "${BENCH_RESULTS:-}" ]; then
  bench_row "RootlessKit TCP throughput to the bridge: lxc-user-nic driver on uxc-nic vs on lxc-user-nic" \
    "$tu" "$tl" Gbit/s "$rounds" "ratio>=0.95" "rootlesskit 1.1 --net=lxc-user-nic, iperf3 in its namespace, server on lxcbr0; retried: $iperf_retries"
  bench_row "RootlessKit TCP throughput to the bridge: lxc-user-nic on uxc-nic vs slirp4netns" \
    "$tu" "$ts" Gbit/s "$rounds" "ratio>=10" "rootlesskit --net=slirp4netns --mtu=65520"
  bench_row "RootlessKit TCP throughput to the bridge: floor, a bare veth (tests/bin/nic_floor) vs slirp4netns" \
    "$tf" "$ts" Gbit/s "$rounds" - "the most any helper's veth gives through RootlessKit's namespace"
fi

# ---------------------------------------------------------- start time
# fill_to N: N nics of uxtest1 on lxcbr0, in one holder namespace.
fill_to() {
  local want=$1 batch=$work/batch i pidfile=$work/holder.pid
  install -m 0666 /dev/null "$pidfile"
  as_user uxtest1 sh -c 'echo $$ >"$0"; exec unshare -Urn sleep 1000000' "$pidfile" >/dev/null 2>&1 &
  for _ in $(seq 500); do
    [ -s "$pidfile" ] && [ "$(cat "/proc/$(cat "$pidfile")/comm" 2>/dev/null)" = sleep ] && break
    sleep 0.01
  done
  holder=$(cat "$pidfile")
  holders+=("$holder")
  mapfile -t names < <("$SLOTS" uxtest1 veth lxcbr0 0 "$want")
  : >"$batch"
  for ((i = 0; i < want; i++)); do
    printf 'link add %s address fe:01:00:%02x:%02x:01 type veth peer name f%d netns %d\n' \
      "${names[i]}" $((i >> 8 & 255)) $((i & 255)) "$i" "$holder" >>"$batch"
    printf 'link set %s alias uxc:61001:uxtest1:veth:lxcbr0 master lxcbr0 up\n' "${names[i]}" >>"$batch"
    printf 'uxtest1 veth lxcbr0 %s\n' "${names[i]}" >>/run/lxc/nics
  done
  ip -batch "$batch" || exit 1
}
start_ms() {  # start_ms uxc|lxc|floor: one `rootlesskit ... true`, in ms
  local t0 t1
  t0=$EPOCHREALTIME
  # shellcheck disable=SC2046
  rk $(net_args "$1") true >"$work/start.err" 2>&1 ||
    { echo "bench/engines.sh: rootlesskit on $1 failed: $(tail -n 3 "$work/start.err")" >&2; exit 1; }
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}
for level in 0 500; do
  [ "$level" -gt 0 ] && fill_to "$level"
  : >"$work/uxc.ms"; : >"$work/lxc.ms"; : >"$work/floor.ms"
  for ((i = 0; i < starts + 2; i++)); do
    for v in $( ((i % 2)) && echo "lxc floor uxc" || echo "uxc floor lxc"); do
      # RootlessKit's DHCP client gives up after a few seconds; on a loaded
      # machine that can happen once. A second failure ends the bench.
      if ! ms=$(start_ms "$v"); then
        settle "$level"
        echo "$v" >>"$work/start.retries"
        ms=$(start_ms "$v") || exit 1
      fi
      settle "$level"
      [ "$i" -ge 2 ] && echo "$ms" >>"$work/$v.ms"  # two warm-up rounds
    done
  done
  su=$(median "$work/uxc.ms") sl=$(median "$work/lxc.ms") sf=$(median "$work/floor.ms")
  retries=-
  [ -s "$work/start.retries" ] && retries=$(sort "$work/start.retries" | uniq -c | awk '{ print $1, $2 }' | paste -sd, -)
  rm -f "$work/start.retries"
  [ "$retries" = - ] || echo "RootlessKit starts retried once after a DHCP timeout: $retries"
  echo "RootlessKit start with $level nics on the bridge, $starts runs: uxc-nic $su ms, lxc-user-nic $sl ms, nic_floor $sf ms"
  if [ -n "${BENCH_RESULTS:-}" ]; then
    rule=-
    [ "$level" = 500 ] && rule="ratio<=0.5"
    bench_row "RootlessKit start (veth + DHCP + true), $level nics: on uxc-nic vs on lxc-user-nic" \
      "$su" "$sl" ms "$starts" "$rule" "rootlesskit 1.1 --net=lxc-user-nic --pidns true; dnsmasq on lxcbr0; retried: $retries"
    bench_row "RootlessKit start, $level nics: floor (tests/bin/nic_floor) vs lxc-user-nic" \
      "$sf" "$sl" ms "$starts" - "the lowest ratio any helper can reach: RootlessKit's own work and DHCP"
  fi
done
exit 0
