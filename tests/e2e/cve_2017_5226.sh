#!/usr/bin/env bash
# CVE-2017-5226: a sandboxed process that shares its caller's terminal can
# push characters into the caller's input queue with ioctl(TIOCSTI), and
# the caller's shell runs them after the sandbox exits. uxc attach must
# never hand the caller's terminal to the container: on a terminal the
# command gets a pty of the container's own, otherwise pipes, and the
# caller's /dev/tty is not reachable. uxc console and uxc start -F relay
# the container's console pty: what the container pushes into its console
# lands in that console's input, never in the caller's.
#
# Each test asserts on what the caller's shell read from its terminal
# after uxc returned. Controls show the attack lands where nothing stops
# it: on the caller's own terminal outside any container, and through a
# deliberately naive console that gives a process in the container the
# caller's terminal (nsenter into the container's namespaces, as a
# console without a pty of its own would).
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/cve_manager.bash"
cve_container cve_2017_5226
require_tool cve_2017_5226_tools gcc script nsenter

cat >/tmp/tiocsti.c <<'EOC'
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
/* tiocsti [--wait FILE] TEXT: once FILE exists (if given; up to 20 s),
   pushes TEXT and a newline into the input of the terminal on fd 0, or if
   that is refused into /dev/tty's; prints which worked. */
static int push(int fd, const char* text) {
  for (const char* c = text; *c; ++c)
    if (ioctl(fd, TIOCSTI, c) != 0) return 0;
  return ioctl(fd, TIOCSTI, "\n") == 0;
}
int main(int argc, char** argv) {
  const char* wait_for = NULL;
  if (argc == 4 && strcmp(argv[1], "--wait") == 0) {
    wait_for = argv[2];
    argv += 2;
    argc -= 2;
  }
  if (argc != 2) return 2;
  if (wait_for) {
    struct stat st;
    for (int i = 0; i < 400 && stat(wait_for, &st) != 0; ++i) usleep(50000);
  }
  if (push(0, argv[1])) {
    printf("pushed-fd0\n");
  } else {
    int tty = open("/dev/tty", O_RDWR);
    if (tty >= 0 && push(tty, argv[1])) printf("pushed-devtty\n");
    else printf("push-refused\n");
  }
  fflush(stdout);
  return 0;
}
EOC
if ! gcc_out=$(gcc -static -O1 -o /tmp/tiocsti /tmp/tiocsti.c 2>&1); then
  fail cve_2017_5226_build "gcc -static failed (g++ and libc6-dev; run make deps): $gcc_out"
  exit 1
fi
install -o 100000 -g 100000 -m 0755 /tmp/tiocsti "$ROOTFS/tiocsti"
chmod 0755 /tmp/tiocsti

# session CMD: runs the shell command CMD in bash on a fresh terminal
# (script), as the user; afterwards the caller's shell reads one line from
# that terminal for up to 2 s and prints what it got: what anyone
# injected. script's own stdin does not end while the session runs (an
# end of file would be typed into the terminal as ^D and race with the
# injection).
session() {
  printf '%s\nread -t 2 line; echo "caller-read=[$line]"\n' "$1" >/tmp/session.sh
  chmod 0644 /tmp/session.sh
  as_user $U script -qec "bash /tmp/session.sh" /dev/null < <(sleep 40) 2>&1 | tr -d '\r'
}
# go_when PATTERN FILE: in the background, once a process of the user's
# matches PATTERN (the client is up) and a second more, creates FILE.
go_when() {
  ( for _ in $(seq 200); do pgrep -u 61001 -f "$1" >/dev/null && break; sleep 0.05; done
    sleep 1; touch "$2" ) &
}
INJECT='echo INJECTED-$((6*7))'

# Control: on this kernel TIOCSTI does work on one's own terminal
# (dev.tty.legacy_tiocsti), so a refusal below is uxc's doing.
out=$(session "/tmp/tiocsti \"$INJECT\"")
if [[ $out != *"caller-read=[echo INJECTED-42]"* ]]; then
  # Only a kernel that refuses TIOCSTI to everyone gets here: the attack
  # cannot land anywhere, and there is nothing for uxc to stop.
  skip cve_2017_5226 "TIOCSTI does not inject here even on one's own terminal (dev.tty.legacy_tiocsti = 0?): $out"
  exit 0
fi
pass cve_2017_5226_control_tiocsti_works_outside

# Control: a naive console, one that gives a process in the container the
# caller's terminal. The same program, run from inside the container's
# namespaces as its root, lands its line in the caller's shell.
naive="nsenter -t $INIT -U -m -p -r -w /bin/sh -c '/tiocsti \"$INJECT\"'"
out=$(session "$naive")
if [[ $out == *"caller-read=[echo INJECTED-42]"* ]] && [[ $out == *pushed-fd0* ]]; then
  pass cve_2017_5226_control_naive_console_lands
else
  fail cve_2017_5226_control_naive_console_lands "the injection did not land through the naive console, so the tests below prove nothing: $out"
fi

# Attached on a terminal: the command's terminal is the container's pty.
out=$(session "env UXC_HELPER_DIR=$WORLD_BIN $UXC attach -n $C -- /tiocsti \"$INJECT\"")
if [[ $out == *"caller-read=[echo INJECTED"* ]]; then
  fail cve_2017_5226_attach_on_terminal "the caller's terminal got the container's input: $out"
elif [[ $out != *"caller-read=[]"* ]] || [[ $out != *pushed-fd0* ]]; then
  # pushed-fd0: the attack ran, into the container's own pty.
  fail cve_2017_5226_attach_on_terminal "unexpected: $out"
else
  pass cve_2017_5226_attach_on_terminal
fi
# Attached with pipes while the caller has a terminal: no terminal at all
# for the command, and /dev/tty is not the caller's.
out=$(session "env UXC_HELPER_DIR=$WORLD_BIN $UXC attach -n $C -- /tiocsti \"$INJECT\" </dev/null | cat")
if [[ $out == *"caller-read=[echo INJECTED"* ]] || [[ $out == *pushed-* ]]; then
  fail cve_2017_5226_attach_with_pipes "$out"
elif [[ $out != *"caller-read=[]"* ]] || [[ $out != *push-refused* ]]; then
  fail cve_2017_5226_attach_with_pipes "unexpected: $out"
else
  pass cve_2017_5226_attach_with_pipes
fi

# The console. A container whose init is a shell with the console as its
# controlling terminal (as every `start -- CMD` has): while a user is
# connected with uxc console, a program it runs pushes a command line into
# that terminal, and the shell then reads a line from its console and
# shows it. The line must reach the container's console (console-read,
# relayed to the user's screen) and not the user's shell (caller-read).
# shellcheck disable=SC2016 # $line is the container shell's
hostile='/tiocsti --wait /go "'"$INJECT"'"; read -t 5 line; echo "console-read=[$line]"; sleep 1'
console_attack() {  # console_attack NAME HOW CLIENT-PATTERN SESSION-CMD [START-CMD...]
  local name=$1 how=$2 pattern=$3 cmd=$4 rootfs=/home/$U/.local/share/uxc/$1/rootfs
  shift 4
  uxc_as $U create -n "$name" -t busybox >/dev/null || { fail "cve_2017_5226_$how" "create failed"; return; }
  install -o 100000 -g 100000 -m 0755 /tmp/tiocsti "$rootfs/tiocsti"
  if [ $# -gt 0 ] && ! out=$("$@" 2>&1); then fail "cve_2017_5226_$how" "start failed: $out"; return; fi
  go_when "$pattern" "$rootfs/go"
  out=$(session "$cmd")
  wait
  if [[ $out == *"caller-read=[echo INJECTED"* ]]; then
    fail "cve_2017_5226_$how" "the container's console input reached the caller's shell: $out"
  elif [[ $out != *"caller-read=[]"* ]]; then
    fail "cve_2017_5226_$how" "the caller's shell did not get to read: $out"
  elif [[ $out != *pushed-fd0* ]] || [[ $out != *"console-read=[echo INJECTED-42]"* ]]; then
    # The push must have run, and landed in the container's console.
    fail "cve_2017_5226_$how" "the injection did not run into the container's console (or the console did not relay it): $out"
  else
    pass "cve_2017_5226_$how"
  fi
}
console_attack cvecon console "uxc console -n cvecon" \
  "timeout --foreground 30 env UXC_HELPER_DIR=$WORLD_BIN $UXC console -n cvecon" \
  uxc_as $U start -n cvecon -d -- /bin/sh -c "$hostile"
# The console in the foreground: uxc start -F relays the same way.
console_attack cvefg start_foreground "uxc start -n cvefg -F" \
  "timeout --foreground 30 env UXC_HELPER_DIR=$WORLD_BIN $UXC start -n cvefg -F -- /bin/sh -c '$hostile'"

rm -f "$ROOTFS/tiocsti"
cleanup uxc_as $U stop -n $C -k
cleanup uxc_as $U stop -n cvecon -k
exit 0
