# shellcheck shell=bash
# Shared by tests/hooks/test_*.sh: the update hooks (hooks/) driven by the
# real updaters of Debian 12 --
# SWUpdate 2022.12, RAUC 1.8 (private dbus-daemon), Mender client 3.4
# standalone with mender-artifact 3.9 -- on this machine's kernel, with loop
# devices as slots. For each updater and adapter:
#   (a) the update unmounts and remounts a loop-mounted encrypted data
#       volume between the adapter's pre and post; its files are readable
#       afterwards, with the raw key file deleted after provisioning;
#   (b) a provisioning key revoked between pre and post makes the update
#       itself fail (updater exit code non-zero), the volume stays locked;
#   (c) a key revoked before the update makes pre refuse it before anything
#       is unmounted (same mount, slot not written).
# Then the generic entry point alone: expired/revoked keys, idempotent post,
# a rogue key the kernel rejects, nofail, verification, usage.
# One file per updater (test_swupdate.sh, test_rauc.sh, test_mender.sh)
# and one for the entry point alone (test_update_hook.sh), each sourcing
# this. Runs as root; $FSP is the helper. Prints "ok - NAME" / "not ok - NAME".
# shellcheck source=../host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../host/lib.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOOKS=$ROOT/hooks
UPDATE=$HOOKS/fscrypt-provision-update
D=$T_WORK/data    # the data volume's mountpoint, a fresh filesystem per case
EV=$T_WORK/events # what ran, in order: helper calls, umount, mount
mkdir -p "$D"
T_MOUNTS+=("$D")
DBUS_PID=
RAUC_PID=
ARTIFACT_INFO=/etc/mender/artifact_info
ARTIFACT_INFO_SAVED=

hook_cleanup() {
	local p m
	for p in "$RAUC_PID" "$DBUS_PID"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ -n "$ARTIFACT_INFO_SAVED" ]; then
		cp -p "$ARTIFACT_INFO_SAVED" "$ARTIFACT_INFO"
	elif [ -e "$T_WORK/artifact_info.ours" ]; then
		rm -f "$ARTIFACT_INFO"
	fi
	# Whatever an updater left mounted below $T_WORK (bundles, slots).
	awk -v w="$T_WORK/" 'index($5, w) == 1 {print $5}' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	t_cleanup
}
trap hook_cleanup EXIT

now() { date +%s.%N; }
# Every updater run gets a deadline, so that a hung daemon fails the test.
# shellcheck disable=SC2034 # used by the tests that source this
T=(timeout 120)
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }

# The helper behind a wrapper that logs each call, so that the order of
# pre, umount, mount and post can be checked. Also makes a wrapped $FSP
# (valgrind ...) usable as a single --bin PATH.
BIN=$T_WORK/fsp-bin
{
	echo '#!/bin/sh'
	# "fsp update pre" for the update command, "fsp add" for others.
	echo "if [ \"\$1\" = update ]; then echo \"fsp update \$(for a; do case \$a in pre|post) echo \$a; break;; esac; done)\" >>'$EV'; else echo \"fsp \$1\" >>'$EV'; fi"
	printf 'exec'
	printf ' %q' "${FSP_CMD[@]}"
	printf ' "$@"\n'
} >"$BIN"
chmod +x "$BIN"

# What the updaters' hooks find in their environment (adapters cannot take
# options).
export FSCRYPT_PROVISION_UPDATE=$UPDATE
export FSCRYPT_PROVISION_TAB=$T_WORK/fscrypttab
export FSCRYPT_PROVISION_KEYRING=$KR
export FSCRYPT_PROVISION_BIN=$BIN

# The payload every test update runs between pre and post: unmount the data
# volume (a new superblock: every fscrypt key is gone), optionally sabotage,
# mount it again, and log whether the key is present right after the mount.
REMOUNT=$T_WORK/remount-data
cat >"$REMOUNT" <<EOF
#!/bin/sh
echo umount >>'$EV'
umount '$D' || exit 1
if [ -f '$T_WORK/sabotage' ]; then
	sh '$T_WORK/sabotage' >/dev/null 2>&1 && echo sabotage >>'$EV'
fi
mount "\$(cat '$T_WORK/data.dev')" '$D' || exit 1
echo "mount \$(xfs_io -c "enckey_status \$(cat '$T_WORK/data.id')" '$D')" >>'$EV'
EOF
chmod +x "$REMOUNT"

# Runs a shell command possessing @u (and so our keyring's keys).
possessed() { keyctl session - sh -c "keyctl link @u @s >/dev/null; $1" >/dev/null 2>&1; }

# data_volume [NOFAIL] -- a fresh encrypted volume at $D: volume $VOL, key
# $ID provisioned as key $SERIAL, files in $D/secret, fscrypttab with key
# source "none". The raw key file is deleted once provisioned.
N=0
data_volume() {
	local img loop l old keep=() key=$T_WORK/key.bin
	mountpoint -q "$D" && umount "$D"
	if [ -s "$T_WORK/data.dev" ]; then # the previous case's volume
		old=$(cat "$T_WORK/data.dev")
		losetup -d "$old"
		for l in "${T_LOOPS[@]}"; do [ "$l" = "$old" ] || keep+=("$l"); done
		T_LOOPS=("${keep[@]}")
		rm -f "$T_WORK/data$N.img"
	fi
	N=$((N + 1))
	VOL=vol$N
	img=$T_WORK/data$N.img
	truncate -s 32M "$img"
	mkfs.ext4 -q -F -b 4096 -O encrypt "$img"
	loop=$(losetup -f --show "$img")
	T_LOOPS+=("$loop")
	mount "$loop" "$D"
	echo "$loop" >"$T_WORK/data.dev"
	new_key "$key"
	fsp add --volume "$VOL" --key-file "$key" --add-to "$D" --quiet
	[ "$RC" = 0 ] || t_fail "set up $VOL: add" "$ERR"
	ID=$("${FSP_CMD[@]}" identifier --key-file "$key")
	echo "$ID" >"$T_WORK/data.id"
	rm -f "$key"
	mkdir "$D/secret"
	fsp set-policy --quiet "$D/secret" "$ID"
	head -c 100000 /dev/urandom >"$D/secret/blob"
	echo "known text $N" >"$D/secret/note"
	(cd "$D/secret" && sha256sum blob note) >"$T_WORK/sums"
	printf '%s %s none secret%s\n' "$VOL" "$D" "${1:+ nofail}" >"$FSCRYPT_PROVISION_TAB"
	fsp list --json
	SERIAL=$(jq -r --arg v "$VOL" '.[] | select(.volume == $v) | .key_id' <<<"$OUT")
	rm -f "$T_WORK/sabotage"
	: >"$EV"
}

revoke_now() { possessed "keyctl revoke $SERIAL"; }
revoke_between() { echo "keyctl session - sh -c 'keyctl link @u @s; keyctl revoke $SERIAL'" >"$T_WORK/sabotage"; }
files_readable() { (cd "$D/secret" 2>/dev/null && sha256sum --quiet -c "$T_WORK/sums") >/dev/null 2>&1; }
mount_id() { awk -v m="$D" '$5 == m {print $1}' /proc/self/mountinfo; }

# ordered LINE... -- the events log has these lines in this order (others
# may come between).
ordered() {
	local IFS='|'
	awk -v want="$*" 'BEGIN {n = split(want, w, "|"); i = 1}
		i <= n && $0 == w[i] {i++}
		END {exit i <= n}' "$EV"
}
events() { tr '\n' ' ' <"$EV"; }

# updater_case NAME KIND RC OUTPUT MOUNT-ID-BEFORE SLOT-CHECK... -- the verdict
# of one run; SLOT-CHECK is a command (a: written, c: not written).
#   a: the update succeeded, the volume was remounted between pre and post,
#      the key was gone after the mount, and the files are readable;
#   b: the update failed after the remount, post said why, volume locked;
#   c: pre refused, nothing unmounted, the slot untouched.
updater_case() {
	local name=$1 kind=$2 rc=$3 out=$4 before=$5
	shift 5
	case $kind in
	a)
		if [ "$rc" != 0 ]; then
			t_fail "$name" "updater exit $rc" "$(tail -n 15 <<<"$out")"
		elif ! ordered "fsp update pre" umount "mount Absent" "fsp update post"; then
			t_fail "$name" "pre/umount/mount/post out of order: $(events)"
		elif ! files_readable; then
			t_fail "$name" "files not readable after the update" "$(events)"
		elif ! "$@"; then
			t_fail "$name" "slot not written: $*"
		else
			t_ok "$name"
		fi
		;;
	b)
		if [ "$rc" = 0 ]; then
			t_fail "$name" "updater exit 0 although post could not unlock" "$(events)"
		elif ! ordered "fsp update pre" umount sabotage "mount Absent" "fsp update post"; then
			t_fail "$name" "sabotage not between pre and post: $(events)"
		elif [[ "$out" != *"fscrypt-provision: post: FAILED, still locked after the update: volume $VOL ($D): "*"revoked"* ]]; then
			t_fail "$name" "no clear message from post" "$(tail -n 15 <<<"$out")"
		elif files_readable; then
			t_fail "$name" "files readable although the key was revoked"
		else
			t_ok "$name"
		fi
		;;
	c)
		if [ "$rc" = 0 ]; then
			t_fail "$name" "updater exit 0 although pre refused" "$(events)"
		elif grep -q umount "$EV" || [ "$(mount_id)" != "$before" ]; then
			t_fail "$name" "the volume was unmounted: $(events)"
		elif [[ "$out" != *"fscrypt-provision: pre: update refused before anything was unmounted: volume $VOL ($D): key $ID: the provisioning key was revoked"* ]]; then
			t_fail "$name" "no clear message from pre" "$(tail -n 15 <<<"$out")"
		elif ! "$@"; then
			t_fail "$name" "slot written although pre refused: $*"
		else
			t_ok "$name"
		fi
		;;
	esac
}

# need_tools TOOL...: the test's tools are installed, or it fails (once)
# and stops; tools/packages lists their Debian packages.
need_tools() {
	local c missing=()
	for c in "$@"; do
		command -v "$c" >/dev/null || missing+=("$c")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		t_fail "updaters and tools installed" "missing: ${missing[*]}" \
			"install them with: tools/install-deps.sh check"
		t_done
		exit
	fi
}

