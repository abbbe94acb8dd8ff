#!/bin/bash
# The boot of a hand-made initramfs (docs/embedded.md): the build step,
# initramfs/fscrypt-provision-stage, stages what embed --manifest names
# (the helper, the boot steps, the table, the slots file root's only, the
# kernel modules with what they need and their index), refuses before it
# stages anything, and names the modules a kernel must have built in; the
# boot step, fsp_boot of the boot steps' file, run by busybox sh with
# nothing but busybox's applets on PATH and an empty environment, unlocks
# the volume on NEWROOT from the staged table through an exec slot, and
# honours rd.fscrypt=0, rd.fscrypt.key= and quiet; a failing volume
# returns 1 with its reason.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STAGE_STEP=$ROOT/initramfs/fscrypt-provision-stage
LIB=$ROOT/initramfs/fscrypt-provision-lib.sh
BIN=${FSP_CMD[${#FSP_CMD[@]} - 1]}
BB=$(command -v busybox) || {
	t_fail "busybox is installed (busybox-static, tools/packages)"
	exit 1
}
KVER=$(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
one_word_bin "$T_WORK/fsp-bin"

# The volume: NEWROOT is $T_WORK, its /data a fresh ext4 whose vault has
# the slots file's key; the unsealer prints a secret that the exec slot
# was enrolled with.
new_fs data -O encrypt
new_key "$T_WORK/master.key"
ID=$("${FSP_CMD[@]}" identifier --key-file "$T_WORK/master.key")
xfs_enc_dir "$T_WORK/data/vault" "$T_WORK/master.key" "$ID" hello.txt "from the boot step"
mkdir -m 0755 "$T_WORK/bin"
printf '#!/bin/sh\nprintf %%s unsealed-by-the-board-0123456789\n' >"$T_WORK/bin/unseal"
# It prints what flaky.out holds, changed after enrolling: a wrong secret.
printf '#!/bin/sh\ncat %s\n' "$T_WORK/bin/flaky.out" >"$T_WORK/bin/flaky"
echo "the-secret-at-enroll-0123456789" >"$T_WORK/bin/flaky.out"
chmod 0755 "$T_WORK/bin/unseal" "$T_WORK/bin/flaky"
fsp enroll --slots "$T_WORK/data.slots" --key-file "$T_WORK/master.key" --exec "$T_WORK/bin/unseal" --
expect "enroll an exec slot" 0
shred -u "$T_WORK/master.key"
cat >"$T_WORK/tab" <<EOF
data /data slots:$T_WORK/data.slots vault initramfs,identifier=$ID
EOF
remount data

# stage OUT [OPTIONS...]: the build step into a fresh $S with busybox and
# its rm; output in OUT, exit status in SRC.
stage() {
	local out=$1
	shift
	S=$T_WORK/stage.$RANDOM
	mkdir -p "$S/bin"
	cp "$BB" "$S/bin/busybox"
	ln -s busybox "$S/bin/sh"
	[ "${NO_RM-}" ] || ln -s busybox "$S/bin/rm"
	[ "${NO_MODPROBE-}" ] || { mkdir -p "$S/sbin" && ln -s ../bin/busybox "$S/sbin/modprobe"; }
	FSCRYPT_PROVISION_BIN=$T_WORK/fsp-bin "$STAGE_STEP" "$@" "$S" >"$out" 2>&1
	SRC=$?
}

stage "$T_WORK/o1" --tab "$T_WORK/tab" --modules / --kver "$KVER"
STAGED=$S
[ "$SRC" = 0 ] && t_ok "the build step stages the manifest" || t_fail "the build step stages the manifest" "$(cat "$T_WORK/o1")"
cmp -s "$S/usr/sbin/fscrypt-provision" "$BIN" && [ -x "$S/usr/sbin/fscrypt-provision" ] &&
	cmp -s "$S/usr/lib/fscrypt-provision/fscrypt-provision-lib.sh" "$(dirname "$BIN")/fscrypt-provision-lib.sh" &&
	t_ok "the helper and the boot steps beside it" || t_fail "the helper and the boot steps beside it"
[ "$(stat -c '%a %U' "$S$T_WORK/data.slots")" = "400 root" ] && cmp -s "$S$T_WORK/data.slots" "$T_WORK/data.slots" &&
	[ "$(stat -c %a "$S/etc/fscrypt-provision")" = 700 ] &&
	t_ok "the slots file at its path, root's, 0400, in a 0700 state directory" ||
	t_fail "the slots file at its path, root's, 0400" "$(ls -la "$S$T_WORK" "$S/etc")"
grep -qx "data /data slots:$T_WORK/data.slots vault initramfs,identifier=$ID" "$S/etc/fscrypttab" &&
	grep -qx "$T_WORK/data.slots" "$S/etc/fscrypt-provision/embedded-keys" &&
	t_ok "the initramfs table and the list of key files to remove" || t_fail "the initramfs table" "$(cat "$S/etc/fscrypttab")"
dep=$S/lib/modules/$KVER/modules.dep
for m in xts ecb cts sha512_generic ext4; do
	if ! modprobe -d / -S "$KVER" --show-depends "$m" 2>/dev/null | grep -q '^insmod'; then
		t_ok "module $m: built into $KVER, nothing to stage"
	elif p=$(modprobe -d "$S" -S "$KVER" --show-depends "$m" 2>&1) && grep -q "^insmod $S/lib/modules/$KVER/.*/$m.ko" <<<"$p" &&
		! grep -q '\.ko\.[a-z]* *$' <<<"$p"; then
		t_ok "module $m and what it needs, unpacked, in the staged index (depmod -b)"
	else
		t_fail "module $m in the staged index" "$p" "$(head -5 "$dep" 2>&1)"
	fi
done
grep -q "make it readable by root only (mode 0600)" "$T_WORK/o1" &&
	t_ok "it says the image must be readable by root only" || t_fail "it says the image must be root's only" "$(cat "$T_WORK/o1")"

stage "$T_WORK/o2" --tab "$T_WORK/tab"
[ "$SRC" = 0 ] && grep -q "no --modules: the kernel must have xts built in" "$T_WORK/o2" &&
	[ ! -e "$S/lib/modules" ] &&
	t_ok "without --modules: no module staged, the required ones named" || t_fail "without --modules" "$(cat "$T_WORK/o2")"
NO_RM=1 stage "$T_WORK/o3" --tab "$T_WORK/tab"
[ "$SRC" = 1 ] && grep -q "the image has no /bin/rm" "$T_WORK/o3" && [ ! -e "$S/usr" ] && [ ! -e "$S/etc" ] &&
	t_ok "no rm in the image: refused before anything is staged" || t_fail "no rm in the image: refused" "$SRC $(cat "$T_WORK/o3")"
cp "$T_WORK/data.slots" "$T_WORK/open.slots"
chmod 0644 "$T_WORK/open.slots"
sed "s|$T_WORK/data.slots|$T_WORK/open.slots|" "$T_WORK/tab" >"$T_WORK/opentab"
stage "$T_WORK/o4" --tab "$T_WORK/opentab"
[ "$SRC" = 1 ] && grep -q "embed refused" "$T_WORK/o4" && [ ! -e "$S/etc" ] &&
	t_ok "a slots file others may read: embed's refusal stops the step" || t_fail "a slots file others may read" "$SRC $(cat "$T_WORK/o4")"
stage "$T_WORK/o6" --tab "$T_WORK/tab" --modules / --kver "$KVER" --module no_such_module
[ "$SRC" = 1 ] && grep -q "kernel $KVER has no module no_such_module (required)" "$T_WORK/o6" && [ ! -e "$S/etc" ] &&
	t_ok "--module that the kernel lacks: refused before anything is staged" || t_fail "--module that the kernel lacks" "$(cat "$T_WORK/o6")"
if modprobe -d / -S "$KVER" --show-depends virtio_blk 2>/dev/null | grep -q '^insmod'; then
	stage "$T_WORK/o7" --tab "$T_WORK/tab" --modules / --kver "$KVER" --module virtio_blk
	[ "$SRC" = 0 ] && modprobe -d "$S" -S "$KVER" --show-depends virtio_blk 2>&1 | grep -q "^insmod $S/.*/virtio_blk.ko" &&
		t_ok "--module virtio_blk: a board's driver, staged with what it needs" || t_fail "--module virtio_blk" "$(cat "$T_WORK/o7")"
fi
NO_MODPROBE=1 stage "$T_WORK/o8" --tab "$T_WORK/tab" --modules / --kver "$KVER"
[ "$SRC" = 1 ] && grep -q "the image has no /sbin/modprobe" "$T_WORK/o8" && [ ! -e "$S/etc" ] &&
	t_ok "modules but no /sbin/modprobe in the image: refused before anything is staged" ||
	t_fail "modules but no /sbin/modprobe" "$SRC $(cat "$T_WORK/o8")"
stage "$T_WORK/o5" --tab "$T_WORK/tab" --modules "$T_WORK/nowhere"
[ "$SRC" = 1 ] && grep -q "has no kernel or more than one: give --kver" "$T_WORK/o5" &&
	t_ok "--modules without a kernel in it: refused" || t_fail "--modules without a kernel" "$(cat "$T_WORK/o5")"

# The boot step under busybox alone: its applets are all of PATH.
mkdir "$T_WORK/bb"
"$BB" --install -s "$T_WORK/bb"
# The helper itself, with the test's keyring: a wrapper such as valgrind
# is not among busybox's applets, which are all the boot step's PATH.
BIN_KR=$T_WORK/fsp-with-keyring
# shellcheck disable=SC2016 # expanded by the wrapper
printf '#!/bin/sh\ncmd=$1\nshift\nexec %s "$cmd" --keyring %s "$@"\n' "$BIN" "$KR" >"$BIN_KR"
chmod 0755 "$BIN_KR"
# boot CMDLINE: fsp_boot $T_WORK in busybox sh with CMDLINE as the kernel's;
# its output, then "rc=N reason=...", in $BOUT.
boot() {
	rm -rf "$T_WORK/run"
	printf '%s\n' "$1" >"$T_WORK/cmdline"
	# shellcheck disable=SC2016 # expanded by busybox sh
	BOUT=$(env -i PATH="$T_WORK/bb" "$BB" sh -c '
		. "$0"
		FSP_BIN=$1 FSP_RUNDIR=$2 FSP_PROC_CMDLINE=$3
		fsp_boot "$4"
		echo "rc=$? reason=$FSP_REASON"' "$LIB" "$BIN_KR" "$T_WORK/run" "$T_WORK/cmdline" "$T_WORK" 2>&1)
}
boot "console=ttyAMA0 rd.fscrypt.tab=$STAGED/etc/fscrypttab"
[[ $BOUT == *"rc=0 reason="* ]] && [ "$(cat "$T_WORK/data/vault/hello.txt" 2>/dev/null)" = "from the boot step" ] &&
	t_ok "fsp_boot under busybox unlocks /data from the staged table (exec slot)" || t_fail "fsp_boot unlocks /data" "$BOUT"
[[ $BOUT == *"fscrypt-provision: initramfs: busybox"* || $BOUT == *"applying $STAGED/etc/fscrypttab to $T_WORK"* ]] &&
	grep -q "^initramfs: busybox" "$T_WORK/run/initrd.log" && grep -q "^RESULT ok" "$T_WORK/run/initrd.log" &&
	grep -q "^volume data: key $ID provisioned as key" "$T_WORK/run/initrd.log" &&
	t_ok "its log names the busybox boot, the key and the result" || t_fail "its log" "$BOUT" "$(cat "$T_WORK/run/initrd.log")"
fsp list --json
# shellcheck disable=SC2153 # OUT: set by fsp (lib.sh)
[ "$(jq -r '.[] | select(.volume == "data") | .identifier' <<<"$OUT")" = "$ID" ] &&
	t_ok "the key is provisioned, under the volume's name" || t_fail "the key is provisioned" "$OUT"

remount data
boot "quiet rd.fscrypt.tab=$STAGED/etc/fscrypttab"
[[ $BOUT == "rc=0 reason=" ]] && [ -e "$T_WORK/data/vault/hello.txt" ] &&
	t_ok "quiet: nothing on the console, unlocked again by key id" || t_fail "quiet" "$BOUT"

remount data
boot "rd.fscrypt=0 rd.fscrypt.tab=$STAGED/etc/fscrypttab"
[[ $BOUT == *"disabled by rd.fscrypt=0"*"rc=0 reason="* ]] && [ ! -e "$T_WORK/data/vault/hello.txt" ] &&
	t_ok "rd.fscrypt=0: nothing done" || t_fail "rd.fscrypt=0" "$BOUT"

fsp enroll --slots "$T_WORK/broken.slots" --generate --exec "$T_WORK/bin/flaky" --
expect "enroll an exec slot that will fail" 0
echo "another-secret-at-boot-0123456789" >"$T_WORK/bin/flaky.out"
boot "rd.fscrypt.tab=$STAGED/etc/fscrypttab rd.fscrypt.key=data:slots:$T_WORK/broken.slots"
[[ $BOUT == *"rd.fscrypt.key=data:slots:$T_WORK/broken.slots: passed to apply as --key"* ]] &&
	[[ $BOUT == *"fscrypt-provision: FATAL: "*"rc=1 reason="?* ]] && [ ! -e "$T_WORK/data/vault/hello.txt" ] &&
	grep -q "^FATAL: " "$T_WORK/run/initrd.log" &&
	t_ok "rd.fscrypt.key= to a slots file that fails: 1, FATAL with the reason" || t_fail "a failing volume" "$BOUT"
t_done
