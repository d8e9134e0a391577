#!/usr/bin/env bash
# uxc-idmap refuses what it must. Every case tries the attack as a test
# user and asserts both the refusal and that nothing was written.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/idmap_common.bash"
set -u

GOOD=$(request "uid 0 100000 65536" "gid 0 100000 65536")

# ------------------------------------------------------------------ targets
# park USER: start a process of USER in a new, unmapped user namespace
# and set PARKED to its pid once the namespace exists.
PARKED=
park() {
  local i
  # Not through as_user: a backgrounded shell function would make $! the
  # pid of a subshell, and setpriv execs straight into unshare and sleep.
  setpriv --reuid="$(id -u "$1")" --regid="$(id -g "$1")" --init-groups --inh-caps=-all \
    unshare --user sleep 120 >/dev/null 2>&1 &
  PARKED=$!
  for i in $(seq 100); do
    [ "$(readlink "/proc/$PARKED/ns/user" 2>/dev/null)" != "$(readlink /proc/1/ns/user)" ] &&
      [ "$(tr '\0' ' ' <"/proc/$PARKED/cmdline" 2>/dev/null)" = "sleep 120 " ] && return
    sleep 0.05
  done
  echo "park: no parked process for $1" >&2
}
# victim_untouched NAME PID: the other process's maps are still empty.
victim_untouched() {
  if [ -z "$(cat "/proc/$2/uid_map" "/proc/$2/gid_map")" ] && [ "$(cat "/proc/$2/setgroups")" = allow ]; then
    pass "$1"
  else
    fail "$1" "victim $2 was mapped: $(cat "/proc/$2/uid_map" "/proc/$2/gid_map" "/proc/$2/setgroups")"
  fi
}

park uxtest2
other=$PARKED
probe uxtest1 "$GOOD" --target-path "/proc/$other"
expect_refused idmap_target_other_users_namespace target
victim_untouched idmap_target_other_users_namespace_untouched "$other"
probe uxtest1 "$(request "uid 0 $U1 1")" --target-path "/proc/$other"
expect_refused idmap_target_other_user_even_for_own_uid target
victim_untouched idmap_target_other_user_own_uid_untouched "$other"

park root
rootns=$PARKED
probe uxtest1 "$GOOD" --target-path "/proc/$rootns"
expect_refused idmap_target_roots_namespace target
victim_untouched idmap_target_roots_namespace_untouched "$rootns"

probe uxtest1 "$GOOD" --target-path /proc/1
expect_refused idmap_target_root_process target

setpriv --reuid=61002 --regid=61002 --init-groups --inh-caps=-all sleep 120 &
plain=$!
sleep 0.1
probe uxtest1 "$GOOD" --target-path "/proc/$plain"
expect_refused idmap_target_other_users_plain_process target

probe uxtest1 "$GOOD" --premap
expect_refused idmap_target_already_mapped target "0 $U1 1"

probe uxtest1 "$GOOD" --no-userns
expect_refused idmap_target_in_callers_own_namespace target "0 0 4294967295" "0 0 4294967295"

probe uxtest1 "$GOOD" --exited
gone="<No such process>"
expect_refused idmap_target_exited target "$gone" "$gone" "$gone"

probe uxtest1 "$GOOD" --target-path /home/uxtest1
expect_refused idmap_target_dir_not_procfs target

probe uxtest1 "$GOOD" --target-sub status
expect_refused idmap_target_not_a_directory target

probe uxtest1 "$GOOD" --target-sub ns/user
expect_refused idmap_target_namespace_fd_not_proc_dir target

probe uxtest1 "$GOOD" --target-sub task
expect_refused idmap_target_proc_subdirectory target

probe uxtest1 "$GOOD" --close 3
expect_refused idmap_target_fd_3_closed target

# The refusal text is the same whatever was wrong with the target.
msgs=$(for opt in "--target-path /proc/$other" "--target-path /proc/1" "--no-userns" "--exited" \
                  "--target-path /home/uxtest1" "--target-sub status" "--close 3"; do
  # shellcheck disable=SC2086
  probe uxtest1 "$GOOD" $opt; got answer
done | sort -u)
[ "$(wc -l <<<"$msgs")" = 1 ] && pass idmap_target_refusals_are_uniform ||
  fail idmap_target_refusals_are_uniform "$msgs"

# ------------------------------------------------------------------- ranges
probe uxtest1 "$(request "uid 0 200000 65536")"
expect_refused idmap_range_of_another_user denied
probe uxtest1 "$(request "uid 0 100000 65537")"
expect_refused idmap_range_partially_outside denied
probe uxtest1 "$(request "uid 0 99999 2")"
expect_refused idmap_range_starting_below denied
probe uxtest1 "$(request "uid 0 100000 65536" "gid 0 200000 1")"
expect_refused idmap_good_uid_bad_gid_writes_neither denied
probe uxtest1 "$(request "uid 0 $U1 2")"
expect_refused idmap_own_uid_count_2 denied
probe uxtest1 "$(request "uid 0 61002 1")"
expect_refused idmap_other_users_uid denied
probe uxtest1 "$(request "uid 0 0 1")"
expect_refused idmap_host_root_uid denied
probe uxtest1 "$(request "gid 0 0 1")"
expect_refused idmap_host_root_gid denied
probe uxtest3 "$(request "uid 0 100000 1")"
expect_refused idmap_user_without_subids_range denied
probe uxtest1 "$(request "uid 0 100000 10" "uid 5 100100 10")"
expect_refused idmap_inside_overlap request
probe uxtest1 "$(request "uid 0 100000 10" "uid 100 100005 10")"
expect_refused idmap_outside_overlap request
probe uxtest1 "$(request "uid 0 100000 0")"
expect_refused idmap_count_0 request
probe uxtest1 "$(request "uid 4294967295 100000 1")"
expect_refused idmap_inside_wraps request
probe uxtest1 "$(request "uid 4294967000 100000 1000")"
expect_refused idmap_inside_wraps_by_count request
probe uxtest1 "$(request "uid 0 4294967295 1")"
expect_refused idmap_outside_wraps request
probe uxtest1 "$(request "uid 0 100000 99999999999")"
expect_refused idmap_huge_count request
probe uxtest1 "$(request "uid 0 18446744073709651616 1")"
expect_refused idmap_64_bit_overflow request
lines=()
for i in $(seq 0 340); do lines+=("uid $i $((100000 + i)) 1"); done
probe uxtest1 "$(request "${lines[@]}")"
expect_refused idmap_341_lines request
for trick in "uid 0 0x186a0 1" "uid 0 0303240 1" "uid +0 100000 1" "uid 0 -1 1" "uid 0 100000 1e3" \
             "uid 0 100000 ０" "uid 0 1_00000 1"; do
  probe uxtest1 "$(request "$trick")"
  expect_refused "idmap_number_trick_$(tr -c 'a-z0-9' _ <<<"${trick#uid }")" request
done

# ------------------------------------------------------------ request bytes
raw=/tmp/idmap-raw
: >"$raw"
probe_raw uxtest1 "$raw"
expect_refused idmap_empty_request request
request >"$raw"
probe_raw uxtest1 "$raw"
expect_refused idmap_request_without_maps request
printf 'uxc-idmap 1\nuid 0 100000 65536\n' >"$raw"
probe_raw uxtest1 "$raw"
expect_refused idmap_truncated_request request
printf 'uxc-idmap 1\nuid 0 100000 65536\nend' >"$raw"
probe_raw uxtest1 "$raw"
expect_refused idmap_request_cut_before_newline request
printf 'uxc-idmap 1\nuid 0 100000 65536\nend\ngid 0 100000 65536\nend\n' >"$raw"
probe_raw uxtest1 "$raw"
expect_refused idmap_data_after_end request
{ printf 'uxc-idmap 1\n'; for i in $(seq 2000); do printf 'uid 0 100000 1\n'; done; printf 'end\n'; } >"$raw"
probe_raw uxtest1 "$raw"
expect_refused idmap_request_over_size_cap request
head -c 4096 /dev/urandom >"$raw"
probe_raw uxtest1 "$raw"
expect_refused idmap_garbage_bytes request
{ printf 'uxc-idmap 1\nuid 0 100000 65536'; head -c 64 /dev/zero; printf '\nend\n'; } >"$raw"
probe_raw uxtest1 "$raw"
expect_refused idmap_nul_bytes request
printf 'uxc-idmap 1\r\nuid 0 100000 65536\r\nend\r\n' >"$raw"
probe_raw uxtest1 "$raw"
expect_refused idmap_crlf_request request
probe uxtest1 "$(request "uid 0 100000 65536" "chown 0 0")"
expect_refused idmap_unknown_key request
probe uxtest1 "$(request "gid 0 100000 1" "setgroups deny" "setgroups deny")"
expect_refused idmap_repeated_key request
probe uxtest1 "$(request "gid 0 100000 1" "setgroups allow")"
expect_refused idmap_setgroups_allow_is_not_a_request request
probe uxtest1 "$(printf 'uxc-idmap 2\nuid 0 100000 1\nend')"
expect_refused idmap_future_protocol_version request
probe uxtest1 "$(printf 'uxc-nic 1\nuid 0 100000 1\nend')"
expect_refused idmap_other_helpers_request request

# ------------------------------------------------- shadow front-end refusals
probe_cmd uxtest1 -- "$WORLD_COMPAT/newuidmap" "{pid}" 0 200000 1
expect_refused idmap_newuidmap_range_not_granted -
probe_cmd uxtest1 -- "$WORLD_COMPAT/newuidmap" "{pid}" 0 100000
expect_refused idmap_newuidmap_usage -
probe_cmd uxtest1 -- "$WORLD_COMPAT/newuidmap" 1 0 100000 1
expect_refused idmap_newuidmap_root_pid -
probe_cmd uxtest1 -- "$WORLD_COMPAT/newuidmap" "$other" 0 100000 1
expect_refused idmap_newuidmap_other_users_pid -
victim_untouched idmap_newuidmap_other_users_pid_untouched "$other"
probe_cmd uxtest1 -- "$WORLD_COMPAT/newuidmap" 4194305 0 100000 1
expect_refused idmap_newuidmap_no_such_pid -
probe_cmd uxtest1 -- "$WORLD_COMPAT/newuidmap" fd:0 0 100000 1
expect_refused idmap_newuidmap_fd_0 -
probe_cmd uxtest1 -- "$WORLD_COMPAT/newgidmap" "{pid}" 0 "$U1" 1 1 200000 1
expect_refused idmap_newgidmap_second_range_denied -

kill "$other" "$rootns" "$plain" 2>/dev/null
wait 2>/dev/null
true
