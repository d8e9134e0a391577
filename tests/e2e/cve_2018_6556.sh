#!/usr/bin/env bash
# CVE-2018-6556 and CVE-2022-47952: lxc-user-nic opened, as root, a path its
# caller named (the network namespace of "delete"), so a user could make it
# open any file (a FIFO hung it) and learn from its messages whether a file
# existed in a directory they cannot read. The lesson: a helper never opens
# a caller-named path with privilege, and its answer is the same for every
# path or pid the caller could name, existing or not.
#
# Every place a caller can name a path or a process is tried here with a
# sweep of root-only targets (missing, regular file, directory, FIFO,
# character device, a network namespace file, a symlink) or pids (none,
# root's, another tenant's, the caller's own outside any namespace): the
# exit status, fd 1 and fd 2 must be byte-for-byte the same within each
# sweep once the name itself is replaced, and nothing may hang.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

usernet "uxtest1 veth lxcbr0 4"
hidden=/root/hidden
mkdir -p "$hidden"
chmod 0700 /root "$hidden"
echo secret >"$hidden/file"
mkdir -p "$hidden/dir"
mkfifo "$hidden/fifo"
mknod "$hidden/chr" c 1 3
ln -s /etc/shadow "$hidden/link"
holder root -n; root_netns=$HOLDER
touch "$hidden/netns"
mount --bind "/proc/$root_netns/ns/net" "$hidden/netns"
PATHS=("$hidden/nothere" "$hidden/file" "$hidden/dir" "$hidden/fifo" "$hidden/chr" "$hidden/link"
       "$hidden/netns" "$hidden/nothere/deeper")

# outcome USER CMD...: CMD as USER (under timeout), as
# "exit N|stdout|stderr" with $NAME replaced by NAME; 124 if it hangs 10 s.
outcome() {
  local out err rc user=$1
  shift
  out=$(as_user "$user" timeout 10 "$@" 2>"$ERRF")
  rc=$?
  err=$(cat "$ERRF")
  printf 'exit %s|%s|%s' "$rc" "${out//"$NAME"/NAME}" "${err//"$NAME"/NAME}"
}

# sweep TEST as_user USER CMD-TEMPLATE...: runs the command once per path
# with @ in its words replaced by the path; every outcome must be equal,
# and be the helper's own refusal (its name on fd 2), not a tool's error.
sweep() {
  local test=$1 user=$3 first='' o word
  shift 3
  local -a cmd
  for NAME in "${PATHS[@]}"; do
    cmd=()
    for word in "$@"; do cmd+=("${word//@/$NAME}"); done
    o=$(outcome "$user" "${cmd[@]}")
    [[ $o == "exit 124|"* ]] && { fail "$test" "hung on $NAME"; return; }
    [[ $o =~ ^exit\ 1\|\|(lxc-user-nic|newuidmap|newgidmap):\  ]] ||
      { fail "$test" "$NAME: not the helper's refusal: $o"; return; }
    if [ -z "$first" ]; then first=$o
    elif [ "$o" != "$first" ]; then fail "$test" "$NAME: [$o] vs [$first]"; return
    fi
  done
  pass "$test"
}

holder uxtest1; mine=$HOLDER

# lxc-user-nic: every path-like word. NETNS_PATH of delete is the
# CVE's own; LXCPATH and NAME are LXC's container directory and name.
sweep cve_2018_6556_lxc_user_nic_delete_netns_path \
  as_user uxtest1 "$LXC_NIC" delete /x c1 @ veth lxcbr0 uxc00000000zzzz
sweep cve_2018_6556_lxc_user_nic_delete_lxcpath \
  as_user uxtest1 "$LXC_NIC" delete @ c1 "/proc/$mine/ns/net" veth lxcbr0 uxc00000000zzzz
sweep cve_2018_6556_lxc_user_nic_create_lxcpath_refused \
  as_user uxtest1 "$LXC_NIC" create @ c1 1 veth lxcbr0 eth0
sweep cve_2018_6556_lxc_user_nic_create_name_refused \
  as_user uxtest1 "$LXC_NIC" create /x @ 1 veth lxcbr0 eth0
# A path where a PID belongs, and where LINK and NICNAME belong.
sweep cve_2018_6556_lxc_user_nic_create_path_as_pid \
  as_user uxtest1 "$LXC_NIC" create /x c1 @ veth lxcbr0 eth0
sweep cve_2018_6556_lxc_user_nic_create_path_as_link \
  as_user uxtest1 "$LXC_NIC" create /x c1 "$mine" veth @ eth0
# newuidmap/newgidmap: the PID word and "fd:" forms, given paths.
sweep cve_2018_6556_newuidmap_path_as_pid \
  as_user uxtest1 "$WORLD_COMPAT/newuidmap" @ 0 100000 65536
sweep cve_2018_6556_newgidmap_path_as_fd \
  as_user uxtest1 "$WORLD_COMPAT/newgidmap" fd:@ 0 100000 65536
# Environment variables that name files to libc or libnl: TZ, LOCPATH,
# GCONV_PATH, NLSPATH, NLSYSCONFDIR, HOSTALIASES, LD_LIBRARY_PATH.
for var in TZ LOCPATH GCONV_PATH NLSPATH NLSYSCONFDIR HOSTALIASES LD_LIBRARY_PATH LD_PRELOAD; do
  sweep "cve_2018_6556_env_${var}_uxc_nic" \
    as_user uxtest1 env "$var=@" "$LXC_NIC" create /x c1 1 veth lxcbr0 eth0
  sweep "cve_2018_6556_env_${var}_uxc_idmap" \
    as_user uxtest1 env "$var=@" "$WORLD_COMPAT/newuidmap" 1 0 100000 65536
done

# Pids: none, root's (pid 1 and a root process), another tenant's, the
# caller's own process outside any namespace. One answer for all.
setpriv --reuid=61002 --regid=61002 --init-groups --inh-caps=-all sleep 300 &
theirs=$!
setpriv --reuid=61001 --regid=61001 --init-groups --inh-caps=-all sleep 300 &
own_plain=$!
sleep 5000 &
roots=$!
holder uxtest2; their_container=$HOLDER
sleep 0.1
PATHS=(4000000 1 "$roots" "$theirs" "$own_plain" "$their_container")
sweep cve_2022_47952_lxc_user_nic_create_pid \
  as_user uxtest1 "$LXC_NIC" create /x c1 @ veth lxcbr0 eth0
sweep cve_2022_47952_newuidmap_pid \
  as_user uxtest1 "$WORLD_COMPAT/newuidmap" @ 0 100000 65536
sweep cve_2022_47952_newgidmap_pid \
  as_user uxtest1 "$WORLD_COMPAT/newgidmap" @ 0 100000 65536
[ -z "$(links_here | grep '^uxc')" ] && pass cve_2018_6556_nothing_created ||
  fail cve_2018_6556_nothing_created "$(links_here)"

# The control: the same front ends work with the caller's own container,
# so every sweep above compared refusals that mean something.
out=$(as_user uxtest1 "$LXC_NIC" create /x c1 "$mine" veth lxcbr0 eth0 2>&1)
[[ $out == eth0:*:uxc*:* ]] && pass cve_2018_6556_control_own_container ||
  fail cve_2018_6556_control_own_container "$out"
kill "$theirs" "$own_plain" "$roots" 2>/dev/null
umount "$hidden/netns"
remove_all_host_ends
exit 0
