#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages that TARGET needs (build, small, cross, demo
# or check; see tools/packages), when any is missing. `make demo`, `make check` and
# .ci/run call it first, so that a fresh Debian 12 or 13 with git and make
# can run the README's commands.
#
#   tools/install-deps.sh [--print] TARGET...
#   tools/install-deps.sh --list [--release CODENAME] TARGET...
#
# As root it says what it installs, then installs it with apt-get. As any
# other user it prints the one command to run, and exits 1. Nothing is
# printed when everything is there. --print lists the missing packages and
# changes nothing. --list prints every package of the targets, installed or
# not, for this release or for CODENAME (the QEMU suite's distribution roots
# use it). A line NAME@CODENAME of the list counts only on that release.
# Exit codes: 0 all present (or installed), 1 missing and not installed,
# 2 usage.
# A package written NAME:ARCH is another architecture's (cross): as root,
# ARCH is added to dpkg's foreign architectures first (dpkg
# --add-architecture), and the package lists are read again.
set -u
here=$(dirname "$0")
list=$here/packages
print_only=0
list_only=0
release=
usage() {
	echo "usage: $0 [--print] build|small|cross|demo|check..." >&2
	echo "       $0 --list [--release CODENAME] build|small|cross|demo|check|dist..." >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--print) print_only=1 ;;
	--list) list_only=1 ;;
	--release)
		[ $# -ge 2 ] || usage
		release=$2
		shift
		;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || usage
for t in "$@"; do
	case $t in
	build | small | cross | demo | check | dist) ;;
	*)
		echo "$0: unknown target '$t' (build, small, cross, demo, check or dist)" >&2
		exit 2
		;;
	esac
done
if [ -z "$release" ] && [ -r /etc/os-release ]; then
	# shellcheck source=/dev/null # the machine's own
	release=$(. /etc/os-release && echo "${VERSION_CODENAME-}")
fi

# The packages of the given targets on $release, one per line.
wanted() {
	awk -v targets=" $* " -v release="$release" '
		/^[ \t]*(#|$)/ { next }
		{
			name = $1
			if (split(name, part, "@") == 2) {
				if (part[2] != release) next
				name = part[1]
			}
			for (i = 2; i <= NF; i++) if (index(targets, " " $i " ")) { print name; next }
		}
	' "$list"
}

if [ "$list_only" = 1 ]; then
	wanted "$@"
	exit 0
fi
if [ -z "$release" ] || ! grep -q "@$release " "$list"; then
	echo "$0: release '${release:-unknown}' is not one the list knows (bookworm, trixie);" \
		"packages named per release are left out" >&2
fi

# NAME:ARCH is that architecture's; NAME is this machine's own (or "all"),
# though a foreign one may be installed too.
installed() {
	case $1 in
	*:*) arch=${1#*:} ;;
	*) arch=$(dpkg --print-architecture) ;;
	esac
	dpkg-query -W -f='${db:Status-Status} ${Architecture}\n' "$1" 2>/dev/null |
		grep -q -x -e "installed $arch" -e "installed all"
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	echo "$0: this is not a Debian system (no dpkg-query or apt-get)." >&2
	echo "$0: install the equivalents of these Debian packages, then run make again:" >&2
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

# The foreign architectures that the missing packages need and dpkg lacks.
new_arches=
for p in $missing; do
	case $p in
	*:*)
		a=${p#*:}
		dpkg --print-foreign-architectures | grep -qx "$a" ||
			case " $new_arches " in *" $a "*) ;; *) new_arches="$new_arches $a" ;; esac
		;;
	esac
done
new_arches=${new_arches# }

# INITRD=No: installing the kernel package must not build a host initramfs.
cmd="env INITRD=No DEBIAN_FRONTEND=noninteractive apt-get install -y $missing"
if [ "$(id -u)" != 0 ]; then
	echo "fscrypt-provision: missing Debian packages for '$*': $missing" >&2
	echo "fscrypt-provision: install them as root, then run make again:" >&2
	for a in $new_arches; do
		echo "  sudo dpkg --add-architecture $a" >&2
	done
	[ -z "$new_arches" ] || echo "  sudo apt-get update" >&2
	echo "  sudo $cmd" >&2
	exit 1
fi
if [ -n "$new_arches" ]; then
	echo "install-deps: adding the architectures $new_arches to dpkg (for the cross builds), reading the package lists"
	for a in $new_arches; do
		dpkg --add-architecture "$a" || exit 1
	done
	apt-get update -q >/dev/null || {
		echo "install-deps: apt-get update failed after adding $new_arches" >&2
		exit 1
	}
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
