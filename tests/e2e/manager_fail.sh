#!/usr/bin/env bash
# Failure paths of uxc: each fails with one clear line that says what to
# do, exits non-zero, and leaves nothing behind.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

require_built manager_fail_built "$UXC" "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic"

# expect_failure NAME PATTERN CMD...: CMD exits 1 and its stderr, one
# line, matches PATTERN.
expect_failure() {
  local name=$1 pattern=$2 out status
  shift 2
  out=$("$@" 2>&1 >/dev/null); status=$?
  if [ "$status" = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -Eq -- "$pattern" <<<"$out"; then
    pass "$name"
  else
    fail "$name" "exit $status: $out"
  fi
}

# --------------------------------------------------------- no subuid entry
write_plain_default_conf uxtest3 300000
expect_failure manager_fail_no_subuid_entry \
  "^uxc create: no subordinate uids for uxtest3 in /etc/subuid: ask your administrator to add a line like 'uxtest3:100000:65536' to /etc/subuid$" \
  uxc_as uxtest3 create -n c -t busybox
check manager_fail_no_subuid_nothing_left test ! -e /home/uxtest3/.local/share/uxc/c
# Without any lxc.idmap, the user's ranges are looked up and missing too.
as_user uxtest3 rm /home/uxtest3/.config/uxc/default.conf
expect_failure manager_fail_no_subuid_default_map "no subordinate uids for uxtest3 in /etc/subuid" \
  uxc_as uxtest3 create -n c -t busybox
# A map outside the user's ranges.
write_plain_default_conf uxtest1 200000
out=$(uxc_as uxtest1 create -n c -t busybox 2>&1); status=$?
check manager_fail_idmap_not_owned test "$status:$out" = "1:uxc create: /home/uxtest1/.config/uxc/default.conf:1: lxc.idmap = u 0 200000 65536: uids 200000-265535 are not yours: /etc/subuid gives uxtest1 100000-165535; write these lines instead (uxc check --fix writes them into your default.conf):
  lxc.idmap = u 0 100000 65536
  lxc.idmap = g 0 100000 65536"
check manager_fail_idmap_not_owned_nothing_left test ! -e /home/uxtest1/.local/share/uxc/c

# ------------------------------------------------------- config and names
write_plain_default_conf uxtest1 100000
uxc_as uxtest1 create -n c1 -t busybox >/dev/null
expect_failure manager_fail_name_already_used "^uxc create: container c1 already exists" \
  uxc_as uxtest1 create -n c1 -t busybox
# Usage errors: exit 2.
out=$(uxc_as uxtest1 create -n ../x -t busybox 2>&1); status=$?
check manager_fail_bad_name test "$status:$(grep -c 'not a valid container name' <<<"$out")" = 2:1
out=$(uxc_as uxtest1 create -n c2 -t nope 2>&1); status=$?
check manager_fail_unknown_template test "$status:$(grep -c "unknown template 'nope'" <<<"$out")" = 2:1
cfg=/home/uxtest1/.local/share/uxc/c1/config
cp "$cfg" /tmp/c1.config
as_user uxtest1 sh -c "echo 'lxc.bogus = 1' >> $cfg"
n=$(wc -l <"$cfg")
out=$(uxc_as uxtest1 start -n c1 -F -- /bin/true 2>&1); status=$?
check manager_fail_bad_config_line test "$status:$out" = "1:uxc start: bad configuration, fix these lines:
  $cfg:$n: unknown key lxc.bogus"
cp /tmp/c1.config "$cfg"
as_user uxtest1 sh -c "echo 'lxc.rootfs.path = /home/uxtest1/nowhere' >> $cfg"
expect_failure manager_fail_rootfs_missing "^uxc start: rootfs /home/uxtest1/nowhere does not exist: fix lxc.rootfs.path" \
  uxc_as uxtest1 start -n c1 -d
cp /tmp/c1.config "$cfg"
as_user uxtest1 sh -c "echo 'lxc.mount.entry = /home/uxtest1/none mnt none bind 0 0' >> $cfg"
expect_failure manager_fail_mount_source_missing "cannot open /home/uxtest1/none: No such file or directory \(lxc.mount.entry, config line" \
  uxc_as uxtest1 start -n c1 -d
check manager_fail_mount_nothing_left nothing_left uxtest1 c1
cp /tmp/c1.config "$cfg"
as_user uxtest1 sh -c "echo 'lxc.cgroup2.memory.max = 64M' >> $cfg"
expect_failure manager_fail_cgroup_not_dropped_quietly "lxc.cgroup2.memory.max \\(config line [0-9]+\\) cannot be applied: no cgroup with the memory controller is delegated to you" \
  uxc_as uxtest1 start -n c1 -d
cp /tmp/c1.config "$cfg"
# -o/-l: a failed start leaves its reason in the log, with LXC's level names.
expect_failure manager_fail_log_run_fails "cannot run /bin/nothing in the container" \
  uxc_as uxtest1 start -n c1 -F -o /tmp/c1.log -l INFO -- /bin/nothing
check manager_fail_log_names_error grep -Eq '^uxc c1 [0-9.]+ ERROR cannot run /bin/nothing in the container' /tmp/c1.log
check manager_fail_log_info_lines grep -q ' INFO uid and gid maps written by uxc-idmap$' /tmp/c1.log
out=$(uxc_as uxtest1 start -n c1 -l LOUD 2>&1); status=$?
check manager_fail_log_bad_level test "$status:$(grep -c "unknown log level 'LOUD'" <<<"$out")" = 2:1
expect_failure manager_fail_missing_container "^uxc start: nope doesn't exist$" uxc_as uxtest1 start -n nope
expect_failure manager_fail_command_missing "cannot run /bin/nothing in the container" \
  uxc_as uxtest1 start -n c1 -F -- /bin/nothing
check manager_fail_command_nothing_left nothing_left uxtest1 c1

# ------------------------------------------------------------- twice
uxc_as uxtest1 start -n c1 -d -- /bin/sleep 1000
expect_failure manager_fail_start_twice "^uxc start: c1 is already running$" uxc_as uxtest1 start -n c1 -d
check manager_fail_start_twice_still_running grep -q '^State: *RUNNING' <<<"$(uxc_as uxtest1 info -n c1)"
# A killed monitor takes its container along; info reads STOPPED.
mon=$(pgrep -u 61001 -f 'uxc start -n c1')
kill -9 $mon
sleep 0.5
check manager_fail_monitor_killed_reads_stopped grep -q '^State: *STOPPED' <<<"$(uxc_as uxtest1 info -n c1)"
check manager_fail_monitor_killed_container_gone nothing_left uxtest1 c1
expect_failure manager_fail_stop_not_running "^uxc stop: c1 is not running$" uxc_as uxtest1 stop -n c1

# --------------------------------------------------------------- network
as_user uxtest1 sh -c "printf 'lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\nlxc.net.0.flags = up\n' >> $cfg"
allow_usernet "uxtest2 veth lxcbr0 10"
expect_failure manager_fail_no_usernet_line \
  "^uxc start: no usernet line lets uxtest1 put a veth on lxcbr0 .*: ask your administrator to add 'uxtest1 veth lxcbr0 10' to /etc/uxc/usernet$" \
  uxc_as uxtest1 start -n c1 -d
check manager_fail_no_usernet_nothing_left nothing_left uxtest1 c1

allow_usernet "uxtest1 veth lxcbr0 1" "uxtest1 veth nosuchbr 5" "uxtest1 veth notabridge 5"
uxc_as uxtest1 create -n c2 -t busybox >/dev/null
cp "$cfg" /home/uxtest1/.local/share/uxc/c2/config
sed -i 's/^lxc.uts.name = c1$/lxc.uts.name = c2/; s|/c1/rootfs|/c2/rootfs|' /home/uxtest1/.local/share/uxc/c2/config
check manager_fail_quota_first_fits uxc_as uxtest1 start -n c1 -d -- /bin/sleep 1000
expect_failure manager_fail_quota_reached "^uxc start: your veth quota on lxcbr0 is used up .*: stop another container or ask your administrator to raise it in /etc/uxc/usernet$" \
  uxc_as uxtest1 start -n c2 -d -- /bin/sleep 1000
check manager_fail_quota_one_veth test "$(ip -o link show | grep -c 'uxc[0-9a-f]\{8\}')" = 1
check manager_fail_quota_second_not_running grep -q '^State: *STOPPED' <<<"$(uxc_as uxtest1 info -n c2)"
uxc_as uxtest1 stop -n c1 -k

# A link that is no bridge is the user's to fix: said so, with the
# bridges the usernet file lets the user use.
line=$(grep -n '^lxc.net.0.type' "$cfg" | cut -d: -f1)
sed -i "s/^lxc.net.0.link = .*/lxc.net.0.link = nosuchbr/" "$cfg"
expect_failure manager_fail_bridge_nosuchbr \
  "^uxc start: ${cfg//./\\.}:$line: lxc\.net\.0\.link = nosuchbr: there is no network interface nosuchbr on this host; the bridges you may use \(/etc/uxc/usernet\): lxcbr0 \(1 veth\): set lxc\.net\.0\.link to one of them$" \
  uxc_as uxtest1 start -n c1 -d
check manager_fail_bridge_nosuchbr_nothing_left nothing_left uxtest1 c1
sed -i "s/^lxc.net.0.link = .*/lxc.net.0.link = notabridge/" "$cfg"
expect_failure manager_fail_bridge_notabridge \
  "^uxc start: ${cfg//./\\.}:$line: lxc\.net\.0\.link = notabridge: notabridge is not a bridge; the bridges you may use \(/etc/uxc/usernet\): lxcbr0 \(1 veth\): set lxc\.net\.0\.link to one of them$" \
  uxc_as uxtest1 start -n c1 -d
check manager_fail_bridge_notabridge_nothing_left nothing_left uxtest1 c1
# A bridge the user has no line for: the bridges there are, or the line to ask for.
sed -i "s/^lxc.net.0.link = .*/lxc.net.0.link = br1/" "$cfg"
expect_failure manager_fail_bridge_not_allowed \
  "^uxc start: no usernet line lets uxtest1 put a veth on br1 .*; the bridges you may use: lxcbr0 \(1 veth\): set lxc\.net\.0\.link to one of them, or ask your administrator to add 'uxtest1 veth br1 10' to /etc/uxc/usernet$" \
  uxc_as uxtest1 start -n c1 -d
check manager_fail_bridge_not_allowed_nothing_left nothing_left uxtest1 c1

# A failure in the init once its root is set up, while uxc-nic may still
# be at work: the init's own message, and nothing left.
sed -i "s/^lxc.net.0.link = .*/lxc.net.0.link = lxcbr0/" "$cfg"
as_user uxtest1 sh -c "echo 'lxc.mount.entry = /home/uxtest1/none mnt none bind 0 0' >> $cfg"
for i in 1 2 3 4 5; do
  expect_failure manager_fail_networked_mount_source_missing_$i \
    "^uxc start: cannot open /home/uxtest1/none: No such file or directory \(lxc.mount.entry, config line" \
    uxc_as uxtest1 start -n c1 -d
  check manager_fail_networked_mount_nothing_left_$i nothing_left uxtest1 c1
done
sed -i '/^lxc.mount.entry = \/home\/uxtest1\/none /d' "$cfg"

# uxc-nic installed but uxc-idmap missing: uxc-nic may already have made
# the veth when uxc-idmap turns out not to be there; it is still removed.
only_nic=$WORLD_BIN/only-nic
mkdir -p "$only_nic"
install -o root -g root -m 4755 "$WORLD_BIN/uxc-nic" "$only_nic/uxc-nic"
out=$(as_user uxtest1 env UXC_HELPER_DIR="$only_nic" "$UXC" start -n c1 -d 2>&1); status=$?
check manager_fail_idmap_missing test "$status:$out" = \
  "1:uxc start: uxc-idmap is not installed at $only_nic/uxc-idmap: ask your administrator to install uxc (make install, as root)"
check manager_fail_idmap_missing_nothing_left nothing_left uxtest1 c1
