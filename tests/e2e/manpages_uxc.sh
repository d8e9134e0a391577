#!/usr/bin/env bash
# Man pages of uxc, its subcommands and the helpers: each renders with
# `man -l` without a warning and has NAME, SYNOPSIS, DESCRIPTION and SEE
# ALSO; there is a page for every subcommand `uxc --help` lists, naming
# every flag that subcommand's --help lists; uxc(1) names every
# subcommand; the helpers' pages cover their compatibility front ends;
# every uxc page a SEE ALSO names exists; the Makefile built each page.
# Reads files only; needs no world.
set -u
source "$(dirname "$0")/../lib.sh"
UXC=$UXC_BUILD/bin/uxc
MAN=$UXC_SRC/user/man

require_tool manpages_tools man
require_built manpages_uxc_built "$UXC"

render() { MANWIDTH=${2:-200} man -l "$1" 2>/dev/null; }

commands=$("$UXC" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
pages="uxc.1 uxc-idmap.8 uxc-nic.8 uxc.conf.5"
for command in $commands; do pages+=" uxc-$command.1"; done

for page in $pages; do
  file=$MAN/$page
  if [ ! -f "$file" ]; then fail "manpage_${page}_exists" "no $file"; continue; fi
  warnings=$(MANWIDTH=80 man --warnings -l "$file" 2>&1 >/dev/null)
  text=$(render "$file" 80)
  missing=
  for section in NAME SYNOPSIS DESCRIPTION 'SEE ALSO'; do
    grep -q "^$section" <<<"$text" || missing+="$section "
  done
  if [ -z "$warnings" ] && [ -z "$missing" ]; then pass "manpage_${page}_renders"
  else fail "manpage_${page}_renders" "${warnings:+man reports: $warnings }${missing:+no section $missing}"; fi
  # Built by the Makefile's man rule (which refuses a page with warnings).
  check "manpage_${page}_built" cmp "$file" "$UXC_BUILD/man/$page"
  # SEE ALSO names only uxc pages that exist.
  dangling=
  for ref in $(sed -n '/^SEE ALSO/,$p' <<<"$(render "$file")" | grep -oE 'uxc(-[a-z]+)?\([1-8]\)'); do
    name=${ref%(*}; section=${ref#*(}; section=${section%)}
    [ -f "$MAN/$name.$section" ] || dangling+="$ref "
  done
  [ -z "$dangling" ] && pass "manpage_${page}_see_also_exists" || fail "manpage_${page}_see_also_exists" "no page for $dangling"
done

# Each subcommand's page names every flag of its --help, short and long.
for command in $commands; do
  file=$MAN/uxc-$command.1
  [ -f "$file" ] || continue
  text=$(render "$file")
  missing=
  grep -q "uxc $command" <<<"$text" || missing+="'uxc $command' "
  for flag in $("$UXC" "$command" --help | grep -oE '^ +(-[A-Za-z0-9], )?--[a-z-]+' | tr -d ' ' | tr ',' '\n'); do
    grep -qE -- "(^|[^a-z-])$flag([^a-z-]|$)" <<<"$text" || missing+="$flag "
  done
  [ -z "$missing" ] && pass "manpage_uxc-${command}_matches_help" || fail "manpage_uxc-${command}_matches_help" "not in uxc-$command(1): $missing"
done

text=$(render "$MAN/uxc.1")
missing=
for command in $commands; do grep -qE "^ +$command( |$)" <<<"$text" || missing+="$command "; done
[ -z "$missing" ] && pass manpage_uxc_names_every_command || fail manpage_uxc_names_every_command "not in uxc(1): $missing"

text=$(render "$MAN/uxc-idmap.8")
check manpage_idmap_front_ends bash -c 'grep -q "^ *newuidmap PID|fd:N" <<<"$1" && grep -q "^ *newgidmap PID|fd:N" <<<"$1" && grep -q "^NAME" <<<"$1"' sh "$text"
text=$(render "$MAN/uxc-nic.8")
check manpage_nic_front_end bash -c 'grep -q "^ *lxc-user-nic create LXCPATH NAME PID veth LINK" <<<"$1" && grep -q "^ *lxc-user-nic delete" <<<"$1"' sh "$text"

# Every page of user/man, whatever it documents, renders without a warning.
for file in "$MAN"/*.[1-8]; do
  warnings=$(MANWIDTH=80 man --warnings -l "$file" 2>&1 >/dev/null)
  [ -z "$warnings" ] && pass "manpage_$(basename "$file")_no_warnings" || fail "manpage_$(basename "$file")_no_warnings" "$warnings"
done

# uxc.container.conf(5) names every key `uxc help keys` lists, in both
# spellings; uxc(1) points to it.
text=$(MANWIDTH=1000 man -l "$MAN/uxc.container.conf.5" 2>/dev/null)
missing=
for key in $("$UXC" help keys --names); do grep -qF -- "$key" <<<"$text" || missing+="$key "; done
[ -z "$missing" ] && pass manpage_container_conf_every_key || fail manpage_container_conf_every_key "not in uxc.container.conf(5): $missing"
check manpage_container_conf_built cmp "$MAN/uxc.container.conf.5" "$UXC_BUILD/man/uxc.container.conf.5"
check manpage_uxc_points_to_container_conf grep -q 'uxc.container.conf(5)' <<<"$(render "$MAN/uxc.1")"
keys=$("$UXC" help keys)
check manpage_help_keys_spellings grep -qx 'lxc.idmap (lxc.id_map) = u|g|b INSIDE OUTSIDE COUNT' <<<"$keys"
