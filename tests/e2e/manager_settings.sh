#!/usr/bin/env bash
# uxc's own settings files (uxc.conf(5)): the user's defaults reach the
# commands that use them, a mistake in either file is one message naming
# the file and line, and uxc check reports both files.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
[ -x "$UXC" ] || { fail manager_settings_built "$UXC was not built"; exit 0; }
have_idmap || { fail manager_settings_idmap "uxc-idmap was not built"; exit 0; }
write_plain_default_conf $U 100000
settings=/home/$U/.config/uxc/uxc.conf
put_settings() { as_user $U sh -c "cat > $settings"; }

# ------------------------------------------------ defaults from the file
out=$(uxc_as $U create -n c1 2>&1); status=$?
check manager_settings_no_template_needs_t test "$status:$out" = "2:uxc create: -t TEMPLATE is required: use -t busybox, -t download -- -d DIST -r RELEASE, -t local -- PATH or -t oci -- PATH[:TAG] (try 'uxc create --help')"
put_settings <<'EOF2'
# my defaults
[create]
template = busybox

[log]
level = info
EOF2
check manager_settings_default_template uxc_as $U create -n c1
check manager_settings_default_template_used grep -q "created by 'uxc create -t busybox'" /home/$U/.local/share/uxc/c1/config
# [log] level = info: a start logs INFO lines without -l.
check manager_settings_log_level_start uxc_as $U start -n c1 -F -o /home/$U/start.log -- /bin/true
check manager_settings_log_level_used grep -q ' INFO ' /home/$U/start.log
# -l wins over the file.
as_user $U rm /home/$U/start.log
check manager_settings_log_flag_start uxc_as $U start -n c1 -F -l ERROR -o /home/$U/start.log -- /bin/true
check manager_settings_log_flag_wins sh -c "! grep -q ' INFO ' /home/$U/start.log"

# ------------------------------------------------- mistakes, file:line
expect_refusal() {  # NAME EXPECTED-STDERR CMD...
  local name=$1 want=$2 out status
  shift 2
  out=$("$@" 2>&1 >/dev/null); status=$?
  [ "$status:$out" = "1:$want" ] && pass "$name" || fail "$name" "exit $status: $out"
}
printf '[create]\ntemplate = busybox\n[colour]\nred = 1\n' | put_settings
expect_refusal manager_settings_unknown_section_create \
  "uxc create: $settings:3: unknown section [colour] (uxc.conf(5) lists the settings)" uxc_as $U create -n c2
expect_refusal manager_settings_unknown_section_start \
  "uxc start: $settings:3: unknown section [colour] (uxc.conf(5) lists the settings)" uxc_as $U start -n c1 -F -- /bin/true
expect_refusal manager_settings_unknown_section_console \
  "uxc console: $settings:3: unknown section [colour] (uxc.conf(5) lists the settings)" uxc_as $U console -n c1
printf '[log]\nlevel = loud\n' | put_settings
expect_refusal manager_settings_bad_value \
  "uxc start: $settings:2: [log] level: 'loud' is not one of TRACE DEBUG INFO NOTICE WARN ERROR CRIT ALERT FATAL (uxc.conf(5) lists the settings)" \
  uxc_as $U start -n c1 -F -- /bin/true
printf '[create]\ntemplate = busybox\ntemplate = local\n' | put_settings
expect_refusal manager_settings_key_twice \
  "uxc create: $settings:3: [create] template is set twice (first on line 2) (uxc.conf(5) lists the settings)" uxc_as $U create -n c2
check manager_settings_nothing_created test ! -e /home/$U/.local/share/uxc/c2

# ------------------------------------------------------------ uxc check
check_out() { uxc_as $U check 2>&1; }
printf '[console]\nescape = 7\n' | put_settings
out=$(check_out)
check manager_settings_check_user_error grep -qxF "FAIL  your settings: $settings:2: [console] escape: '7' is not a letter: use a (or ^a) for Ctrl+a" <<<"$out"
as_user $U rm $settings
out=$(check_out)
check manager_settings_check_no_files grep -qxF "ok    your settings: $settings does not exist (defaults)" <<<"$out"
check manager_settings_check_no_host_file grep -qxF "ok    host settings: /etc/uxc/uxc.conf does not exist (defaults)" <<<"$out"
mkdir -p /etc/uxc
printf '# negative group permissions here\n[idmap]\nsetgroups = deny\n' >/etc/uxc/uxc.conf
chmod 0644 /etc/uxc/uxc.conf
check manager_settings_check_host_deny grep -qxF "ok    host settings: /etc/uxc/uxc.conf (setgroups deny)" <<<"$(check_out)"
printf '[idmap]\nsetgroups = maybe\n' >/etc/uxc/uxc.conf
check manager_settings_check_host_error grep -qxF "FAIL  host settings: /etc/uxc/uxc.conf:2: [idmap] setgroups: 'maybe' is neither auto nor deny" <<<"$(check_out)"
printf '[idmap]\nsetgroups = auto\n' >/etc/uxc/uxc.conf
chown $U /etc/uxc/uxc.conf
check manager_settings_check_host_not_roots grep -qF "FAIL  host settings: /etc/uxc/uxc.conf is not a regular file that only root can write (owner 61001, mode 0644)" <<<"$(check_out)"
chown root /etc/uxc/uxc.conf
chmod 0666 /etc/uxc/uxc.conf
check manager_settings_check_host_writable grep -qF "FAIL  host settings: /etc/uxc/uxc.conf is not a regular file that only root can write (owner 0, mode 0666)" <<<"$(check_out)"
rm /etc/uxc/uxc.conf

uxc_as $U destroy -n c1 >/dev/null
