# shellcheck shell=bash
# Shared setup for host tests: real kernel, loop-mounted ext4 images, a
# private keyring per run. Sourced by tests/host/test_*.sh.
#
# Each test prints "ok - NAME" or "not ok - NAME"; tests/run-all.sh counts.
# $FSP is the binary under test, possibly behind a wrapper (valgrind).

set -u

: "${FSP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/fscrypt-provision}"
read -r -a FSP_CMD <<<"$FSP"
T_FAILED=0
T_WORK=$(mktemp -d /tmp/fsp-host.XXXXXX)
KR="fsp-test-$$-$RANDOM"
T_LOOPS=()
T_MOUNTS=()
# enroll's passphrase KDF at the least it accepts (one pass over 8 MiB), so
# that enrolling and unwrapping take no time in tests.
# shellcheck disable=SC2034 # used by the tests that source this
CHEAP=(--pbkdf-iterations 1 --pbkdf-memory 8192)

t_ok() { printf 'ok - %s\n' "$1"; }
t_fail() {
	printf 'not ok - %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '#   %s\n' "$@"
	T_FAILED=$((T_FAILED + 1))
}

# Runs the helper with the test keyring; keeps stdout, stderr and rc.
fsp() {
	local cmd=$1
	shift
	"${FSP_CMD[@]}" "$cmd" --keyring "$KR" "$@" >"$T_WORK/out" 2>"$T_WORK/err"
	RC=$?
	# NUL bytes (embed --null) are dropped here; tests compare $T_WORK/out.
	OUT=$(tr -d '\000' <"$T_WORK/out")
	ERR=$(cat "$T_WORK/err")
	return 0
}

# expect NAME RC [STDERR-SUBSTRING] -- checks the last fsp call.
expect() {
	local name=$1 rc=$2 msg=${3-}
	if [ "$RC" != "$rc" ]; then
		t_fail "$name" "exit $RC, expected $rc" "stdout: $OUT" "stderr: $ERR"
	elif [ -n "$msg" ] && [[ "$ERR$OUT" != *"$msg"* ]]; then
		t_fail "$name" "output lacks: $msg" "stdout: $OUT" "stderr: $ERR"
	elif [ "$rc" = 0 ] && [ -n "$ERR" ] && [ -z "${ALLOW_STDERR-}" ]; then
		t_fail "$name" "unexpected stderr on success: $ERR"
	else
		t_ok "$name"
	fi
}

# check NAME COMMAND... -- passes when the command succeeds.
check() {
	local name=$1
	shift
	if "$@" >"$T_WORK/chk" 2>&1; then
		t_ok "$name"
	else
		t_fail "$name" "failed: $*" "$(head -c 2000 "$T_WORK/chk")"
	fi
}

# new_fs NAME [mkfs options...] -- a fresh loop-mounted ext4 at $T_WORK/NAME.
new_fs() {
	local name=$1 img loop
	shift
	img="$T_WORK/$name.img"
	truncate -s 64M "$img"
	mkfs.ext4 -q -F -b 4096 "$@" "$img"
	loop=$(losetup -f --show "$img")
	T_LOOPS+=("$loop")
	mkdir -p "$T_WORK/$name"
	mount "$loop" "$T_WORK/$name"
	T_MOUNTS+=("$T_WORK/$name")
}

# remount NAME -- unmount and mount again: a new superblock, keys gone.
remount() {
	local dir="$T_WORK/$1" dev
	dev=$(findmnt -n -o SOURCE "$dir")
	umount "$dir" && mount "$dev" "$dir"
}

# new_key FILE [BYTES] -- random raw key, mode 0600.
new_key() {
	head -c "${2:-64}" /dev/urandom >"$1"
	chmod 0600 "$1"
}

# xfs_enc_dir DIR KEY ID NAME TEXT -- DIR made with xfs_io, a tool
# independent of the helper: KEY added to DIR's filesystem, DIR given the
# policy of ID, and a file NAME in it holding TEXT. Both stay unlocked until
# the filesystem is remounted.
xfs_enc_dir() {
	mkdir "$1" &&
		xfs_io -c add_enckey "$1" <"$2" >/dev/null &&
		xfs_io -c "set_encpolicy $3" "$1" &&
		echo "$5" >"$1/$4"
}

# one_word_bin PATH: writes a script at PATH that runs the helper, for the
# scripts' --bin and FSCRYPT_PROVISION_BIN (FSP may be a wrapper such as
# valgrind ...).
one_word_bin() {
	{
		echo '#!/bin/sh'
		printf 'exec'
		printf ' %q' "${FSP_CMD[@]}"
		echo ' "$@"'
	} >"$1"
	chmod 0755 "$1"
}

# on_silent_tty LIMIT CMD...: runs CMD on a terminal of its own (script(1))
# whose keyboard stays silent: its input is held open and never written,
# as a console nobody sits at (at the end of </dev/null, script would
# type Ctrl-D). At most LIMIT seconds (then RC is 124); what the terminal
# showed is in $TTY.
on_silent_tty() {
	local limit=$1 hold
	shift
	rm -f "$T_WORK/silent" && mkfifo "$T_WORK/silent"
	exec {hold}<>"$T_WORK/silent"
	timeout "$limit" script -eqc "$(printf ' %q' "$@")" /dev/null <&"$hold" >"$T_WORK/tty" 2>&1
	RC=$?
	exec {hold}>&-
	TTY=$(tr -d '\r' <"$T_WORK/tty")
}

# tty_expect NAME RC TEXT...: checks the last on_silent_tty.
tty_expect() {
	local name=$1 rc=$2 s
	shift 2
	if [ "$RC" = 124 ]; then
		t_fail "$name" "still running at the outer timeout: waiting for someone to type?" "$TTY"
		return
	fi
	[ "$RC" = "$rc" ] || {
		t_fail "$name" "exit $RC, expected $rc" "$TTY"
		return
	}
	for s in "$@"; do
		[[ $TTY == *"$s"* ]] || {
			t_fail "$name" "the terminal lacks: $s" "$TTY"
			return
		}
	done
	t_ok "$name"
}

keyring_id() {
	keyctl show @u 2>/dev/null | awk -v kr="$KR" '$0 ~ "keyring: " kr "$" {print $1}'
}

t_cleanup() {
	local m l id
	cd /
	for ((i = ${#T_MOUNTS[@]} - 1; i >= 0; i--)); do
		m=${T_MOUNTS[$i]}
		mountpoint -q "$m" && umount -l "$m"
	done
	for l in "${T_LOOPS[@]}"; do
		losetup -d "$l" 2>/dev/null
	done
	id=$(keyring_id)
	if [ -n "$id" ]; then
		keyctl clear "$id" >/dev/null 2>&1
		keyctl unlink "$id" @u >/dev/null 2>&1
	fi
	rm -rf "$T_WORK"
}
trap t_cleanup EXIT

t_done() {
	[ "$T_FAILED" = 0 ]
}
