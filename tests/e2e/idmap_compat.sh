#!/usr/bin/env bash
# uxc-idmap as newuidmap/newgidmap for existing clients: side by side with
# shadow's (Debian's uidmap package), then util-linux unshare and LXC 5's
# unprivileged lxc-start with ours first on PATH and shadow's disabled.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/idmap_common.bash"
set -u

OURS=$WORLD_COMPAT
THEIRS=/usr/bin

# --------------------------------------------------- same maps as shadow's
# same_as_shadow NAME TOOL ARG...: both write the same maps and setgroups.
same_as_shadow() {
  local name=$1 tool=$2 ours theirs
  shift 2
  probe_cmd uxtest1 -- "$OURS/$tool" "{pid}" "$@"
  ours=$OUT
  probe_cmd uxtest1 -- "$THEIRS/$tool" "{pid}" "$@"
  theirs=$OUT
  if [ "$(got status)" != exit:0 ]; then
    fail "$name" "shadow's $tool failed, nothing to compare: $theirs"
  elif [ "$ours" = "$theirs" ]; then
    pass "$name"
  else
    fail "$name" "ours: $ours; shadow's: $theirs"
  fi
}
if [ -u "$THEIRS/newuidmap" ] && [ -u "$THEIRS/newgidmap" ]; then
  same_as_shadow idmap_compat_same_uid_range newuidmap 0 100000 65536
  same_as_shadow idmap_compat_same_uid_range_and_self newuidmap 0 100000 65536 65536 "$U1" 1
  same_as_shadow idmap_compat_same_gid_range newgidmap 0 100000 65536
  same_as_shadow idmap_compat_same_gid_self newgidmap 0 "$U1" 1

  # Deliberately stricter: shadow allows setgroups as soon as one gid
  # range comes from /etc/subgid, even with the caller's own gid mapped.
  probe_cmd uxtest1 -- "$OURS/newgidmap" "{pid}" 0 100000 65536 65536 "$U1" 1
  expect_map idmap_compat_mixed_gid_map_denies_setgroups "" "0 100000 65536|65536 $U1 1" deny

  # shadow_refusal NAME TOOL ARG...: shadow refuses this (as documented)
  # and so does ours; neither writes anything.
  shadow_refusal() {
    local name=$1 tool=$2
    shift 2
    probe_cmd uxtest1 -- "$THEIRS/$tool" "$@"
    if [ "$(got status)" = exit:0 ] || [ -n "$(got uid_map)$(got gid_map)" ]; then
      fail "$name" "shadow's $tool did not refuse, so this is not one of its refusals: $OUT"
      return
    fi
    probe_cmd uxtest1 -- "$OURS/$tool" "$@"
    expect_refused "$name" -
  }
  setpriv --reuid=61002 --regid=61002 --init-groups --inh-caps=-all unshare --user sleep 60 &
  other=$!
  sleep 0.3
  shadow_refusal idmap_compat_refuses_like_shadow_not_granted newuidmap "{pid}" 0 200000 1
  shadow_refusal idmap_compat_refuses_like_shadow_partly_granted newuidmap "{pid}" 0 100000 65537
  shadow_refusal idmap_compat_refuses_like_shadow_count_0 newuidmap "{pid}" 0 100000 0
  shadow_refusal idmap_compat_refuses_like_shadow_own_uid_twice newuidmap "{pid}" 0 "$U1" 2
  shadow_refusal idmap_compat_refuses_like_shadow_host_root newuidmap "{pid}" 0 0 1
  shadow_refusal idmap_compat_refuses_like_shadow_overflow newuidmap "{pid}" 0 4294967295 2
  shadow_refusal idmap_compat_refuses_like_shadow_gid_not_granted newgidmap "{pid}" 0 200000 1
  shadow_refusal idmap_compat_refuses_like_shadow_root_process newuidmap 1 0 100000 1
  shadow_refusal idmap_compat_refuses_like_shadow_other_users_process newuidmap "$other" 0 100000 1
  shadow_refusal idmap_compat_refuses_like_shadow_no_such_process newuidmap 4194305 0 100000 1
  shadow_refusal idmap_compat_refuses_like_shadow_usage newuidmap "{pid}" 0 100000
  shadow_refusal idmap_compat_refuses_like_shadow_no_args newuidmap
  shadow_refusal idmap_compat_refuses_like_shadow_bad_pid newuidmap abc 0 100000 1
  kill "$other" 2>/dev/null
else
  fail idmap_compat_side_by_side "Debian's setuid newuidmap/newgidmap are not installed at $THEIRS (package uidmap; run make deps)"
fi

# -------------------------------------------------------- existing clients
# From here shadow's tools are /bin/false (in this world only), so a client
# that works can only have used ours.
mount --bind /bin/false "$THEIRS/newuidmap"
mount --bind /bin/false "$THEIRS/newgidmap"
OURS_FIRST="$WORLD_COMPAT:$UXC_USER_PATH"

if out=$(as_user uxtest1 unshare --map-users=100000,0,65536 --map-groups=100000,0,65536 true 2>&1); then
  fail idmap_compat_shadow_disabled "unshare still mapped without ours on PATH: $out"
else
  pass idmap_compat_shadow_disabled
fi
out=$(as_user uxtest1 env PATH="$OURS_FIRST" unshare --map-users=100000,0,65536 \
  --map-groups=100000,0,65536 cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups 2>&1 |
  tr -s ' \n' ' ')
[ "$out" = " 0 100000 65536 0 100000 65536 allow " ] && pass idmap_compat_util_linux_unshare ||
  fail idmap_compat_util_linux_unshare "$out"
out=$(as_user uxtest1 env PATH="$OURS_FIRST" unshare --map-user=0 --map-group=0 \
  cat /proc/self/uid_map 2>&1 | tr -s ' \n' ' ')
[ "$out" = " 0 $U1 1 " ] && pass idmap_compat_util_linux_unshare_self_map ||
  fail idmap_compat_util_linux_unshare_self_map "$out"

# LXC 5, unprivileged: a busybox container whose init reports its maps.
lxc_busybox() {
  local base=/home/uxtest1/lxc busybox
  busybox=$(command -v busybox) || { echo "busybox is not installed (busybox-static; run make deps)"; return; }
  command -v lxc-start >/dev/null || { echo "lxc-start is not installed (lxc; run make deps)"; return; }
  mkdir -p "$base/c1/rootfs/"{bin,proc,sys,dev,tmp,etc}
  cp "$busybox" "$base/c1/rootfs/bin/busybox"
  ln -s busybox "$base/c1/rootfs/bin/sh"
  printf '#!/bin/sh\ncd /proc/self && /bin/busybox cat uid_map gid_map setgroups >/tmp/result\n/bin/busybox id >>/tmp/result\n' \
    >"$base/c1/rootfs/probe"
  chmod 0755 "$base/c1/rootfs/probe"
  chown -R 100000:100000 "$base/c1/rootfs"
  cat >"$base/c1/config" <<EOF
lxc.idmap = u 0 100000 65536
lxc.idmap = g 0 100000 65536
lxc.rootfs.path = dir:$base/c1/rootfs
lxc.uts.name = c1
lxc.net.0.type = empty
lxc.console.path = none
lxc.mount.auto = proc:mixed
lxc.init.cmd = /probe
EOF
  chown 61001:61001 "$base" "$base/c1" "$base/c1/config"
  chmod o+x /home/uxtest1  # the container's root must reach its rootfs, as LXC's docs say
  as_user uxtest1 env PATH="$OURS_FIRST" lxc-start -P "$base" -n c1 -F -o "$base/log" </dev/null >/dev/null 2>&1 ||
    { echo "lxc-start failed: $(grep -E 'ERROR' "$base/log" | head -5)"; return 1; }
  tr -s ' \n' ' ' <"$base/c1/rootfs/tmp/result" || echo "the container wrote no result"
}
out=$(lxc_busybox)
case $out in
  " 0 100000 65536 0 100000 65536 allow uid=0 gid=0 ") pass idmap_compat_lxc_start_busybox ;;
  *) fail idmap_compat_lxc_start_busybox "$out" ;;
esac
