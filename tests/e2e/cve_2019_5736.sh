#!/usr/bin/env bash
# CVE-2019-5736: a container's root opened /proc/PID/exe of runc while runc
# exec'd into the container, and rewrote the host's runc binary through
# it. uxc attach's process is uxc's image until it execs the container's
# command; the container's root must never get a handle on that image.
# To make a successful open matter, the attach here runs from a copy of
# uxc that anyone may write: only the kernel's refusal to let the
# container open /proc/PID/exe stands between it and the binary.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/cve_manager.bash"
cve_container cve_2019_5736

bait=/tmp/uxc-bait
install -m 0777 "$UXC" "$bait"
before=$(sha256sum <"$bait")
# Open the exe (any mode: O_RDONLY is enough for runc's trick, which
# reopens it for writing through /proc/self/fd once the process exits),
# then keep trying to write through it until the attach is over.
grab='for i in $(seq 150); do
  for p in /proc/[0-9]*; do
    tr "\0" " " <$p/cmdline 2>/dev/null | grep -q "^[^ ]*uxc-bait attach -n" || continue
    echo "found $p"
    if exec 3<$p/exe; then
      echo "opened $p/exe"
      for j in $(seq 60); do echo pwned >/proc/$$/fd/3 2>/dev/null && { echo "wrote"; exit 0; }; sleep 0.1; done
    fi 2>/dev/null
    echo pwned >>$p/exe 2>/dev/null && echo "appended $p/exe"
    exit 0
  done
  sleep 0.05
done'
attach_delayed 2 "$bait" attach -n "$C" -- /bin/true
out=$(in_container "$grab" 2>&1)
wait
if ! grep -q '^found ' <<<"$out"; then
  fail cve_2019_5736_attaching_process_found "never saw the attaching process: $out"
else
  pass cve_2019_5736_attaching_process_found
  grep -q -e '^opened' -e '^wrote' -e '^appended' <<<"$out" &&
    fail cve_2019_5736_exe_not_openable "$out" || pass cve_2019_5736_exe_not_openable
fi
[ "$(sha256sum <"$bait")" = "$before" ] && pass cve_2019_5736_binary_unchanged ||
  fail cve_2019_5736_binary_unchanged "the uxc copy was modified"

# Once the command runs, /proc/self/exe is the container's own binary
# (busybox), not anything of the host's.
exe=$(in_container 'readlink /proc/self/exe; readlink /proc/1/exe')
[ "$(echo $exe)" = "/bin/busybox /bin/busybox" ] && pass cve_2019_5736_exe_is_containers ||
  fail cve_2019_5736_exe_is_containers "$exe"
# The container's init started the same way; no host binary behind any
# process the container can see.
seen=$(in_container 'for p in /proc/[0-9]*; do readlink $p/exe 2>/dev/null; done | sort -u')
[ "$seen" = /bin/busybox ] && pass cve_2019_5736_no_host_exe_visible ||
  fail cve_2019_5736_no_host_exe_visible "$seen"
rm -f "$bait"
cleanup uxc_as $U stop -n $C -k
exit 0
