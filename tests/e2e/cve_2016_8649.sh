#!/usr/bin/env bash
# CVE-2016-8649: lxc-attach's process entered the container while still
# holding host file descriptors and could be ptraced by the container's
# root before it exec'd, which gave root in the container those fds. uxc
# attach's process must be out of reach of everything in the container
# until it is the container's own command: not ptraceable, its exe, fds,
# cwd, root, environ and memory unreadable, at every instant.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/cve_manager.bash"
cve_container cve_2016_8649

# The container's root hunts for the attaching process (its command line
# is uxc's until the exec) and tries everything /proc offers; reading mem
# is the kernel's ptrace-attach check (PTRACE_MODE_ATTACH).
hunt='for i in $(seq 150); do
  for p in /proc/[0-9]*; do
    tr "\0" " " <$p/cmdline 2>/dev/null | grep -q "^[^ ]*uxc attach -n" || continue
    echo "found $p"
    readlink $p/exe >/dev/null 2>&1 && echo "exe $p"
    readlink $p/cwd >/dev/null 2>&1 && echo "cwd $p"
    readlink $p/root >/dev/null 2>&1 && echo "root $p"
    ls $p/fd >/dev/null 2>&1 && echo "fd $p"
    for f in $p/fd/*; do [ -e "$f" ] && echo "fdopen $f"; done 2>/dev/null
    head -c1 $p/environ >/dev/null 2>&1 && echo "environ $p"
    head -c1 $p/mem >/dev/null 2>&1 && echo "mem $p"
    head -c1 $p/auxv >/dev/null 2>&1 && echo "auxv $p"
    exit 0
  done
  sleep 0.05
done'
# The attaching process holds host fds the container would want.
attach_delayed 3 sh -c 'exec 7</etc/passwd 8</ 9<"$0"; exec "$1" attach -n "$2" -- /bin/true' \
  "$UXC_SRC" "$UXC" "$C"
out=$(in_container "$hunt" 2>&1)
wait
if ! grep -q '^found ' <<<"$out"; then
  fail cve_2016_8649_attaching_process_found "the hunt never saw the attaching process: $out"
else
  pass cve_2016_8649_attaching_process_found
  leaks=$(grep -v '^found ' <<<"$out")
  [ -z "$leaks" ] && pass cve_2016_8649_attaching_process_unreachable ||
    fail cve_2016_8649_attaching_process_unreachable "$leaks"
fi

# The same from a process the container's root forks and that tries
# PTRACE_ATTACH itself: busybox has no ptrace tool, so a static one is
# built here if the compiler can.
cat >/tmp/ptrace_try.c <<'EOC'
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>
int main(void) {
  for (int round = 0; round < 300; ++round) {
    DIR* d = opendir("/proc");
    struct dirent* e;
    while (d && (e = readdir(d))) {
      char path[64], cmd[256] = {0};
      int pid = atoi(e->d_name);
      if (pid <= 1 || pid == getpid()) continue;
      snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
      FILE* f = fopen(path, "r");
      if (!f) continue;
      size_t n = fread(cmd, 1, sizeof cmd - 1, f);
      fclose(f);
      for (size_t i = 0; i < n; ++i) if (!cmd[i]) cmd[i] = ' ';
      char* hit = strstr(cmd, "uxc attach -n");
      if (!hit || memchr(cmd, ' ', (size_t)(hit - cmd))) continue;
      printf("found %d\n", pid);
      if (ptrace(PTRACE_ATTACH, pid, 0, 0) == 0) printf("attached %d\n", pid);
      if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0) printf("seized %d\n", pid);
      return 0;
    }
    if (d) closedir(d);
    usleep(20000);
  }
  return 0;
}
EOC
if gcc_out=$(gcc -static -O1 -o /tmp/ptrace_try /tmp/ptrace_try.c 2>&1); then
  install -o 100000 -g 100000 -m 0755 /tmp/ptrace_try "$ROOTFS/ptrace_try"
  attach_delayed 3 "$UXC" attach -n "$C" -- /bin/true
  out=$(in_container /ptrace_try 2>&1)
  wait
  if ! grep -q '^found ' <<<"$out"; then
    fail cve_2016_8649_ptrace_target_found "never saw the attaching process: $out"
  elif grep -q -e '^attached ' -e '^seized ' <<<"$out"; then
    fail cve_2016_8649_ptrace_attach_refused "$out"
  else
    pass cve_2016_8649_ptrace_attach_refused
  fi
  rm -f "$ROOTFS/ptrace_try"
else
  fail cve_2016_8649_ptrace_attach_refused "gcc -static failed (g++ and libc6-dev; run make deps): $gcc_out"
fi
cleanup uxc_as $U stop -n $C -k
exit 0
