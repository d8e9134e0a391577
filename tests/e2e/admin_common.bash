# Shared by tests/e2e/admin_*.sh (sourced after world_reexec): where
# uxc-admin is, and how to run it and look at what it left.

ADMIN=$UXC_BUILD/bin/uxc-admin
require_built admin_built "$ADMIN"

# admin ARGS...: runs uxc-admin; sets OUT (stdout), ERR (stderr), RC.
admin() {
  local errf
  errf=$(mktemp)
  OUT=$("$ADMIN" "$@" 2>"$errf")
  RC=$?
  ERR=$(cat "$errf")
  rm -f "$errf"
}

# expect NAME RC PATTERN: after `admin`, PASS if it exited RC and its
# stdout and stderr together match the extended regex PATTERN.
expect() {
  local name=$1 rc=$2 pattern=$3
  if [ "$RC" = "$rc" ] && grep -Eq -- "$pattern" <<<"$OUT"$'\n'"$ERR"; then
    pass "$name"
  else
    fail "$name" "exit $RC (wanted $rc), wanted /$pattern/ in: $OUT $ERR"
  fi
}

# add_users PREFIX N FIRST_UID [STEP]: appends N users PREFIXi (uid
# FIRST_UID + i*STEP, a group of the same name and id) to the world's files.
add_users() {
  local prefix=$1 n=$2 first=$3 step=${4:-1}
  awk -v p="$prefix" -v n="$n" -v f="$first" -v s="$step" 'BEGIN {
    for (i = 0; i < n; i++) printf "%s%d:*:%d:%d::/nonexistent:/usr/sbin/nologin\n", p, i, f + i * s, f + i * s
  }' >>/etc/passwd
  awk -v p="$prefix" -v n="$n" -v f="$first" -v s="$step" 'BEGIN {
    for (i = 0; i < n; i++) printf "%s%d:x:%d:\n", p, i, f + i * s
  }' >>/etc/group
}

# usernet LINE...: the whole usernet file.
usernet() {
  mkdir -p /etc/uxc
  printf '%s\n' "$@" >/etc/uxc/usernet
  chmod 0644 /etc/uxc/usernet
}
