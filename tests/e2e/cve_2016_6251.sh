#!/usr/bin/env bash
# CVE-2016-6251: shadow's newuidmap took the caller's name from
# getlogin(), which reads the audit login uid or, failing that, the utmp
# entry of the terminal on fd 0: neither is the caller's identity, and
# either can name someone else. uxc-idmap (and uxc-nic) must judge the
# real uid alone. Here uxtest3, who has no subordinate ids, runs with a
# login uid and then a utmp login that both say "uxtest1" (who owns
# 100000-165535), and asks for uxtest1's range.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/idmap_common.bash"
source "$(dirname "$0")/cve_common.bash"
set -u

STEAL=$(request "uid 0 100000 65536" "gid 0 100000 65536")
UTMP_LOGIN=$UXC_BUILD/tests/utmp_login
ERRF=$(mktemp)

# ------------------------------------------------- audit login uid
# /proc/self/loginuid is inherited by every child: set it in a subshell,
# then become uxtest3 there.
if ( echo 61001 >/proc/self/loginuid ) 2>/dev/null; then
  seen=$( (echo 61001 >/proc/self/loginuid; as_user uxtest3 logname) 2>&1)
  if [ "$seen" != uxtest1 ]; then
    fail cve_2016_6251_loginuid_setup "getlogin() as uxtest3 says '$seen', not uxtest1"
  else
    pass cve_2016_6251_loginuid_setup
    ( echo 61001 >/proc/self/loginuid; probe uxtest3 "$STEAL"; echo "$OUT" ) >"$ERRF.out" 2>/dev/null
    OUT=$(cat "$ERRF.out")
    refused_unmapped cve_2016_6251_loginuid_other_user_pipe denied
    ( echo 61001 >/proc/self/loginuid
      probe_cmd uxtest3 --argv0 newuidmap -- "$HELPER" "{pid}" 0 100000 65536; echo "$OUT" ) >"$ERRF.out" 2>/dev/null
    OUT=$(cat "$ERRF.out")
    refused_unmapped cve_2016_6251_loginuid_other_user_newuidmap -
    # uxtest3 is still uxtest3: its own id maps.
    ( echo 61001 >/proc/self/loginuid; probe uxtest3 "$(request "uid 0 61003 1")"; echo "$OUT" ) >"$ERRF.out" 2>/dev/null
    OUT=$(cat "$ERRF.out")
    expect_map cve_2016_6251_loginuid_caller_is_real_uid "0 61003 1" "" allow
  fi
else
  skip cve_2016_6251_loginuid "this kernel will not let root set /proc/self/loginuid"
fi

# ----------------------------------------------------------- utmp
# glibc's getlogin() falls back to utmp when the login uid is unset: a
# pty on fd 0, a utmp line for it naming uxtest1, and newuidmap (whose
# fd 0 is free to be the terminal) run by uxtest3 on that terminal.
touch /run/utmp && chmod 0664 /run/utmp
cat >/tmp/cve-6251-session <<EOF2
#!/bin/sh
[ "\$(cat /proc/self/loginuid)" = 4294967295 ] || { echo "loginuid=\$(cat /proc/self/loginuid)"; exit 0; }
"$UTMP_LOGIN" uxtest1 >/dev/null || { echo "utmp_login failed"; exit 0; }
setpriv --reuid=61003 --regid=61003 --init-groups --inh-caps=-all sh -c '
  echo "logname=\$(logname 2>&1)"
  unshare --user sleep 30 &
  target=\$!
  sleep 0.3
  "$WORLD_COMPAT/newuidmap" "\$target" 0 100000 65536 >/dev/null 2>&1; echo "status=\$?"
  echo "uid_map=\$(cat /proc/\$target/uid_map)"
  kill \$target'
EOF2
chmod 0755 /tmp/cve-6251-session
out=$(script -qec /tmp/cve-6251-session /dev/null </dev/null 2>&1 | tr -d '\r')
refused=
[[ $out == *"status=1"* ]] && [[ $out =~ uid_map=($'\n'|$) ]] && refused=1
case $out in
  *"logname=uxtest1"*)
    [ -n "$refused" ] && pass cve_2016_6251_utmp_other_user_newuidmap ||
      fail cve_2016_6251_utmp_other_user_newuidmap "$out" ;;
  *loginuid=*) skip cve_2016_6251_utmp "this session has a login uid, so getlogin() never reads utmp: $out" ;;
  *)
    # glibc reads utmp only when /proc/self/loginuid cannot be opened; with
    # an unset login uid it says "no login name". The refusal still holds.
    [ -n "$refused" ] && pass cve_2016_6251_utmp_entry_for_other_user_newuidmap ||
      fail cve_2016_6251_utmp_entry_for_other_user_newuidmap "$out"
    echo "# getlogin() here ignores utmp when the login uid is unset: $(grep logname= <<<"$out")" ;;
esac
rm -f /tmp/cve-6251-session "$ERRF.out" "$ERRF"
