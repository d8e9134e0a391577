#!/usr/bin/env bash
# lxc-info's, lxc-ls's, lxc-start's and lxc-attach's everyday flags:
# info -S and LXC's -H (labels kept unless one field), ls -1, -F, REGEX,
# --filter, --active/--running/--stopped, -g; start -s and -p; attach -u,
# -g, -v, --keep-var, --keep-env/--clear-env, --cwd and -e.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail parity_fields_built "$UXC was not built"; exit 0; }
have_idmap || { skip parity_fields "uxc-idmap was not built"; exit 0; }
write_plain_default_conf $U 100000
data=/home/$U/.local/share/uxc
for c in c1 c2 c3; do uxc_as $U create $c -t busybox >/dev/null || { fail parity_fields_create "create $c failed"; exit 0; }; done
echo 'lxc.group = web' >>$data/c1/config
printf 'lxc.group = db\nlxc.group = web\n' >>$data/c2/config
check parity_fields_start_c1 uxc_as $U start c1 -d

# ------------------------------------------------------------ ls
check parity_fields_ls_1 test "$(uxc_as $U ls -1 | tr '\n' ' ')" = "c1 c2 c3 "
out=$(uxc_as $U ls -F name,STATE,pid)
pid=$(uxc_as $U info c1 -p -H)
check parity_fields_ls_F_header test "$(head -1 <<<"$out")" = "NAME STATE   PID"
check parity_fields_ls_F_rows grep -Pzq "^NAME STATE   PID\nc1   RUNNING $pid\nc2   STOPPED -\s*\nc3   STOPPED -\s*\n$" <<<"$out"
check parity_fields_ls_F_all_columns grep -Eq '^NAME +STATE +PID +RAM +AUTOSTART +GROUPS +INTERFACE +IPV4 +IPV6 +UNPRIVILEGED$' \
  <<<"$(uxc_as $U ls -F NAME,STATE,PID,RAM,AUTOSTART,GROUPS,INTERFACE,IPV4,IPV6,UNPRIVILEGED)"
check parity_fields_ls_fancy_groups grep -Eq '^c2 +STOPPED +0 +db,web +- +- +true$' <<<"$(uxc_as $U ls -f)"
out=$(uxc_as $U ls -F name,swap 2>&1); status=$?
check parity_fields_ls_F_unknown_column test "$status:$out" = \
  "2:uxc ls: -F: unknown column 'SWAP': use a comma-separated list of NAME,STATE,PID,RAM,AUTOSTART,GROUPS,INTERFACE,IPV4,IPV6,UNPRIVILEGED,IMAGE,DIST,RELEASE,ARCH (try 'uxc ls --help')"
check parity_fields_ls_regex_operand test "$(uxc_as $U ls 'c[23]' | tr '\n' ' ')" = "c2 c3 "
check parity_fields_ls_filter test "$(uxc_as $U ls --filter '^c1$' | tr '\n' ' ')" = "c1 "
out=$(uxc_as $U ls '(' 2>&1); status=$?
check parity_fields_ls_bad_regex bash -c '[[ $1 == "2:uxc ls: REGEX '"'"'('"'"': "* ]]' sh "$status:$out"
check parity_fields_ls_active test "$(uxc_as $U ls --active | tr '\n' ' ')" = "c1 "
check parity_fields_ls_running test "$(uxc_as $U ls --running | tr '\n' ' ')" = "c1 "
check parity_fields_ls_stopped test "$(uxc_as $U ls --stopped | tr '\n' ' ')" = "c2 c3 "
check parity_fields_ls_running_and_stopped_none test -z "$(uxc_as $U ls --running --stopped)"
check parity_fields_ls_group test "$(uxc_as $U ls -g db | tr '\n' ' ')" = "c2 "
check parity_fields_ls_groups_any test "$(uxc_as $U ls -g db,web | tr '\n' ' ')" = "c1 c2 "
check parity_fields_ls_group_and_state test "$(uxc_as $U ls -g web --stopped | tr '\n' ' ')" = "c2 "

# ------------------------------------------------------------ info
out=$(uxc_as $U info c1 -H)
check parity_fields_info_H_keeps_labels test "$(head -3 <<<"$out")" = "Name:           c1
State:          RUNNING
PID:            $pid"
check parity_fields_info_H_two_fields test "$(uxc_as $U info c1 -s -p -H)" = "State:          RUNNING
PID:            $pid"
check parity_fields_info_H_one_field test "$(uxc_as $U info c1 -p -H)" = "$pid"
check parity_fields_info_labels_without_H test "$(uxc_as $U info c1 -p)" = "PID:            $pid"
# -c KEY: lxc-info's spelling, either key spelling, lists one line each.
check parity_fields_info_c test "$(uxc_as $U info c1 -c lxc.uts.name)" = "lxc.uts.name = c1"
check parity_fields_info_c_bare test "$(uxc_as $U info c1 -c lxc.utsname -H)" = "c1"
check parity_fields_info_c_list test "$(uxc_as $U info c2 -c lxc.group -c lxc.id_map)" = "lxc.group = db
lxc.group = web
lxc.id_map = u 0 100000 65536
lxc.id_map = g 0 100000 65536"
check parity_fields_info_c_unset test "$(uxc_as $U info c3 -c lxc.start.order)" = "lxc.start.order ="
check parity_fields_info_c_after_fields test "$(uxc_as $U info c3 -s -c lxc.uts.name)" = "State:          STOPPED
lxc.uts.name = c3"
out=$(uxc_as $U info c1 -c lxc.nosuch 2>&1); status=$?
check parity_fields_info_c_unknown test "$status:$out" = "2:uxc info: 'lxc.nosuch' is not a configuration key: 'uxc help keys' lists them (try 'uxc info --help')"
# -S: the stats only, no Name, State or PID (none at all here: no cgroup
# and no veth; cgroup_limits.sh checks them where there are).
out=$(uxc_as $U info c1 -S); status=$?
check parity_fields_info_S_only_stats test "$status:$(grep -cE '^(Name|State|PID|IP):' <<<"$out")" = "0:0"

# ------------------------------------------------------------ start -s, -p
check parity_fields_start_s_single test "$(uxc_as $U start c2 -s lxc.uts.name=other-host -F -- /bin/hostname 2>&1)" = other-host
check parity_fields_start_s_not_saved grep -qx 'lxc.uts.name = c2' $data/c2/config
check parity_fields_start_s_list test "$(uxc_as $U start c2 -s lxc.environment=FROM_S=yes -F -- /bin/sh -c 'echo $FROM_S' 2>&1)" = yes
out=$(uxc_as $U start c2 -s nonsense 2>&1); status=$?
check parity_fields_start_s_usage test "$status:$out" = "2:uxc start: -s takes KEY=VALUE (one setting), not 'nonsense' (try 'uxc start --help')"
out=$(uxc_as $U start c2 -s lxc.nosuch=1 2>&1); status=$?
check parity_fields_start_s_bad_key bash -c '[[ $1 == "1:uxc start: bad -s setting, fix it:"*"lxc.nosuch"* ]]' sh "$status:$out"
check parity_fields_start_p uxc_as $U start c2 -d -p /home/$U/c2.pid
init2=$(uxc_as $U info c2 -p -H)
check parity_fields_pidfile_is_monitor test "$(cat /home/$U/c2.pid)" = "$(ps -o ppid= -p "$init2" | tr -d ' ')"
check parity_fields_stop_c2 uxc_as $U stop c2 -k
check parity_fields_pidfile_removed test ! -e /home/$U/c2.pid

# ------------------------------------------------------------ attach
a() { uxc_as $U attach c1 "$@" </dev/null 2>&1; }
check parity_fields_attach_u_g test "$(a -u 1000 -g 1001 -- /bin/sh -c 'echo $(id -u):$(id -g):$HOME')" = "1000:1001:/"
check parity_fields_attach_u_no_caps test "$(a -u 1000 -- /bin/sh -c 'sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status')" = 0000000000000000
check parity_fields_attach_positional_command test "$(a /bin/echo direct)" = direct
check parity_fields_attach_v test "$(a -v FOO=bar -v FOO=baz -- /bin/sh -c 'echo $FOO')" = baz
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" MYVAR=leak "$UXC" attach c1 -- /bin/sh -c 'echo "[$MYVAR]"' </dev/null 2>&1)
check parity_fields_attach_clean_env test "$out" = "[]"
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" MYVAR=kept OTHER=gone "$UXC" attach c1 --keep-var MYVAR -- /bin/sh -c 'echo "$MYVAR:$OTHER"' </dev/null 2>&1)
check parity_fields_attach_keep_var test "$out" = "kept:"
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" MYVAR=kept "$UXC" attach c1 --keep-env -- /bin/sh -c 'echo "$MYVAR:$USER"' </dev/null 2>&1)
check parity_fields_attach_keep_env test "$out" = "kept:$U"
out=$(a --keep-env --clear-env -- /bin/true); status=$?
check parity_fields_attach_env_exclusive test "$status:$out" = "2:uxc attach: --keep-env and --clear-env exclude each other (try 'uxc attach --help')"
check parity_fields_attach_cwd test "$(a --cwd /tmp -- /bin/pwd)" = /tmp
out=$(a --cwd /nonexistent -- /bin/pwd); status=$?
check parity_fields_attach_cwd_missing test "$status:$out" = "1:uxc attach: cannot change to /nonexistent in the container: No such file or directory"
out=$(a -v novalue -- /bin/true); status=$?
check parity_fields_attach_v_usage test "$status:$out" = "2:uxc attach: -v takes VAR=VALUE, not 'novalue' (try 'uxc attach --help')"
# -e: what lxc.cap.drop takes away (CAP_SYS_TIME, bit 25) stays.
uxc_as $U stop c1 -k
echo 'lxc.cap.drop = sys_time' >>$data/c1/config
uxc_as $U start c1 -d
bnd() { a "$@" -- /bin/sh -c 'sed -n "s/^CapBnd:[[:space:]]*//p" /proc/self/status'; }
dropped=$(bnd); elevated=$(bnd -e)
check parity_fields_attach_cap_drop_applies test $(((0x$dropped >> 25) & 1)) = 0
check parity_fields_attach_e_keeps_it test $(((0x$elevated >> 25) & 1)) = 1
uxc_as $U stop c1 -k
