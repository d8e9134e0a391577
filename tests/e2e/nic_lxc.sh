#!/usr/bin/env bash
# LXC 5 uses uxc-nic unchanged as its lxc-user-nic: with uxc-nic bound over
# LXC's own helper path, an unprivileged busybox container starts with its
# eth0 on lxcbr0, twice in a row (with a quota of one nic, so the second
# start also shows that the first container's nic stopped counting).
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

LXC_HELPER=/usr/libexec/lxc/lxc-user-nic
require_tool nic_lxc_tools busybox lxc-start
[ -x "$LXC_HELPER" ] || { fail nic_lxc_tools "$LXC_HELPER is not there (the lxc package; run make deps)"; exit 1; }
busybox=$(command -v busybox)

# The world's mounts are private: this bind is gone when the world is.
mount --bind "$NIC" "$LXC_HELPER"
usernet "uxtest1 veth lxcbr0 1"

base=/home/uxtest1/lxc
rootfs=$base/c1/rootfs
mkdir -p "$rootfs/"{bin,proc,sys,dev,tmp,etc}
cp "$busybox" "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/sh"
# The container's init: report its links, wait for the host's checks.
cat >"$rootfs/probe" <<'EOF'
#!/bin/sh
/bin/busybox ip -o link show >/tmp/links.new && /bin/busybox mv /tmp/links.new /tmp/links
i=0
while [ ! -e /tmp/go ] && [ "$i" -lt 200 ]; do /bin/busybox sleep 0.05; i=$((i + 1)); done
EOF
chmod 0755 "$rootfs/probe"
chown -R 100000:100000 "$rootfs"
cat >"$base/c1/config" <<EOF
lxc.idmap = u 0 100000 65536
lxc.idmap = g 0 100000 65536
lxc.rootfs.path = dir:$rootfs
lxc.uts.name = c1
lxc.net.0.type = veth
lxc.net.0.link = lxcbr0
lxc.net.0.flags = up
lxc.net.0.hwaddr = 00:16:3e:aa:bb:01
lxc.console.path = none
lxc.mount.auto = proc:mixed
lxc.init.cmd = /probe
EOF
chown 61001:61001 "$base" "$base/c1" "$base/c1/config"
chmod o+x /home/uxtest1  # the container's root must reach its rootfs, as LXC's docs say

# start_once N: one foreground lxc-start as uxtest1; checks both sides
# while the container runs.
start_once() {
  local n=$1 pid why= host
  rm -f "$rootfs/tmp/links" "$rootfs/tmp/go"
  as_user uxtest1 lxc-start -P "$base" -n c1 -F -o "$base/log.$n" </dev/null >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    [ -s "$rootfs/tmp/links" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ ! -s "$rootfs/tmp/links" ]; then
    why="the container reported no links; $(grep -E 'ERROR' "$base/log.$n" | head -3)"
  else
    grep -q ': eth0@.*[<,]UP[,>]' "$rootfs/tmp/links" || why+="no eth0 up inside: $(cat "$rootfs/tmp/links"); "
    grep -q 'link/ether 00:16:3e:aa:bb:01' "$rootfs/tmp/links" || why+="eth0 lacks its configured MAC; "
    host=$(host_ends | awk '$2 == "uxc:61001:uxtest1:veth:lxcbr0" {print $1}')
    [ -n "$host" ] && [ "$(basename "$(readlink "/sys/class/net/$host/master")")" = lxcbr0 ] ||
      why+="no tagged host end on lxcbr0: $(host_ends); "
  fi
  touch "$rootfs/tmp/go"
  wait "$pid" || why+="lxc-start exited $?: $(grep -E 'ERROR' "$base/log.$n" | head -3); "
  # The container is gone; so, soon, is its nic.
  for _ in $(seq 300); do [ -z "$(host_ends)" ] && break; sleep 0.02; done
  [ -z "$(host_ends)" ] || why+="host end left behind: $(host_ends); "
  [ -z "$why" ] && pass "nic_lxc_start_busybox_$n" || fail "nic_lxc_start_busybox_$n" "$why"
}
start_once 1
start_once 2
exit 0
