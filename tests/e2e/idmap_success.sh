#!/usr/bin/env bash
# uxc-idmap maps what it should: full maps read back exactly, setgroups
# both ways, the shadow front ends, and /etc/subuid edge cases.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/idmap_common.bash"
set -u

FULL_UID="0 100000 65536|65536 $U1 1"

# ---------------------------------------------------------------- success
probe uxtest1 "$(request "uid 0 100000 65536" "uid 65536 $U1 1" "gid 0 100000 65536" "gid 65536 $U1 1")"
expect_map idmap_full_map_with_own_ids "$FULL_UID" "$FULL_UID" deny
[ "$(got answer)" = ok ] && pass idmap_full_map_answers_ok || fail idmap_full_map_answers_ok "$OUT"

probe uxtest1 "$(request "uid 0 100000 65536" "gid 0 100000 65536")"
expect_map idmap_subordinate_only_keeps_setgroups "0 100000 65536" "0 100000 65536" allow

probe uxtest1 "$(request "uid 0 $U1 1" "gid 0 $U1 1")"
expect_map idmap_self_only_denies_setgroups "0 $U1 1" "0 $U1 1" deny

probe uxtest1 "$(request "gid 0 100000 65536" "setgroups deny")"
expect_map idmap_setgroups_deny_on_request "" "0 100000 65536" deny

probe uxtest1 "$(request "uid 0 100000 1000")"
expect_map idmap_uid_map_only "0 100000 1000" "" allow

probe uxtest1 "$(request "uid 0 165535 1" "uid 1 100000 1")"
expect_map idmap_edges_of_the_range "0 165535 1|1 100000 1" "" allow

probe uxtest2 "$(request "uid 0 200000 65536" "gid 0 200000 65536")"
expect_map idmap_second_user_own_range "0 200000 65536" "0 200000 65536" allow

probe uxtest3 "$(request "uid 0 61003 1" "gid 0 61003 1")"
expect_map idmap_user_without_subids_maps_self "0 61003 1" "0 61003 1" deny

many=() want=
for i in $(seq 0 99); do
  many+=("uid $((i * 10)) $((100000 + i * 100)) 10")
  want+="${want:+|}$((i * 10)) $((100000 + i * 100)) 10"
done
probe uxtest1 "$(request "${many[@]}")"
expect_map idmap_100_extents_read_back "$want" "" allow

# ------------------------------------------------------- shadow front ends
probe_cmd uxtest1 -- "$WORLD_COMPAT/newuidmap" "{pid}" 0 100000 65536 65536 "$U1" 1
expect_map idmap_newuidmap_pid "$FULL_UID" "" allow

probe_cmd uxtest1 -- "$WORLD_COMPAT/newgidmap" "{pid}" 0 100000 65536
expect_map idmap_newgidmap_subgid_keeps_setgroups "" "0 100000 65536" allow

probe_cmd uxtest1 -- "$WORLD_COMPAT/newgidmap" "{pid}" 0 "$U1" 1
expect_map idmap_newgidmap_own_gid_denies_setgroups "" "0 $U1 1" deny

probe_cmd uxtest1 -- "$WORLD_COMPAT/newuidmap" fd:3 0 100000 65536
expect_map idmap_newuidmap_fd3 "0 100000 65536" "" allow

probe_cmd uxtest1 --argv0 /some/where/newgidmap -- "$HELPER" "{pid}" 0 100000 10
expect_map idmap_front_end_chosen_by_argv0 "" "0 100000 10" allow

# ---------------------------------------------------- /etc/subuid edge cases
# Each case rewrites the world's grant files, then restores them.
grants() {  # grants SUBUID_TEXT [SUBGID_TEXT]
  rm -f /etc/subuid /etc/subgid
  printf '%b' "$1" >/etc/subuid
  printf '%b' "${2:-$1}" >/etc/subgid
  chmod 0644 /etc/subuid /etc/subgid
}
restore_grants() { grants 'uxtest1:100000:65536\nuxtest2:200000:65536\n'; }

rm -f /etc/subuid /etc/subgid
probe uxtest1 "$(request "uid 0 100000 1")"
expect_refused idmap_missing_subuid_grants_nothing denied
probe uxtest1 "$(request "uid 0 $U1 1" "gid 0 $U1 1")"
expect_map idmap_missing_subuid_still_maps_self "0 $U1 1" "0 $U1 1" deny

grants 'uxtest1:100000:0\n'
probe uxtest1 "$(request "uid 0 100000 1")"
expect_refused idmap_count_0_line_grants_nothing denied
probe uxtest1 "$(request "uid 0 0 1")"
expect_refused idmap_count_0_line_does_not_match_root denied

grants "$U1:300000:65536\n"
probe uxtest1 "$(request "uid 0 300000 65536" "gid 0 300000 65536")"
expect_map idmap_numeric_owner "0 300000 65536" "0 300000 65536" allow

grants 'uxtest1:100000:10\nuxtest2:200000:10\nuxtest1:500000:10\nuxtest1:500010:10\n'
probe uxtest1 "$(request "uid 0 100000 10" "uid 10 500000 20")"
expect_map idmap_owner_with_several_lines "0 100000 10|10 500000 20" "" allow

grants 'uxtest1:100000:65536\nuxtest2:x:1\n'
probe uxtest1 "$(request "uid 0 100000 65536")"
expect_refused idmap_malformed_line_beside_valid_refuses denied
case $(got answer) in *"subuid: line 2:"*) pass idmap_malformed_line_is_named ;;
  *) fail idmap_malformed_line_is_named "$OUT" ;; esac

grants 'uxtest1:100000:65536\r\n'
probe uxtest1 "$(request "uid 0 100000 1")"
expect_refused idmap_crlf_subuid_refuses denied

grants 'uxtest10:100000:65536\nUXTEST1:100000:65536\n'
probe uxtest1 "$(request "uid 0 100000 1")"
expect_refused idmap_lookalike_owner_grants_nothing denied

restore_grants
chmod 0666 /etc/subuid
probe uxtest1 "$(request "uid 0 100000 1")"
expect_refused idmap_world_writable_subuid_refuses system

restore_grants
chown uxtest1 /etc/subgid
probe uxtest1 "$(request "gid 0 100000 1")"
expect_refused idmap_user_owned_subgid_refuses system

restore_grants
grants 'uxtest1:100000:65536\n' 'uxtest1:100000:65536\nbroken\n'
probe uxtest1 "$(request "uid 0 100000 65536")"
expect_map idmap_broken_subgid_does_not_block_uid_map "0 100000 65536" "" allow
restore_grants
