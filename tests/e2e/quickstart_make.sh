#!/usr/bin/env bash
# `make quickstart` hands its variables to user/quickstart.sh: NAT=0,
# QUICKSTART_USER, QUICKSTART_BRIDGE and the install paths; it installs
# before it sets anything up. Dry run (make -n): nothing is executed.
set -u
source "$(dirname "$0")/../lib.sh"
cd "$UXC_SRC" || exit 1

out=$(make -n --no-print-directory quickstart BUILD="$UXC_BUILD" NAT=0 QUICKSTART_USER=alice \
  QUICKSTART_BRIDGE=br7 PREFIX=/opt/uxc SYSCONFDIR=/etc 2>&1)
script_line=$(tr '\n' ' ' <<<"$out" | sed 's/\\ *//g' | grep -o 'user/quickstart.sh[^;]*')
check quickstart_make_passes_nat_user_bridge bash -c 'grep -q -- "--nat 0 --bridge br7 --user alice" <<<"$1"' sh "$script_line"
check quickstart_make_passes_paths bash -c 'grep -q -- "--bindir /opt/uxc/bin --sbindir /opt/uxc/sbin --sysconfdir /etc" <<<"$1"' sh "$script_line"
check quickstart_make_installs_first bash -c 'i=$(grep -n "bash-completion/completions/uxc" <<<"$1" | head -1 | cut -d: -f1); q=$(grep -n "user/quickstart.sh" <<<"$1" | head -1 | cut -d: -f1); [ -n "$i" ] && [ -n "$q" ] && [ "$i" -lt "$q" ]' sh "$out"
out=$(make -n --no-print-directory quickstart BUILD="$UXC_BUILD" 2>&1)
check quickstart_make_nat_on_by_default bash -c 'grep -q -- "user/quickstart.sh --nat 1 --bridge lxcbr0 " <<<"$1"' sh "$out"
check quickstart_script_help "$UXC_SRC/user/quickstart.sh" --help
