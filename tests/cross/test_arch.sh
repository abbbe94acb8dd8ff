#!/bin/bash
# SPDX-License-Identifier: MIT
# One architecture's builds, as `make ARCH=A cross-build` leaves them in
# build/A/ (this machine's own in build/):
#   tests/cross/test_arch.sh A
# - the glibc and the musl helper are of that architecture, static, PIE
#   where the toolchain can link a static PIE, and hardened: RELRO,
#   BIND_NOW, a stack that is not executable, the stack protector,
#   fortified calls (glibc; musl has none), and the architecture's
#   control-flow protection (CET's endbr64 on amd64, PAC on arm64);
# - under qemu-user (another architecture) both run: --version, --help,
#   and a slots file each way: one the helper makes that this machine's
#   helper opens, and one this machine's helper makes that it opens, with
#   the same key identifier;
# - the unit tests run under qemu-user, their lines passed on (this
#   machine's own unit tests are make check's unit part).
# Prints "ok"/"not ok" lines; exits 1 if any failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
ARCH=${1:?usage: $0 ARCH}
HOST_ARCH=$(dpkg --print-architecture)
# What readelf -h says of each architecture's binaries.
case $ARCH in
amd64) machine='Advanced Micro Devices X86-64' class=ELF64 ;;
arm64) machine=AArch64 class=ELF64 ;;
armhf) machine=ARM class=ELF32 ;;
*)
	echo "not ok - $ARCH: not amd64, arm64 or armhf"
	exit 1
	;;
esac
triplet=$(dpkg-architecture -a"$ARCH" -qDEB_HOST_GNU_TYPE 2>/dev/null)
# qemu-user: Debian 12's qemu-user-static names its programs qemu-CPU-static;
# Debian 13's qemu-user, static itself, qemu-CPU.
cpu=$(dpkg-architecture -a"$ARCH" -qDEB_HOST_GNU_CPU 2>/dev/null)
qemu=$(command -v "qemu-$cpu-static" || command -v "qemu-$cpu") || qemu=qemu-$cpu-static
if [ "$ARCH" = "$HOST_ARCH" ]; then
	B=build run=()
else
	B=build/$ARCH run=("$qemu")
fi
NATIVE=$PWD/build/fscrypt-provision
failed=0
ok() { echo "ok - $ARCH: $1"; }
fail() {
	echo "not ok - $ARCH: $1"
	[ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/#   /'
	failed=1
}
check() { # WHAT COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The toolchain links a static PIE when it has the start file for one.
pie_expected() { # CC
	case $("$1" -print-file-name=rcrt1.o) in /*) return 0 ;; *) return 1 ;; esac
}

hardening() { # NAME BINARY LIBC
	local name=$1 bin=$2 libc=$3 h l d s
	h=$(readelf -hW "$bin") l=$(readelf -lW "$bin") d=$(readelf -dW "$bin" 2>&1)
	s=$(nm "$bin" 2>/dev/null)
	check "$name is $machine, $class" \
		grep -q "Machine: *$machine\$" <<<"$h"
	grep -q "Class: *$class\$" <<<"$h" || fail "$name is $class" "$h"
	if grep -q INTERP <<<"$l" || grep -q NEEDED <<<"$d"; then
		fail "$name is static: no PT_INTERP, no DT_NEEDED" "$l"
	else
		ok "$name is static: no PT_INTERP, no DT_NEEDED"
	fi
	if [ "$libc" = musl ] || pie_expected "$triplet-gcc"; then
		if grep -q 'Type: *DYN' <<<"$h" && grep -q 'BIND_NOW\|Flags: NOW' <<<"$d"; then
			ok "$name is a static PIE, bound now"
		else
			fail "$name is a static PIE, bound now" "$h"
		fi
	else
		# Debian 12's glibc for armhf has no rcrt1.o: the Makefile links
		# it static, not PIE (README, "Other architectures").
		check "$name is static, not PIE: $triplet's glibc has no static-PIE start file" \
			grep -q 'Type: *EXEC' <<<"$h"
	fi
	check "$name has RELRO" grep -q GNU_RELRO <<<"$l"
	check "$name's stack is not executable" grep -Eq 'GNU_STACK +(0x[0-9a-f]+ +){5}RW +' <<<"$l"
	# Our own compilation units are the -std=c11 ones (DWARF records the
	# flags; libc's and the libraries' have others).
	local units flags=(-fstack-protector-strong -fstack-clash-protection)
	case $ARCH in
	amd64) flags+=(-fcf-protection) ;;
	arm64) flags+=(-mbranch-protection=standard) ;;
	esac
	units=$(readelf --debug-dump=info "$bin" 2>/dev/null | grep 'DW_AT_producer.* -std=c11 ')
	local f without=
	for f in "${flags[@]}"; do
		grep -v -e " ${f}[ =]" <<<"$units" | grep -q . && without+=" $f"
	done
	if [ "$(wc -l <<<"$units")" -ge 10 ] && [ -z "$without" ]; then
		ok "$name: its $(wc -l <<<"$units") units were compiled with ${flags[*]}"
	else
		fail "$name: its units were compiled with ${flags[*]} (some without:${without:- none})" "$(head -3 <<<"$units")"
	fi
	check "$name links the stack protector" grep -q ' __stack_chk_fail$' <<<"$s"
	if [ "$libc" = glibc ]; then
		check "$name calls fortified functions" grep -Eq ' __(memcpy|read|snprintf|vsnprintf|memset|strcpy)_chk$' <<<"$s"
	fi
	case $ARCH in
	amd64) check "$name has CET's endbr64 (-fcf-protection)" \
		sh -c "objdump -d '$bin' | grep -q endbr64" ;;
	arm64) check "$name signs return addresses (PAC: paciasp)" \
		sh -c "$triplet-objdump -d '$bin' | grep -q paciasp" ;;
	esac
}

runs() { # NAME BINARY
	local name=$1 bin=$2 out
	out=$("${run[@]}" "$bin" --version 2>&1)
	[[ $out =~ ^fscrypt-provision\ [0-9.]+$ ]] && ok "$name runs: --version" ||
		fail "$name runs: --version" "$out"
	out=$("${run[@]}" "$bin" --help 2>&1)
	[[ $out == *"Exit codes:"* ]] && ok "$name runs: --help" || fail "$name runs: --help" "$out"
	[ "$ARCH" != "$HOST_ARCH" ] || return 0
	# A slots file made here opens there, and the other way round: the
	# format, the KDF and the key identifier do not depend on the
	# architecture (byte order, 32-bit long, time_t).
	rm -f "$work/a.slots" "$work/n.slots"
	(umask 077 && "${run[@]}" "$bin" enroll --slots "$work/a.slots" --generate --passphrase \
		--new-passphrase-fd 3 --pbkdf-iterations 1 --pbkdf-memory 8192 --json \
		3<<<"pw-$ARCH") >"$work/made" 2>&1
	"$NATIVE" enroll --slots "$work/a.slots" --unlock-passphrase-fd 3 --passphrase \
		--new-passphrase-fd 4 --dry-run --json 3<<<"pw-$ARCH" 4<<<x >"$work/opened" 2>&1
	id_of() { sed -n 's/.*"identifier": "\([0-9a-f]*\)".*/\1/p' "$1"; }
	[ -n "$(id_of "$work/made")" ] && [ "$(id_of "$work/made")" = "$(id_of "$work/opened")" ] &&
		ok "$name made a slots file that $HOST_ARCH's helper opens, same identifier" ||
		fail "$name made a slots file that $HOST_ARCH's helper opens" "$(cat "$work/made" "$work/opened")"
	(umask 077 && "$NATIVE" enroll --slots "$work/n.slots" --generate --passphrase \
		--new-passphrase-fd 3 --pbkdf-iterations 1 --pbkdf-memory 8192 --json \
		3<<<"pw-$HOST_ARCH") >"$work/made" 2>&1
	"${run[@]}" "$bin" enroll --slots "$work/n.slots" --unlock-passphrase-fd 3 --passphrase \
		--new-passphrase-fd 4 --dry-run --json 3<<<"pw-$HOST_ARCH" 4<<<x >"$work/opened" 2>&1
	[ -n "$(id_of "$work/made")" ] && [ "$(id_of "$work/made")" = "$(id_of "$work/opened")" ] &&
		ok "$name opens a slots file of $HOST_ARCH's helper, same identifier" ||
		fail "$name opens a slots file of $HOST_ARCH's helper" "$(cat "$work/made" "$work/opened")"
	# A wrong one: the exit code of this machine's helper, which is not 0.
	local want got
	"$NATIVE" enroll --slots "$work/n.slots" --unlock-passphrase-fd 3 --passphrase \
		--new-passphrase-fd 4 --dry-run 3<<<"wrong" 4<<<x >/dev/null 2>&1
	want=$?
	"${run[@]}" "$bin" enroll --slots "$work/n.slots" --unlock-passphrase-fd 3 --passphrase \
		--new-passphrase-fd 4 --dry-run 3<<<"wrong" 4<<<x >"$work/opened" 2>&1
	got=$?
	[ "$want" != 0 ] && [ "$got" = "$want" ] &&
		ok "$name refuses a wrong passphrase, exit $got ($("$NATIVE" exit-codes "$got"))" ||
		fail "$name refuses a wrong passphrase: exit $got, $HOST_ARCH's helper $want" "$(cat "$work/opened")"
}

for pair in "glibc:$B/fscrypt-provision" "musl:$B/small/fscrypt-provision"; do
	libc=${pair%%:*} bin=${pair#*:}
	if [ ! -x "$bin" ]; then
		fail "the $libc helper $bin is built (make ARCH=$ARCH cross-build)"
		continue
	fi
	hardening "the $libc helper" "$bin" "$libc"
	runs "the $libc helper" "$bin"
done

if [ "$ARCH" != "$HOST_ARCH" ]; then
	n=0
	for t in "$B"/unit/*/test_*; do
		[ -x "$t" ] || continue
		n=$((n + 1))
		# Each line names the architecture; a test that dies without a
		# "not ok" still fails.
		"$qemu" "$t" >"$work/unit" 2>&1
		rc=$?
		sed -e "s|^ok [0-9]* - |ok - $ARCH: unit ${t#"$B"/unit/}: |" \
			-e "s|^not ok [0-9]* - |not ok - $ARCH: unit ${t#"$B"/unit/}: |" "$work/unit"
		grep -q '^not ok' "$work/unit" && failed=1
		[ "$rc" = 0 ] || grep -q '^not ok' "$work/unit" || fail "unit ${t#"$B"/unit/} exited $rc"
	done
	[ "$n" -gt 0 ] || fail "its unit tests are built (make ARCH=$ARCH cross-build)"
fi
exit "$failed"
