#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Build (or reuse) two minimal x86_64 test kernels from Debian's kernel
# source package (linux-source-6.1 on Debian 12, linux-source-6.12 on
# Debian 13: the newest installed linux-source-X.Y, or $FSP_TK_SOURCE;
# tools/packages names it per release): one as Debian ships the source, and one with
# this folder's test-only patches, which make it behave like Linux 5.4/5.5
# (no key_id, no fscrypt-provisioning key type).
#
#   build.sh [--cache DIR] [--jobs N] [--print-env]
#
# The images are cached in DIR (default $FSP_KERNEL_CACHE, or
# /var/tmp/fsp-kernel-cache), keyed by
# the source package's name and version and a hash of config-fragment, the
# patches and this script; a cache hit takes no time. The extracted source
# tree and its object directory stay in DIR too, so that after a change to
# the patches or the fragment only what changed is rebuilt (about 20 s).
#
# On success it prints the cache entry's directory, which holds:
#   bzImage            the unpatched kernel
#   bzImage.test-only  the kernel with the test-only patches
#   kver               the kernel release (uname -r) of both
#   modules/           INSTALL_MOD_PATH of both: lib/modules/KVER with
#                      modules.builtin, for dracut --kmoddir
# --print-env prints shell assignments instead (FSP_TK_DIR, FSP_TK_KVER,
# FSP_TK_UNPATCHED, FSP_TK_TESTONLY, FSP_TK_KMODDIR).
#
# Needs: linux-source-X.Y, gcc, make, flex, bison, bc, libelf-dev, cpio,
# xz-utils. Exit status: 0 ready, 1 build failed (log in DIR/build.log), 2
# usage or missing package.
set -u
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${FSP_KERNEL_CACHE:-/var/tmp/fsp-kernel-cache}
JOBS=$(nproc)
PRINT=dir

die() {
	echo "build.sh: $*" >&2
	exit 2
}
log() { echo "build.sh: $*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--cache)
		CACHE=${2:?}
		shift 2
		;;
	--jobs)
		JOBS=${2:?}
		shift 2
		;;
	--print-env)
		PRINT=shell
		shift
		;;
	-h | --help)
		sed -n '3,31s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*) die "unknown argument $1 (try --help)" ;;
	esac
done

# The newest installed kernel source package, unless one is named.
SRC_PKG=${FSP_TK_SOURCE:-$(dpkg-query -W -f '${db:Status-Status} ${Package}\n' 'linux-source-[0-9]*' 2>/dev/null |
	awk '$1 == "installed" { print $2 }' | sort -V | tail -n 1)}
[ -n "$SRC_PKG" ] || die "no linux-source-X.Y package is installed (tools/install-deps.sh check)"
SRC_TAR=/usr/src/$SRC_PKG.tar.xz
SRC_VER=$(dpkg-query -W -f '${Version}' "$SRC_PKG" 2>/dev/null) ||
	die "$SRC_PKG is not installed (apt-get install $SRC_PKG)"
[ -r "$SRC_TAR" ] || die "$SRC_TAR is missing (reinstall $SRC_PKG)"
for t in make gcc flex bison bc cpio xz; do
	command -v "$t" >/dev/null || die "$t not found"
done
[ -e /usr/include/libelf.h ] || die "libelf.h not found (apt-get install libelf-dev)"
PATCHES=$(find "$HERE" -maxdepth 1 -name '0*.patch' | sort)
[ -n "$PATCHES" ] || die "no patches in $HERE"

# The key covers everything that decides the images' contents.
KEY=$({
	echo "$SRC_VER"
	# shellcheck disable=SC2086 # one file per line
	cat "$HERE/config-fragment" $PATCHES "$0"
	gcc --version | head -n 1
} | sha256sum | cut -c1-16)
ENTRY=$CACHE/k-$KEY

report() {
	if [ "$PRINT" = shell ]; then
		printf "FSP_TK_DIR='%s'\nFSP_TK_KVER='%s'\nFSP_TK_UNPATCHED='%s'\nFSP_TK_TESTONLY='%s'\nFSP_TK_KMODDIR='%s'\n" \
			"$ENTRY" "$(cat "$ENTRY/kver")" "$ENTRY/bzImage" "$ENTRY/bzImage.test-only" \
			"$ENTRY/modules/lib/modules/$(cat "$ENTRY/kver")"
	else
		echo "$ENTRY"
	fi
}

if [ -f "$ENTRY/done" ]; then
	report
	exit 0
fi

mkdir -p "$CACHE" || die "cannot create $CACHE"
exec 9>"$CACHE/lock" || die "cannot open $CACHE/lock"
flock 9 || die "cannot lock $CACHE/lock"
# Another build.sh may have finished it while we waited.
if [ -f "$ENTRY/done" ]; then
	report
	exit 0
fi

TREE=$CACHE/tree
OUT=$CACHE/out
BUILD_LOG=$CACHE/build.log
: >"$BUILD_LOG"
T0=$(date +%s)

# A pristine source tree of this package version. A tree left patched by an
# interrupted run is restored by reversing what it recorded as applied.
if [ "$(cat "$TREE/.fsp-source-version" 2>/dev/null)" != "$SRC_VER" ]; then
	log "extracting $SRC_TAR ($SRC_PKG $SRC_VER)"
	rm -rf "$TREE" "$OUT" "$TREE.tmp"
	mkdir -p "$TREE.tmp" &&
		tar -xJf "$SRC_TAR" -C "$TREE.tmp" --strip-components=1 ||
		{
			rm -rf "$TREE.tmp"
			die "cannot extract $SRC_TAR"
		}
	echo "$SRC_VER" >"$TREE.tmp/.fsp-source-version"
	mv "$TREE.tmp" "$TREE"
fi
unapply() {
	[ -f "$TREE/.fsp-applied" ] || return 0
	patch -d "$TREE" -p1 -R -s <"$TREE/.fsp-applied" >>"$BUILD_LOG" 2>&1 || return 1
	rm -f "$TREE/.fsp-applied"
}
unapply || die "cannot restore the source tree; remove $TREE and run again"

# kmake TARGET...: make in the object directory, logged.
kmake() {
	make -C "$TREE" O="$OUT" -j"$JOBS" "$@" >>"$BUILD_LOG" 2>&1
}
fail() {
	log "$* failed; last lines of $BUILD_LOG:"
	tail -n 25 "$BUILD_LOG" >&2
	unapply
	exit 1
}

# The configuration: tinyconfig plus the fragment. Every =y line of the
# fragment must survive olddefconfig, which silently drops options whose
# dependencies are missing.
mkdir -p "$OUT"
kmake tinyconfig || fail "make tinyconfig"
"$TREE/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "$HERE/config-fragment" \
	>>"$BUILD_LOG" 2>&1 || fail "merge_config.sh"
kmake olddefconfig || fail "make olddefconfig"
DROPPED=
while read -r o; do
	grep -qx "$o" "$OUT/.config" || DROPPED="$DROPPED ${o%=y}"
done <<EOF
$(grep -o '^CONFIG_[A-Z0-9_]*=y' "$HERE/config-fragment")
EOF
[ -z "$DROPPED" ] || fail "config check (olddefconfig dropped:$DROPPED)"

rm -rf "$ENTRY.tmp"
mkdir -p "$ENTRY.tmp"
log "building the unpatched kernel in $OUT (log: $BUILD_LOG)"
kmake bzImage modules || fail "make bzImage (unpatched)"
kmake INSTALL_MOD_PATH="$ENTRY.tmp/modules" modules_install || fail "make modules_install"
cp "$OUT/arch/x86/boot/bzImage" "$ENTRY.tmp/bzImage" || fail "copy"
KVER=$(cat "$OUT/include/config/kernel.release") || fail "kernel.release"
echo "$KVER" >"$ENTRY.tmp/kver"
T1=$(date +%s)

# Record the patches before applying them, so that an interrupted run can
# be undone; patch --dry-run first so a patch that does not apply leaves
# the tree untouched.
# shellcheck disable=SC2086 # one file per line
cat $PATCHES >"$TREE/.fsp-applied.new"
patch -d "$TREE" -p1 --dry-run -s <"$TREE/.fsp-applied.new" >>"$BUILD_LOG" 2>&1 || {
	rm -f "$TREE/.fsp-applied.new"
	fail "the test-only patches do not apply to $SRC_PKG $SRC_VER:"
}
mv "$TREE/.fsp-applied.new" "$TREE/.fsp-applied"
patch -d "$TREE" -p1 -s <"$TREE/.fsp-applied" >>"$BUILD_LOG" 2>&1 || fail "patch"
log "building the test-only kernel"
kmake bzImage || fail "make bzImage (test-only)"
cp "$OUT/arch/x86/boot/bzImage" "$ENTRY.tmp/bzImage.test-only" || fail "copy"
[ "$(cat "$OUT/include/config/kernel.release")" = "$KVER" ] || fail "kernel.release changed"
unapply || fail "reversing the test-only patches"
T2=$(date +%s)

printf 'source %s %s\nunpatched %s s\ntest-only %s s (incremental)\n' \
	"$SRC_PKG" "$SRC_VER" "$((T1 - T0))" "$((T2 - T1))" >"$ENTRY.tmp/build-times"
touch "$ENTRY.tmp/done"
rm -rf "$ENTRY"
mv "$ENTRY.tmp" "$ENTRY"
log "built $KVER in $((T2 - T0)) s (unpatched $((T1 - T0)) s, test-only $((T2 - T1)) s)"

# Keep the two newest entries.
# shellcheck disable=SC2012 # names are ours: k-<hex>
ls -1td "$CACHE"/k-* 2>/dev/null | tail -n +3 | xargs -r rm -rf
report
