#!/usr/bin/env bash
# Acceptance of issue 19, in two parts, each command's exit status and
# output shape recorded ("# " lines) and checked:
#
# 1. Side by side with LXC 5 on the same host, as the same user, on the
#    same busybox tree: every lxc-* command a user types daily and its uxc
#    spelling must give the same exit status and the same output (labels,
#    columns, values) where uxc promises LXC's, and the recorded
#    difference where uxc differs on purpose (start -F's status, info -c
#    of a list).
# 2. The seed walkthrough (seed/lxc-containers-article.txt) replayed with
#    uxc, step by step, against the output the article shows for LXC.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail parity_acceptance_built "$UXC was not built"; exit 0; }
have_idmap || { fail parity_acceptance_idmap "uxc-idmap was not built"; exit 0; }
for tool in lxc-start lxc-info lxc-ls busybox; do
  command -v $tool >/dev/null || { fail parity_acceptance_tools "$tool is not installed (make deps)"; exit 0; }
done

# run WHO ARGS...: status in $st, stdout+stderr (trailing blanks cut) in $out.
run() {
  local who=$1
  shift
  if [ "$who" = lxc ]; then
    out=$(as_user $U env PATH="$WORLD_COMPAT:$UXC_USER_PATH" "$@" </dev/null 2>&1)
  else
    out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" "$@" </dev/null 2>&1)
  fi
  st=$?
  out=$(sed 's/[[:space:]]*$//' <<<"$out")
}
# shape: the output with numbers, pids and the command's own prefix made
# neutral, so that what is compared is labels, columns and order.
shape() { sed -E 's/^(lxc-[a-z]+|uxc [a-z]+): //; s/\b[0-9]{2,}\b/N/g' <<<"$1"; }
record() { printf '# %-44s lxc: %s %s | uxc: %s %s\n' "$1" "$2" "$(tr '\n' '/' <<<"$3")" "$4" "$(tr '\n' '/' <<<"$5")"; }

# same NAME "LXC ARGS" "UXC ARGS": equal status and shape. The ARGS are
# this script's own words, split as a shell would (eval).
same() {
  local name=$1 lst lout
  eval "run lxc $2"; lst=$st; lout=$out
  eval "run uxc $3"
  record "$2" "$lst" "$lout" "$st" "$out"
  if [ "$lst" = "$st" ] && [ "$(shape "$lout")" = "$(shape "$out")" ]; then pass "$name"
  else fail "$name" "lxc: $lst [$lout] uxc: $st [$out]"; fi
}
# differs NAME "LXC ARGS" "UXC ARGS" UXC_STATUS UXC_OUTPUT WHY: uxc's
# answer, different from LXC's on purpose; both recorded.
differs() {
  local name=$1 lst lout
  eval "run lxc $2"; lst=$st; lout=$out
  eval "run uxc $3"
  record "$2" "$lst" "$lout" "$st" "$out"
  echo "#   differs on purpose: $6"
  if [ "$st" = "$4" ] && [ "$out" = "$5" ]; then pass "$name"; else fail "$name" "uxc: $st [$out], want $4 [$5]"; fi
}

# ------------------------------------------------ the same tree for both
base=/home/$U/lxc
make_tree() {
  mkdir -p "$1/"{bin,proc,sys,dev,tmp,etc,sbin,root}
  cp "$(command -v busybox)" "$1/bin/busybox"
  for a in sh sleep cat hostname id; do ln -sf busybox "$1/bin/$a"; done
  chown -R 100000:100000 "$1"
}
make_tree $base/c1/rootfs
cat >$base/c1/config <<EOF2
lxc.idmap = u 0 100000 65536
lxc.idmap = g 0 100000 65536
lxc.rootfs.path = dir:$base/c1/rootfs
lxc.uts.name = c1
lxc.net.0.type = empty
lxc.console.path = none
lxc.mount.auto = proc:mixed
lxc.init.cmd = /bin/sleep 1000
EOF2
chown 61001:61001 $base $base/c1 $base/c1/config
chmod o+x /home/$U
write_plain_default_conf $U 100000
uxc_as $U create c1 -t local -- $base/c1/rootfs >/dev/null || { fail parity_acceptance_create "uxc create failed"; exit 0; }
cfg=/home/$U/.local/share/uxc/c1/config
printf 'lxc.init.cmd = /bin/sleep 1000\nlxc.console.path = none\n' >>$cfg
L="-P $base -n c1"

echo "# side by side: LXC $(as_user $U lxc-info --version) and $("$UXC" --version)"
same parity_acceptance_info_missing "lxc-info -P $base -n nope" "info nope"
same parity_acceptance_info_stopped "lxc-info $L" "info c1"
same parity_acceptance_info_state_bare "lxc-info $L -s -H" "info c1 -s -H"
same parity_acceptance_info_state_pid_stopped "lxc-info $L -s -p" "info c1 -s -p"
same parity_acceptance_info_config_key "lxc-info $L -c lxc.uts.name" "info c1 -c lxc.uts.name"
same parity_acceptance_info_config_key_bare "lxc-info $L -c lxc.uts.name -H" "info c1 -c lxc.uts.name -H"
same parity_acceptance_info_config_list_bare "lxc-info $L -c lxc.idmap -H" "info c1 -c lxc.idmap -H"
differs parity_acceptance_info_config_list "lxc-info $L -c lxc.idmap" "info c1 -c lxc.idmap" 0 "lxc.idmap = u 0 100000 65536
lxc.idmap = g 0 100000 65536" "a list key gets one KEY = VALUE line per entry, not one line and bare continuations"
same parity_acceptance_ls_fancy_stopped "lxc-ls -P $base -f" "ls -f"
same parity_acceptance_ls_line "lxc-ls -P $base -1" "ls -1"
same parity_acceptance_ls_running_none "lxc-ls -P $base --running" "ls --running"
same parity_acceptance_ls_regex "lxc-ls -P $base c" "ls c"
same parity_acceptance_wait_stopped "lxc-wait $L -s STOPPED -t 0" "wait c1 -s STOPPED -t 0"
run lxc lxc-wait $L -s RUNNING -t 0; lst=$st; run uxc wait c1 -s RUNNING -t 0
record "lxc-wait $L -s RUNNING -t 0" "$lst" "" "$st" "$out"
check parity_acceptance_wait_timeout_status test "$lst:$st" = 1:1
differs parity_acceptance_start_F_status "lxc-start $L -F -- /bin/sh -c 'exit 3'" "start c1 -F -- /bin/sh -c 'exit 3'" 3 "" \
  "start -F exits with the command's status (lxc-start exits 0)"
same parity_acceptance_start_d "lxc-start $L -d" "start c1 -d"
same parity_acceptance_info_running "lxc-info $L" "info c1"
same parity_acceptance_info_running_H "lxc-info $L -H" "info c1 -H"
same parity_acceptance_info_pid_bare "lxc-info $L -p -H" "info c1 -p -H"
same parity_acceptance_info_state_running "lxc-info $L -s" "info c1 -s"
same parity_acceptance_ls_fancy_running "lxc-ls -P $base -f" "ls -f"
same parity_acceptance_ls_active "lxc-ls -P $base --active" "ls --active"
same parity_acceptance_wait_running "lxc-wait $L -s RUNNING -t 5" "wait c1 -s RUNNING -t 5"
same parity_acceptance_attach_status "lxc-attach $L -- /bin/sh -c 'exit 4'" "attach c1 -- /bin/sh -c 'exit 4'"
same parity_acceptance_attach_output "lxc-attach $L -- /bin/hostname" "attach c1 -- /bin/hostname"
same parity_acceptance_attach_uid "lxc-attach $L -u 1000 -g 1000 -- /bin/id -u" "attach c1 -u 1000 -g 1000 -- /bin/id -u"
same parity_acceptance_attach_set_var "lxc-attach $L --clear-env -v A=b -- /bin/sh -c 'echo \$A'" "attach c1 --clear-env -v A=b -- /bin/sh -c 'echo \$A'"
run lxc lxc-freeze $L; lst=$st; run uxc freeze c1
record "lxc-freeze $L (no delegated cgroup)" "$lst" "" "$st" "$out"
check parity_acceptance_freeze_without_cgroup_fails_both test "$lst:$st" = 1:1
same parity_acceptance_stop_kill "lxc-stop $L -k" "stop c1 -k"
same parity_acceptance_info_after_stop "lxc-info $L" "info c1"
same parity_acceptance_wait_stopped_again "lxc-wait $L -s STOPPED -t 5" "wait c1 -s STOPPED -t 5"
run lxc lxc-destroy $L; lst=$st; run uxc destroy c1 -q
record "lxc-destroy $L" "$lst" "" "$st" "$out"
check parity_acceptance_destroy_status test "$lst:$st" = 0:0
same parity_acceptance_info_destroyed "lxc-info $L" "info c1"
same parity_acceptance_ls_empty "lxc-ls -P $base -f" "ls -f"

# ------------------------------------------------ the seed walkthrough
# The article's steps, with uxc: exit status and the shape of what the
# article shows (its labels and columns). Network from the seed's
# default.conf, DHCP from a dnsmasq on the world's bridge, as lxc-net.
have_nic || { fail parity_acceptance_nic "uxc-nic was not built"; exit 0; }
allow_usernet "uxtest1 veth lxcbr0 10"
start_dnsmasq || { fail parity_acceptance_dnsmasq "dnsmasq did not start"; exit 0; }
write_seed_default_conf $U 100000
C=example-container
step() {  # step NAME STATUS REGEX UXC-ARGS...: status and every line of REGEX (one per line, in order)
  local name=$1 want=$2 regex=$3
  shift 3
  run uxc "$@"
  echo "# uxc $* -> $st: $(tr '\n' '/' <<<"$out")"
  if [ "$st" = "$want" ] && grep -Pzq "\\A$regex\\n?\\z" <<<"$out"; then pass "$name"; else fail "$name" "exit $st: [$out]"; fi
}
step parity_walkthrough_check 0 '(?s).*uxc check: everything the default configuration needs is in place\n?' check
step parity_walkthrough_create 0 "Created container $C" create -t busybox -n $C
step parity_walkthrough_start 0 '' start -n $C -d
ip=$(wait_for_ip $U $C 20)
check parity_walkthrough_dhcp grep -Eq '^10\.0\.3\.[0-9]+$' <<<"$ip"
step parity_walkthrough_info 0 "Name: +$C\nState: +RUNNING\nPID: +[0-9]+\nIP: +$ip\nLink: +uxc[0-9a-z]+\n TX bytes: +[0-9.]+ (bytes|KiB|MiB)\n RX bytes: +[0-9.]+ (bytes|KiB|MiB)\n Total bytes: +[0-9.]+ (bytes|KiB|MiB)" info -n $C
step parity_walkthrough_ls_fancy 0 "NAME +STATE +AUTOSTART +GROUPS +IPV4 +IPV6 +UNPRIVILEGED\n$C +RUNNING +0 +- +$ip +- +true" ls -f
step parity_walkthrough_attach 0 'uid=0\(root\) gid=0\(root\)( groups=.*)?' attach -n $C -- /bin/busybox id
step parity_walkthrough_destroy_running 1 "uxc destroy: $C is running" destroy -n $C
step parity_walkthrough_stop 0 '' stop -n $C
step parity_walkthrough_ls_stopped 0 "NAME +STATE +AUTOSTART +GROUPS +IPV4 +IPV6 +UNPRIVILEGED\n$C +STOPPED +0 +- +- +- +true" ls -f
step parity_walkthrough_info_stopped 0 "Name: +$C\nState: +STOPPED" info -n $C
echo 'lxc.start.auto = 1' >>/home/$U/.local/share/uxc/$C/config
step parity_walkthrough_autostart 0 '' autostart
step parity_walkthrough_ls_autostart 0 "NAME +STATE +AUTOSTART +GROUPS +IPV4 +IPV6 +UNPRIVILEGED\n$C +RUNNING +1 +- +(10\.0\.3\.[0-9]+|-) +- +true" ls -f
uxc_as $U stop -n $C -k
mkdir -p /home/$U/mnt-source && echo from-the-host >/home/$U/mnt-source/marker && chown -R $U /home/$U/mnt-source
echo "lxc.mount.entry = /home/$U/mnt-source mnt none bind 0 0" >>/home/$U/.local/share/uxc/$C/config
step parity_walkthrough_bind_mount 0 'from-the-host' start -n $C -F -- /bin/cat /mnt/marker
step parity_walkthrough_destroy 0 "Destroyed container $C" destroy -n $C
step parity_walkthrough_info_destroyed 1 "uxc info: $C doesn't exist" info -n $C
step parity_walkthrough_ls_empty 0 '' ls -f

# ------------------------------------------------ and the commands above
uxc_as $U create web -t busybox -q
step parity_commands_help_keys 0 '(?s)lxc.include = FILE\n.*uxc.container.conf\(5\) describes each key at length\.' help keys
step parity_commands_config_lxcpath 0 "/home/$U/.local/share/uxc" config lxc.lxcpath
step parity_commands_execute 0 'inside' execute web -- /bin/echo inside
step parity_commands_wait_stopped 0 '' wait web -s STOPPED -t 0
step parity_commands_ls_F 0 'NAME STATE   PID\nweb  STOPPED -' ls -F NAME,STATE,PID
step parity_commands_usage_exit_2 2 "uxc info: a container NAME is required: uxc info NAME, or -n NAME \(try 'uxc info --help'\)" info
