#!/usr/bin/env bash
# Man pages: every page under user/man renders without a warning, and
# uxc-admin(8) documents every subcommand and flag the tool's --help lists.
# Reads files only; needs no world.
set -u
source "$(dirname "$0")/../lib.sh"
ADMIN=$UXC_BUILD/bin/uxc-admin

require_tool admin_manpages_tools man

for page in "$UXC_SRC"/user/man/*.[1-8]; do
  [ -e "$page" ] || continue
  name=$(basename "$page")
  warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
  if [ -z "$warnings" ] && grep -q '^NAME' <<<"$text" && grep -q '^SEE ALSO' <<<"$text"; then
    pass "admin_manpage_${name}_renders"
  else
    fail "admin_manpage_${name}_renders" "${warnings:-no NAME or SEE ALSO section}"
  fi
done

page=$UXC_SRC/user/man/uxc-admin.8
require_built admin_manpage_matches_help "$ADMIN"
text=$(MANWIDTH=200 man -l "$page" 2>/dev/null)
missing=
for command in $("$ADMIN" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
  grep -q "uxc-admin $command" <<<"$text" || missing+="$command "
  for flag in $("$ADMIN" "$command" --help | grep -oE '^  --[a-z-]+' | grep -v -- '--help'); do
    grep -q -- "$flag" <<<"$text" || missing+="$command $flag; "
  done
done
[ -z "$missing" ] && pass admin_manpage_matches_help || fail admin_manpage_matches_help "not in uxc-admin(8): $missing"
