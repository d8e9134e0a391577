#!/usr/bin/env bash
# The container scenarios of `make bench`, each in a fresh isolated world
# (tests/world/enter), as the unprivileged test user uxtest1:
#
#   bench/scenarios.sh start   start-to-exit: uxc vs lxc-start vs bwrap
#   bench/scenarios.sh pss     monitor PSS of one idle container: uxc vs LXC
#   bench/scenarios.sh scale   N networked containers up, then down: uxc, LXC
#   bench/scenarios.sh net     TCP throughput: uxc veth vs root veth vs slirp4netns
#   bench/scenarios.sh storage overlay clone, full copy, snapshot: uxc vs lxc-copy, lxc-snapshot
#   bench/scenarios.sh boot    Debian 12 with systemd: boot, clean stop, monitor PSS: uxc vs LXC
#
# Rows go to $BENCH_RESULTS (bench/lib.bash); bench/run.sh runs them all.
# BENCH_QUICK=1 makes every scenario short (fewer runs, N=50).
here=$(cd "$(dirname "$0")/.." && pwd)
: "${UXC_BUILD:=$here/${BUILD:-build}}"
export UXC_BUILD
source "$here/tests/lib.sh"
# The boot scenario's image comes from Debian's archive: built (once, and
# cached) before entering the world, which has no route out.
source "$here/tests/e2e/debian_image.bash"
if [ "${1:-}" = boot ] && [ -z "${UXC_IN_WORLD:-}" ]; then debian_image systemd >/dev/null || exit 1; fi
world_reexec "$@"
set -u
source "$here/tests/e2e/manager_setup.bash"
source "$here/bench/lib.bash"

U=uxtest1
UHOME=/home/$U
UID1=$(id -u $U)
SUB=100000
ROOTFS=$UHOME/.local/share/uxc/c1/rootfs
LXCPATH=$UHOME/.local/share/lxc
SCRATCH=/tmp/bench
mkdir -p "$SCRATCH" && chown $U: "$SCRATCH"

# run_user CMD...: CMD as the test user, with the world's helpers.
run_user() { as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$@"; }

# The one-time set-up every scenario shares: what an administrator and the
# user would have done for both uxc and LXC. Quotas are QUOTA nics.
setup() {
  local quota=$1
  [ -x "$UXC" ] || { echo "$UXC is not built (make)"; return 1; }
  [ -u "$WORLD_BIN/uxc-idmap" ] && [ -u "$WORLD_BIN/uxc-nic" ] ||
    { echo "uxc-idmap and uxc-nic must both be built"; return 1; }
  allow_usernet "$U veth lxcbr0 $quota"
  write_seed_default_conf $U $SUB
  run_user "$UXC" create -n c1 -t busybox >/dev/null || { echo "uxc create -t busybox failed"; return 1; }
  # LXC, unprivileged, as its documentation sets it up: lxc-usernet, the
  # setuid lxc-user-nic, the user's default.conf with lxc.idmap.
  mkdir -p /etc/lxc
  echo "$U veth lxcbr0 $quota" >/etc/lxc/lxc-usernet
  [ -u /usr/libexec/lxc/lxc-user-nic ] || { echo "/usr/libexec/lxc/lxc-user-nic is missing or not setuid (apt-get install lxc)"; return 1; }
  run_user mkdir -p "$UHOME/.config/lxc" "$LXCPATH"
  run_user sh -c "cat > $UHOME/.config/lxc/default.conf" <<EOF
lxc.net.0.type = veth
lxc.net.0.link = lxcbr0
lxc.net.0.flags = up
lxc.net.0.hwaddr = 00:16:3e:xx:xx:xx
lxc.idmap = u 0 $SUB 65536
lxc.idmap = g 0 $SUB 65536
EOF
  # The container's root (uid $SUB) must reach the rootfs, as LXC's
  # documentation says for unprivileged containers.
  chmod o+x "$UHOME" "$UHOME/.local" "$UHOME/.local/share" "$UHOME/.local/share/uxc" "$UHOME/.local/share/uxc/c1"
  lxc_container c1 "$(hwaddr 1)"
}

# hwaddr N: a distinct MAC for container N.
hwaddr() { printf '00:16:3e:%02x:%02x:%02x' $(( $1 >> 16 & 255 )) $(( $1 >> 8 & 255 )) $(( $1 & 255 )); }

# lxc_container NAME MAC [EXTRA...]: an LXC container on the shared busybox
# rootfs, configured like the uxc one (veth on lxcbr0, the same map).
lxc_container() {
  local name=$1 mac=$2
  shift 2
  run_user mkdir -p "$LXCPATH/$name"
  {
    sed "s/^lxc.net.0.hwaddr = .*/lxc.net.0.hwaddr = $mac/" "$UHOME/.config/lxc/default.conf"
    echo "lxc.rootfs.path = dir:$ROOTFS"
    echo "lxc.uts.name = $name"
    echo "lxc.mount.auto = proc:mixed sys:mixed"
    printf '%s\n' "$@"
  } | run_user sh -c "cat > $LXCPATH/$name/config"
}

# uxc_container NAME MAC [EXTRA...]: a uxc container on the same rootfs
# (c1's config with another name and MAC).
uxc_container() {
  local name=$1 mac=$2 dir=$UHOME/.local/share/uxc/$1
  shift 2
  run_user mkdir -p "$dir"
  {
    sed -e "s/^lxc.uts.name = .*/lxc.uts.name = $name/" \
        -e "s/^lxc.network.hwaddr = .*/lxc.network.hwaddr = $mac/" "$UHOME/.local/share/uxc/c1/config"
    printf '%s\n' "$@"
  } | run_user sh -c "cat > $dir/config"
}

# monitor_of INIT_PID: the pid of its parent, the container's monitor.
monitor_of() { awk '{ print $4 }' "/proc/$1/stat"; }

# pss_kib PID: proportional set size of PID in KiB.
pss_kib() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup"; }

# ------------------------------------------------------------ start-to-exit
scenario_start() {
  local runs=100 warmup=5 out=$SCRATCH/start why
  [ "$BENCH_QUICK" = 1 ] && runs=15 warmup=2
  why=$(setup 10) || { bench_skip "start-to-exit" "$why"; return 0; }
  command -v bwrap >/dev/null || { bench_skip "start-to-exit vs bwrap" "bwrap missing (apt-get install bubblewrap)"; return 0; }
  # c0: the same containers without a network (the cost of the veth).
  run_user mkdir -p "$UHOME/.local/share/uxc/c0" "$LXCPATH/c0"
  sed -e '/^lxc.network/d' -e 's/^lxc.uts.name = .*/lxc.uts.name = c0/' "$UHOME/.local/share/uxc/c1/config" |
    run_user sh -c "cat > $UHOME/.local/share/uxc/c0/config"
  { sed -e '/^lxc.net/d' -e 's/^lxc.uts.name = .*/lxc.uts.name = c0/' "$LXCPATH/c1/config"; echo "lxc.net.0.type = empty"; } |
    run_user sh -c "cat > $LXCPATH/c0/config"
  if ! run_user bash "$here/bench/timeloop.bash" "$runs" "$warmup" "$out" \
      uxc "$UXC start -n c1 -F -- /bin/true" \
      lxc "lxc-start -n c1 -F -- /bin/true" \
      uxc0 "$UXC start -n c0 -F -- /bin/true" \
      lxc0 "lxc-start -n c0 -F -- /bin/true" \
      bwrap "bwrap --unshare-all --bind $ROOTFS / --proc /proc --dev /dev /bin/true" 2>"$SCRATCH/err"; then
    bench_skip "start-to-exit" "$(cat "$SCRATCH/err")"
    return 0
  fi
  local u l b
  u=$(median "$out/uxc.us" | us_to_ms) l=$(median "$out/lxc.us" | us_to_ms) b=$(median "$out/bwrap.us" | us_to_ms)
  bench_row "start-to-exit (-F -- /bin/true): uxc vs lxc-start" "$u" "$l" ms "$runs" "ratio<=0.35" \
    "networked busybox, subordinate map, veth on lxcbr0, both"
  bench_row "start-to-exit (-F -- /bin/true): uxc vs bwrap --unshare-all (floor)" "$u" "$b" ms "$runs" "ratio<=2" \
    "bwrap: same rootfs, no veth, no subordinate map"
  bench_row "start-to-exit without a network (net type empty): uxc vs lxc-start" \
    "$(median "$out/uxc0.us" | us_to_ms)" "$(median "$out/lxc0.us" | us_to_ms)" ms "$runs" - \
    "what the veth costs each: compare with the networked row"
}

# ------------------------------------------------------------- monitor PSS
scenario_pss() {
  local samples=5 i init mon why
  [ "$BENCH_QUICK" = 1 ] && samples=2
  why=$(setup 10) || { bench_skip "monitor PSS" "$why"; return 0; }
  : >"$SCRATCH/pss.uxc" && : >"$SCRATCH/pss.lxc" && : >"$SCRATCH/rss.uxc" && : >"$SCRATCH/rss.lxc"
  for ((i = 0; i < samples; i++)); do
    run_user "$UXC" start -n c1 -d -- /bin/sleep 1000000 ||
      { bench_skip "monitor PSS" "uxc start -d failed"; return 0; }
    init=$(run_user "$UXC" info -n c1 -p -H) && mon=$(monitor_of "$init")
    [ "$(readlink "/proc/$mon/exe")" = "$UXC" ] ||
      { bench_skip "monitor PSS" "uxc's monitor not found (init $init, parent $mon)"; return 0; }
    sleep 1
    pss_kib "$mon" >>"$SCRATCH/pss.uxc"
    awk '/^Rss:/ { print $2 }' "/proc/$mon/smaps_rollup" >>"$SCRATCH/rss.uxc"
    run_user "$UXC" stop -n c1 -k

    run_user lxc-start -n c1 -d -- /bin/sleep 1000000 ||
      { bench_skip "monitor PSS" "lxc-start -d failed"; return 0; }
    init=$(run_user lxc-info -n c1 -p -H) && mon=$(monitor_of "$init")
    grep -q 'lxc monitor' "/proc/$mon/cmdline" ||
      { bench_skip "monitor PSS" "[lxc monitor] not found (init $init, parent $mon: $(tr '\0' ' ' <"/proc/$mon/cmdline"))"; return 0; }
    sleep 1
    pss_kib "$mon" >>"$SCRATCH/pss.lxc"
    awk '/^Rss:/ { print $2 }' "/proc/$mon/smaps_rollup" >>"$SCRATCH/rss.lxc"
    run_user lxc-stop -n c1 -k
  done
  bench_row "monitor PSS, one idle container: uxc vs [lxc monitor]" \
    "$(median "$SCRATCH/pss.uxc")" "$(median "$SCRATCH/pss.lxc")" KiB "$samples" "ratio<=0.5" \
    "RSS $(median "$SCRATCH/rss.uxc") vs $(median "$SCRATCH/rss.lxc") KiB; /proc/PID/smaps_rollup"
}

# ------------------------------------------------------------------- scale
# The user-side loop: start N containers one after another (each start
# timed), measure memory, then stop them all. TOOL is uxc or lxc.
scale_run() {
  local tool=$1 n=$2 out=$SCRATCH/scale.$1
  mkdir -p "$out" && chown $U: "$out"
  run_user bash -s "$tool" "$n" "$out" "$UXC" <<'EOF' &
set -u
tool=$1 n=$2 out=$3 uxc=$4
# avail: "MEMAVAILABLE KERNEL" in KiB, each the median of 5 samples; KERNEL
# is the memory the kernel cannot reclaim (SUnreclaim + KernelStack +
# PageTables + Percpu), where namespaces, veths and task structs live.
avail() {
  local s
  for s in 1 2 3 4 5; do
    awk '/^(SUnreclaim|KernelStack|PageTables|Percpu):/ { k += $2 } /^MemAvailable:/ { a = $2 }
         END { print a, k }' /proc/meminfo
    sleep 0.2
  done >"$out/samples"
  echo "$(cut -d' ' -f1 "$out/samples" | sort -n | sed -n 3p) $(cut -d' ' -f2 "$out/samples" | sort -n | sed -n 3p)"
}
start() { if [ "$tool" = uxc ]; then "$uxc" start -n "$1" -d -- /bin/sleep 1000000; else lxc-start -n "$1" -d -- /bin/sleep 1000000; fi; }
stop() { if [ "$tool" = uxc ]; then "$uxc" stop -n "$1" -k; else lxc-stop -n "$1" -k; fi; }
sync; sleep 2
avail >"$out/avail.before"
: >"$out/start.us"
t0=$EPOCHREALTIME
started=0
for ((i = 1; i <= n; i++)); do
  name=$(printf 's%03d' "$i")
  a=$EPOCHREALTIME
  if ! start "$name" </dev/null >/dev/null 2>"$out/start.err"; then
    echo "start of container $i failed: $(head -c 400 "$out/start.err")" >"$out/stopped_because"
    break
  fi
  b=$EPOCHREALTIME
  echo $(( ${b/./} - ${a/./} )) >>"$out/start.us"
  started=$i
done
t1=$EPOCHREALTIME
echo "$started" >"$out/started"
echo $(( ${t1/./} - ${t0/./} )) >"$out/start_total.us"
sleep 2
avail >"$out/avail.after"
echo $$ >"$out/loop.pid"
touch "$out/up"  # root measures the processes now, then creates "go"
while [ ! -e "$out/go" ]; do sleep 0.05; done
t0=$EPOCHREALTIME
for ((i = 1; i <= started; i++)); do
  stop "$(printf 's%03d' "$i")" </dev/null >/dev/null 2>>"$out/stop.err" || echo "$i" >>"$out/stop.failed"
done
t1=$EPOCHREALTIME
echo $(( ${t1/./} - ${t0/./} )) >"$out/stop_total.us"
EOF
  local loop=$!
  while [ ! -e "$out/up" ] && kill -0 $loop 2>/dev/null; do sleep 0.1; done
  [ -e "$out/up" ] && procs_pss_kib "$(cat "$out/loop.pid")" >"$out/pss"
  touch "$out/go"
  wait $loop
}

# procs_pss_kib EXCLUDE_PID: "COUNT KIB": how many processes the test user
# and its subordinate ids run (the containers' monitors and inits), and
# the sum of their PSS, leaving out the timing loop EXCLUDE_PID and its
# children.
procs_pss_kib() {
  local loop=$1 p uid ppid n=0 sum=0 pss
  for p in /proc/[0-9]*; do
    uid=$(stat -c %u "$p" 2>/dev/null) || continue
    { [ "$uid" = "$UID1" ] || { [ "$uid" -ge $SUB ] && [ "$uid" -lt $((SUB + 65536)) ]; }; } || continue
    ppid=$(awk '{ print $4 }' "$p/stat" 2>/dev/null) || continue
    [ "${p#/proc/}" = "$loop" ] || [ "$ppid" = "$loop" ] && continue
    pss=$(awk '/^Pss:/ { print $2 }' "$p/smaps_rollup" 2>/dev/null) || continue
    [ -n "$pss" ] || continue
    n=$((n + 1)) sum=$((sum + pss))
  done
  echo "$n $sum"
}

# scale_stats DIR: "started total_start_s stop_s first_ms last_ms last/first mem_mib"
scale_stats() {
  local d=$1 started k first last
  started=$(cat "$d/started")
  [ "$started" -gt 0 ] || { echo "0 - - - - - - - - -"; return; }
  k=$(( started / 10 )); [ "$k" -lt 5 ] && k=5; [ "$k" -gt "$started" ] && k=$started
  first=$(slice "$d/start.us" 1 "$k" | median | us_to_ms)
  last=$(slice "$d/start.us" $(( started - k + 1 )) "$started" | median | us_to_ms)
  local b a
  read -r -a b <"$d/avail.before"
  read -r -a a <"$d/avail.after"
  awk -v s="$started" -v f="$first" -v l="$last" -v st="$(cat "$d/start_total.us")" \
      -v sp="$(cat "$d/stop_total.us")" -v b="${b[0]}" -v a="${a[0]}" -v kb="${b[1]}" -v ka="${a[1]}" \
      -v pss="$(awk '{ print $2 }' "$d/pss" 2>/dev/null)" -v np="$(awk '{ print $1 }' "$d/pss" 2>/dev/null)" \
      'BEGIN { printf "%d %.2f %.2f %.3f %.3f %.2f %.2f %.2f %d %.2f\n", s, st / 1e6, sp / 1e6, f, l, l / f,
               (b - a) / s / 1024, pss / s / 1024, np, (pss + ka - kb) / s / 1024 }'
}

scenario_scale() {
  local n=500 i why
  [ "$BENCH_QUICK" = 1 ] && n=50
  n=${BENCH_SCALE_N:-$n}
  why=$(setup "$n") || { bench_skip "scale" "$why"; return 0; }
  for ((i = 1; i <= n; i++)); do
    uxc_container "$(printf 's%03d' $i)" "$(hwaddr $((i + 1000)))"
    lxc_container "$(printf 's%03d' $i)" "$(hwaddr $((i + 2000)))"
  done
  bench_log "scale: starting $n uxc containers"
  scale_run uxc "$n"
  bench_log "scale: starting $n LXC containers"
  scale_run lxc "$n"
  local us ls unote lnote
  read -r -a us <<<"$(scale_stats "$SCRATCH/scale.uxc")"
  read -r -a ls <<<"$(scale_stats "$SCRATCH/scale.lxc")"
  unote="uxc started ${us[0]}/$n"
  [ -f "$SCRATCH/scale.uxc/stopped_because" ] && unote+=" ($(cat "$SCRATCH/scale.uxc/stopped_because"))"
  [ -f "$SCRATCH/scale.uxc/stop.failed" ] && unote+="; $(count "$SCRATCH/scale.uxc/stop.failed") stops failed"
  lnote="LXC started ${ls[0]}/$n"
  [ -f "$SCRATCH/scale.lxc/stopped_because" ] && lnote+=" ($(cat "$SCRATCH/scale.lxc/stopped_because"))"
  [ -f "$SCRATCH/scale.lxc/stop.failed" ] && lnote+="; $(count "$SCRATCH/scale.lxc/stop.failed") stops failed"
  local tag="scale, $n networked containers (quota $n)"
  bench_row "$tag: start all, total" "${us[1]}" "${ls[1]}" s "$n" - "$unote; $lnote"
  bench_row "$tag: stop all (-k), total" "${us[2]}" "${ls[2]}" s "$n" "ratio<=1" \
    "uxc stop returns with the container STOPPED, its veths and runtime files gone"
  bench_row "$tag: one start, first 10%" "${us[3]}" "${ls[3]}" ms "$n" - "median of the first max(5, N/10) starts"
  bench_row "$tag: one start, last 10%" "${us[4]}" "${ls[4]}" ms "$n" - "median of the last max(5, N/10) starts"
  bench_row "$tag: last / first start" "${us[5]}" "${ls[5]}" x "$n" "uxc<=1.5" "flat is 1.0"
  bench_row "$tag: host memory per running container" "${us[9]}" "${ls[9]}" MiB "$n" - \
    "(processes' PSS + growth of unreclaimable kernel memory) / N; MemAvailable drop / N, host-wide and noisy: uxc ${us[6]}, LXC ${ls[6]} MiB"
  bench_row "$tag: process PSS per running container" "${us[7]}" "${ls[7]}" MiB "$n" - \
    "sum of PSS of the user's and containers' processes / N (uxc: ${us[8]} processes, LXC: ${ls[8]})"
}

# -------------------------------------------------------------- throughput
# iperf3_mbps NETNS_PATH: one TCP run from that namespace to the server on
# the bridge address; prints the receiver's Mbit/s.
iperf3_mbps() {
  nsenter --net="$1" iperf3 -c 10.0.3.1 -p 5201 -t "$IPERF_SECONDS" -O 1 -f m 2>&1 |
    awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }' | grep . ||
    { echo "iperf3 from $1 failed" >&2; return 1; }
}

# start_slirp: a user + network namespace of the test user's own with
# slirp4netns on it, as rootless podman runs it (MTU 65520). Sets spid
# (the namespace's process) and slirp_pid; on failure prints why.
start_slirp() {
  local r
  command -v slirp4netns >/dev/null || { echo "slirp4netns missing (apt-get install slirp4netns)"; return 1; }
  # Debian hosts have /dev/net/tun mode 0666, which slirp4netns needs; if
  # this host's is stricter, the world gets its own node (a bind mount in
  # the world's private mount namespace; the host's node is untouched).
  if [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
    { mknod -m 0666 "$SCRATCH/tun" c 10 200 && mount --bind "$SCRATCH/tun" /dev/net/tun; } ||
      { echo "cannot give the world a usable /dev/net/tun"; return 1; }
  fi
  rm -f "$SCRATCH/slirp.pid"
  as_user $U unshare --user --map-root-user --net \
    sh -c "echo \$\$ > $SCRATCH/slirp.pid; exec sleep 1000000" >/dev/null 2>&1 &
  for r in $(seq 50); do [ -s "$SCRATCH/slirp.pid" ] && break; sleep 0.1; done
  spid=$(cat "$SCRATCH/slirp.pid" 2>/dev/null)
  [ -n "$spid" ] || { echo "unshare --user --net as $U did not start"; return 1; }
  as_user $U slirp4netns --configure --mtu=65520 --disable-host-loopback "$spid" tap0 >"$SCRATCH/slirp.log" 2>&1 &
  slirp_pid=$!
  for r in $(seq 50); do
    nsenter --net="/proc/$spid/ns/net" ip -4 addr show tap0 2>/dev/null | grep -q 10.0.2.100 && return 0
    sleep 0.1
  done
  echo "slirp4netns did not configure tap0: $(head -c 300 "$SCRATCH/slirp.log")"
  return 1
}

scenario_net() {
  local rounds=5 r why upid tool spid='' slirp_pid='' 
  IPERF_SECONDS=5
  [ "$BENCH_QUICK" = 1 ] && rounds=1 IPERF_SECONDS=2
  why=$(setup 10) || { bench_skip "TCP throughput" "$why"; return 0; }
  for tool in iperf3 nsenter; do
    command -v $tool >/dev/null || { bench_skip "TCP throughput" "$tool missing (apt-get install $tool)"; return 0; }
  done
  iperf3 -s -B 10.0.3.1 -p 5201 >/dev/null 2>&1 &
  local server=$!
  disown

  # uxc: a container with a static address on the bridge.
  run_user sh -c "printf 'lxc.network.ipv4 = 10.0.3.50/24\nlxc.network.ipv4.gateway = 10.0.3.1\n' >> $UHOME/.local/share/uxc/c1/config"
  run_user "$UXC" start -n c1 -d -- /bin/sleep 1000000 >"$SCRATCH/err" 2>&1 ||
    { bench_skip "TCP throughput" "uxc start -d failed: $(cat "$SCRATCH/err")"; return 0; }
  upid=$(run_user "$UXC" info -n c1 -p -H)

  # The kernel's own ceiling: a veth pair root creates by hand.
  ip netns add benchveth
  ip link add vbench0 type veth peer name eth0 netns benchveth
  ip link set vbench0 master lxcbr0 up
  ip -n benchveth link set lo up
  ip -n benchveth addr add 10.0.3.60/24 dev eth0
  ip -n benchveth link set eth0 up

  start_slirp >"$SCRATCH/slirp.why" ||
    { bench_skip "TCP throughput vs slirp4netns" "$(cat "$SCRATCH/slirp.why")"; spid=''; }
  sleep 1  # the bridge ports leave the learning state
  : >"$SCRATCH/net.uxc" && : >"$SCRATCH/net.root" && : >"$SCRATCH/net.slirp"
  for ((r = 0; r < rounds; r++)); do
    iperf3_mbps "/proc/$upid/ns/net" >>"$SCRATCH/net.uxc" || break
    iperf3_mbps /run/netns/benchveth >>"$SCRATCH/net.root" || break
    [ -z "$spid" ] || iperf3_mbps "/proc/$spid/ns/net" >>"$SCRATCH/net.slirp" || break
  done 2>"$SCRATCH/iperf.err"
  kill "$server" 2>/dev/null
  [ -z "$spid" ] || kill "$spid" 2>/dev/null
  [ -z "$slirp_pid" ] || { kill "$slirp_pid" 2>/dev/null; wait "$slirp_pid" 2>/dev/null; }
  run_user "$UXC" stop -n c1 -k
  ip netns del benchveth
  if [ "$(count "$SCRATCH/net.root")" != "$rounds" ]; then
    bench_skip "TCP throughput" "$(cat "$SCRATCH/iperf.err")"
    return 0
  fi
  local u
  u=$(median "$SCRATCH/net.uxc" | awk '{ printf "%.2f", $1 / 1000 }')
  bench_row "TCP throughput to the bridge: uxc veth vs root-created veth" "$u" \
    "$(median "$SCRATCH/net.root" | awk '{ printf "%.2f", $1 / 1000 }')" Gbit/s "$rounds" "ratio>=0.9" \
    "iperf3 -t $IPERF_SECONDS, server on lxcbr0 (10.0.3.1)"
  [ -n "$spid" ] || return 0
  if [ "$(count "$SCRATCH/net.slirp")" != "$rounds" ]; then
    bench_skip "TCP throughput vs slirp4netns" "$(cat "$SCRATCH/iperf.err") $(head -c 300 "$SCRATCH/slirp.log")"
    return 0
  fi
  bench_row "TCP throughput to the bridge: uxc veth vs slirp4netns" "$u" \
    "$(median "$SCRATCH/net.slirp" | awk '{ printf "%.2f", $1 / 1000 }')" Gbit/s "$rounds" "ratio>=10" \
    "slirp4netns --mtu=65520, as rootless podman"
}


# ------------------------------------------------------------------- boot
# Debian 12 with systemd (tests/e2e/debian_image.bash), booted as the test
# user with its cgroups delegated (tests/e2e/cgroup_setup.bash: a subtree
# in every hierarchy, name=systemd and unified included, as LXC's
# documentation asks of the administrator), DHCP from dnsmasq on lxcbr0.
# uxc and LXC boot the same rootfs in turn; LXC's config is what its
# download template writes for unprivileged images: Debian's common.conf
# and userns.conf.

# booted TOOL NAME: waits until systemctl is-system-running says running
# or degraded (asked through TOOL's attach), at most 60 s.
booted() {
  local tool=$1 name=$2 i s
  for ((i = 0; i < 1200; i++)); do
    if [ "$tool" = uxc ]; then s=$(run_user "$UXC" attach -n "$name" -- systemctl is-system-running </dev/null 2>/dev/null)
    else s=$(run_user lxc-attach -n "$name" -- systemctl is-system-running </dev/null 2>/dev/null); fi
    case $s in running | degraded) return 0 ;; esac
    sleep 0.05
  done
  echo "$tool: $name never booted (is-system-running: $s)"
  return 1
}

# boot_round TOOL: one boot, PSS of the monitor, one clean stop; appends
# to $SCRATCH/boot.TOOL, pss.TOOL and halt.TOOL.
boot_round() {
  local tool=$1 a b c d init mon
  a=$EPOCHREALTIME
  if [ "$tool" = uxc ]; then run_user "$UXC" start -n deb -d || { echo "uxc start failed"; return 1; }
  else run_user lxc-start -n ldeb -d -o "$SCRATCH/lxc.log" || { echo "lxc-start failed: $(tail -n 3 "$SCRATCH/lxc.log")"; return 1; }; fi
  booted "$tool" "$([ "$tool" = uxc ] && echo deb || echo ldeb)" || return 1
  b=$EPOCHREALTIME
  echo $(( ${b/./} - ${a/./} )) >>"$SCRATCH/boot.$tool"
  if [ "$tool" = uxc ]; then init=$(run_user "$UXC" info -n deb -p -H); else init=$(run_user lxc-info -n ldeb -p -H); fi
  mon=$(monitor_of "$init")
  pss_kib "$mon" >>"$SCRATCH/bpss.$tool"
  c=$EPOCHREALTIME
  if [ "$tool" = uxc ]; then run_user "$UXC" stop -n deb || { echo "uxc stop failed"; return 1; }
  else run_user lxc-stop -n ldeb || { echo "lxc-stop failed"; return 1; }; fi
  d=$EPOCHREALTIME
  echo $(( ${d/./} - ${c/./} )) >>"$SCRATCH/halt.$tool"
}

scenario_boot() {
  local runs=5 r why img
  [ "$BENCH_QUICK" = 1 ] && runs=2
  why=$(setup 10) || { bench_skip "boot" "$why"; return 0; }
  command -v lxc-attach >/dev/null || { bench_skip "boot" "lxc-attach missing (apt-get install lxc)"; return 0; }
  img=$(debian_image systemd) || { bench_skip "boot" "the Debian 12 image is not built"; return 0; }
  source "$here/tests/e2e/cgroup_setup.bash"
  cgroup_delegate $U || { bench_skip "boot" "no cgroup hierarchy could be delegated to $U"; return 0; }
  start_dnsmasq || { bench_skip "boot" "dnsmasq did not start"; return 0; }
  debian_image_stage "$img" "$UHOME/stage" $SUB || { bench_skip "boot" "cannot unpack $img"; return 0; }
  run_user "$UXC" create -n deb -t local -- "$UHOME/stage" >/dev/null || { bench_skip "boot" "uxc create -t local failed"; return 0; }
  rm -rf "$UHOME/stage"
  # The container's root (uid $SUB) must reach the rootfs, for LXC (create
  # keeps the user's trees private: open the way again after it).
  chmod o+x "$UHOME" "$UHOME/.local" "$UHOME/.local/share" "$UHOME/.local/share/uxc" "$UHOME/.local/share/uxc/deb"
  lxc_container ldeb "$(hwaddr 9)" "lxc.include = /usr/share/lxc/config/common.conf" \
    "lxc.include = /usr/share/lxc/config/userns.conf"
  sed -i "s|^lxc.rootfs.path = .*|lxc.rootfs.path = dir:$UHOME/.local/share/uxc/deb/rootfs|; /^lxc.mount.auto = /d" "$LXCPATH/ldeb/config"
  # One boot of each first, not counted: the first DHCP request of the
  # rootfs's client id makes dnsmasq probe the new address for seconds,
  # and the page cache fills.
  why=$(boot_round uxc) && why=$(boot_round lxc) || { bench_skip "boot" "$why"; return 0; }
  : >"$SCRATCH/boot.uxc" && : >"$SCRATCH/boot.lxc" && : >"$SCRATCH/halt.uxc" && : >"$SCRATCH/halt.lxc"
  : >"$SCRATCH/bpss.uxc" && : >"$SCRATCH/bpss.lxc"
  for ((r = 0; r < runs; r++)); do
    if [ $((r % 2)) = 0 ]; then
      why=$(boot_round uxc) && why=$(boot_round lxc)
    else
      why=$(boot_round lxc) && why=$(boot_round uxc)
    fi || { bench_skip "boot" "$why"; return 0; }
  done
  local note="Debian 12 (mmdebstrap minbase + systemd-sysv, ifupdown, isc-dhcp-client, openssh-server), DHCP from dnsmasq, cgroups delegated, after one boot of each not counted"
  bench_row "boot to is-system-running (systemd): uxc vs LXC" \
    "$(median "$SCRATCH/boot.uxc" | us_to_ms)" "$(median "$SCRATCH/boot.lxc" | us_to_ms)" ms "$runs" "ratio<=0.8" \
    "$note; start -d until systemctl is-system-running says running or degraded, polled every 50 ms through each one's attach"
  bench_row "clean stop of booted systemd: uxc stop vs lxc-stop" \
    "$(median "$SCRATCH/halt.uxc" | us_to_ms)" "$(median "$SCRATCH/halt.lxc" | us_to_ms)" ms "$runs" "ratio<=1" \
    "each sends SIGRTMIN+3 and waits for the init to end"
  bench_row "monitor PSS, booted systemd container: uxc vs [lxc monitor]" \
    "$(median "$SCRATCH/bpss.uxc")" "$(median "$SCRATCH/bpss.lxc")" KiB "$runs" "ratio<=0.5" \
    "/proc/PID/smaps_rollup of the init's parent, right after boot"
}

# ------------------------------------------------- copies and snapshots
# timed FILE CMD...: runs CMD as the user, appends its wall time in
# microseconds to FILE; a failure stops the scenario with CMD's output.
timed() {
  local file=$1 t0 t1
  shift
  t0=$EPOCHREALTIME
  run_user "$@" >/dev/null 2>"$SCRATCH/timed.err" || { echo "$* failed: $(head -c 400 "$SCRATCH/timed.err")"; return 1; }
  t1=$EPOCHREALTIME
  echo $(( ${t1/./} - ${t0/./} )) >>"$file"
}

# lxc_rootfs_container NAME SOURCE: an LXC container whose own rootfs
# (LXC copies only a rootfs whose path holds the container's name) is a
# copy of SOURCE with its owners.
lxc_rootfs_container() {
  run_user mkdir -p "$LXCPATH/$1"
  cp -a "$2" "$LXCPATH/$1/rootfs"
  chmod o+x "$LXCPATH" "$LXCPATH/$1"
  { sed "s/^lxc.net.0.hwaddr = .*/lxc.net.0.hwaddr = $(hwaddr 9)/" "$UHOME/.config/lxc/default.conf"
    echo "lxc.rootfs.path = dir:$LXCPATH/$1/rootfs"; echo "lxc.uts.name = $1"; echo "lxc.mount.auto = proc:mixed sys:mixed"
  } | run_user sh -c "cat > $LXCPATH/$1/config"
}

scenario_storage() {
  local runs=10 i r out=$SCRATCH/storage why
  [ "$BENCH_QUICK" = 1 ] && runs=3
  why=$(setup 10) || { bench_skip "copies and snapshots" "$why"; return 0; }
  command -v rsync >/dev/null || { bench_skip "copies and snapshots" "rsync is missing: lxc-copy needs it (apt-get install rsync)"; return 0; }
  mkdir -p "$out" && rm -f "$out"/*.us
  local data=$UHOME/.local/share/uxc
  # The busybox rootfs (2 MiB) for clones and snapshots; a Debian-sized
  # tree (busybox plus Python's, Perl's and the docs' files of the host,
  # about 200 MiB in 10,000 files, owned by the container's root) for
  # full copies. LXC's containers get their own copies with the same
  # owners.
  run_user "$UXC" copy -n c1 -N small >/dev/null && run_user "$UXC" copy -n c1 -N big >/dev/null ||
    { bench_skip "copies and snapshots" "uxc copy failed"; return 0; }
  run_user "$UXC" unshare -n big -- cp -r --preserve=mode,timestamps,links /usr/lib/python3.11 /usr/share/perl \
    /usr/share/doc "$data/big/rootfs/usr/" 2>"$SCRATCH/err" ||
    { bench_skip "copies and snapshots" "filling the big tree failed: $(head -c 300 "$SCRATCH/err")"; return 0; }
  lxc_rootfs_container lsmall "$data/small/rootfs"
  lxc_rootfs_container lbig "$data/big/rootfs"
  local files size
  files=$(find "$data/big/rootfs" | wc -l) size=$(du -sm "$data/big/rootfs" | cut -f1)

  # Round r: uxc and LXC in an order that alternates, round 0 a warm-up.
  # What a round makes is destroyed after it, untimed.
  local sink order side
  for ((r = 0; r <= runs; r++)); do
    sink=$out/warmup order="uxc lxc"
    [ "$r" -gt 0 ] && sink=$out
    [ $(( r % 2 )) = 1 ] && order="lxc uxc"
    for side in $order; do
      if [ "$side" = uxc ]; then
        timed "$sink.clone.uxc" "$UXC" copy -n small -N uc$r -s || return 1
        timed "$sink.copy.uxc" "$UXC" copy -n big -N uf$r || return 1
        # coreutils' cp -a in the same namespace: uxc's own copier or cp?
        timed "$sink.copy.cp" "$UXC" unshare -n big -- cp -a --sparse=always "$data/big/rootfs" "$SCRATCH/cp$r" || return 1
        run_user "$UXC" unshare -n big -- rm -rf "$SCRATCH/cp$r"
      else
        timed "$sink.clone.lxc" lxc-copy -n lsmall -N lc$r -s -B overlay || return 1
        timed "$sink.copy.lxc" lxc-copy -n lbig -N lf$r || return 1
      fi
    done
    # Snapshots of an overlay clone with 1 MiB of changes (LXC's advice:
    # snapshot an overlay clone, not a directory) and of the big tree. The
    # changes are written as the containers' root (the same map for both).
    for dir in "$data/uc$r/delta0" "$LXCPATH/lc$r/overlay/delta"; do
      run_user "$UXC" unshare -n uc$r -- dd if=/dev/zero of="$dir/change" bs=1M count=1 status=none ||
        { echo "cannot write to $dir"; return 1; }
    done
    for side in $order; do
      if [ "$side" = uxc ]; then
        timed "$sink.snap.uxc" "$UXC" snapshot -n uc$r || return 1
        timed "$sink.snapdir.uxc" "$UXC" snapshot -n uf$r || return 1
      else
        timed "$sink.snap.lxc" lxc-snapshot -n lc$r || return 1
        timed "$sink.snapdir.lxc" lxc-snapshot -n lf$r || return 1
      fi
    done
    for c in uc$r uf$r; do run_user "$UXC" destroy -n $c -f >/dev/null || return 1; done
    for c in lc$r lf$r; do run_user lxc-destroy -n $c -s -f >/dev/null 2>&1 || return 1; done
  done
  # An overlay clone starts as fast as a plain container: p0, a copy of
  # c1, against o0, a clone of another copy (p1, which the clone makes an
  # overlay container too); both without their network.
  run_user "$UXC" copy -n c1 -N p0 >/dev/null && run_user "$UXC" copy -n c1 -N p1 >/dev/null &&
    run_user "$UXC" copy -n p1 -N o0 -s >/dev/null || { echo "uxc copy failed"; return 1; }
  for c in p0 o0; do
    sed '/^lxc.network/d' "$data/$c/config" >"$SCRATCH/$c.conf" && run_user cp "$SCRATCH/$c.conf" "$data/$c/config"
  done
  run_user bash "$here/bench/timeloop.bash" "$runs" 2 "$out.start" \
    plain "$UXC start -n p0 -F -- /bin/true" overlay "$UXC start -n o0 -F -- /bin/true" || return 1
  ms() { median "$out.$1.$2" | us_to_ms; }
  bench_row "overlay clone create: uxc copy -s vs lxc-copy -s -B overlay" "$(ms clone uxc)" "$(ms clone lxc)" ms "$runs" \
    "ratio<=0.5" "busybox rootfs; uxc freezes its stopped source's changes first (none here)"
  bench_row "start-to-exit (-F -- /bin/true): uxc overlay clone vs uxc plain container" \
    "$(median "$out.start/overlay.us" | us_to_ms)" "$(median "$out.start/plain.us" | us_to_ms)" ms "$runs" - \
    "no network; the clone's layers: a copy's rootfs and its own empty upper layer"
  bench_row "full copy: uxc copy vs lxc-copy (rsync)" "$(ms copy uxc)" "$(ms copy lxc)" ms "$runs" "ratio<=0.7" \
    "Debian-sized tree: ${size} MiB, $files files (busybox + host python3.11, perl, doc), on tmpfs"
  bench_row "full copy: uxc copy vs cp -a --sparse=always in the same user namespace" "$(ms copy uxc)" "$(ms copy cp)" ms \
    "$runs" - "the same tree; cp's row includes uxc unshare's namespace (about 2 ms)"
  bench_row "snapshot create: uxc snapshot vs lxc-snapshot (overlay clone, 1 MiB changed)" "$(ms snap uxc)" "$(ms snap lxc)" ms \
    "$runs" "ratio<=0.5" "LXC copies the clone's delta; uxc freezes it as a layer"
  bench_row "snapshot create of a directory container: uxc snapshot vs lxc-snapshot" "$(ms snapdir uxc)" "$(ms snapdir lxc)" ms \
    "$runs" - "the ${size} MiB tree: LXC copies it all; uxc makes it a layer"
}

case ${1:-} in
  start | pss | scale | net | storage | boot) "scenario_$1" ;;
  *) echo "usage: bench/scenarios.sh start|pss|scale|net|storage|boot" >&2; exit 2 ;;
esac
