#!/usr/bin/env bash
# The isolated test world, seen from inside: the accounts, files, mounts,
# links and helpers that tests/README.md promises.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u

# ------------------------------------------------------------ fresh mounts
# Looked at first, before this script writes anywhere.
fresh_tmpfs() {
  local dir fstype opts
  for dir in /run /tmp /home; do
    # The last mount on DIR is the one in use (the host may have its own
    # mount there, under the world's).
    fstype=$(findmnt -n -o FSTYPE --mountpoint "$dir" | tail -n 1)
    [ -n "$fstype" ] || { echo "$dir is not a mount point"; return 1; }
    opts=$(findmnt -n -o OPTIONS --mountpoint "$dir" | tail -n 1)
    [ "$fstype" = tmpfs ] || { echo "$dir is $fstype, not tmpfs"; return 1; }
    case ,$opts, in *,nosuid,*) echo "$dir is nosuid: $opts"; return 1 ;; esac
  done
  # Only the tree under test may show through (bound back at its own path
  # when it lives under /tmp, as a CI clone may).
  local entry
  for entry in /tmp/* /tmp/.[!.]*; do
    [ -e "$entry" ] || continue
    case $UXC_SRC/ in "$entry"/*) continue ;; esac
    case $UXC_BUILD/ in "$entry"/*) continue ;; esac
    echo "/tmp is not fresh: $entry"; return 1
  done
  [ "$(ls -A /home)" = "$(printf 'uxtest1\nuxtest2\nuxtest3')" ] || { echo "/home holds: $(ls -A /home)"; return 1; }
  [ "$(stat -c %a /tmp)" = 1777 ] || { echo "/tmp mode $(stat -c %a /tmp)"; return 1; }
}
check world_run_tmp_home_fresh_tmpfs fresh_tmpfs

all_mounts_private() {
  local bad
  bad=$(findmnt -rn -o TARGET,PROPAGATION | awk '$2 != "private"')
  [ -z "$bad" ] || { echo "mounts that are not private: $bad"; return 1; }
}
check world_every_mount_private all_mounts_private

etc_is_private_overlay() {
  [ "$(findmnt -n -o FSTYPE --mountpoint /etc | tail -n 1)" = overlay ] || { echo "/etc is not an overlay"; return 1; }
  mkdir -p /etc/uxc /etc/lxc &&
    echo 'uxtest1 veth lxcbr0 2' >/etc/uxc/usernet &&
    echo 'uxtest1 veth lxcbr0 2' >/etc/lxc/lxc-usernet &&
    [ "$(cat /etc/uxc/usernet)" = 'uxtest1 veth lxcbr0 2' ]
}
check world_etc_writable_overlay etc_is_private_overlay

# ----------------------------------------------------------- environment
world_env() {
  local var
  for var in WORLD WORLD_BIN WORLD_COMPAT UXC_BUILD UXC_SRC; do
    case ${!var:-} in /*) ;; *) echo "$var='${!var:-}' is not an absolute path"; return 1 ;; esac
    [ -d "${!var}" ] || { echo "$var=${!var} is not a directory"; return 1; }
  done
  [ "${UXC_IN_WORLD:-}" = 1 ] || { echo "UXC_IN_WORLD='${UXC_IN_WORLD:-}'"; return 1; }
  [ -x "$UXC_SRC/tests/world/enter" ] || { echo "UXC_SRC=$UXC_SRC has no tests/world/enter"; return 1; }
}
check world_env_paths world_env

pid_namespace() {
  local init
  init=$(tr '\0' ' ' </proc/1/cmdline)
  case $init in *tests/world/init*) ;; *) echo "pid 1 is: $init"; return 1 ;; esac
  [ "$(readlink /proc/1/ns/pid)" = "$(readlink /proc/self/ns/pid)" ] || { echo "pid 1 is in another pid namespace"; return 1; }
  [ "$(hostname)" = uxc-world ] || { echo "hostname is $(hostname)"; return 1; }
}
check world_own_pid_ns_proc_and_hostname pid_namespace

# -------------------------------------------------------------- accounts
user_is_unprivileged() {
  local ids status
  [ "$(as_user uxtest1 id -u)" = 61001 ] || { echo "id -u: $(as_user uxtest1 id -u 2>&1)"; return 1; }
  status=$(as_user uxtest1 cat /proc/self/status)
  ids=$(grep -E '^(Uid|Gid):' <<<"$status" | tr -s '\t ' ' ')
  [ "$ids" = "$(printf 'Uid: 61001 61001 61001 61001\nGid: 61001 61001 61001 61001')" ] ||
    { echo "ids: $ids"; return 1; }
}
check world_user_is_unprivileged user_is_unprivileged

user_groups() {
  [ "$(as_user uxtest1 id -G)" = "61001 61100" ] || { echo "uxtest1 groups: $(as_user uxtest1 id -G)"; return 1; }
  [ "$(as_user uxtest2 id -G)" = "61002 61100" ] || { echo "uxtest2 groups: $(as_user uxtest2 id -G)"; return 1; }
  [ "$(as_user uxtest3 id -G)" = "61003" ] || { echo "uxtest3 groups: $(as_user uxtest3 id -G)"; return 1; }
}
check world_user_groups user_groups

user_has_no_caps() {
  local status line
  status=$(as_user uxtest1 cat /proc/self/status)
  for line in CapInh CapPrm CapEff CapAmb; do
    grep -qx "$line:[[:space:]]*0000000000000000" <<<"$status" ||
      { grep "^$line:" <<<"$status"; return 1; }
  done
  grep -qx 'NoNewPrivs:[[:space:]]*0' <<<"$status" || { grep '^NoNewPrivs:' <<<"$status"; return 1; }
}
check world_user_has_no_caps_and_no_nnp user_has_no_caps

user_env_is_clean() {
  local got
  got=$(FOO=leak as_user uxtest2 env | sort)
  [ "$got" = "$(printf '%s\n' HOME=/home/uxtest2 LOGNAME=uxtest2 \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin USER=uxtest2 | sort)" ] ||
    { echo "env: $got"; return 1; }
}
check world_as_user_clean_env user_env_is_clean

as_user_keeps_stdio_and_status() {
  local out status
  out=$(echo hello | as_user uxtest1 sh -c 'cat; echo err >&2; exit 7' 2>&1)
  status=$?
  if [ "$status" != 7 ] || [ "$out" != "$(printf 'hello\nerr')" ]; then
    echo "status $status, output: $out"; return 1
  fi
}
check world_as_user_keeps_stdio_and_status as_user_keeps_stdio_and_status

getent_resolves() {
  [ "$(getent passwd uxtest1)" = "uxtest1:*:61001:61001:uxc test user 1:/home/uxtest1:/bin/bash" ] ||
    { echo "passwd: $(getent passwd uxtest1)"; return 1; }
  [ "$(getent passwd 61003)" = "uxtest3:*:61003:61003:uxc test user 3:/home/uxtest3:/bin/bash" ] ||
    { echo "passwd 61003: $(getent passwd 61003)"; return 1; }
  [ "$(getent group uxnet)" = "uxnet:x:61100:uxtest1,uxtest2" ] || { echo "group: $(getent group uxnet)"; return 1; }
}
check world_users_resolve_with_getent getent_resolves

homes() {
  local n
  for n in 1 2 3; do
    [ "$(stat -c '%u:%g %a' "/home/uxtest$n")" = "6100$n:6100$n 700" ] ||
      { echo "/home/uxtest$n: $(stat -c '%u:%g %a' "/home/uxtest$n")"; return 1; }
  done
  as_user uxtest1 sh -c 'echo mine >"$HOME/file" && [ "$(cat "$HOME/file")" = mine ]' || { echo "uxtest1 cannot use its home"; return 1; }
  if as_user uxtest2 ls /home/uxtest1 >/dev/null 2>&1; then echo "uxtest2 can read /home/uxtest1"; return 1; fi
}
check world_homes_owned_and_private homes

subid_files() {
  local want
  want=$(printf 'uxtest1:100000:65536\nuxtest2:200000:65536')
  [ "$(as_user uxtest1 cat /etc/subuid)" = "$want" ] || { echo "subuid: $(as_user uxtest1 cat /etc/subuid 2>&1)"; return 1; }
  [ "$(as_user uxtest3 cat /etc/subgid)" = "$want" ] || { echo "subgid: $(as_user uxtest3 cat /etc/subgid 2>&1)"; return 1; }
}
check world_user_sees_test_subuid_subgid subid_files

user_namespace() {
  local got
  got=$(as_user uxtest1 unshare --user --map-root-user sh -c 'id -u; cat /proc/self/uid_map' 2>&1) ||
    { echo "unshare failed: $got"; return 1; }
  [ "$(tr -s ' \n' ' ' <<<"$got")" = "0 0 61001 1 " ] || { echo "got: $got"; return 1; }
}
check world_user_can_create_user_namespace user_namespace

# --------------------------------------------------------- setuid helpers
setuid_runs_as_root() {
  local got
  [ -x "$UXC_BUILD/tests/print_ids" ] || { echo "$UXC_BUILD/tests/print_ids was not built (run make)"; return 1; }
  world_install_setuid "$UXC_BUILD/tests/print_ids" print_ids || return 1
  got=$(as_user uxtest1 "$WORLD_BIN/print_ids") || return 1
  [ "$got" = "ruid=61001 euid=0 suid=0 rgid=61001 egid=61001 sgid=61001" ] || { echo "got: $got"; return 1; }
}
check world_setuid_binary_gets_euid_0 setuid_runs_as_root

world_bin_reachable() {
  local opts
  opts=$(findmnt -n -o OPTIONS -T "$WORLD_BIN" | tail -n 1)
  case ,$opts, in *,nosuid,*) echo "$WORLD_BIN is on a nosuid mount: $opts"; return 1 ;; esac
  as_user uxtest3 test -x "$WORLD_BIN/print_ids" || { echo "uxtest3 cannot reach $WORLD_BIN/print_ids"; return 1; }
  if as_user uxtest3 touch "$WORLD_BIN/x" 2>/dev/null; then echo "uxtest3 can write $WORLD_BIN"; return 1; fi
}
check world_bin_reachable_not_writable world_bin_reachable

helpers_installed() {
  local helper link target
  for helper in uxc-idmap uxc-nic; do
    [ -f "$UXC_BUILD/bin/$helper" ] || { echo "$UXC_BUILD/bin/$helper was not built (run make)"; return 1; }
    [ "$(stat -c '%a %U %G' "$WORLD_BIN/$helper")" = "4755 root root" ] ||
      { echo "$WORLD_BIN/$helper: $(stat -c '%a %U %G' "$WORLD_BIN/$helper" 2>&1)"; return 1; }
    cmp -s "$UXC_BUILD/bin/$helper" "$WORLD_BIN/$helper" || { echo "$WORLD_BIN/$helper differs from the build"; return 1; }
  done
  for link in newuidmap:uxc-idmap newgidmap:uxc-idmap lxc-user-nic:uxc-nic; do
    target=${link#*:} link=${link%%:*}
    [ "$(readlink "$WORLD_COMPAT/$link")" = "$WORLD_BIN/$target" ] ||
      { echo "$WORLD_COMPAT/$link -> $(readlink "$WORLD_COMPAT/$link")"; return 1; }
  done
  [ "$(stat -c '%a %U %G' "$WORLD_BIN/uxc-image")" = "755 root root" ] ||
    { echo "$WORLD_BIN/uxc-image: $(stat -c '%a %U %G' "$WORLD_BIN/uxc-image" 2>&1)"; return 1; }
  cmp -s "$UXC_BUILD/bin/uxc-image" "$WORLD_BIN/uxc-image" || { echo "$WORLD_BIN/uxc-image differs from the build"; return 1; }
}
check world_helpers_installed_setuid helpers_installed

# ---------------------------------------------------------------- network
bridges() {
  local lxcbr0 br1 notabridge lo
  lxcbr0=$(ip -d -o link show lxcbr0) || return 1
  case $lxcbr0 in *'<'*UP*'>'*' bridge '*) ;; *) echo "lxcbr0: $lxcbr0"; return 1 ;; esac
  [ "$(ip -o -4 addr show dev lxcbr0 | awk '{print $4}')" = 10.0.3.1/24 ] ||
    { echo "lxcbr0 addresses: $(ip -o -4 addr show dev lxcbr0)"; return 1; }
  br1=$(ip -d -o link show br1) || return 1
  case $br1 in *'<'*UP*'>'*' bridge '*) ;; *) echo "br1: $br1"; return 1 ;; esac
  [ -z "$(ip -o -4 addr show dev br1)" ] || { echo "br1 has an IPv4 address"; return 1; }
  notabridge=$(ip -d -o link show notabridge) || return 1
  case $notabridge in *'<'*UP*'>'*) ;; *) echo "notabridge is down: $notabridge"; return 1 ;; esac
  case $notabridge in *' bridge '*|*bridge_slave*) echo "notabridge is a bridge: $notabridge"; return 1 ;; esac
  lo=$(ip -o link show lo) || return 1
  case $lo in *'<'*UP*'>'*) ;; *) echo "lo is down: $lo"; return 1 ;; esac
}
check world_bridges_lxcbr0_br1_and_notabridge bridges
# IPv4 forwarding is off in the world even on a host that forwards (a new
# net namespace copies the host's setting).
check world_ipv4_forwarding_off sh -c 'v=$(cat /proc/sys/net/ipv4/ip_forward); [ "$v" = 0 ] || { echo "ip_forward=$v"; exit 1; }'

sysfs_matches_netns() {
  local ip_links sys_links
  ip_links=$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort)
  sys_links=$(ls /sys/class/net | sort)
  [ "$ip_links" = "$sys_links" ] || { echo "ip: $ip_links; sysfs: $sys_links"; return 1; }
  [ -d /sys/class/net/lxcbr0/bridge ] || { echo "/sys/class/net/lxcbr0/bridge missing"; return 1; }
}
check world_sysfs_shows_world_links sysfs_matches_netns

# ---------------------------------------------------------------- refusals
enter_refuses_non_root() {
  local out
  if out=$(as_user uxtest1 "$UXC_SRC/tests/world/enter" true 2>&1); then echo "enter ran as uxtest1"; return 1; fi
  case $out in *"must run as root"*) ;; *) echo "message: $out"; return 1 ;; esac
  if out=$(as_user uxtest1 bash -c 'source "$1/tests/lib.sh"; world_reexec; echo reached' _ "$UXC_SRC" 2>&1); then
    echo "world_reexec went on as uxtest1: $out"; return 1
  fi
  case $out in *"must run as root"*) ;; *) echo "world_reexec message: $out"; return 1 ;; esac
}
check world_enter_refuses_non_root enter_refuses_non_root

# A world inherits nothing a person or a script did to the host: this
# world plays a host after `make quickstart` (a regular user uxc-demo with
# a home, subordinate ids and a usernet line, uxc installed setuid at the
# build's paths, a host account holding a test account's name and uid), and
# a world started from here must hold only its own accounts and files.
make_dirty_host() {
  local libexecdir bindir prefix
  libexecdir=$(sed -n 's/^#define UXC_LIBEXECDIR "\(.*\)"$/\1/p' "$UXC_BUILD/gen/paths.h")
  bindir=$(sed -n 's/^#define UXC_BINDIR "\(.*\)"$/\1/p' "$UXC_BUILD/gen/paths.h")
  prefix=$(dirname "$bindir")
  case $prefix in /|/usr) echo "built with PREFIX=$prefix: this test needs a separate prefix (the default /usr/local)"; return 1 ;; esac
  # The prefix becomes a tmpfs of this world (the host's stays as it is).
  mount -t tmpfs -o mode=0755 dirty-prefix "$prefix" &&
    mkdir -p "$libexecdir" "$bindir" "$prefix/sbin" &&
    install -m 4755 "$UXC_BUILD/bin/uxc-idmap" "$libexecdir/uxc-idmap" &&
    install -m 0755 "$UXC_BUILD/bin/uxc" "$bindir/uxc" &&
    install -m 0755 "$UXC_BUILD/bin/uxc-admin" "$prefix/sbin/uxc-admin" || return 1
  echo "uxc-demo:x:1001:1001::/home/uxc-demo:/bin/sh" >>/etc/passwd
  echo "uxc-demo:x:1001:" >>/etc/group
  echo "uxc-demo:!:19000:0:99999:7:::" >>/etc/shadow
  sed -i 's/^uxtest2:[^:]*:[^:]*:[^:]*:/uxtest2:x:61002:61002:on the host, not the test user:/' /etc/passwd
  sed -i 's/^\(adm:x:[0-9]*:\).*/\1uxc-demo,uxtest1/' /etc/group
  echo "uxc-demo:300000:65536" >>/etc/subuid
  echo "uxc-demo:300000:65536" >>/etc/subgid
  mkdir -p /etc/uxc /etc/lxc /home/uxc-demo
  echo "uxc-demo veth lxcbr0 10" >/etc/uxc/usernet
  echo "uxc-demo veth lxcbr0 10" >/etc/lxc/lxc-usernet
  echo "[idmap]" >/etc/uxc/uxc.conf
}
world_from_dirty_host() {
  local got want
  # shellcheck disable=SC2016 # expanded by the inner shell
  got=$("$UXC_SRC/tests/world/enter" -- bash -c '
    source "$UXC_SRC/tests/lib.sh"
    awk -F: '"'"'$3 >= 1000 && $3 != 65534 { print "passwd", $0 }'"'"' /etc/passwd
    awk -F: '"'"'$3 >= 1000 && $3 != 65534 { print "group", $0 }'"'"' /etc/group
    grep -h uxc-demo /etc/shadow /etc/gshadow /etc/group | sed "s/^/named /"
    sed "s/^/subuid /" /etc/subuid; sed "s/^/subgid /" /etc/subgid
    for f in /etc/uxc /etc/lxc/lxc-usernet /home/uxc-demo; do [ -e "$f" ] && echo "left $f"; done
    for f in "$(dirname "$(sed -n "s/^#define UXC_LIBEXECDIR \"\(.*\)\"$/\1/p" "$UXC_BUILD/gen/paths.h")")"/uxc; do
      [ -e "$f" ] && echo "installed $f"
    done
    as_user uxtest1 sh -c "command -v uxc uxc-admin" | sed "s/^/found /"
    echo "uxtest1 groups $(as_user uxtest1 id -G)"
  ' 2>&1)
  want="passwd uxtest1:*:61001:61001:uxc test user 1:/home/uxtest1:/bin/bash
passwd uxtest2:*:61002:61002:uxc test user 2:/home/uxtest2:/bin/bash
passwd uxtest3:*:61003:61003:uxc test user 3:/home/uxtest3:/bin/bash
group uxtest1:x:61001:
group uxtest2:x:61002:
group uxtest3:x:61003:
group uxnet:x:61100:uxtest1,uxtest2
subuid uxtest1:100000:65536
subuid uxtest2:200000:65536
subgid uxtest1:100000:65536
subgid uxtest2:200000:65536
uxtest1 groups 61001 61100"
  [ "$got" = "$want" ] || { echo "the world from a dirty host: $got"; return 1; }
}
if out=$( (make_dirty_host) 2>&1); then
  check world_starts_from_its_own_accounts_and_files world_from_dirty_host
else
  fail world_starts_from_its_own_accounts_and_files "could not dirty this world: $out"
fi
