#!/usr/bin/env bash
# uxc attach: a command in a running container's namespaces, its status
# back; no host fd, terminal or binary reaches the container.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

# same NAME GOT WANT
same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }

U=uxtest1 C=att
require_built attach_built "$UXC" "$WORLD_BIN/uxc-idmap"
write_plain_default_conf $U 100000
uxc_as $U create -n $C -t busybox >/dev/null || { fail attach_create "create failed"; exit 0; }

for c in attach console check autostart; do
  out=$(uxc_as $U $c --help 2>&1); status=$?
  check attach_cli_help_$c test "$status:$(head -1 <<<"$out")" = "0:Usage: uxc $c $(sed -n "s/^Usage: uxc $c //p" <<<"$out")"
  check attach_cli_version_$c test "$(uxc_as $U $c --version)" = "uxc 0.1"
  check attach_cli_listed_$c grep -q "^  $c " <<<"$(uxc_as $U --help)"
done

# ------------------------------------------------------- not running
out=$(uxc_as $U attach -n $C -- /bin/true 2>&1); status=$?
check attach_stopped_fails test "$status:$out" = "1:uxc attach: $C is not running: start it first (uxc start -n $C)"
out=$(uxc_as $U attach -n nope -- /bin/true 2>&1); status=$?
check attach_missing_fails test "$status:$out" = "1:uxc attach: nope doesn't exist"

check attach_start uxc_as $U start -n $C -d
init=$(uxc_as $U info -n $C -p -H)

# ------------------------------------------------------- status, output
check attach_true uxc_as $U attach -n $C -- /bin/true
uxc_as $U attach -n $C -- /bin/sh -c 'exit 42'; status=$?
check attach_exit_status test $status = 42
uxc_as $U attach -n $C -- /bin/sh -c 'kill -TERM $$'; status=$?
check attach_killed_status test $status = 143
out=$(uxc_as $U attach -n $C -- /bin/sh -c 'echo out; echo err >&2' 2>/tmp/err)
check attach_stdout test "$out" = out
check attach_stderr test "$(cat /tmp/err)" = err
out=$(printf 'line1\nline2\n' | uxc_as $U attach -n $C -- /bin/sh -c 'wc -l')
check attach_stdin_relayed test "$(echo $out)" = 2
out=$(head -c 3000000 /dev/zero | uxc_as $U attach -n $C -- /bin/sh -c 'wc -c')
check attach_large_stdin test "$(echo $out)" = 3000000
# Both ways at once: a command that writes while it reads never stalls
# the relay (neither side's pipe is waited on while the other fills).
out=$(head -c 3000000 /dev/zero | as_user $U timeout 60 env UXC_HELPER_DIR=$WORLD_BIN "$UXC" attach -n $C -- /bin/cat | wc -c)
check attach_large_both_ways test "$(echo $out)" = 3000000
# (tests/bin/pty_feed, not script(1), which stops feeding its input while
# the terminal's echo is off.)
out=$({ head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 70; echo; } |
  as_user $U timeout 60 "$UXC_BUILD/tests/pty_feed" env UXC_HELPER_DIR=$WORLD_BIN "$UXC" attach -n $C -- /bin/sh -c 'stty -echo; head -c 304286 | wc -c' 2>&1)
check attach_pty_large_paste grep -q '304286' <<<"$out"
out=$(uxc_as $U attach -n $C -- /bin/nothing 2>&1); status=$?
check attach_command_missing test "$status:$out" = "127:uxc attach: cannot run /bin/nothing in the container: No such file or directory"

# ------------------------------------------------------- what it sees
probe='echo "uid=$(id -u)"; echo "host=$(hostname)"; echo "pid1=$(cat /proc/1/cmdline | tr "\0" " ")"
echo "procs=$(ls -d /proc/[0-9]* | wc -l)"
echo "env=$(env | sort | tr "\n" " ")"; echo "cwd=$(pwd)"; echo "tty=$(tty)"
echo "devtty=$( (: </dev/tty) 2>&1 | grep -c "No such device")"; echo "sid=$(cut -d" " -f6 /proc/$$/stat) pid=$$"
ns=; for n in mnt pid net user uts ipc cgroup; do ns="$ns$(readlink /proc/$$/ns/$n) "; done; echo "ns=$ns"
for p in /proc/[0-9]*; do e=$(readlink $p/exe 2>/dev/null) && echo "exe=$e"; done'
out=$(uxc_as $U attach -n $C -- /bin/sh -c "$probe" </dev/null 2>&1)
val() { sed -n "s/^$1=//p" <<<"$out"; }
check attach_root_inside test "$(val uid)" = 0
check attach_hostname test "$(val host)" = $C
same attach_pid1_is_container_init "$(echo $(val pid1))" "init"
# init, its getty, rcS leftovers, sh, ls, wc: never the host's dozens.
check attach_pid_namespace test "$(val procs)" -le 8
same attach_clean_env "$(val env)" "HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PWD=/ SHLVL=1 TERM=dumb "
check attach_cwd_root test "$(val cwd)" = /
check attach_no_tty_without_terminal test "$(val tty)" = "not a tty"
check attach_new_session grep -Eq '^sid=([0-9]+) pid=\1$' <<<"$out"
hostns=""
for ns in mnt pid net user uts ipc cgroup; do hostns+="$(readlink /proc/$init/ns/$ns) "; done
same attach_all_namespaces_of_init "$(val ns)" "$hostns"
check attach_only_container_binaries test "$(val exe | sort -u)" = /bin/busybox

# The attached process holds nothing but 0-2 (pipes here, a pty below).
fds_of_sleep='for p in /proc/[0-9]*; do [ "$(tr "\0" " " <$p/cmdline)" = "/bin/sleep 3 " ] && ls -l $p/fd | sed -n "s/.* \([0-9]*\) -> \(.*\)/\1 \2/p"; done'
uxc_as $U attach -n $C -- /bin/sleep 3 </dev/null & sleep 0.7
out=$(uxc_as $U attach -n $C -- /bin/sh -c "$fds_of_sleep" </dev/null)
wait
same attach_fds_only_stdio "$(echo $(sed 's/:\[[0-9]*\]//' <<<"$out"))" "0 pipe 1 pipe 2 pipe"
as_user $U script -qec "env UXC_HELPER_DIR=$WORLD_BIN $UXC attach -n $C -- /bin/sleep 3" /dev/null </dev/null >/dev/null & sleep 0.7
out=$(uxc_as $U attach -n $C -- /bin/sh -c "$fds_of_sleep" </dev/null)
wait
check attach_pty_fds_only_stdio grep -Eq '^0 /dev/pts/([1-9][0-9]*) 1 /dev/pts/\1 2 /dev/pts/\1$' <<<"$(echo $out)"

# The caller's controlling terminal is not reachable through /dev/tty
# (TIOCSTI, CVE-2017-5226): stdin is not a terminal here, but the
# caller has one.
out=$(as_user $U script -qec "env UXC_HELPER_DIR=$WORLD_BIN $UXC attach -n $C -- /bin/sh -c ': </dev/tty && echo reached-caller-tty' </dev/null" /dev/null 2>&1)
check attach_caller_tty_unreachable test "$(grep -c reached-caller-tty <<<"$out")" = 0

# ------------------------------------------------------- on a terminal
out=$(as_user $U script -qec "stty rows 21 cols 77; env TERM=xterm UXC_HELPER_DIR=$WORLD_BIN $UXC attach -n $C -- /bin/sh -c 'tty; stty size; echo TERM=\$TERM; exit 5'" /dev/null </dev/null 2>&1); status=$?
# (script may type a NUL when its stdin ends; the pty echoes it as ^@
# anywhere in the output, so no pattern here is anchored.)
check attach_pty_is_containers grep -Eq "/dev/pts/[1-9][0-9]*" <<<"$out"
check attach_pty_window_size grep -q '21 77' <<<"$out"
check attach_pty_term grep -q 'TERM=xterm' <<<"$out"
check attach_pty_exit_status test $status = 5
# Output to a file from a terminal: pipes, so the file gets plain lines.
as_user $U script -qec "env UXC_HELPER_DIR=$WORLD_BIN $UXC attach -n $C -- /bin/sh -c 'tty; echo plain' >/tmp/attach.out" /dev/null </dev/null >/dev/null 2>&1
chmod 644 /tmp/attach.out 2>/dev/null
check attach_output_to_file_no_pty test "$(cat /tmp/attach.out 2>&1)" = "not a tty
plain"
# The default command is root's shell, reading the terminal.
out=$(printf 'echo shell-$((6*7))\nexit 3\n' | as_user $U timeout 30 "$UXC_BUILD/tests/pty_feed" env UXC_HELPER_DIR=$WORLD_BIN "$UXC" attach -n $C 2>&1); status=$?
check attach_default_shell grep -q 'shell-42' <<<"$out"
check attach_default_shell_status test $status = 3

# ------------------------------------------------------- not ptraceable
# The command process is stopped at its execve (strace delays it), while
# it is still uxc's image in the container's pid namespace: a process of
# the container must not be able to read its exe, fds or memory.
scan='for i in $(seq 100); do
  for p in /proc/[0-9]*; do
    tr "\0" " " <$p/cmdline 2>/dev/null | grep -q "^[^ ]*uxc attach -n" || continue
    echo "found $p"
    readlink $p/exe >/dev/null 2>&1 && echo "exe $p"
    ls $p/fd >/dev/null 2>&1 && echo "fd $p"
    head -c1 $p/environ >/dev/null 2>&1 && echo "environ $p"
    head -c1 $p/mem >/dev/null 2>&1 && echo "mem $p"
    exit 0
  done
  sleep 0.1
done'
as_user $U env UXC_HELPER_DIR=$WORLD_BIN strace -o /dev/null -f -e trace=execve -e inject=execve:delay_enter=2000000 \
  "$UXC" attach -n $C -- /bin/true </dev/null >/dev/null 2>&1 &
tracer=$!
out=$(uxc_as $U attach -n $C -- /bin/sh -c "$scan" </dev/null 2>&1)
wait $tracer
check attach_pre_exec_process_found grep -q '^found ' <<<"$out"
same attach_pre_exec_process_not_readable "$(grep -v -e '^found ' <<<"$out")" ""
# The relay itself is not in the container's pid namespace at all.
sleep_attach() { uxc_as $U attach -n $C -- /bin/sleep 5 </dev/null; }
sleep_attach & sleep 0.5
relay=$(pgrep -u 61001 -f "attach -n $C -- /bin/sleep 5" | head -1)
check attach_relay_outside_pid_namespace test "$(grep -c '^NSpid:.*[[:space:]].*[[:space:]]' /proc/$relay/status)" = 0
check attach_relay_not_visible_inside test "$(uxc_as $U attach -n $C -- /bin/sh -c 'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\0" " "' </dev/null | grep -c uxc)" = 0
wait

# ------------------------------------------------ a hostile container
# What the container controls cannot hang or fool the attach: a FIFO for
# /etc/passwd, something else than a pty multiplexer at /dev/ptmx.
uxc_as $U attach -n $C -- /bin/sh -c 'mv /etc/passwd /etc/passwd.real && mkfifo /etc/passwd' </dev/null
out=$(as_user $U timeout 20 env UXC_HELPER_DIR=$WORLD_BIN "$UXC" attach -n $C -- /bin/sh -c 'echo "home=$HOME"' </dev/null 2>&1); status=$?
check attach_passwd_fifo_does_not_hang test "$status:$out" = "0:home=/root"
uxc_as $U attach -n $C -- /bin/sh -c 'rm /etc/passwd && mv /etc/passwd.real /etc/passwd' </dev/null
uxc_as $U attach -n $C -- /bin/sh -c 'rm /dev/ptmx && mkfifo /dev/ptmx' </dev/null
out=$(as_user $U timeout 20 script -qec "env UXC_HELPER_DIR=$WORLD_BIN $UXC attach -n $C -- /bin/true" /dev/null </dev/null 2>&1); status=$?
check attach_fake_ptmx_refused test "$status" = 1
check attach_fake_ptmx_says_why grep -q 'uxc attach: cannot unlock a pty' <<<"$out"

uxc_as $U stop -n $C -k
check attach_destroy uxc_as $U destroy -n $C
check attach_nothing_left nothing_left $U $C
