#!/bin/sh
# SPDX-License-Identifier: MIT
# Prints this machine's configured Debian apt sources, moved to another
# release, as one-line "deb URI SUITE COMPONENTS" entries: what mmdebstrap
# takes as its mirrors. The roots that tools/fresh-root-check.sh and the
# QEMU suite's distribution roots (tests/qemu/dist.sh) build then come from
# the same archive as the machine's own packages, whatever host that is.
#
#   tools/apt-sources.sh RELEASE
#
# An entry counts when one of its suites is this machine's release (the
# codename of /etc/os-release) or a suite of it (bookworm-updates,
# bookworm-security); each such suite is renamed for RELEASE. Both formats
# are read: /etc/apt/sources.list and sources.list.d/*.list (one-line) and
# sources.list.d/*.sources (deb822). Entries of other suites (a vendor's
# repository, say) are left out.
# Exit codes: 0 printed at least one entry, 1 found none, 2 usage.
set -u
[ $# -eq 1 ] || {
	echo "usage: $0 RELEASE" >&2
	exit 2
}
to=$1
# shellcheck source=/dev/null # the machine's own
from=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME-}")
[ -n "$from" ] || {
	echo "$0: /etc/os-release names no codename" >&2
	exit 1
}
dir=/etc/apt
files=
[ -f "$dir/sources.list" ] && files="$dir/sources.list"
for f in "$dir"/sources.list.d/*.list "$dir"/sources.list.d/*.sources; do
	[ -f "$f" ] && files="$files $f"
done
[ -n "$files" ] || {
	echo "$0: no apt sources in $dir" >&2
	exit 1
}

# shellcheck disable=SC2086 # the file names have no blanks
out=$(awk -v from="$from" -v to="$to" '
	function suite(s) {
		if (s == from) return to
		if (index(s, from "-") == 1) return to substr(s, length(from) + 1)
		return ""
	}
	function emit(types, uris, suites, comps,   n, u, m, s, i, j, t) {
		if (types !~ /(^|[ \t])deb([ \t]|$)/) return
		n = split(uris, u, /[ \t]+/)
		m = split(suites, s, /[ \t]+/)
		for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) {
			t = suite(s[j])
			if (u[i] != "" && t != "") print "deb " u[i] " " t " " comps
		}
	}
	function flush() {
		if (enabled != "no") emit(types, uris, suites, comps)
		types = uris = suites = comps = ""; enabled = ""
	}
	FNR == 1 { flush(); deb822 = FILENAME ~ /\.sources$/ }
	deb822 && /^[ \t]*$/ { flush(); next }
	/^[ \t]*#/ { next }
	deb822 {
		k = tolower($1); sub(/:$/, "", k)
		v = $0; sub(/^[^:]*:[ \t]*/, "", v)
		if (k == "types") types = v
		else if (k == "uris") uris = v
		else if (k == "suites") suites = v
		else if (k == "components") comps = v
		else if (k == "enabled") enabled = tolower(v)
		next
	}
	$1 == "deb" {
		# deb [options] URI SUITE COMPONENT...
		i = 2
		if ($i ~ /^\[/) while ($i !~ /\]$/) i++
		if ($i ~ /^\[/ || $i ~ /\]$/) i++
		c = ""
		for (j = i + 2; j <= NF; j++) c = c (c == "" ? "" : " ") $j
		emit("deb", $i, $(i + 1), c)
	}
	END { flush() }
' $files | awk '!seen[$0]++')
[ -n "$out" ] || {
	echo "$0: no apt source of this machine's release ($from) to move to $to" >&2
	exit 1
}
printf '%s\n' "$out"
