#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages that TARGET needs (build, demo or check; see
# tools/packages), when any is missing. `make demo`, `make check` and
# .ci/run call it first, so that a fresh Debian 12 with git and make can run
# the README's commands.
#
#   tools/install-deps.sh [--print] TARGET...
#
# As root it says what it installs, then installs it with apt-get. As any
# other user it prints the one command to run, and exits 1. Nothing is
# printed when everything is there. --print lists the missing packages and
# changes nothing.
# Exit codes: 0 all present (or installed), 1 missing and not installed,
# 2 usage.
set -u
here=$(dirname "$0")
list=$here/packages
print_only=0
if [ "${1-}" = --print ]; then
	print_only=1
	shift
fi
if [ $# -eq 0 ]; then
	echo "usage: $0 [--print] build|small|demo|check..." >&2
	exit 2
fi
for t in "$@"; do
	case $t in
	build | small | demo | check) ;;
	*)
		echo "$0: unknown target '$t' (build, small, demo or check)" >&2
		exit 2
		;;
	esac
done

# The packages of the given targets, one per line.
wanted() {
	awk -v targets=" $* " '
		/^[ \t]*(#|$)/ { next }
		{ for (i = 2; i <= NF; i++) if (index(targets, " " $i " ")) { print $1; next } }
	' "$list"
}

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	echo "$0: this is not a Debian system (no dpkg-query or apt-get)." >&2
	echo "$0: install the equivalents of these Debian 12 packages, then run make again:" >&2
	echo "  $(wanted "$@" | tr '\n' ' ')" >&2
	exit 1
fi

missing=
for p in $(wanted "$@"); do
	installed "$p" || missing="$missing $p"
done
missing=${missing# }
[ -n "$missing" ] || exit 0

if [ "$print_only" = 1 ]; then
	echo "$missing"
	exit 0
fi

# INITRD=No: installing the kernel package must not build a host initramfs.
cmd="env INITRD=No DEBIAN_FRONTEND=noninteractive apt-get install -y $missing"
if [ "$(id -u)" != 0 ]; then
	echo "fscrypt-provision: missing Debian packages for '$*': $missing" >&2
	echo "fscrypt-provision: install them as root, then run make again:" >&2
	echo "  sudo $cmd" >&2
	exit 1
fi

echo "install-deps: installing for '$*': $missing"
log=$(mktemp)
# A fresh machine may never have read the package lists: update once when
# the first try cannot find something.
# shellcheck disable=SC2086 # the package list splits on blanks
if ! env INITRD=No DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >"$log" 2>&1; then
	echo "install-deps: apt-get install failed; running apt-get update and trying again"
	if ! { apt-get update -q && env INITRD=No DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q $missing; } >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		echo "install-deps: could not install: $missing (full log: $log)" >&2
		exit 1
	fi
fi
rm -f "$log"
echo "install-deps: installed $(echo "$missing" | wc -w) packages"
