#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the README's two commands as a new user would, on a really fresh
# Debian 12 or Debian 13: a minimal root from mmdebstrap with only git and make, /dev,
# /proc and /sys bind-mounted (it shares this kernel: loop devices,
# keyrings and QEMU under TCG work), a git clone of this repository's HEAD,
# then `make demo` and `make check`, each with its set-up and a cold cache.
#
#   sudo tools/fresh-root-check.sh [--release CODENAME] [DIR]
#
# CODENAME is bookworm (the default) or trixie. DIR (default
# /var/tmp/fsp-fresh-root-CODENAME) is created afresh (it must not exist)
# and left for inspection; the mounts are undone on exit. Needs mmdebstrap
# and this machine's apt sources (tools/apt-sources.sh moves them to
# CODENAME). On Debian 12, about 47 minutes: a minute for the root, two for make demo
# (packages included), 44 for make check (the test kernels and the guide
# included).
# Not part of make check: it is the check of the set-up itself.
# Exit code: 0 when both commands pass.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
release=bookworm
if [ "${1-}" = --release ]; then
	release=${2:?--release needs a codename}
	shift 2
fi
case $release in
bookworm | trixie) ;;
*) echo "fresh-root-check: release '$release' is neither bookworm nor trixie" >&2; exit 2 ;;
esac
root=${1:-/var/tmp/fsp-fresh-root-$release}

[ "$(id -u)" = 0 ] || { echo "fresh-root-check: run as root" >&2; exit 2; }
command -v mmdebstrap > /dev/null ||
	{ echo "fresh-root-check: needs mmdebstrap (apt-get install mmdebstrap)" >&2; exit 2; }
[ ! -e "$root" ] || { echo "fresh-root-check: $root exists; remove it or name another" >&2; exit 2; }

cleanup() {
	# Only unmounting here: removing DIR while /dev is bound in it would
	# remove the host's /dev.
	mountpoint -q "$root" && umount -R "$root"
}
trap cleanup EXIT

sources=$("$repo/tools/apt-sources.sh" "$release") || exit 1
echo "fresh-root-check: mmdebstrap --variant=apt --include=git,make $release $root"
printf '%s\n' "$sources" | sed 's/^/fresh-root-check:   /'
mmdebstrap --quiet --variant=apt --include=git,make "$release" "$root" - <<< "$sources" || exit 1
mkdir -p "$root/src"
# DIR bound on itself: the chroot's / is then a mount, which unshare
# --propagation private needs (the QEMU suite's distribution roots).
mount --bind "$root" "$root" || exit 1
for m in dev proc sys; do mount --rbind "/$m" "$root/$m" || exit 1; done
mount --bind -o ro "$repo" "$root/src" || exit 1
cp /etc/resolv.conf "$root/etc/resolv.conf"

# shellcheck disable=SC2016 # expanded in the chroot
chroot "$root" /bin/bash -c '
	git config --global --add safe.directory /src
	git clone -q /src /root/fscrypt-provision && cd /root/fscrypt-provision || exit 1
	echo "fresh-root-check: $(git log --oneline -1)"
	t0=$SECONDS
	make demo; demo=$?
	echo "fresh-root-check: make demo exited $demo after $((SECONDS - t0)) s"
	t0=$SECONDS
	make check 2>&1 | tee /root/make-check.log | tail -n 3; check=${PIPESTATUS[0]}
	echo "fresh-root-check: make check exited $check after $((SECONDS - t0)) s"
	grep -E "^not ok|^  not ok" /root/make-check.log | head -n 40
	[ "$demo" = 0 ] && [ "$check" = 0 ]'
