#!/usr/bin/env bash
# Halt, reboot and stop with busybox's init and with commands: stop -r
# and reboot inside start a busybox container again with a new init,
# poweroff inside stops it; lxc.signal.halt, lxc.signal.reboot,
# lxc.signal.stop and lxc.init.cmd are what the container gets.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
[ -x "$UXC" ] || { fail signals_built "$UXC was not built"; exit 0; }
if ! have_idmap; then skip signals "uxc-idmap was not built"; exit 0; fi
write_plain_default_conf $U 100000
init_pid() { uxc_as $U info -n "$1" -p -H 2>/dev/null; }
wait_for_new_init() {  # NAME OLDPID
  local i pid
  for ((i = 0; i < 100; i++)); do
    pid=$(init_pid "$1")
    [ -n "$pid" ] && [ "$pid" != "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
wait_stopped() {
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(uxc_as $U info -n "$1" -s -H)" = STOPPED ] && return 0
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------- busybox's init
uxc_as $U create -n bb -t busybox >/dev/null
LOG=/home/$U/bb.log
uxc_as $U start -n bb -d -l INFO -o $LOG
old=$(init_pid bb)
check signals_busybox_stop_r uxc_as $U stop -n bb -r -t 10
check signals_busybox_stop_r_new_init test "$(init_pid bb)" != "$old"
# busybox's init reboots on SIGTERM: reboot(2) ends it as if by SIGHUP.
check signals_busybox_rebooted_itself grep -q 'init exited with status 129, rebooting' $LOG
same signals_busybox_stop_r_running "$(uxc_as $U info -n bb -s -H)" RUNNING
old=$(init_pid bb)
uxc_as $U attach -n bb -- reboot </dev/null >/dev/null 2>&1
check signals_busybox_reboot_inside wait_for_new_init bb "$old"
check signals_busybox_reboot_inside_console uxc_as $U console -n bb -t 1 </dev/null
uxc_as $U attach -n bb -- poweroff </dev/null >/dev/null 2>&1
check signals_busybox_poweroff_stops wait_stopped bb
check signals_busybox_poweroff_nothing_left nothing_left $U bb

# A stop right after start -d: busybox's init has not set up its signals
# yet, and a pid namespace's init drops what it does not take. The halt
# waits until it does, rather than being lost to the SIGKILL at -t.
LOG=/home/$U/bb-early.log
uxc_as $U start -n bb -d -l INFO -o $LOG
check signals_stop_right_after_start uxc_as $U stop -n bb -t 20
check signals_stop_right_after_start_halts sh -c "grep -q 'halting with lxc.signal.halt' $LOG && ! grep -q SIGKILL $LOG"
# An init that sets up its handler a second in: the halt is sent until it
# takes it, not once into the void.
uxc_as $U create -n late -t busybox >/dev/null
printf '#!/bin/sh\nsleep 1\ntrap "exit 7" USR2\nwhile :; do sleep 0.1; done\n' >/tmp/late
"$UXC_BUILD/tests/as_mapped_root" 100000 65536 /home/$U/.local/share/uxc/late/rootfs sh -c 'cat /tmp/late >sbin/late && chmod 755 sbin/late'
printf 'lxc.signal.halt = SIGUSR2\nlxc.init.cmd = /sbin/late\n' >>/home/$U/.local/share/uxc/late/config
LOG=/home/$U/late.log
uxc_as $U start -n late -d -l INFO -o $LOG
check signals_late_handler_stop uxc_as $U stop -n late -t 20
check signals_late_handler_gets_the_halt grep -q 'init exited with status 7$' $LOG

# ------------------------------------------- the signals of the config
# A command as init: sh handles the signals it traps, each with its own
# exit status, which the monitor logs.
uxc_as $U create -n cmd -t busybox >/dev/null
cfg=/home/$U/.local/share/uxc/cmd/config
LOG=/home/$U/cmd.log
cat >>"$cfg" <<'EOF'
lxc.signal.halt = SIGUSR2
lxc.signal.reboot = SIGWINCH
lxc.signal.stop = SIGTERM
lxc.init.cmd = /sbin/traps
EOF
printf '#!/bin/sh\ntrap "exit 7" USR2\ntrap "exit 5" WINCH\ntrap "exit 9" TERM\nwhile :; do sleep 1; done\n' >/tmp/traps
data=/home/$U/.local/share/uxc/cmd/rootfs
"$UXC_BUILD/tests/as_mapped_root" 100000 65536 "$data" sh -c 'cat /tmp/traps >sbin/traps && chmod 755 sbin/traps'
uxc_as $U start -n cmd -d -l INFO -o $LOG
check signals_init_cmd grep -q '/sbin/traps' <<<"$(uxc_as $U attach -n cmd -- cat /proc/1/cmdline </dev/null | tr '\0' ' ')"
old=$(init_pid cmd)
check signals_reboot_key uxc_as $U stop -n cmd -r -t 10
check signals_reboot_key_sent grep -q 'init exited with status 5, rebooting' $LOG
check signals_reboot_key_new_init test "$(init_pid cmd)" != "$old"
check signals_halt_key uxc_as $U stop -n cmd -t 10
check signals_halt_key_sent grep -q 'init exited with status 7$' $LOG
check signals_halt_key_not_killed sh -c "! grep -q 'halt timed out' $LOG"
uxc_as $U start -n cmd -d -l INFO -o $LOG
check signals_stop_key uxc_as $U stop -n cmd -k
check signals_stop_key_sent grep -q 'init exited with status 9$' $LOG
check signals_nothing_left nothing_left $U cmd
