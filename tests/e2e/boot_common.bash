# Shared set-up for the tests/e2e/boot_*.sh scripts, which boot Debian 12
# (debian_image.bash) as the test user (sourced after world_reexec; not a
# test script itself).

source "$(dirname "$0")/manager_setup.bash"
source "$(dirname "$0")/debian_image.bash"

U=uxtest1
UAS="env UXC_HELPER_DIR=$WORLD_BIN $UXC"

# boot_world: the seed's default.conf (a veth on lxcbr0 with a fixed MAC
# per container, so DHCP hands a rebooted container the same address),
# the usernet line, and dnsmasq on lxcbr0 as lxc-net runs it.
boot_world() {
  write_seed_default_conf $U 100000
  allow_usernet "$U veth lxcbr0 10"
  start_dnsmasq
}

# boot_create NAME TARBALL: `uxc create -t local` from the image,
# staged in the user's home as the container's root would unpack it.
boot_create() {
  local name=$1 stage=/home/$U/stage-$1
  debian_image_stage "$2" "$stage" 100000 || return 1
  uxc_as $U create -n "$name" -t local -- "$stage" >/dev/null || return 1
  rm -rf "$stage"
}

# in_ct NAME CMD...: CMD in the container, as root, stdin closed.
in_ct() {
  local name=$1
  shift
  uxc_as $U attach -n "$name" -- "$@" </dev/null
}

init_pid() { uxc_as $U info -n "$1" -p -H 2>/dev/null; }

# wait_for_new_init NAME OLDPID SECONDS: the container runs an init other
# than OLDPID (it was started again).
wait_for_new_init() {
  local i pid
  for ((i = 0; i < $3 * 10; i++)); do
    pid=$(init_pid "$1")
    [ -n "$pid" ] && [ "$pid" != "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

wait_stopped() {  # NAME SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [ "$(uxc_as $U info -n "$1" -s -H 2>/dev/null)" = STOPPED ] && return 0
    sleep 0.1
  done
  return 1
}

# Everything of a container that ended is gone: processes, veths,
# runtime state (nothing_left), its cgroups in every hierarchy, and any
# mount of its rootfs.
nothing_of() {  # NAME
  nothing_left $U "$1" || return 1
  local cg mounts
  cg=$(find /sys/fs/cgroup -name "uxc.payload.$1" 2>/dev/null)
  [ -z "$cg" ] || { echo "cgroups left: $cg"; return 1; }
  mounts=$(grep -F "/home/$U/.local/share/uxc/$1/" /proc/self/mountinfo || true)
  [ -z "$mounts" ] || { echo "mounts left: $mounts"; return 1; }
}

# The console through tmux, as a person uses it (console_login.sh).
SOCK=/home/$U/tmux.sock
tm() { as_user $U env TERM=xterm tmux -S "$SOCK" "$@"; }
run_in() { tm new-session -d -s "$1" -x 120 -y 30 "env UXC_HELPER_DIR=$WORLD_BIN $2; sleep 30"; }
screen_of() { tm capture-pane -p -J -S - -t "$1" 2>/dev/null; }
wait_for() {  # WINDOW REGEX [SECONDS]
  local i
  for ((i = 0; i < ${3:-10} * 10; i++)); do
    screen_of "$1" | grep -Eq -- "$2" && return 0
    sleep 0.1
  done
  echo "screen of $1 never showed /$2/:"; screen_of "$1"
  return 1
}
