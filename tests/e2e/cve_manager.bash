# Shared by the manager's CVE tests (tests/e2e/cve_2016_8649.sh,
# cve_2017_5226.sh, cve_2019_5736.sh, cve_2024_21626.sh), sourced after
# world_reexec: one busybox container of uxtest1's, running.
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
C=cve

# cve_container TEST-PREFIX: creates and starts $C, or prints a FAIL
# line and exits the script.
cve_container() {
  require_built "$1_built" "$UXC" "$WORLD_BIN/uxc-idmap"
  write_plain_default_conf $U 100000
  uxc_as $U create -n $C -t busybox >/dev/null 2>&1 || { fail "$1_create" "uxc create failed"; exit 0; }
  uxc_as $U start -n $C -d >/dev/null 2>&1 || { fail "$1_start" "uxc start failed"; exit 0; }
  INIT=$(uxc_as $U info -n $C -p -H)
  ROOTFS=/home/$U/.local/share/uxc/$C/rootfs
}

# in_container CMD: /bin/sh -c CMD in the container, as its root.
in_container() { uxc_as $U attach -n $C -- /bin/sh -c "$1" </dev/null; }

# attach_delayed SECONDS ARGS...: `uxc attach ARGS` whose execve into the
# container's command is held back for SECONDS by strace, so that the
# attaching process sits in the container, still uxc's image, long
# enough for the container to go after it. Runs in the background.
attach_delayed() {
  local delay=$1
  shift
  as_user $U env UXC_HELPER_DIR="$WORLD_BIN" strace -o /dev/null -f -e trace=execve \
    -e inject=execve:delay_enter=$((delay * 1000000)) "$@" </dev/null >/dev/null 2>&1 &
}
