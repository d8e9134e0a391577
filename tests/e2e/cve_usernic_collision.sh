#!/usr/bin/env bash
# A chosen account name must not use up another user's nic quota. Host
# ends are named "uxc" + the 32-bit FNV-1a of the line's OWNER:TYPE:LINK +
# a slot, and a name whose hash collides with another's takes under a
# second to find (tests/unit/slot_collision.py). Before, a user so named
# took the victim's slots: the victim got `quota` while holding no nic.
# Now no two lines of the file share a slot range (the later line of a
# colliding pair gets second-choice names), whichever line comes first; a
# nic an edit of the file leaves in another line's slot does not count
# against that line; and uxc-admin lint names the pair.
source "$(dirname "$0")/../lib.sh"; world_reexec "$@"
source "$(dirname "$0")/nic_common.bash"
set -u

require_tool cve_usernic_collision_python python3
# An account whose line collides with uxtest1's on every link.
if ! found=$(python3 "$UXC_SRC/tests/unit/slot_collision.py" uxtest1 lxcbr0) || [ -z "$found" ]; then
  fail cve_usernic_collision_name_found "slot_collision.py found no name: $found"
  exit 1
fi
EVIL=${found%% *}
echo "$EVIL:x:61004:61004::/home/$EVIL:/bin/sh" >>/etc/passwd
echo "$EVIL:x:61004:" >>/etc/group
install -d -o 61004 -g 61004 -m 0700 "/home/$EVIL"
[ "$("$UXC_BUILD/tests/nic_slots" "$EVIL" veth lxcbr0 0 1)" = "$("$UXC_BUILD/tests/nic_slots" uxtest1 veth lxcbr0 0 1)" ] &&
  pass cve_usernic_collision_names_collide ||
  fail cve_usernic_collision_names_collide "$EVIL's slot 0 is not uxtest1's: the search is wrong"

TV=uxc:61001:uxtest1:veth:lxcbr0
TE=uxc:61004:$EVIL:veth:lxcbr0
holder uxtest1; hv=$HOLDER
holder "$EVIL"; he=$HOLDER

# attack ORDER: the colliding user fills its own quota of 2, then the
# victim asks for its 2.
attack() {
  local name=$1 rcs=
  for i in 0 1 2; do create "$EVIL" "$he" lxcbr0 "name e$i"; rcs+="$RC "; done
  [ "$rcs" = "0 0 20 " ] && [ "$(count_tag "$TE")" = 2 ] ||
    { fail "$name" "the colliding user's creates: $rcs"; remove_all_host_ends; return; }
  rcs=
  for i in 0 1; do create uxtest1 "$hv" lxcbr0 "name v$i"; rcs+="$RC "; done
  [ "$rcs" = "0 0 " ] && [ "$(count_tag "$TV")" = 2 ] && pass "$name" ||
    fail "$name" "the victim's creates: $rcs $ERR; host ends: $(host_ends | tr '\n' ' ')"
  remove_all_host_ends
}
# As uxc-admin allow adds lines: the victim's first.
usernet "uxtest1 veth lxcbr0 2" "$EVIL veth lxcbr0 2"
attack cve_usernic_collision_victim_keeps_quota
# The colliding line first: the victim's line gets the second-choice names.
usernet "$EVIL veth lxcbr0 2" "uxtest1 veth lxcbr0 2"
attack cve_usernic_collision_victim_keeps_quota_listed_second

# A slot that another line's nic holds is not a use of this line. With
# the colliding line alone in the file, its user's two nics get the
# first-choice names, which are uxtest1's; then the administrator puts
# uxtest1's line first, so those nics (tagged for the other line) sit in
# uxtest1's slots 0 and 1. Before, uxtest1 got `quota` holding nothing;
# now it gets its two in spare slots, and not a third.
usernet "$EVIL veth lxcbr0 2"
rcs=
for i in 0 1; do create "$EVIL" "$he" lxcbr0 "name e$i"; rcs+="$RC "; done
held=$(host_ends | awk -v t="$TE" '$2 == t { print $1 }' | sort | tr '\n' ' ')
home=$("$UXC_BUILD/tests/nic_slots" uxtest1 veth lxcbr0 0 2 | sort | tr '\n' ' ')
spares=$("$UXC_BUILD/tests/nic_slots" uxtest1 veth lxcbr0 2 4 | tr '\n' ' ')
if [ "$rcs" != "0 0 " ] || [ "$held" != "$home" ]; then
  fail cve_usernic_collision_other_lines_nics_not_counted \
    "setup: creates $rcs; $EVIL's host ends '$held', uxtest1's slots '$home'"
else
  usernet "uxtest1 veth lxcbr0 2" "$EVIL veth lxcbr0 2"
  rcs= names=
  for i in 0 1 2; do
    create uxtest1 "$hv" lxcbr0 "name v$i"
    rcs+="$RC "
    [ "$RC" = 0 ] && names+="$(answer_field host) "
  done
  in_spares=yes
  for n in $names; do [[ " $spares" == *" $n "* ]] || in_spares="no ($n)"; done
  [ "$rcs" = "0 0 20 " ] && [ "$(count_tag "$TV")" = 2 ] && [ "$(count_tag "$TE")" = 2 ] &&
    [ "$in_spares" = yes ] && grep -q "all 2 veth nics on lxcbr0 for uxtest1 are in use" <<<"$ERR" &&
    pass cve_usernic_collision_other_lines_nics_not_counted ||
    fail cve_usernic_collision_other_lines_nics_not_counted \
      "uxtest1's creates: $rcs ($ERR); in spare slots: $in_spares; host ends: $(host_ends | tr '\n' ' ')"
fi
remove_all_host_ends

# uxc-admin lint names the pair.
usernet "uxtest1 veth lxcbr0 2" "$EVIL veth lxcbr0 2"
out=$("$UXC_BUILD/bin/uxc-admin" lint 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "^/etc/uxc/usernet:2: $EVIL veth lxcbr0 hashes like uxtest1 veth lxcbr0 at line 1" <<<"$out" &&
  pass cve_usernic_collision_lint || fail cve_usernic_collision_lint "exit $rc: $out"
exit 0
