#!/usr/bin/env bash
# uxc autostart: lxc.start.auto / order / delay / lxc.group, as
# lxc-autostart; ls -f shows AUTOSTART and GROUPS; the systemd user unit
# installs with the right path.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
U=uxtest1
require_built autostart_built "$UXC" "$WORLD_BIN/uxc-idmap"
write_plain_default_conf $U 100000

# make_container NAME LINES...: a busybox container whose init sleeps.
make_container() {
  local name=$1 cfg
  shift
  uxc_as $U create -n "$name" -t busybox >/dev/null || return 1
  cfg=/home/$U/.local/share/uxc/$name/config
  printf '%s\n' 'lxc.init.cmd = /bin/sleep 1000' "$@" >>"$cfg"
}
# Names sort differently from their orders.
make_container zeta 'lxc.start.auto = 1' 'lxc.start.order = 1' 'lxc.start.delay = 2'
make_container alpha 'lxc.start.auto = 1' 'lxc.start.order = 5'
make_container mid 'lxc.start.auto = 1' 'lxc.start.order = 10'
make_container off 'lxc.start.auto = 0' 'lxc.start.order = 0'
make_container web1 'lxc.start.auto = 1' 'lxc.group = web'
make_container both 'lxc.start.auto = 1' 'lxc.group = web db' 'lxc.start.order = 3'
state() { uxc_as $U info -n "$1" -s -H; }
states() { local n out=; for n in "$@"; do out+="$n=$(state $n) "; done; echo "$out"; }
started_at() { stat -c %.3Y "$(runtime_dir_of $U)/$1/state"; }

same autostart_list "$(uxc_as $U autostart -L | tr '\n' ' ')" "zeta 2 alpha 0 mid 0 "
same autostart_list_group "$(uxc_as $U autostart -L -g web | tr '\n' ' ')" "web1 0 both 0 "
same autostart_list_all "$(uxc_as $U autostart -L -a | tr '\n' ' ')" "web1 0 zeta 2 both 0 alpha 0 mid 0 "
same autostart_list_groups_in_given_order "$(uxc_as $U autostart -L -g db,NULL | tr '\n' ' ')" "both 0 zeta 2 alpha 0 mid 0 "

# ls -f: AUTOSTART and GROUPS, as lxc-ls -f.
ls_out=$(uxc_as $U ls -f)
check autostart_ls_autostart_column grep -Eq '^alpha +STOPPED +1 +- ' <<<"$ls_out"
check autostart_ls_off grep -Eq '^off +STOPPED +0 +- ' <<<"$ls_out"
check autostart_ls_groups_column grep -Eq '^both +STOPPED +1 +web,db ' <<<"$ls_out"

# ------------------------------------------------------------ start
check autostart_start uxc_as $U autostart
same autostart_started_ungrouped "$(states zeta alpha mid off web1 both)" \
  "zeta=RUNNING alpha=RUNNING mid=RUNNING off=STOPPED web1=STOPPED both=STOPPED "
pz=$(uxc_as $U info -n zeta -p -H); pa=$(uxc_as $U info -n alpha -p -H); pm=$(uxc_as $U info -n mid -p -H)
check autostart_in_order test "$pz" -lt "$pa" -a "$pa" -lt "$pm"
check autostart_delay_after_first awk -v a="$(started_at zeta)" -v b="$(started_at alpha)" 'BEGIN { exit !(b - a >= 2) }'
check autostart_no_delay_after_second awk -v a="$(started_at alpha)" -v b="$(started_at mid)" 'BEGIN { exit !(b - a < 1.5) }'
# Running ones are left alone.
check autostart_again_is_noop uxc_as $U autostart
same autostart_again_same_pid "$(uxc_as $U info -n zeta -p -H)" "$pz"

# ------------------------------------------------------------ groups
check autostart_group_web uxc_as $U autostart -g web
same autostart_group_started "$(states web1 both off)" "web1=RUNNING both=RUNNING off=STOPPED "

# ------------------------------------------------------ kill, stop, reboot
check autostart_start_off_by_hand uxc_as $U start -n off -d
check autostart_kill_ungrouped uxc_as $U autostart -k
same autostart_kill_only_ungrouped "$(states zeta alpha mid web1 both off)" \
  "zeta=STOPPED alpha=STOPPED mid=STOPPED web1=RUNNING both=RUNNING off=RUNNING "
check autostart_restart_all uxc_as $U autostart -a
pb=$(uxc_as $U info -n both -p -H)
check autostart_reboot_group uxc_as $U autostart -r -g db
check autostart_reboot_new_init test "$(uxc_as $U info -n both -p -H)" != "$pb"
same autostart_reboot_running "$(state both)" RUNNING
check autostart_kill_all uxc_as $U autostart -a -k
same autostart_kill_all_stopped "$(states zeta alpha mid web1 both)" \
  "zeta=STOPPED alpha=STOPPED mid=STOPPED web1=STOPPED both=STOPPED "
same autostart_kill_leaves_non_auto "$(state off)" RUNNING
uxc_as $U autostart -a >/dev/null
check autostart_shutdown uxc_as $U autostart -a -s -t 1
same autostart_shutdown_all_stopped "$(states zeta alpha mid web1 both)" \
  "zeta=STOPPED alpha=STOPPED mid=STOPPED web1=STOPPED both=STOPPED "
# -A: lxc.start.auto ignored.
uxc_as $U stop -n off -k
same autostart_ignore_auto_list "$(uxc_as $U autostart -A -L | tr '\n' ' ')" "off 0 zeta 2 alpha 0 mid 0 "

# A container that fails to start does not stop the others.
echo 'lxc.rootfs.path = /nonexistent' >>/home/$U/.local/share/uxc/alpha/config
out=$(uxc_as $U autostart 2>&1); status=$?
check autostart_failure_status test $status = 1
check autostart_failure_named grep -q 'alpha did not start' <<<"$out"
same autostart_failure_others_started "$(states zeta mid)" "zeta=RUNNING mid=RUNNING "
uxc_as $U autostart -a -k >/dev/null

out=$(uxc_as $U autostart -k -s 2>&1); status=$?
check autostart_exclusive_actions test "$status:$out" = "2:uxc autostart: -k, -s and -r exclude each other (try 'uxc autostart --help')"

# ------------------------------------------------- the systemd user unit
rm -rf /tmp/inst
make -s -C "$UXC_SRC" DESTDIR=/tmp/inst PREFIX=/opt/uxc install-user-unit >/dev/null
unit=/tmp/inst/opt/uxc/lib/systemd/user/uxc-autostart.service
check autostart_unit_installed test -f $unit
check autostart_unit_execstart grep -qx 'ExecStart=/opt/uxc/bin/uxc autostart' $unit
check autostart_unit_execstop grep -qx 'ExecStop=/opt/uxc/bin/uxc autostart -s -t 60' $unit
check autostart_unit_delegates grep -qx 'Delegate=yes' $unit
check autostart_unit_wanted_by_default grep -qx 'WantedBy=default.target' $unit
if command -v systemd-analyze >/dev/null; then
  # Checked as the user's manager would load it, with a uxc that exists.
  mkdir -p /run/user/61001 /tmp/unit && chown 61001 /run/user/61001 && chmod 0700 /run/user/61001
  sed "s|/opt/uxc/bin/uxc|$UXC|" $unit >/tmp/unit/uxc-autostart.service
  check autostart_unit_verifies as_user $U env XDG_RUNTIME_DIR=/run/user/61001 systemd-analyze --user verify /tmp/unit/uxc-autostart.service
fi
for n in zeta alpha mid off web1 both; do uxc_as $U destroy -n $n -f >/dev/null; done
check autostart_nothing_left nothing_left $U zeta
