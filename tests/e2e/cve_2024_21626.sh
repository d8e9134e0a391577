#!/usr/bin/env bash
# CVE-2024-21626: runc leaked a host directory fd (/sys/fs/cgroup) into the
# container's process, and a working directory of /proc/self/fd/N put the
# process outside the container's root. uxc start and uxc attach must hand
# the container nothing of the host's: only fds 0-2 (pipes, the pty or
# /dev/null), a working directory and a root inside the container,
# whatever fds and cwd the caller has.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/cve_manager.bash"

# The caller holds host fds (files, directories, the cgroup tree, a
# socket) and sits in a host directory when it starts the container.
leaky() {  # CMD...: run as the user with host fds 5-9 and cwd /home/uxtest1
  as_user $U sh -c 'cd /home/uxtest1 && exec 5</etc/passwd 6</ 7</sys/fs/cgroup 8<"$0" 9</etc; exec "$@"' \
    "$UXC_SRC" env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" "$@"
}
require_built cve_2024_21626_built "$UXC" "$WORLD_BIN/uxc-idmap"
write_plain_default_conf $U 100000
uxc_as $U create -n $C -t busybox >/dev/null 2>&1 || { fail cve_2024_21626_create "uxc create failed"; exit 0; }
leaky start -n $C -d </dev/null >/dev/null 2>&1 || { fail cve_2024_21626_start "uxc start failed"; exit 0; }
INIT=$(uxc_as $U info -n $C -p -H)

# host_fds PID: the fds of PID (seen from the host) that are not the
# container's own objects. Paths mean nothing across mount namespaces, so
# objects are told by kind: pipes, sockets and anon inodes are fine, and
# so are /dev/null, /dev/console, /dev/ptmx and ptys (majors 136-143);
# a regular file or directory must be inside the rootfs (same inode).
rootfs=/home/$U/.local/share/uxc/$C/rootfs
under_rootfs() {  # PATH: its inode is one of the rootfs's
  local dev ino
  read -r dev ino < <(stat -Lc '%d %i' "$1" 2>/dev/null) || return 1
  [ "$dev" = "$(stat -c %d "$rootfs")" ] && [ -n "$(find "$rootfs" -xdev -inum "$ino" -print -quit)" ]
}
host_fds() {
  local fd target kind
  for fd in /proc/"$1"/fd/*; do
    target=$(readlink "$fd") || continue
    case $target in pipe:* | socket:* | anon_inode:*) continue ;; esac
    kind=$(stat -Lc '%F %t:%T' "$fd" 2>/dev/null)
    case $kind in
      "character special file 1:3" | "character special file 5:1" | "character special file 5:2") continue ;;
      "character special file 8"[89a-f]:*) continue ;;
      "regular file "* | "directory "*) under_rootfs "$fd" && continue ;;
    esac
    echo "${fd##*/}->$target ($kind)"
  done
}
# inside_container PID: its root is the rootfs and its cwd is in it.
inside_container() {
  [ "$(stat -Lc '%d %i' "/proc/$1/root")" = "$(stat -c '%d %i' "$rootfs")" ] && under_rootfs "/proc/$1/cwd"
}

# The container's init and everything it started.
bad=
for p in $(pgrep -u 100000 2>/dev/null) "$INIT"; do
  [ -e "/proc/$p" ] || continue
  leak=$(host_fds "$p")
  [ -z "$leak" ] || bad+="pid $p: $leak; "
  inside_container "$p" || bad+="pid $p: cwd $(readlink "/proc/$p/cwd") or root outside the rootfs; "
done
[ -z "$bad" ] && pass cve_2024_21626_started_container_holds_nothing_of_the_host ||
  fail cve_2024_21626_started_container_holds_nothing_of_the_host "$bad"

# An attached command, started by a caller full of host fds: it sees only
# 0-2, its cwd is the container's /, and none of the usual escapes
# (cd through /proc/self/fd/N, /proc/self/cwd, /proc/1/cwd, ..) leaves
# the container's root.
probe='ls /proc/self/fd | tr "\n" " "; echo
for n in 3 4 5 6 7 8 9 10 11 12; do cd /proc/self/fd/$n 2>/dev/null && echo "cd-fd $n $(pwd -P) $(ls | head -3 | tr "\n" " ")"; cd /; done
echo "cwd=$(readlink /proc/self/cwd) root=$(readlink /proc/self/root)"
cd /proc/self/cwd/../../../.. && echo "up=$(pwd -P) $(ls | tr "\n" " ")"
ls -d /proc/1/cwd/../../uxc-world /proc/1/root/../../run/uxc-world /sys/fs/cgroup/../../run/uxc-world 2>/dev/null && echo escaped
true'
out=$(leaky attach -n $C -- /bin/sh -c "$probe" </dev/null 2>&1)
fds=$(head -n1 <<<"$out")
# 0-2, plus the fd ls itself opens on /proc/self/fd.
[ "$(echo $fds)" = "0 1 2 3" ] && pass cve_2024_21626_attach_fds_only_stdio ||
  fail cve_2024_21626_attach_fds_only_stdio "fds: $fds"
grep -q '^cd-fd' <<<"$out" && fail cve_2024_21626_attach_no_cd_through_fd "$(grep '^cd-fd' <<<"$out")" ||
  pass cve_2024_21626_attach_no_cd_through_fd
grep -qx 'cwd=/ root=/' <<<"$out" && pass cve_2024_21626_attach_cwd_and_root_inside ||
  fail cve_2024_21626_attach_cwd_and_root_inside "$out"
up=$(sed -n 's/^up=//p' <<<"$out")
[ "${up%% *}" = / ] && ! grep -qx escaped <<<"$out" && [ "$(in_container 'ls /' | grep -c uxc-world)" = 0 ] &&
  pass cve_2024_21626_attach_no_escape_upward || fail cve_2024_21626_attach_no_escape_upward "$out"

# From the host: the attached process, while it runs, holds no host fd
# and its cwd and root are the container's.
leaky attach -n $C -- /bin/sleep 3 </dev/null >/dev/null 2>&1 &
sleep 1
sleeper=$(pgrep -u 100000 -f '^/bin/sleep 3$' | head -1)
if [ -z "$sleeper" ]; then
  fail cve_2024_21626_attached_process_from_host "the attached sleep was not found"
else
  leak=$(host_fds "$sleeper")
  [ -z "$leak" ] && inside_container "$sleeper" && pass cve_2024_21626_attached_process_from_host ||
    fail cve_2024_21626_attached_process_from_host "fds: $leak; cwd/root inside: $(inside_container "$sleeper" && echo yes || echo no)"
fi
wait
cleanup uxc_as $U stop -n $C -k
exit 0
