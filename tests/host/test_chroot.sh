#!/bin/bash
# The helper in a chroot whose root is not a mount (an image build, a
# debootstrap, the fresh root in which the README's commands are checked):
# the kernel leaves the mount that holds the chroot's root out of
# mountinfo, and that filesystem is then the one mounted at "/". Always the
# static binary, which runs in an empty root; the sanitizer and valgrind
# builds are dynamic.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

STATIC=$(cd "$(dirname "$0")/../.." && pwd)/build/fscrypt-provision
R=$T_WORK/root
mkdir -p "$R/proc" "$R/tmp" "$R/etc" "$R/later"
cp "$STATIC" "$R/fsp"
mount -t proc proc "$R/proc"
T_MOUNTS+=("$R/proc")
printf 'later /later none -\n' >"$R/etc/fscrypttab"

in_root() { # runs the helper in the chroot; sets RC, OUT, ERR
	chroot "$R" /fsp "$@" >"$T_WORK/out" 2>"$T_WORK/err"
	RC=$?
	OUT=$(cat "$T_WORK/out")
	ERR=$(cat "$T_WORK/err")
}

# The control: seen from inside, no mount is at "/" (static busybox reads).
cp "$(command -v busybox)" "$R/busybox"
chroot "$R" /busybox cat /proc/self/mountinfo >"$T_WORK/mi"
check "the chroot's mountinfo has /proc but no mount at /" \
	bash -c "awk '\$5 == \"/proc\"' '$T_WORK/mi' | grep -q . && ! awk '\$5 == \"/\"' '$T_WORK/mi' | grep -q ."
in_root status --json /tmp
expect "status in the chroot: the root's filesystem is found" 0
check "status: its mountpoint is /" test "$(jq -r .mountpoint <<<"$OUT")" = /
in_root unlock /tmp
expect "unlock of a directory no entry covers: usage error" 2 "no entry in /etc/fscrypttab has mountpoint /"
in_root unlock /later
expect "unlock of a listed mountpoint that is not mounted: not ready" 1 \
	"volume later in /etc/fscrypttab has mountpoint /later, which is not mounted"
in_root check /later
expect "check of it too" 1 "which is not mounted"

t_done
