#!/bin/bash
# Runs the test suites and prints "N passed, N failed" last.
#   tests/run-all.sh            everything make check runs
#   tests/run-all.sh unit|cross|host|small|sanitizers|valgrind|lint|fuzz|qemu|qemu-dist|smoke|guide   one part
set -u
cd "$(dirname "$0")/.." || exit 2
B=build
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(unit cross host small sanitizers valgrind lint fuzz qemu qemu-dist smoke guide)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs one producer of "ok"/"not ok" lines; a producer that dies without
# reporting any failure still counts as one failure.
run() {
	local label=$1
	shift
	echo "# $label"
	"$@" 2>&1 | tee -a "$log" | sed 's/^/  /'
	local rc=${PIPESTATUS[0]}
	if [ "$rc" != 0 ] && ! tail -n 200 "$log" | grep -q '^not ok'; then
		echo "not ok - $label exited $rc" | tee -a "$log"
	fi
}

# shellcheck source=jobs.sh
. tests/jobs.sh

# run_host PREFIX ENV... -- FILE...: runs each host test file as
# "env ENV... bash FILE", FSP_HOST_JOBS at a time (default one per CPU; a
# file with the line "# fsp-host: alone" runs by itself), and reports each
# through run when it ends. The tests share no names: each has its own
# keyring, work directory and loop devices (tests/host/lib.sh).
host_prefix='' host_dir='' host_env=()
host_out() { printf '%s/%s.out' "$host_dir" "${1//\//_}"; }
host_alone() { grep -q '^# fsp-host: alone' "$1"; }
host_start() { env "${host_env[@]}" bash "$1" > "$(host_out "$1")" 2>&1 < /dev/null; }
host_report() {
	# shellcheck disable=SC2016 # expanded by that sh
	run "$host_prefix $(basename "$1")" sh -c 'cat "$1"; exit "$2"' sh "$(host_out "$1")" "$2"
}
run_host() {
	host_prefix=$1
	shift
	host_env=()
	while [ "$1" != -- ]; do
		host_env+=("$1")
		shift
	done
	shift
	host_dir=$(mktemp -d)
	jobs_each "${FSP_HOST_JOBS:-$(nproc)}" host_alone host_start host_report "$@"
	rm -rf "$host_dir"
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "not ok - host tests need root (loop devices, mount, keys)" | tee -a "$log"
		return 1
	fi
}

# Each part's time is printed after it ("# time PART: N s"): CI has an
# hour, and this is where it goes.
for part in "${parts[@]}"; do
	part_start=$SECONDS
	case $part in
	unit)
		for t in "$B"/unit/*/test_*; do run "unit ${t#"$B"/unit/}" "$t"; done
		;;
	cross)
		# Each architecture's helpers (glibc and musl): of that
		# architecture, static, hardened; the other architectures' run
		# under qemu-user, with their unit tests (make check builds them:
		# make ARCH=A cross-build).
		native=$(dpkg --print-architecture)
		run "arch $native" tests/cross/test_arch.sh "$native"
		for a in arm64 armhf; do
			[ "$a" = "$native" ] || run "arch $a" tests/cross/test_arch.sh "$a"
		done
		;;
	host)
		need_root || continue
		run_host host FSP="$PWD/$B/fscrypt-provision" -- tests/host/test_*.sh tests/hooks/test_*.sh
		;;
	small)
		# The musl build (make small) through the same host tests: libc
		# and library builds differ, the behaviour must not.
		need_root || continue
		run_host "small host" FSP="$PWD/$B/small/fscrypt-provision" -- tests/host/test_*.sh
		;;
	sanitizers)
		for t in "$B"/unit-asan/*/test_*; do
			run "asan unit ${t#"$B"/unit-asan/}" env ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99 "$t"
		done
		need_root || continue
		run_host "asan host" FSP="$PWD/$B/asan/fscrypt-provision" ASAN_OPTIONS=exitcode=99:detect_leaks=1 \
			UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99 -- tests/host/test_*.sh tests/hooks/test_*.sh
		;;
	valgrind)
		need_root || continue
		# valgrind's own messages go to a log, not to the stderr the
		# tests read: Debian 12's valgrind 3.19 warns about every
		# openat2() it does not know. Its errors still fail the
		# command (exit 99); the logs say what they were. valgrind
		# costs about a second a run of the helper: it runs the host
		# tests of valgrind.list, which tools/host-cover.py picks for
		# the fewest runs that reach 90 % of the lines all of them
		# reach (ASan and the musl build run them all).
		mkdir -p "$B/valgrind"
		mapfile -t vg_tests < <(sed -e 's/[[:space:]]*#.*//' -e '/^$/d' tests/host/valgrind.list)
		run_host "valgrind host" \
			FSP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --log-file=$PWD/$B/valgrind/%p.log $PWD/$B/dyn/fscrypt-provision" \
			FSP_UNDER_VALGRIND=1 -- "${vg_tests[@]}"
		;;
	lint)
		run "lint" tests/lint.sh
		;;
	guide)
		need_root || continue
		run "guide docs/getting-started.md" bash tests/guide/test_guide.sh
		;;
	fuzz)
		# A short pass of each libFuzzer harness (make fuzz runs longer).
		run "fuzz" tests/fuzz/run.sh "${FUZZ_SECONDS:-30}"
		;;
	qemu)
		need_root || continue
		run "qemu" tests/qemu/run.sh
		;;
	qemu-dist)
		# The tests marked every-release again, with the other supported
		# Debian release's kernel, dracut, mkinitramfs and systemd: trixie
		# here on bookworm, bookworm on trixie (FSP_QEMU_OTHER_DIST).
		need_root || continue
		other=${FSP_QEMU_OTHER_DIST:-$( (. /etc/os-release && [ "${VERSION_CODENAME-}" = trixie ]) &&
			echo bookworm || echo trixie)}
		run "qemu $other" tests/qemu/run.sh --dist "$other"
		;;
	smoke)
		# The documented make targets no other part runs (bench,
		# bench-boot, demo-host, install-small), each once, reduced.
		need_root || continue
		run "smoke" tests/smoke.sh
		;;
	*)
		echo "unknown part: $part" >&2
		exit 2
		;;
	esac
	echo "# time $part: $((SECONDS - part_start)) s"
done

passed=$(grep -c '^ok' "$log")
failed=$(grep -c '^not ok' "$log")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
