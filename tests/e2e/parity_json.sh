#!/usr/bin/env bash
# --format json of ls, info and check, validated against docs/json.md's
# schema (json_check.py) and parsed by Python's json module; strings a
# user chose (a data directory's path with a quote, a newline, an escape
# character, non-ASCII and invalid UTF-8) come out escaped and decode
# back to the same bytes.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
set -u
source "$(dirname "$0")/manager_setup.bash"

U=uxtest1
CHECK=$(dirname "$0")/json_check.py
[ -x "$UXC" ] || { fail parity_json_built "$UXC was not built"; exit 0; }
have_idmap || { skip parity_json "uxc-idmap was not built"; exit 0; }
command -v python3 >/dev/null || { fail parity_json_python "python3 is needed (make deps)"; exit 0; }
write_plain_default_conf $U 100000
uxc_as $U create web -t busybox >/dev/null
uxc_as $U create db -t busybox >/dev/null
printf 'lxc.group = prod\nlxc.start.auto = 1\n' >>/home/$U/.local/share/uxc/web/config

valid() {  # valid KIND JSON
  python3 "$CHECK" "$1" <<<"$2" && python3 -m json.tool <<<"$2" >/dev/null
}
check parity_json_ls_empty_filter valid ls "$(uxc_as $U ls --format json nomatch)"
check parity_json_ls_stopped valid ls "$(uxc_as $U ls --format json)"
check parity_json_info_stopped valid info "$(uxc_as $U info web --format json)"
check parity_json_info_stopped_nulls python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert o["pid"] is None and o["state"]=="STOPPED" and o["links"]==[] and set(o["stats"].values())=={None}' \
  "$(uxc_as $U info web --format json)"
check parity_json_start uxc_as $U start web -d
json=$(uxc_as $U ls --format json)
check parity_json_ls_running valid ls "$json"
pid=$(uxc_as $U info web -p -H)
check parity_json_ls_fields python3 -c 'import json,sys; l=json.loads(sys.argv[1]); w=[c for c in l if c["name"]=="web"][0]; d=[c for c in l if c["name"]=="db"][0]
assert [c["name"] for c in l]==["db","web"]
assert w["state"]=="RUNNING" and w["pid"]==int(sys.argv[2]) and w["autostart"] is True and w["groups"]==["prod"]
assert d["state"]=="STOPPED" and d["pid"] is None and d["autostart"] is False' "$json" "$pid"
check parity_json_ls_filtered test "$(uxc_as $U ls --running --format json | python3 -c 'import json,sys; print([c["name"] for c in json.load(sys.stdin)])')" = "['web']"
json=$(uxc_as $U info web --format json)
check parity_json_info_running valid info "$json"
check parity_json_info_pid python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert o["pid"]==int(sys.argv[2]) and o["state"]=="RUNNING"' "$json" "$pid"
out=$(uxc_as $U info web --format yaml 2>&1); status=$?
check parity_json_info_format_usage test "$status:$out" = "2:uxc info: --format takes only 'json' (try 'uxc info --help')"
uxc_as $U stop web -k

# check: the exit status agrees with "ok", each problem has its fix.
json=$(uxc_as $U check --format json); status=$?
check parity_json_check_valid valid check "$json"
check parity_json_check_status_matches python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert o["ok"]==(sys.argv[2]=="0")' "$json" "$status"
sed -i '/^uxtest1:/d' /etc/subuid
json=$(uxc_as $U check --format json); status=$?
check parity_json_check_failure valid check "$json"
check parity_json_check_failure_status python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert sys.argv[2]=="1" and not o["ok"] and o["problems"]>=1
assert any(c["status"]=="fail" and "/etc/subuid" in c["what"]+c["fix"] for c in o["checks"])' "$json" "$status"
echo "uxtest1:100000:65536" >>/etc/subuid

# A path the user chose, with every kind of byte a string must survive.
odd=$'/home/uxtest1/d\xc3\xa4ta "q" \x1b[31m\xe9\xf0\x9f\x98\x80'
as_user $U mkdir -p "$odd"
json=$(as_user $U env XDG_DATA_HOME="$odd" UXC_HELPER_DIR="$WORLD_BIN" "$UXC" check --format json)
check parity_json_odd_path_valid valid check "$json"
check parity_json_odd_path_escaped grep -qF '\"q\" \u001b[31m\ufffd\ud83d\ude00/uxc' <<<"$json"
check parity_json_odd_path_decodes python3 -c 'import json,sys; o=json.loads(sys.argv[1]); want=sys.argv[2].encode("utf-8","surrogateescape").decode("utf-8","replace")+"/uxc"
assert any(want in c["what"] for c in o["checks"]), (want, o)' "$json" "$odd"
