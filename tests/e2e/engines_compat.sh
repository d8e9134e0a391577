#!/usr/bin/env bash
# `uxc-admin compat install|remove` puts the names engines look for
# (newuidmap, newgidmap, lxc-user-nic) where an administrator wants them,
# as links to uxc's setuid helpers, and takes them away again: in
# /usr/local/bin by default, or with --divert in place of shadow's and
# LXC's files, which dpkg-divert moves aside and remove puts back. It never
# overwrites a file it did not make unless told, and removes only its own.
# `uxc check --engines` says, before and after, which engines on PATH
# would run uxc's helpers and which file they would run instead. And
# RootlessKit, with no flag but --net=lxc-user-nic, runs on uxc's helpers
# once the names are diverted.
#
# /usr/local/bin, /usr/bin, /usr/libexec/lxc and /var/lib/dpkg are the
# host's: each is covered here by an overlay whose writes land in the
# world's tmpfs and vanish with it.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
source "$(dirname "$0")/engines_common.bash"
set -u

require_built compat_programs "$UXC_BUILD/bin/uxc-admin" "$UXC_BUILD/bin/uxc" "$WORLD_BIN/uxc-idmap" "$WORLD_BIN/uxc-nic"
require_tool compat_tools dpkg-divert
ADMIN=$UXC_BUILD/bin/uxc-admin
UXC=$UXC_BUILD/bin/uxc

n=0
for dir in /usr/local/bin /usr/bin /usr/libexec/lxc /var/lib/dpkg; do
  mkdir -p "$dir"  # /usr/libexec/lxc without the lxc package
  n=$((n + 1))
  mkdir -p "$WORLD/overlay/$n/upper" "$WORLD/overlay/$n/work"
  mount -t overlay overlay -o "lowerdir=$dir,upperdir=$WORLD/overlay/$n/upper,workdir=$WORLD/overlay/$n/work" "$dir" \
    2>"$WORLD/overlay/$n.err" && continue
  # A directory that is itself deep in overlays (a disposable host's
  # /usr/local, over an overlay root) is past the kernel's stacking
  # limit of 2: a copy in the world's tmpfs, bound over it, covers it
  # the same way.
  cp -a "$dir/." "$WORLD/overlay/$n/upper/" && mount --bind "$WORLD/overlay/$n/upper" "$dir" ||
    { fail compat_overlays "cannot cover $dir with an overlay ($(cat "$WORLD/overlay/$n.err")) nor a copy"; exit 1; }
done
# Whatever an administrator left in /usr/local/bin is not this test's.
rm -f /usr/local/bin/newuidmap /usr/local/bin/newgidmap /usr/local/bin/lxc-user-nic

sums() { sha256sum /usr/bin/newuidmap /usr/bin/newgidmap /usr/libexec/lxc/lxc-user-nic 2>&1; }
shadow_sums=$(sums)
diversions_before=$(dpkg-divert --list | sort)

# admin ARGS...: uxc-admin as root, the world's helpers; sets OUT and RC.
admin() { OUT=$("$ADMIN" "$@" --helpers "$WORLD_BIN" 2>&1); RC=$?; }
# engines_check USER: uxc check --engines as USER with the usual PATH.
engines_check() {
  OUT=$(as_user "$1" env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" check --engines 2>&1)
  RC=$?
}
none_in_usr_local_bin() {
  local name
  for name in newuidmap newgidmap lxc-user-nic; do
    [ -e "/usr/local/bin/$name" ] || [ -L "/usr/local/bin/$name" ] && return 1
  done
  return 0
}
is_link_to() { [ -L "$1" ] && [ "$(readlink "$1")" = "$2" ]; }

# ------------------------------------------------------ uxc check --engines
engines_check uxtest1
if [ "$RC" = 1 ] && grep -q "^FAIL  rootlesskit (.*) would not use uxc's helpers: newuidmap /usr/bin/newuidmap (not uxc's)" <<<"$OUT" &&
   grep -q "fix: .*uxc-admin compat install" <<<"$OUT"; then
  pass compat_check_engines_before_says_whose
else
  fail compat_check_engines_before_says_whose "exit $RC: $OUT"
fi

# ------------------------------------------------------- install, default
admin compat install
if [ "$RC" = 0 ] && is_link_to /usr/local/bin/newuidmap "$WORLD_BIN/uxc-idmap" &&
   is_link_to /usr/local/bin/newgidmap "$WORLD_BIN/uxc-idmap" &&
   is_link_to /usr/local/bin/lxc-user-nic "$WORLD_BIN/uxc-nic"; then
  pass compat_install_links_in_usr_local_bin
else
  fail compat_install_links_in_usr_local_bin "exit $RC: $OUT; $(ls -l /usr/local/bin)"
fi
# A test user's newuidmap is now uxc-idmap: it maps a namespace of theirs
# with their subordinate range.
out=$(as_user uxtest1 sh -c 'unshare -U sleep 5 & p=$!; sleep 0.2; newuidmap $p 0 100000 1 && cat /proc/$p/uid_map; kill $p' 2>&1)
[[ $(tr -s ' ' <<<"$out") == " 0 100000 1" ]] && pass compat_installed_newuidmap_maps ||
  fail compat_installed_newuidmap_maps "$out"
admin compat install
[ "$RC" = 0 ] && grep -q "already in place" <<<"$OUT" && pass compat_install_again_changes_nothing ||
  fail compat_install_again_changes_nothing "exit $RC: $OUT"

engines_check uxtest1
if [ "$RC" = 1 ] && grep -q "newuidmap /usr/local/bin/newuidmap (uxc-idmap), newgidmap /usr/local/bin/newgidmap (uxc-idmap)" <<<"$OUT" &&
   grep -q "lxc-user-nic-binary=/usr/local/bin/lxc-user-nic" <<<"$OUT"; then
  pass compat_check_engines_after_install
else
  fail compat_check_engines_after_install "exit $RC: $OUT"
fi

# ------------------------------------------- a file that is not uxc's
admin compat remove
if [ "$RC" = 0 ] && [ ! -e /usr/local/bin/newuidmap ] && [ ! -e /usr/local/bin/newgidmap ] &&
   [ ! -e /usr/local/bin/lxc-user-nic ]; then
  pass compat_remove_takes_its_links
else
  fail compat_remove_takes_its_links "exit $RC: $OUT; $(ls -l /usr/local/bin)"
fi
printf '#!/bin/sh\necho the administrator\x27s own\n' >/usr/local/bin/newgidmap
chmod 0755 /usr/local/bin/newgidmap
mine=$(sha256sum /usr/local/bin/newgidmap)
admin compat install
if [ "$RC" = 1 ] && grep -q "/usr/local/bin/newgidmap exists and is not uxc's" <<<"$OUT" &&
   [ ! -e /usr/local/bin/newuidmap ] && [ ! -e /usr/local/bin/lxc-user-nic ] &&
   [ "$(sha256sum /usr/local/bin/newgidmap)" = "$mine" ]; then
  pass compat_install_refuses_foreign_file_changes_nothing
else
  fail compat_install_refuses_foreign_file_changes_nothing "exit $RC: $OUT; $(ls -l /usr/local/bin)"
fi
admin compat remove
[ "$RC" = 0 ] && grep -q "/usr/local/bin/newgidmap: not uxc's link; left alone" <<<"$OUT" &&
  [ "$(sha256sum /usr/local/bin/newgidmap)" = "$mine" ] && pass compat_remove_leaves_foreign_file ||
  fail compat_remove_leaves_foreign_file "exit $RC: $OUT"
admin compat install --force
[ "$RC" = 0 ] && is_link_to /usr/local/bin/newgidmap "$WORLD_BIN/uxc-idmap" && pass compat_install_force_replaces ||
  fail compat_install_force_replaces "exit $RC: $OUT"
admin compat remove

# --prefix: a directory of the administrator's choice, made if missing.
admin compat install --prefix "$WORLD/prefix"
if [ "$RC" = 0 ] && is_link_to "$WORLD/prefix/newuidmap" "$WORLD_BIN/uxc-idmap" &&
   is_link_to "$WORLD/prefix/lxc-user-nic" "$WORLD_BIN/uxc-nic" && none_in_usr_local_bin; then
  admin compat remove --prefix "$WORLD/prefix"
  [ "$RC" = 0 ] && [ -z "$(ls -A "$WORLD/prefix")" ] && pass compat_prefix_install_remove ||
    fail compat_prefix_install_remove "remove: exit $RC: $OUT; left: $(ls -A "$WORLD/prefix")"
else
  fail compat_prefix_install_remove "install: exit $RC: $OUT"
fi

# ------------------------------------------------------------ refusals
refused() {  # refused NAME STATUS WORDS ARGS...: as root unless ARGS say
  local name=$1 status=$2 words=$3
  shift 3
  if [ "$RC" = "$status" ] && grep -q -- "$words" <<<"$OUT" && none_in_usr_local_bin; then
    pass "$name"
  else
    fail "$name" "exit $RC (wanted $status): $OUT"
  fi
}
OUT=$(as_user uxtest1 "$ADMIN" compat install --helpers "$WORLD_BIN" --prefix /home/uxtest1 2>&1); RC=$?
refused compat_install_needs_root 1 "must run as root"
cp "$WORLD_BIN/uxc-idmap" "$WORLD/not-setuid" && chmod 0755 "$WORLD/not-setuid"
mkdir -p "$WORLD/plain" && cp "$WORLD/not-setuid" "$WORLD/plain/uxc-idmap" && cp "$WORLD/not-setuid" "$WORLD/plain/uxc-nic"
OUT=$("$ADMIN" compat install --helpers "$WORLD/plain" 2>&1); RC=$?
refused compat_install_needs_setuid_helpers 1 "is not a setuid-root helper"
OUT=$("$ADMIN" compat install --helpers "$WORLD_BIN" --prefix relative/dir 2>&1); RC=$?
refused compat_install_absolute_prefix 2 "is not an absolute path"
OUT=$("$ADMIN" compat install --helpers "$WORLD_BIN" --prefix /x --divert 2>&1); RC=$?
refused compat_install_prefix_or_divert 2 "exclude each other"
OUT=$("$ADMIN" compat frobnicate 2>&1); RC=$?
refused compat_unknown_operation 2 "expected install or remove"

# ------------------------------------------------------------ --divert
admin compat install --divert
if [ "$RC" = 0 ] && is_link_to /usr/bin/newuidmap "$WORLD_BIN/uxc-idmap" &&
   is_link_to /usr/bin/newgidmap "$WORLD_BIN/uxc-idmap" &&
   is_link_to /usr/libexec/lxc/lxc-user-nic "$WORLD_BIN/uxc-nic" &&
   dpkg-divert --list | grep -q "local diversion of /usr/bin/newuidmap to /usr/bin/newuidmap.distrib" &&
   dpkg-divert --list | grep -q "local diversion of /usr/libexec/lxc/lxc-user-nic to /usr/libexec/lxc/lxc-user-nic.distrib"; then
  pass compat_divert_installs_in_place
else
  fail compat_divert_installs_in_place "exit $RC: $OUT; $(dpkg-divert --list | grep -E 'newuidmap|lxc-user-nic')"
fi
[ "$(sha256sum /usr/bin/newuidmap.distrib | cut -d' ' -f1)" = "$(grep /usr/bin/newuidmap <<<"$shadow_sums" | cut -d' ' -f1)" ] &&
  pass compat_divert_keeps_shadows_file || fail compat_divert_keeps_shadows_file "$(ls -l /usr/bin/newuidmap*)"
admin compat install --divert
[ "$RC" = 0 ] && grep -q "already in place" <<<"$OUT" && pass compat_divert_again_changes_nothing ||
  fail compat_divert_again_changes_nothing "exit $RC: $OUT"

engines_check uxtest1
if [ "$RC" = 0 ] && grep -q "^ok    rootlesskit (.*) would use uxc's helpers: newuidmap /usr/bin/newuidmap (uxc-idmap).*runs /usr/libexec/lxc/lxc-user-nic (uxc-nic)" <<<"$OUT"; then
  pass compat_check_engines_after_divert
else
  fail compat_check_engines_after_divert "exit $RC: $OUT"
fi

out=$(as_user uxtest1 env UXC_HELPER_DIR="$WORLD_BIN" "$UXC" check --engines --format json)
rc=$?
if [ "$rc" = 0 ] && python3 -c 'import json, sys
r = json.loads(sys.argv[1])
assert r["ok"] is True and r["problems"] == 0, r
assert any(c["status"] == "ok" and c["what"].startswith("rootlesskit (") for c in r["checks"]), r' "$out"; then
  pass compat_check_engines_json
else
  fail compat_check_engines_json "exit $rc: $out"
fi

# RootlessKit with its defaults (newuidmap from PATH, lxc-user-nic from
# LXC's path) now runs uxc's helpers: the host end is uxc-nic's.
if command -v rootlesskit >/dev/null; then
  usernet "uxtest1 veth lxcbr0 1"
  start_engine_dnsmasq || { fail compat_divert_rootlesskit_defaults_run_uxc "dnsmasq did not start"; exit 0; }
  mkdir -p /tmp/uxtest1-run && chown 61001:61001 /tmp/uxtest1-run
  out=$(as_user uxtest1 env XDG_RUNTIME_DIR=/tmp/uxtest1-run rootlesskit --net=lxc-user-nic \
    sh -c 'awk "{print \$2}" /proc/self/uid_map | tr "\n" " "' 2>&1)
  rc=$?
  if [ "$rc" = 0 ] && grep -q "^61001 100000 $" <<<"$out"; then
    pass compat_divert_rootlesskit_defaults_run_uxc
  else
    fail compat_divert_rootlesskit_defaults_run_uxc "exit $rc: $out"
  fi
else
  skip compat_divert_rootlesskit_defaults_run_uxc "rootlesskit is not installed (engines_rootlesskit.sh says why)"
fi

admin compat remove --divert
if [ "$RC" = 0 ] && [ "$(sums)" = "$shadow_sums" ] && [ "$(dpkg-divert --list | sort)" = "$diversions_before" ]; then
  pass compat_remove_divert_restores_packages
else
  fail compat_remove_divert_restores_packages "exit $RC: $OUT; $(sums); $(dpkg-divert --list | grep -E 'newuidmap|newgidmap|lxc-user-nic')"
fi
exit 0
