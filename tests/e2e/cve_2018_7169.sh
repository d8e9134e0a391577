#!/usr/bin/env bash
# CVE-2018-7169: shadow's newgidmap wrote a gid map that held only the
# caller's own gid but left /proc/PID/setgroups at "allow", so a process in
# the new namespace could setgroups(2) away a supplementary group and read
# files that deny that group ("mode 0604, group uxnet": everyone but uxnet).
# uxc-idmap must set setgroups to "deny" before any gid map it allows only
# because it is the caller's own gid, in every front end.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/idmap_common.bash"
source "$(dirname "$0")/cve_common.bash"
set -u

# The kernel's record after each own-gid map: setgroups must be "deny".
probe uxtest1 "$(request "gid 0 $U1 1")"
expect_map cve_2018_7169_own_gid_pipe "" "0 $U1 1" deny
probe uxtest1 "$(request "uid 0 $U1 1" "gid 0 $U1 1")"
expect_map cve_2018_7169_own_uid_and_gid_pipe "0 $U1 1" "0 $U1 1" deny
probe_cmd uxtest1 --argv0 newgidmap -- "$HELPER" "{pid}" 0 "$U1" 1
expect_map cve_2018_7169_own_gid_newgidmap "" "0 $U1 1" deny
probe_cmd uxtest1 --argv0 newgidmap -- "$HELPER" fd:3 0 "$U1" 1
expect_map cve_2018_7169_own_gid_newgidmap_fd "" "0 $U1 1" deny
# Mixed with subordinate gids: the own-gid extent still forces deny.
probe uxtest1 "$(request "gid 0 100000 65536" "gid 65536 $U1 1")"
expect_map cve_2018_7169_own_gid_among_subgids "" "0 100000 65536|65536 $U1 1" deny
# A user with no subordinate ids at all.
probe uxtest3 "$(request "gid 0 61003 1")"
expect_map cve_2018_7169_user_without_subgids "" "0 61003 1" deny
# The rule is exact: subordinate gids alone leave setgroups allowed (as
# the kernel and shadow allow), so the "deny" above is about the own gid.
probe uxtest1 "$(request "gid 0 100000 65536")"
expect_map cve_2018_7169_control_subgids_only_allow "" "0 100000 65536" allow

# The attack itself, end to end, through util-linux unshare using our
# newuidmap/newgidmap: drop the uxnet group inside the namespace and read
# a file that denies uxnet.
secret=/tmp/cve-2018-7169-secret
echo "group-denied content" >"$secret"
chown root:uxnet "$secret"
chmod 0604 "$secret"
attack='cat /proc/self/setgroups; setpriv --clear-groups cat "$0" 2>/dev/null; echo "read=$?"; cat "$0" 2>/dev/null; echo "plain=$?"'
out=$(as_user uxtest1 env PATH="$WORLD_COMPAT:$UXC_USER_PATH" unshare \
  --map-users="$U1,0,1" --map-groups="$U1,0,1" sh -c "$attack" "$secret" 2>&1)
if [[ $out == *"group-denied content"* ]]; then
  fail cve_2018_7169_drop_group_and_read "the secret was read: $out"
elif [ "$(head -n1 <<<"$out")" != deny ] || [[ $out != *"read=1"* && $out != *"read=12"* && $out != *"read=127"* ]] ||
     [[ $out != *"plain=1"* ]]; then
  fail cve_2018_7169_drop_group_and_read "unexpected: $out"
else
  pass cve_2018_7169_drop_group_and_read
fi
rm -f "$secret"
