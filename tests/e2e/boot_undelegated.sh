#!/usr/bin/env bash
# Without a delegated cgroup: a Debian 12 container whose init is systemd
# is refused at start, at once, with one line that says what to ask the
# administrator for (and uxc check says the same); it is not started to
# die. What needs no cgroup of its own still runs: busybox, and Debian 12
# with sysvinit, which boots and halts cleanly.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/debian_image.bash"
SYSTEMD_IMG=$(debian_image systemd) || { fail boot_undelegated_image "the Debian 12 image could not be built (see above)"; exit 0; }
SYSV_IMG=$(debian_image sysvinit) || { fail boot_undelegated_image "the Debian 12 image could not be built (see above)"; exit 0; }
world_reexec "$@"
set -u
source "$(dirname "$0")/boot_common.bash"

same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
[ -x "$UXC" ] || { fail boot_undelegated_built "$UXC was not built"; exit 0; }
if ! have_idmap || ! have_nic; then skip boot_undelegated "the helpers were not built"; exit 0; fi
boot_world || { fail boot_undelegated_dnsmasq "dnsmasq did not start"; exit 0; }
boot_create deb "$SYSTEMD_IMG" || { fail boot_undelegated_create "the container could not be made from $SYSTEMD_IMG"; exit 0; }

# ------------------------------------------------- systemd: refused
out=$(uxc_as $U start -n deb -d 2>&1); status=$?
same boot_undelegated_systemd_refused "$status" 1
same boot_undelegated_refusal_is_one_line "$(wc -l <<<"$out")" 1
check boot_undelegated_refusal_says_what_to_ask grep -qE "^uxc start: deb: systemd in a container needs .* delegated to you, and .*: ask your administrator .*; see 'uxc check'$" <<<"$out"
check boot_undelegated_refused_before_anything nothing_of deb
same boot_undelegated_still_stopped "$(uxc_as $U info -n deb -s -H)" STOPPED
out=$(uxc_as $U check 2>&1)
check boot_undelegated_check_says_so grep -q "^warn  cgroups: containers whose init is systemd cannot start: systemd in a container needs" <<<"$out"
# A command in the same rootfs is no systemd: it runs.
same boot_undelegated_command_runs "$(uxc_as $U start -n deb -F -- /bin/echo ran </dev/null 2>&1 | tr -d '\r')" ran

# ------------------------------------------------------ busybox runs
uxc_as $U create -n bb -t busybox >/dev/null
check boot_undelegated_busybox_starts uxc_as $U start -n bb -d
same boot_undelegated_busybox_running "$(uxc_as $U info -n bb -s -H)" RUNNING
check boot_undelegated_busybox_stops uxc_as $U stop -n bb -t 10
check boot_undelegated_busybox_nothing_left nothing_of bb

# ------------------------------------------------------ sysvinit runs
boot_create sv "$SYSV_IMG" || { fail boot_undelegated_create_sv "the container could not be made from $SYSV_IMG"; exit 0; }
check boot_undelegated_sysvinit_starts uxc_as $U start -n sv -d
booted=false
for ((i = 0; i < 300; i++)); do
  in_ct sv sh -c 'runlevel | grep -q " 2$" && pidof sshd >/dev/null' 2>/dev/null && { booted=true; break; }
  sleep 0.1
done
check boot_undelegated_sysvinit_boots $booted
check boot_undelegated_sysvinit_cgroups_read_only grep -q 'cgroup on /sys/fs/cgroup/[a-z]* type cgroup (ro' <<<"$(in_ct sv mount)"
check boot_undelegated_sysvinit_stops uxc_as $U stop -n sv -t 30
check boot_undelegated_sysvinit_nothing_left nothing_of sv
