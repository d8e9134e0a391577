#!/usr/bin/env bash
# CVE-2017-5226: a sandboxed process that shares its caller's terminal can
# push characters into the caller's input queue with ioctl(TIOCSTI), and
# the caller's shell runs them after the sandbox exits. uxc attach must
# never hand the caller's terminal to the container: on a terminal the
# command gets a pty of the container's own, otherwise pipes, and the
# caller's /dev/tty is not reachable.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/cve_manager.bash"
cve_container cve_2017_5226

cat >/tmp/tiocsti.c <<'EOC'
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
/* tiocsti TEXT: pushes TEXT and a newline into the input of the terminal
   on fd 0, then on /dev/tty; prints which worked. */
static int push(int fd, const char* text) {
  for (const char* c = text; *c; ++c)
    if (ioctl(fd, TIOCSTI, c) != 0) return 0;
  return ioctl(fd, TIOCSTI, "\n") == 0;
}
int main(int argc, char** argv) {
  if (argc != 2) return 2;
  if (push(0, argv[1])) printf("pushed-fd0\n");
  int tty = open("/dev/tty", O_RDWR);
  if (tty >= 0 && push(tty, argv[1])) printf("pushed-devtty\n");
  return 0;
}
EOC
if ! gcc -static -O1 -o /tmp/tiocsti /tmp/tiocsti.c 2>/dev/null; then
  skip cve_2017_5226 "gcc cannot build a static program here"
  uxc_as $U stop -n $C -k >/dev/null 2>&1
  exit 0
fi
install -o 100000 -g 100000 -m 0755 /tmp/tiocsti "$ROOTFS/tiocsti"
chmod 0755 /tmp/tiocsti

# session CMD: runs CMD in bash on a fresh terminal (script), as the
# user; afterwards the caller's shell reads one line from that terminal
# for up to 2 s and prints what it got: what anyone injected.
# script's own stdin never ends (an end of file would be typed into the
# terminal as ^D and race with the injection).
session() {
  as_user $U script -qec "bash -c '$1; read -t 2 line; echo \"caller-read=[\$line]\"'" /dev/null \
    < <(sleep 8) 2>&1 | tr -d '\r'
}

# The control: on this kernel TIOCSTI does work on one's own terminal
# (dev.tty.legacy_tiocsti), so a refusal below is uxc's doing.
out=$(session "/tmp/tiocsti \"echo INJECTED-\$((6*7))\"")
if [[ $out != *"caller-read=[echo INJECTED-42]"* ]]; then
  skip cve_2017_5226 "TIOCSTI does not inject here even outside a container: $out"
  rm -f "$ROOTFS/tiocsti"
  uxc_as $U stop -n $C -k >/dev/null 2>&1
  exit 0
fi
pass cve_2017_5226_control_tiocsti_works_outside

# Attached on a terminal: the command's terminal is the container's pty.
out=$(session "env UXC_HELPER_DIR=$WORLD_BIN $UXC attach -n $C -- /tiocsti \"echo INJECTED-\$((6*7))\"")
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
out=$(session "env UXC_HELPER_DIR=$WORLD_BIN $UXC attach -n $C -- /tiocsti \"echo INJECTED-\$((6*7))\" </dev/null | cat")
if [[ $out == *"caller-read=[echo INJECTED"* ]] || [[ $out == *pushed-* ]]; then
  fail cve_2017_5226_attach_with_pipes "$out"
elif [[ $out != *"caller-read=[]"* ]]; then
  fail cve_2017_5226_attach_with_pipes "unexpected: $out"
else
  pass cve_2017_5226_attach_with_pipes
fi
# The console: `uxc console` relays the container's console pty; the
# container's init side never has the caller's terminal either. A
# process started on the console pushes into the console pty only.
in_container '/tiocsti "echo INJECTED-CONSOLE" </dev/console >/dev/null 2>&1' >/dev/null
out=$(session "timeout 1 env UXC_HELPER_DIR=$WORLD_BIN $UXC console -n $C; true")
[[ $out == *"caller-read=[echo INJECTED-CONSOLE"* ]] &&
  fail cve_2017_5226_console "the console's input reached the caller's shell: $out" ||
  pass cve_2017_5226_console
rm -f "$ROOTFS/tiocsti"
uxc_as $U stop -n $C -k >/dev/null 2>&1
exit 0
