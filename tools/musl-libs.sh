#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the two libraries of the small (musl) helper, libkeyutils and
# libsodium, as static musl archives from Debian's own source packages:
#
#   tools/musl-libs.sh OUTDIR [ARCH]
#
# ARCH is a Debian architecture (amd64, arm64, armhf; default: this
# machine's). For another one, the compiler is Debian's cross gcc of that
# architecture with musl-dev:ARCH (multiarch), through specs made from this
# machine's musl-gcc specs with the target's paths.
# Debian ships both only for glibc. We take the source package of the very
# version the glibc build links (dpkg-query on libkeyutils-dev and
# libsodium-dev), so that both helpers carry the same library code. apt
# fetches it through a private sources list (deb-src of this machine's own
# Debian sources, tools/apt-sources.sh, or of FSP_DEBIAN_MIRROR), signed by
# Debian's archive key and checked against the signed Sources index; nothing
# of the system's apt state changes. When the mirror lacks that version's
# source (seen here for trixie's keyutils 1.6.3-6), it says so and builds
# the newest source of the same upstream version that bookworm's or
# trixie's index offers; OUTDIR/prefix/BUILT names what was built.
#
# Result: OUTDIR/prefix/{include,lib}, and OUTDIR/prefix/VERSIONS naming
# what was asked for. A second run with the same versions does nothing.
# Needs: musl-gcc (musl-tools), dpkg-source (dpkg-dev), apt-get, make.
set -eu

[ $# -eq 1 ] || [ $# -eq 2 ] || {
	echo "usage: $0 OUTDIR [ARCH]" >&2
	exit 2
}
host_arch=$(dpkg --print-architecture)
target=${2:-$host_arch}
# The GNU triplet from dpkg; musl's is the same with musl for gnu
# (aarch64-linux-musl, arm-linux-musleabihf: where musl-dev:ARCH puts it).
gnu=$(dpkg-architecture -a"$target" -qDEB_HOST_GNU_TYPE 2>/dev/null) || {
	echo "musl-libs: '$target' is no Debian architecture that dpkg-architecture knows" >&2
	exit 2
}
musl=$(echo "$gnu" | sed 's/-gnu/-musl/')
mkdir -p "$1" && out=$(cd "$1" && pwd) || exit 1
here=$(cd "$(dirname "$0")" && pwd)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

die() {
	echo "musl-libs: $*" >&2
	exit 1
}

if [ "$target" = "$host_arch" ]; then
	gcc=gcc deps=small
else
	gcc=$gnu-gcc deps=cross
	[ -f "/usr/lib/$musl/rcrt1.o" ] ||
		die "musl-dev:$target is missing: run 'tools/install-deps.sh cross' (as root)"
fi
for tool in musl-gcc "$gcc" dpkg-source apt-get make ar autoreconf libtoolize; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "$tool is missing: run 'tools/install-deps.sh $deps' (as root)"
done
[ -r "$keyring" ] || die "$keyring is missing (package debian-archive-keyring)"

srcver() {
	v=$(dpkg-query -W -f='${source:Version}' "$1" 2>/dev/null) ||
		die "$1 is not installed: the musl build takes the same version"
	echo "$v"
}
ks=$(srcver "libkeyutils-dev:$target")
ss=$(srcver "libsodium-dev:$target")
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
# Both libraries as the helper itself is built (Makefile, SMALL_CFLAGS and
# NO_UNWIND): for size, and without unwind tables, which no C caller uses.
lib_cflags='-Os -fPIE -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables'
want="keyutils $ks
libsodium $ss
arch $target
cflags $lib_cflags"
prefix=$out/prefix
if [ -f "$prefix/VERSIONS" ] && [ "$(cat "$prefix/VERSIONS")" = "$want" ]; then
	exit 0
fi

rm -rf "$out"
mkdir -p "$out/apt/lists/partial" "$out/apt/cache/archives/partial" \
	"$out/src" "$prefix/lib" "$prefix/include"
# deb-src lines of RELEASE: FSP_DEBIAN_MIRROR's, or this machine's.
src_lines() {
	if [ -n "${FSP_DEBIAN_MIRROR-}" ]; then
		echo "deb-src [signed-by=$keyring] $FSP_DEBIAN_MIRROR $1 main"
	else
		"$here/apt-sources.sh" "$1" | sed "s|^deb |deb-src [signed-by=$keyring] |"
	fi
}
src_lines "$suite" >"$out/apt/sources.list"
[ -s "$out/apt/sources.list" ] || die "no apt source to fetch $suite's source packages from"
# Dir::State::Lists and Dir::Cache keep apt's indexes in OUTDIR; the
# sandbox user is root because _apt cannot write there.
set -- -q -o Dir::Etc::SourceList="$out/apt/sources.list" \
	-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$out/apt/lists" \
	-o Dir::Cache="$out/apt/cache" -o APT::Sandbox::User=root
echo "musl-libs: fetching keyutils $ks and libsodium $ss ($suite)"
apt-get "$@" update >"$out/apt.log" 2>&1 || {
	cat "$out/apt.log" >&2
	die "apt-get update of the source index failed"
}
fetch() { (cd "$out/src" && apt-get "$@" source --download-only "$pkg=$ver") >>"$out/apt.log" 2>&1; }
built=
for pv in "keyutils=$ks" "libsodium=$ss"; do
	pkg=${pv%%=*}
	ver=${pv#*=}
	if ! fetch "$@"; then
		# The index names the version, the mirror lacks its files: take
		# the same upstream version from either release's index.
		for r in bookworm trixie; do
			[ "$r" = "$suite" ] || src_lines "$r" >>"$out/apt/sources.list" || true
		done
		apt-get "$@" update >>"$out/apt.log" 2>&1 || die "apt-get update of the source index failed"
		alt=$(apt-cache "$@" showsrc "$pkg" | sed -n 's/^Version: //p' | grep -F -x -v "$ver" |
			grep "^${ver%-*}-" | sort -V | tail -n 1)
		[ -n "$alt" ] || {
			tail -n 20 "$out/apt.log" >&2
			die "the source of $pkg $ver is not on the mirror, nor any other of upstream ${ver%-*}"
		}
		echo "musl-libs: the source of $pkg $ver is not on the mirror; building $pkg $alt (upstream ${ver%-*} too) instead" >&2
		ver=$alt
		fetch "$@" || {
			tail -n 20 "$out/apt.log" >&2
			die "apt-get source $pkg=$ver failed"
		}
	fi
	built="$built$pkg $ver
"
done
# apt checked each file's hash against the signed index; the .dsc's own
# signature is by the uploader, whose key this machine does not have.
for dsc in "$out"/src/*.dsc; do
	(cd "$out/src" && dpkg-source --no-check -x "${dsc##*/}") \
		>>"$out/apt.log" 2>&1 || die "dpkg-source -x $dsc failed"
done

# musl has no kernel headers of its own: the uapi ones of linux-libc-dev
# (only linux/, asm/ and asm-generic/, never glibc's) serve both builds.
# For another architecture: linux-libc-dev:ARCH's, or those that its cross
# toolchain brings (linux-libc-dev-ARCH-cross, in /usr/TRIPLET/include).
uapi=/usr/include asm=/usr/include/$gnu/asm
[ -d "$asm" ] || uapi=/usr/$gnu/include asm=/usr/$gnu/include/asm
[ -d "$asm" ] || die "no kernel headers (asm/) for $target: run 'tools/install-deps.sh $deps' (as root)"
ln -s "$uapi/linux" "$prefix/include/linux"
ln -s "$asm" "$prefix/include/asm"
ln -s "$uapi/asm-generic" "$prefix/include/asm-generic"

# musl-gcc's specs link dynamically even with -static-pie (Scrt1.o and
# ld-musl as interpreter). Ours start from rcrt1.o, musl's self-relocating
# entry, and ask ld for a static PIE (ASLR, as in the glibc build) with a
# build ID, as gcc's own link line has.
# The wrapper is one line, "exec gcc ... -specs FILE", its specs in
# /usr/lib/MUSL-TRIPLET/: musl.specs is them with the target's triplet
# (the same file for this machine's architecture), and builds the libraries.
sys_specs=$(sed -n 's/.*-specs "\{0,1\}\([^" ]*\)"\{0,1\}.*/\1/p' "$(command -v musl-gcc)")
[ -f "$sys_specs" ] || die "musl-gcc names no specs file that exists ('$sys_specs')"
host_musl=$(basename "$(dirname "$sys_specs")")
sed -e "s|/usr/include/$host_musl|/usr/include/$musl|g" -e "s|/usr/lib/$host_musl|/usr/lib/$musl|g" \
	"$sys_specs" >"$prefix/musl.specs"
sed -e 's|/Scrt1\.o|/rcrt1.o|' \
	-e 's|^-dynamic-linker .*|-nostdlib -static -pie --no-dynamic-linker -z text --build-id|' \
	"$prefix/musl.specs" >"$prefix/static-pie.specs"
grep -q "/$musl/rcrt1.o" "$prefix/static-pie.specs" && grep -q -- --no-dynamic-linker "$prefix/static-pie.specs" &&
	{ [ "$host_musl" = "$musl" ] || ! grep -q "/$host_musl" "$prefix/static-pie.specs"; } ||
	die "$sys_specs has an unexpected layout: cannot derive static-PIE specs"
cc="$gcc -specs $prefix/musl.specs"

# keyutils: its library is one file; its Makefile would also build the
# programs, which we do not need.
k=$(find "$out/src" -maxdepth 1 -type d -name 'keyutils-*')
kv=${k##*keyutils-}
# shellcheck disable=SC2086 # lib_cflags is a list of flags
$cc $lib_cflags -D_GNU_SOURCE \
	-DPKGBUILD='"debian"' -DPKGVERSION="\"keyutils-$kv\"" \
	-DAPIVERSION="\"libkeyutils-$kv\"" -isystem "$prefix/include" -c "$k/keyutils.c" -o "$k/keyutils.o"
ar rcs "$prefix/lib/libkeyutils.a" "$k/keyutils.o"
cp "$k/keyutils.h" "$prefix/include/"

# libsodium: --enable-minimal keeps the high-level API we use (Argon2id,
# BLAKE2b, XChaCha20-Poly1305, HMAC-SHA-512, SHA-256, base64) and drops
# the rest.
s=$(find "$out/src" -maxdepth 1 -type d -name 'libsodium-*')
echo "musl-libs: building libsodium (a minute or two)"
# The source is upstream's git tree, without a configure script: Debian's
# build runs autoreconf too (dh_autoreconf).
(cd "$s" && autoreconf -fi && CC=$cc CFLAGS=$lib_cflags \
	./configure --host="$gnu" --prefix="$prefix" --disable-shared \
	--enable-static --enable-minimal --disable-pie &&
	make -j"$(nproc)" && make install) >"$out/sodium.log" 2>&1 || {
	tail -30 "$out/sodium.log" >&2
	die "building libsodium failed (whole log: $out/sodium.log)"
}
printf '%s' "$built" >"$prefix/BUILT"
printf '%s\n' "$want" >"$prefix/VERSIONS"
echo "musl-libs: ready in $prefix"
