#!/usr/bin/env bash
# Errors that say what is wrong and what to do, and logs worth sending:
# a non-recursive bind of a tree with mounts below it (rbind), and
# `start -l LEVEL [-o FILE]` logging each step of a start (namespaces,
# the helpers' requests and answers, mounts, network, cgroups), to the
# file or, without -o, to stderr.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail parity_errors_built "$UXC was not built"; exit 0; }
have_idmap || { skip parity_errors "uxc-idmap was not built"; exit 0; }
have_nic || { skip parity_errors "uxc-nic was not built"; exit 0; }
write_seed_default_conf $U 100000
allow_usernet "uxtest1 veth lxcbr0 10"
uxc_as $U create c1 -t busybox >/dev/null || { fail parity_errors_create "create failed"; exit 0; }
cfg=/home/$U/.local/share/uxc/c1/config

# ---------------------------------------------------- bind with submounts
tree=/home/$U/tree
as_user $U mkdir -p $tree/sub
echo top | as_user $U tee $tree/top-file >/dev/null
mount -t tmpfs sub $tree/sub
echo below >$tree/sub/below-file
echo "lxc.mount.entry = $tree mnt none bind 0 0" >>"$cfg"
line=$(grep -n "^lxc.mount.entry = $tree " "$cfg" | cut -d: -f1)
out=$(uxc_as $U start c1 -F -- /bin/true </dev/null 2>&1); status=$?
check parity_errors_bind_submounts test "$status:$out" = \
  "1:uxc start: cannot bind $tree: it has mounts below it ($tree/sub), which a user namespace keeps together with it, so the kernel allows only a recursive bind: write rbind instead of bind (lxc.mount.entry, config line $line)"
check parity_errors_bind_submounts_nothing_left nothing_left $U c1
sed -i "s|^lxc.mount.entry = $tree mnt none bind 0 0|lxc.mount.entry = $tree mnt none rbind 0 0|" "$cfg"
out=$(uxc_as $U start c1 -F -- /bin/cat /mnt/top-file /mnt/sub/below-file </dev/null 2>&1 | tr -d '\r')
check parity_errors_rbind_works test "$out" = "top
below"

# ---------------------------------------------------------- -l DEBUG -o
log=/home/$U/start.log
out=$(uxc_as $U start c1 -F -l DEBUG -o $log -- /bin/true </dev/null 2>&1); status=$?
check parity_errors_log_start test "$status:$out" = "0:"
steps=(
  'INFO starting c1 from '
  'DEBUG uid map: 0 100000 65536$'
  'DEBUG clone: new user, mount, pid, uts, ipc and network namespaces'
  'DEBUG uxc-nic \(pid [0-9]+\) request: uxc-nic 1\|op create\|type veth\|link lxcbr0\|name eth0\|hwaddr 00:16:3e:[0-9a-f:]+\|end$'
  'DEBUG uxc-idmap \(pid [0-9]+\) request: uxc-idmap 1\|uid 0 100000 65536\|gid 0 100000 65536\|end$'
  'DEBUG uxc-idmap answer: ok, exit status 0$'
  'DEBUG uxc-nic answer: ok host=uxc[0-9a-f]+ .*peer=eth0 .*exit status 0$'
  'DEBUG init: mount proc on proc \(proc'
  'DEBUG init: mount sysfs on sys \(read-only\)$'
  'DEBUG init: pivot_root into /home/uxtest1/.local/share/uxc/c1/rootfs$'
  'DEBUG init: mount devpts on dev/pts'
  "DEBUG init: bind $tree on mnt \\(recursive\\)$"
  'DEBUG init: eth0: addresses none \(DHCP is the container.s\), up$'
  'DEBUG init: host name c1$'
  'DEBUG init: exec /bin/true$'
  'INFO init exited with status 0$'
  'DEBUG veths removed: uxc[0-9a-f]+$'
)
missing=
for s in "${steps[@]}"; do grep -Eq "^uxc c1 [0-9]{14}\.[0-9]{3} $s" $log || missing+="[$s] "; done
[ -z "$missing" ] && pass parity_errors_log_every_step || fail parity_errors_log_every_step "missing: $missing in: $(cat $log)"
out=$(uxc_as $U start c1 -F -o /home/$U/quiet.log -- /bin/true </dev/null 2>&1)
check parity_errors_log_default_level_error test "$out:$(wc -c </home/$U/quiet.log)" = ":0"

# ------------------------------------------------------ -l alone: stderr
out=$(uxc_as $U start c1 -F -l INFO -- /bin/true </dev/null 2>&1 >/dev/null)
check parity_errors_log_stderr grep -Eq '^uxc c1 [0-9.]+ INFO init exited with status 0$' <<<"$out"
check parity_errors_log_stderr_no_debug test "$(grep -c DEBUG <<<"$out")" = 0
# Detached: the log on stderr ends when start returns.
uxc_as $U start c1 -d -l DEBUG -- /bin/sleep 1000 2>/home/$U/err.log
check parity_errors_log_stderr_detached grep -q 'INFO container c1 is RUNNING$' /home/$U/err.log
uxc_as $U stop c1 -k
sleep 0.3
check parity_errors_log_stderr_ends_at_return test "$(grep -c 'stop requested\|init exited' /home/$U/err.log)" = 0
out=$(uxc_as $U start c1 -l LOUD -- /bin/true 2>&1); status=$?
check parity_errors_log_bad_level test "$status:$out" = \
  "2:uxc start: unknown log level 'LOUD': use TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT or FATAL (try 'uxc start --help')"

# ------------------------------------------------------------------ names
write_plain_default_conf $U 100000
data=/home/$U/.local/share/uxc
out=$(uxc_as $U create a_b -t busybox 2>&1); status=$?
check parity_errors_name_underscore test "$status:$out" = "0:uxc create: 'a_b' is not a valid host name ('_' cannot be in one): its host name is a-b (lxc.uts.name in $data/a_b/config, line 3)
Created container a_b"
check parity_errors_name_underscore_line3 test "$(sed -n 3p $data/a_b/config)" = "lxc.uts.name = a-b"
check parity_errors_name_underscore_runs test "$(uxc_as $U start a_b -F -- /bin/hostname </dev/null 2>&1 | tr -d '\r')" = a-b
out=$(uxc_as $U create -q "my web" -t busybox 2>&1); status=$?
check parity_errors_name_space test "$status:$out" = "0:"
check parity_errors_name_space_listed grep -qx "my web" <<<"$(uxc_as $U ls)"
check parity_errors_name_space_info test "$(uxc_as $U info "my web" -s -H)" = STOPPED
out=$(uxc_as $U create $'\xc3\xa9t\xc3\xa9' -t busybox 2>&1); status=$?
check parity_errors_name_utf8 test "$status:$out" = "2:uxc create: '"$'\xc3\xa9t\xc3\xa9'"' is not a valid container name: a name must be printable ASCII (its config, which holds its paths, is) (try 'uxc create --help')"
out=$(uxc_as $U create __ -t busybox 2>&1); status=$?
check parity_errors_name_no_hostname test "$status:$out" = "1:uxc create: '__' leaves nothing for a host name ('_' cannot be in one, which holds letters, digits, '-' and '.'): set lxc.uts.name in a config and create from it: uxc create __ -t busybox -f CONFIG"
out=$(uxc_as $U create a/b -t busybox 2>&1); status=$?
check parity_errors_name_slash test "$status:$out" = "2:uxc create: 'a/b' is not a valid container name: a name must not hold '/' (it is one directory) (try 'uxc create --help')"
out=$(uxc_as $U create .hidden -t busybox 2>&1); status=$?
check parity_errors_name_dot test "$status:$out" = "2:uxc create: '.hidden' is not a valid container name: a name must not start with '.' (try 'uxc create --help')"
# A config without lxc.uts.name (LXC's own, say): derived at start too.
sed -i '/^lxc.uts.name = /d' $data/a_b/config
check parity_errors_name_derived_at_start test "$(uxc_as $U start a_b -F -- /bin/hostname </dev/null 2>&1 | tr -d '\r')" = a-b
# A bad line in default.conf is default.conf's, at its own line number;
# uxc's own lines are never blamed on it.
conf=/home/$U/.config/uxc/default.conf
echo 'lxc.uts.name = not_a_host' >>$conf
out=$(uxc_as $U create web2 -t busybox 2>&1); status=$?
check parity_errors_default_conf_blamed_right test "$status:$out" = "1:uxc create: bad configuration, fix these lines:
  $conf:3: lxc.uts.name: 'not_a_host' is not a valid host name"
check parity_errors_default_conf_nothing_made test ! -e $data/web2
