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

# ------------------------------------------------------------- id maps
# The README's 100000 for a user whose range is elsewhere: the file and
# line of the wrong map, in its own spelling, and the lines to write.
U2=uxtest2 data2=/home/uxtest2/.local/share/uxc conf2=/home/uxtest2/.config/uxc/default.conf
write_seed_default_conf $U2 100000
out=$(uxc_as $U2 create web -t busybox 2>&1); status=$?
check parity_errors_idmap_legacy_spelling test "$status:$out" = "1:uxc create: $conf2:5: lxc.id_map = u 0 100000 65536: uids 100000-165535 are not yours: /etc/subuid gives uxtest2 200000-265535; write these lines instead (uxc check --fix writes them into your default.conf):
  lxc.id_map = u 0 200000 65536
  lxc.id_map = g 0 200000 65536"
check parity_errors_idmap_nothing_made test ! -e $data2/web
# A gid line alone wrong: its own line, gids.
printf 'lxc.idmap = u 0 200000 65536\nlxc.idmap = g 0 100000 65536\n' | as_user $U2 tee $conf2 >/dev/null
out=$(uxc_as $U2 create web -t busybox 2>&1); status=$?
check parity_errors_idmap_gid_line test "$(head -1 <<<"$out")" = "uxc create: $conf2:2: lxc.idmap = g 0 100000 65536: gids 100000-165535 are not yours: /etc/subgid gives uxtest2 200000-265535; write these lines instead (uxc check --fix writes them into your default.conf):"
# In a container's own config (start): that file and line.
write_seed_default_conf $U2 200000
uxc_as $U2 create web -t busybox >/dev/null
sed -i 's/^lxc.id_map = u 0 200000 65536$/lxc.id_map = u 0 100000 65536/' $data2/web/config
line=$(grep -n '^lxc.id_map = u ' $data2/web/config | cut -d: -f1)
out=$(uxc_as $U2 start web 2>&1); status=$?
check parity_errors_idmap_container_config test "$status:$out" = "1:uxc start: $data2/web/config:$line: lxc.id_map = u 0 100000 65536: uids 100000-165535 are not yours: /etc/subuid gives uxtest2 200000-265535; write these lines instead:
  lxc.id_map = u 0 200000 65536
  lxc.id_map = g 0 200000 65536"

# check --fix: a wrong map rewritten in place (the rest kept), the old
# file kept; a missing default.conf written with the user's ranges and a
# bridge the usernet file allows.
write_seed_default_conf $U2 100000
echo '# my own comment' >>$conf2
before=$(cat $conf2)
out=$(uxc_as $U2 check 2>&1); status=$?
check parity_errors_check_reports_map test "$status:$(grep -c "^FAIL  id map: $conf2:5: lxc.id_map = u 0 100000 65536: uids 100000-165535 are not yours" <<<"$out")" = 1:1
check parity_errors_check_without_fix_writes_nothing test "$(cat $conf2)" = "$before"
out=$(uxc_as $U2 check --fix 2>&1)
check parity_errors_check_fix_says test "$(grep '^fixed' <<<"$out")" = "fixed rewrote the id map of $conf2: lxc.id_map = u 0 200000 65536, lxc.id_map = g 0 200000 65536 (the old file is $conf2.old)"
check parity_errors_check_fix_file test "$(cat $conf2)" = "lxc.network.type = veth
lxc.network.link = lxcbr0
lxc.network.flags = up
lxc.network.hwaddr = 00:16:3e:xx:xx:xx
lxc.id_map = u 0 200000 65536
lxc.id_map = g 0 200000 65536
# my own comment"
check parity_errors_check_fix_old_kept test "$(cat $conf2.old)" = "$before"
check parity_errors_check_fix_map_ok grep -q '^ok    id map: u 0 200000 65536 g 0 200000 65536 is within your ranges' <<<"$out"
check parity_errors_after_fix_create uxc_as $U2 create web2 -t busybox
as_user $U2 rm -f $conf2 $conf2.old
allow_usernet "uxtest2 veth nosuchbr 5" "uxtest2 veth lxcbr0 3"
out=$(uxc_as $U2 check --fix 2>&1)
check parity_errors_check_fix_new test "$(grep '^fixed' <<<"$out")" = "fixed wrote $conf2: lxc.idmap = u 0 200000 65536, lxc.idmap = g 0 200000 65536, a veth on lxcbr0"
check parity_errors_check_fix_new_file test "$(grep -v '^#' $conf2)" = "lxc.net.0.type = veth
lxc.net.0.link = lxcbr0
lxc.net.0.flags = up
lxc.net.0.hwaddr = 00:16:3e:xx:xx:xx
lxc.idmap = u 0 200000 65536
lxc.idmap = g 0 200000 65536"
out=$(uxc_as $U2 check --fix 2>&1)
check parity_errors_check_fix_idempotent test "$(grep -c '^fixed' <<<"$out")" = 0

# A link that is no bridge, in LXC 2's spelling: said in that spelling.
allow_usernet "uxtest1 veth lxcbr0 10"
sed -i 's/^lxc.network.link = lxcbr0$/lxc.network.link = nosuchbr/' "$cfg"
line=$(grep -n '^lxc.network.type' "$cfg" | cut -d: -f1)
out=$(uxc_as $U start c1 -d 2>&1); status=$?
check parity_errors_link_legacy_spelling test "$status:$out" = "1:uxc start: $cfg:$line: lxc.network.link = nosuchbr: there is no network interface nosuchbr on this host; the bridges you may use (/etc/uxc/usernet): lxcbr0 (10 veths): set lxc.network.link to one of them"
