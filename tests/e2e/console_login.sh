#!/usr/bin/env bash
# uxc console, driven through tmux as a person would: a user created
# with uxc attach (passwd on attach's pty) logs in on the busybox getty,
# runs a command, detaches with Ctrl+a q; the container and the session
# on its console outlive the client and its terminal.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1 C=con
require_built console_built "$UXC" "$WORLD_BIN/uxc-idmap"
require_tool console_tools tmux
write_plain_default_conf $U 100000
uxc_as $U create -n $C -t busybox >/dev/null || { fail console_create "create failed"; exit 0; }

SOCK=/home/$U/tmux.sock
tm() { as_user $U env TERM=xterm tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null' EXIT
# run_in WINDOW COMMAND: a tmux session running COMMAND as the test user.
run_in() { tm new-session -d -s "$1" -x 100 -y 30 "env UXC_HELPER_DIR=$WORLD_BIN $2; sleep 30"; }
screen_of() { tm capture-pane -p -J -S - -t "$1" 2>/dev/null; }
# wait_for WINDOW REGEX [SECONDS]: the window's screen shows REGEX.
wait_for() {
  local i
  for ((i = 0; i < ${3:-10} * 10; i++)); do
    screen_of "$1" | grep -Eq -- "$2" && return 0
    sleep 0.1
  done
  echo "screen of $1 never showed /$2/:"; screen_of "$1"
  return 1
}
client_running() { pgrep -u 61001 -f "uxc console -n $C" >/dev/null; }

out=$(uxc_as $U console -n $C </dev/null 2>&1); status=$?
check console_stopped_fails test "$status:$out" = "1:uxc console: $C is not running: start it first (uxc start -n $C)"
check console_start uxc_as $U start -n $C -d

# ------------------------------------------- a user, made through attach
run_in att "$UXC attach -n $C"
tm send-keys -t att "echo 'alice:x:1000:1000:Alice:/home/alice:/bin/sh' >>/etc/passwd; echo 'alice:x:1000:' >>/etc/group; echo 'alice:!:19000:0:99999:7:::' >>/etc/shadow; mkdir -p /home/alice; chown 1000:1000 /home/alice; echo user-made" Enter
check console_attach_adds_user wait_for att '^user-made'
tm send-keys -t att "passwd alice" Enter
check console_attach_passwd_prompt wait_for att 'New password:'
tm send-keys -t att "Secret-pw-42" Enter
wait_for att 'Retype password:' >/dev/null
tm send-keys -t att "Secret-pw-42" Enter
check console_attach_passwd_changed wait_for att "password for alice changed"
tm send-keys -t att "exit" Enter

# ------------------------------------------------------ log in, detach
run_in con1 "$UXC console -n $C"
check console_connected wait_for con1 'Connected to tty 0'
check console_banner_names_escape wait_for con1 'Type <Ctrl\+a q> to exit the console'
tm send-keys -t con1 Enter
check console_getty_prompt wait_for con1 "^$C login:"
tm send-keys -t con1 "alice" Enter
check console_password_prompt wait_for con1 'Password:'
tm send-keys -t con1 "Secret-pw-42" Enter
sleep 1
tm send-keys -t con1 'echo "logged-in-as-$(id -un)-uid-$(id -u)"; SESSION_MARK=kept' Enter
check console_logged_in wait_for con1 '^logged-in-as-alice-uid-1000'

out=$(uxc_as $U console -n $C </dev/null 2>&1); status=$?
check console_second_client_refused test "$status:$out" = "1:uxc console: the console of $C is in use by another 'uxc console'"
check console_first_client_unaffected client_running

tm send-keys -t con1 C-a q
sleep 0.5
check console_detached sh -c "! pgrep -u 61001 -f 'uxc console -n $C' >/dev/null"
check console_container_still_running grep -q '^State: *RUNNING' <<<"$(uxc_as $U info -n $C)"

# ------------------------------------------- the session survives, -e
run_in con2 "$UXC console -n $C -e b"
check console_reconnect wait_for con2 'Type <Ctrl\+b q> to exit the console'
tm send-keys -t con2 'echo "still-$SESSION_MARK-$(id -un)"' Enter
check console_session_survives_detach wait_for con2 '^still-kept-alice'
# Ctrl+a is passed through with -e b; Ctrl+b q detaches.
tm send-keys -t con2 C-a q
sleep 0.3
check console_other_escape_keeps_ctrl_a client_running
tm send-keys -t con2 C-e C-u  # the shell's line editor got ^A q: clear the line
tm send-keys -t con2 C-b q
sleep 0.5
check console_detached_with_other_escape sh -c "! client_running 2>/dev/null; ! pgrep -u 61001 -f 'uxc console -n $C -e b' >/dev/null"

# The client's terminal goes away (its tmux session is killed): the
# console session is still there for the next client. The hangup also
# sends the client's process group SIGHUP and SIGCONT; when a sanitized
# client gets them while LeakSanitizer's check at exit attaches to it, the
# SIGCONT discards the attach's SIGSTOP and the runtime waits for that
# stop for ever. There the check at exit is off (ASan and UBSan stay on).
asan_options "$UXC" detect_leaks=0
run_in con3 "${ASAN_ENV[*]:+${ASAN_ENV[*]} }$UXC console -n $C"
ASAN_ENV=()
wait_for con3 'Connected to tty 0' >/dev/null
tm kill-session -t con3
sleep 0.5
check console_client_gone_with_terminal sh -c "! pgrep -u 61001 -f 'uxc console -n $C' >/dev/null"
run_in con4 "$UXC console -n $C"
wait_for con4 'Connected to tty 0' >/dev/null
tm send-keys -t con4 'echo "after-hangup-$SESSION_MARK-$(id -un)"' Enter
check console_session_survives_terminal_close wait_for con4 '^after-hangup-kept-alice'
tm send-keys -t con4 C-a q

# ------------------------------------------------ tty1 (lxc.tty.max = 1)
run_in tty1 "$UXC console -n $C -t 1"
check console_tty1_connected wait_for tty1 'Connected to tty 1'
tm send-keys -t tty1 Enter
check console_tty1_getty_prompt wait_for tty1 "^$C login:"
tm send-keys -t tty1 "alice" Enter
wait_for tty1 'Password:' >/dev/null
tm send-keys -t tty1 "Secret-pw-42" Enter
sleep 1
tm send-keys -t tty1 'echo "on-$(tty)-as-$(id -un)"' Enter
check console_tty1_login wait_for tty1 '^on-/dev/tty1-as-alice'
out=$(uxc_as $U console -n $C -t 1 </dev/null 2>&1); status=$?
check console_tty1_second_client_refused test "$status:$out" = "1:uxc console: tty 1 of $C is in use by another 'uxc console'"
# The console and tty1 are separate: a client on each.
run_in con6 "$UXC console -n $C"
check console_console_and_tty1_at_once wait_for con6 'Connected to tty 0'
tm send-keys -t con6 C-a q
tm send-keys -t tty1 C-a q
sleep 0.5
check console_tty1_detached sh -c "! pgrep -u 61001 -f 'uxc console -n $C' >/dev/null"

# ---------------------------------- the escape key from the user's uxc.conf
as_user $U sh -c "printf '[console]\nescape = ^e\n' > /home/$U/.config/uxc/uxc.conf"
run_in con7 "$UXC console -n $C"
check console_escape_from_settings wait_for con7 'Type <Ctrl\+e q> to exit the console'
tm send-keys -t con7 C-e q
sleep 0.5
check console_detached_with_settings_escape sh -c "! client_running"
# -e wins over the file.
run_in con8 "$UXC console -n $C -e a"
check console_flag_beats_settings wait_for con8 'Type <Ctrl\+a q> to exit the console'
tm send-keys -t con8 C-a q
sleep 0.5
tm kill-session -t con7
tm kill-session -t con8
as_user $U rm /home/$U/.config/uxc/uxc.conf

# ------------------------------------------------------------- refusals
out=$(uxc_as $U console -n $C -t 2 </dev/null 2>&1); status=$?
check console_no_tty2 test "$status:$out" = "1:uxc console: $C has no tty 2 (lxc.tty.max = 1)"
out=$(uxc_as $U console -n $C -e 1 </dev/null 2>&1); status=$?
check console_bad_escape test "$status:$out" = "2:uxc console: -e ESCAPE takes a letter: -e a (or ^a) for Ctrl+a (try 'uxc console --help')"
out=$(uxc_as $U console -n nope </dev/null 2>&1); status=$?
check console_missing_container test "$status:$out" = "1:uxc console: nope doesn't exist"

# A container in the foreground has its console on that terminal.
uxc_as $U create -n fg -t busybox >/dev/null
run_in fg "$UXC start -n fg -F -- /bin/sleep 1000"
for i in $(seq 50); do [ "$(uxc_as $U info -n fg -s -H)" = RUNNING ] && break; sleep 0.1; done
out=$(uxc_as $U console -n fg </dev/null 2>&1); status=$?
check console_foreground_refused test "$status:$out" = "1:uxc console: the console of fg is on the terminal of 'uxc start -F'"
uxc_as $U stop -n fg -k

# A stop while connected ends the client.
run_in con5 "$UXC console -n $C"
wait_for con5 'Connected to tty 0' >/dev/null
uxc_as $U stop -n $C -k
check console_client_sees_stop wait_for con5 "^$C stopped"
tmux_kill_server $U "$SOCK"
uxc_as $U destroy -n fg >/dev/null
check console_destroy uxc_as $U destroy -n $C
check console_nothing_left nothing_left $U $C
