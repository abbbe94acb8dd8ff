#!/bin/bash
# make check's smoke part: each documented make target that no other part
# of make check runs is run once here, through make, in a reduced form, so
# that none can break unseen. One "ok"/"not ok" line per target, with its
# time; a failure shows the end of the target's output.
#   tests/smoke.sh [TARGET...]     (default: all of them; needs root)
#
#   bench          BENCH_SIZES=1 BENCH_REPS=1 BENCH_SLOTS_REPS=1: every
#                  variant, the slots costs of both helpers, the sizes
#   bench-boot     BOOT_RUNS=1: builds the three images and boots each once
#                  under QEMU; the bench itself checks that /secret is
#                  unlocked with the module and by hand, locked without
#   demo-host      as it is (under a second)
#   install-small  into a scratch DESTDIR: the helper installed is the
#                  musl build (its build ID), and it runs
# Covered by other parts, so not here: install (lint), fuzz (the fuzz
# part runs tests/fuzz/run.sh on the harnesses check-build made), small
# (check-build makes it, the small part runs the host tests on it).
set -u
cd "$(dirname "$0")/.." || exit 2
B=build
out=$(mktemp)
stage=$(mktemp -d)
trap 'rm -rf "$out" "$stage"' EXIT
failed=0

mk() { make --no-print-directory -s "$@"; }

# has PATTERN...: the target's output has a line matching each ERE.
has() {
	local p
	for p in "$@"; do
		grep -Eq -- "$p" "$out" || {
			echo "its output lacks a line matching: $p"
			return 1
		}
	done
}

smoke_bench() {
	mk bench BENCH_SIZES=1 BENCH_REPS=1 BENCH_SLOTS_REPS=1 &&
		has '^N = 1 keys' '^  b/a ' '^# slots files, build/fscrypt-provision:' \
			'^# slots files, build/small/fscrypt-provision:' '^passphrase, enroll defaults ' \
			'^fscrypt-provision, musl \(make small\) '
}

smoke_bench_boot() {
	mk bench-boot BOOT_RUNS=1 &&
		has '^  1 +with ' '^  1 +byhand ' '^  1 +without ' '^  with the module: +[0-9.]+ ms' \
			'^goal: the module adds'
}

smoke_demo_host() {
	mk demo-host && has '^PASS: '
}

smoke_install_small() {
	local got want
	mk install-small DESTDIR="$stage" PREFIX=/opt/fsp || return 1
	got=$(readelf -n "$stage/opt/fsp/sbin/fscrypt-provision" | sed -n 's/^ *Build ID: //p')
	want=$(readelf -n "$B/small/fscrypt-provision" | sed -n 's/^ *Build ID: //p')
	if [ -z "$want" ] || [ "$got" != "$want" ]; then
		echo "the installed helper (build ID ${got:-none}) is not $B/small/fscrypt-provision ($want)"
		return 1
	fi
	[ -x "$stage/opt/fsp/lib/fscrypt-provision/fscrypt-provision-tpm2" ] || {
		echo "the TPM companion is not installed"
		return 1
	}
	"$stage/opt/fsp/sbin/fscrypt-provision" --version
}

# Runs the target NAME through smoke_NAME, its output to $out, and
# reports it.
smoke() {
	local name=$1 fn t0 rc
	fn=smoke_${name//-/_}
	if ! declare -F "$fn" > /dev/null; then
		echo "not ok - smoke $name: no such smoke (bench bench-boot demo-host install-small)"
		failed=$((failed + 1))
		return
	fi
	t0=$SECONDS
	"$fn" > "$out" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok - smoke make $name ($((SECONDS - t0)) s)"
	else
		echo "not ok - smoke make $name ($((SECONDS - t0)) s, exit $rc)"
		tail -n 30 "$out" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(bench bench-boot demo-host install-small)
for t in "${targets[@]}"; do
	smoke "$t"
done
[ "$failed" = 0 ]
