#!/bin/bash
# SPDX-License-Identifier: MIT
# Every option that a command's --help lists is described in that
# command's section of fscrypt-provision(8): --help is built from the
# declarations in src/fscrypt-provision/options.c and the commands, so
# this is where the man page would drift. Prints one line per missing
# option, or one "ok" line. Usage: tools/check-man-options.sh [HELPER]
cd "$(dirname "$0")/.." || exit 2
fsp=${1:-build/fscrypt-provision}
[ -x "$fsp" ] || { echo "not ok - $fsp is not built"; exit 2; }
# The page as text: "\-" is "-", and font changes go.
page=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' man/fscrypt-provision.8)
status=0 n=0
for c in $("$fsp" --help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { exit }'); do
	section=$(printf '%s\n' "$page" | awk -v c="$c" '
		/^\.SS / { f = index($0, ".SS \"" c " ") == 1 || $0 == ".SS \"" c "\"" } f')
	[ -n "$section" ] || { echo "not ok - $c has no section (.SS \"$c ...\")"; status=1; continue; }
	for o in $("$fsp" "$c" --help | awk '/^Options:/ { f = 1; next } f && /^  --/ { print $1 }'); do
		case $o in --tab | --keyring | --quiet | --help) continue ;; esac
		n=$((n + 1))
		printf '%s\n' "$section" | grep -q -- "$o\\b" ||
			{ echo "not ok - $c: $o is not in its section of fscrypt-provision(8)"; status=1; }
	done
done
[ $status = 0 ] && echo "ok - fscrypt-provision(8) describes all $n options that the commands' --help lists"
exit $status
