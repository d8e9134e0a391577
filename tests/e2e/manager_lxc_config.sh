#!/usr/bin/env bash
# Configs as LXC writes them run under uxc: lxc.include of LXC's shared
# configs (uxc's built-in equivalents, with no LXC file read) and of the
# user's own files, quoted values, lxc.arch, LXC's keys that uxc stores;
# and every mistake in them is one message naming the file and line that
# holds it, in the key spelling that line uses.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail manager_lxc_config_built "$UXC was not built"; exit 0; }
have_idmap || { fail manager_lxc_config_idmap "uxc-idmap was not built"; exit 0; }
conf=/home/$U/.config/uxc
data=/home/$U/.local/share/uxc
as_user $U mkdir -p $conf

# LXC's own shared configs must not be what uxc reads: hide them in this
# world, so the test proves the built-in equivalents.
if [ -d /usr/share/lxc/config ]; then
  mount -t tmpfs -o mode=755 tmpfs /usr/share/lxc/config
fi

# An LXC download container's config, as lxc-create writes it (the
# template's lines, then the default.conf ones), with an include of a file
# of the user's own.
as_user $U sh -c "cat > $conf/extra.conf" <<'EOF'
# shared by my containers
lxc.environment = "GREETING=hello from an include"
EOF
as_user $U sh -c "cat > $conf/default.conf" <<EOF
# Template used to create this container: /usr/share/lxc/templates/lxc-download
# Distribution configuration
lxc.include = /usr/share/lxc/config/common.conf
lxc.include = LXC_TEMPLATE_CONFIG/userns.conf
lxc.arch = linux64

# Container specific configuration
lxc.apparmor.profile = generated
lxc.signal.halt = "SIGUSR1"
lxc.signal.reboot = SIGTERM
lxc.autodev = 1
lxc.console.buffer.size = auto
lxc.console.logfile = /home/$U/console.log
lxc.idmap = u 0 100000 65536
lxc.idmap = g 0 100000 65536
lxc.include = $conf/extra.conf
EOF
check manager_lxc_config_create uxc_as $U create -n lx -t busybox
out=$(uxc_as $U start -n lx -F -- /bin/sh -c 'echo "$GREETING"; ls /dev/tty4 && ! ls /dev/tty5 2>/dev/null; uname -m' 2>&1)
check manager_lxc_config_runs test "$out" = "hello from an include
/dev/tty4
x86_64"

# lxc.arch = linux32 gives the 32-bit personality, as under LXC.
as_user $U sh -c "echo 'lxc.arch = linux32' >> $data/lx/config"
out=$(uxc_as $U start -n lx -F -- /bin/uname -m 2>&1)
check manager_lxc_config_arch_linux32 test "$out" = i686
sed -i '$d' $data/lx/config

# Mistakes: one message, the file and line that hold them, the key as
# the line spells it.
cfg=$data/lx/config
cp $cfg /tmp/lx.config
expect_bad() {  # expect_bad NAME LINE-TO-APPEND EXPECTED-MESSAGE-LINE
  local name=$1 line=$2 want=$3 out status
  cp /tmp/lx.config $cfg
  as_user $U sh -c "printf '%s\n' '$line' >> $cfg"
  out=$(uxc_as $U start -n lx -F -- /bin/true 2>&1); status=$?
  if [ "$status:$out" = "1:uxc start: bad configuration, fix these lines:
  $want" ]; then
    pass "$name"
  else
    fail "$name" "exit $status: $out"
  fi
}
n=$(($(wc -l </tmp/lx.config) + 1))
expect_bad manager_lxc_config_missing_include "lxc.include = /home/$U/nope.conf" \
  "$cfg:$n: lxc.include: cannot read /home/$U/nope.conf: No such file or directory"
expect_bad manager_lxc_config_lxc_nesting_conf "lxc.include = /usr/share/lxc/config/nesting.conf" \
  "$cfg:$n: lxc.include: '/usr/share/lxc/config/nesting.conf' is one of LXC's shared configs, which uxc does not read; uxc has equivalents of common.conf and userns.conf only: remove the line"
expect_bad manager_lxc_config_include_directory "lxc.include = $conf" \
  "$cfg:$n: lxc.include: cannot read $conf: a directory: include its files one by one"
as_user $U sh -c "printf 'lxc.uts.name = fine\nlxc.utsname = -bad\n' > $conf/bad.conf"
expect_bad manager_lxc_config_error_in_included_file "lxc.include = $conf/bad.conf" \
  "$conf/bad.conf:2: lxc.utsname: '-bad' is not a valid host name"
expect_bad manager_lxc_config_legacy_key_spelling "lxc.id_map = u 0 100000" \
  "$cfg:$n: lxc.id_map: 'u 0 100000': expected \"u|g|b INSIDE OUTSIDE COUNT\", like 'u 0 100000 65536'"
expect_bad manager_lxc_config_named_apparmor_profile "lxc.apparmor.profile = lxc-container-default-cgns" \
  "$cfg:$n: lxc.apparmor.profile: uxc cannot confine a container with the AppArmor profile 'lxc-container-default-cgns' (an unprivileged user can neither load nor enter one): use 'unconfined' or 'generated', or remove the line"
expect_bad manager_lxc_config_unterminated_quote 'lxc.uts.name = "web' \
  "$cfg:$n: lxc.uts.name: the value starts with \" but does not end with it"
cp /tmp/lx.config $cfg

# A FIFO named by lxc.include must not hang the manager.
as_user $U mkfifo $conf/fifo.conf
as_user $U sh -c "echo 'lxc.include = $conf/fifo.conf' >> $cfg"
out=$(as_user $U env UXC_HELPER_DIR="$WORLD_BIN" timeout 10 "$UXC" start -n lx -F -- /bin/true 2>&1); status=$?
check manager_lxc_config_fifo_include test "$status:$out" = "1:uxc start: bad configuration, fix these lines:
  $cfg:$n: lxc.include: cannot read $conf/fifo.conf: not a regular file"
cp /tmp/lx.config $cfg

uxc_as $U destroy -n lx >/dev/null
