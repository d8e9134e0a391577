#!/usr/bin/env bash
# The administrator's switch, SYSCONFDIR/uxc/uxc.conf "[idmap] setgroups =
# deny": uxc-idmap then writes "deny" to setgroups before every gid map,
# even one made only of subordinate gids (which by default leaves it
# "allow", as shadow's newgidmap does, so a process in the namespace can
# drop the caller's supplementary groups and pass a permission that
# denies one of them). The file is read like the grant files: opened as
# root, refused unless root-owned and writable by root only, and one that
# does not parse refuses every request (fail closed).
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/idmap_common.bash"
set -u

CONF=/etc/uxc/uxc.conf
mkdir -p /etc/uxc
settings() { printf '%s\n' "$@" >"$CONF"; chown root:root "$CONF"; chmod 0644 "$CONF"; }

# Without the file, and with the default: subordinate gids keep "allow".
rm -f "$CONF"
probe uxtest1 "$(request "uid 0 100000 65536" "gid 0 100000 65536")"
expect_map idmap_switch_absent_keeps_setgroups "0 100000 65536" "0 100000 65536" allow
settings "[idmap]" "setgroups = auto"
probe uxtest1 "$(request "uid 0 100000 65536" "gid 0 100000 65536")"
expect_map idmap_switch_auto_keeps_setgroups "0 100000 65536" "0 100000 65536" allow

# With the switch: "deny" on every map that has a gid part.
settings "[idmap]" "setgroups = deny"
probe uxtest1 "$(request "uid 0 100000 65536" "gid 0 100000 65536")"
expect_map idmap_switch_deny_subordinate_only "0 100000 65536" "0 100000 65536" deny
probe uxtest2 "$(request "gid 0 200000 65536")"
expect_map idmap_switch_deny_gid_map_alone "" "0 200000 65536" deny
probe_cmd uxtest1 -- "$WORLD_COMPAT/newgidmap" "{pid}" 0 100000 65536
expect_map idmap_switch_deny_newgidmap "" "0 100000 65536" deny
probe uxtest1 "$(request "uid 0 100000 65536")"
expect_map idmap_switch_deny_uid_map_only_untouched "0 100000 65536" "" allow
# The other section changes nothing.
settings "[images]" "server = mirror.example"
probe uxtest1 "$(request "uid 0 100000 65536" "gid 0 100000 65536")"
expect_map idmap_switch_other_section_keeps_setgroups "0 100000 65536" "0 100000 65536" allow

# Fail closed: a file that does not parse, or that someone but root can
# change, refuses every request and writes nothing.
settings "[idmap]" "setgroups = maybe"
probe uxtest1 "$(request "uid 0 100000 65536" "gid 0 100000 65536")"
expect_refused idmap_switch_malformed_refuses denied
settings "[idmap]" "setgroups = deny"
chown uxtest1 "$CONF"
probe uxtest1 "$(request "uid 0 100000 65536" "gid 0 100000 65536")"
expect_refused idmap_switch_not_root_owned_refuses system
settings "[idmap]" "setgroups = deny"
chmod 0664 "$CONF"
probe uxtest1 "$(request "uid 0 100000 65536" "gid 0 100000 65536")"
expect_refused idmap_switch_group_writable_refuses system
rm -f "$CONF"
exit 0
