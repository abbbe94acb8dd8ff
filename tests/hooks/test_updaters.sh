#!/bin/bash
# The update hooks (hooks/) driven by the real updaters of Debian 12 --
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
# Runs as root; $FSP is the helper. Prints "ok - NAME" / "not ok - NAME".
. "$(dirname "$0")/../host/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
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
	fsp add --volume "$VOL" --key-file "$key" --mount "$D" --quiet
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

missing=()
for c in swupdate rauc dbus-daemon dbus-send mksquashfs mender mender-artifact openssl cpio xfs_io jq; do
	command -v "$c" >/dev/null || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
	t_fail "updaters and tools installed" "missing: ${missing[*]}" \
		"apt-get install swupdate rauc squashfs-tools dbus mender-client mender-artifact openssl cpio xfsprogs jq"
	t_done
	exit
fi

# ---------------------------------------------------------------- SWUpdate
# A signed .swu: a raw image for a loop-device slot, the test's remount
# payload as a "postinstall" script listed first (scripts run in list
# order), then the adapter: hooks/swupdate/fscrypt-provision.sh as a
# "shellscript" (preinst and postinst), or fscrypt-provision.lua as "lua";
# or no adapter in the .swu, and the entry point as swupdate's -P
# (preupdatecmd) and -p (postupdatecmd).
t0=$(now)
SW=$T_WORK/swu
mkdir -p "$SW/tmp"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SW/key.pem" -out "$SW/cert.pem" \
	-subj /CN=fsp-hooktest -days 2 >/dev/null 2>&1
truncate -s 2M "$SW/slot.img"
SW_SLOT=$(losetup -f --show "$SW/slot.img")
T_LOOPS+=("$SW_SLOT")
head -c 1M /dev/urandom >"$SW/image.bin"
printf '#!/bin/sh\nexec %s\n' "$REMOUNT" >"$SW/remount.sh"
cp "$HOOKS/swupdate/fscrypt-provision.sh" "$HOOKS/swupdate/fscrypt-provision.lua" "$SW/"
swu() { # OUT [SCRIPT TYPE]
	local out=$1 script=${2-} type=${3-} f adapter=
	sha() { sha256sum "$SW/$1" | cut -d' ' -f1; }
	[ -z "$script" ] ||
		adapter=",
    { filename = \"$script\"; type = \"$type\"; sha256 = \"$(sha "$script")\"; }"
	cat >"$SW/sw-description" <<EOF
software = {
  version = "2.0";
  hardware-compatibility: [ "1.0" ];
  images: ( { filename = "image.bin"; device = "$SW_SLOT"; type = "raw"; sha256 = "$(sha image.bin)"; } );
  scripts: (
    { filename = "remount.sh"; type = "postinstall"; sha256 = "$(sha remount.sh)"; }$adapter
  );
};
EOF
	openssl cms -sign -in "$SW/sw-description" -out "$SW/sw-description.sig" \
		-signer "$SW/cert.pem" -inkey "$SW/key.pem" -outform DER -nosmimecap -binary
	(cd "$SW" && for f in sw-description sw-description.sig image.bin remount.sh ${script:+"$script"}; do
		echo "$f"
	done | cpio -o -H crc --quiet >"$out")
}
swu "$SW/sh.swu" fscrypt-provision.sh shellscript
swu "$SW/lua.swu" fscrypt-provision.lua lua
swu "$SW/cmd.swu"
sw_run() { # VARIANT -- sets RC and OUT
	local cmds=()
	[ "$1" = cmd ] && cmds=(-P "$UPDATE pre" -p "$UPDATE post")
	head -c 2M /dev/zero >"$SW_SLOT"
	OUT=$(TMPDIR=$SW/tmp "${T[@]}" swupdate -k "$SW/cert.pem" -H fsp-board:1.0 "${cmds[@]}" -i "$SW/$1.swu" 2>&1)
	RC=$?
}
sw_slot_written() { cmp -s -n 1048576 "$SW/image.bin" "$SW_SLOT"; }
sw_slot_blank() { cmp -s -n 1048576 /dev/zero "$SW_SLOT"; }
for variant in sh lua cmd; do
	t1=$(now)
	data_volume
	sw_run "$variant"
	updater_case "swupdate ($variant): update remounts the data volume, files readable after" a "$RC" "$OUT" - sw_slot_written
	data_volume
	revoke_between
	sw_run "$variant"
	updater_case "swupdate ($variant): key revoked between pre and post fails the update" b "$RC" "$OUT" -
	data_volume
	revoke_now
	before=$(mount_id)
	sw_run "$variant"
	updater_case "swupdate ($variant): pre refuses a revoked key before anything is unmounted" c "$RC" "$OUT" "$before" sw_slot_blank
	echo "# swupdate ($variant): 3 updates in $(elapsed "$t1") s"
done
echo "# swupdate: $(elapsed "$t0") s with setup"

# -------------------------------------------------------------------- RAUC
# rauc service on a private system bus, two ext4 slots on loop devices,
# bootloader=noop, a plain bundle (no dm-verity here). Two setups:
#   handlers: system.conf [handlers] pre-install= and post-install= are the
#             adapters; the bundle's own hook remounts in slot-post-install;
#   bundle:   no handlers; the bundle's hook is a test wrapper that
#             remounts in slot-post-install and otherwise hands over to
#             hooks/rauc/bundle-hook, carried in the bundle.
t0=$(now)
RA=$T_WORK/rauc
mkdir -p "$RA/mnt" "$RA/data" "$RA/rootfs" "$RA/b1" "$RA/b2"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$RA/key.pem" -out "$RA/cert.pem" \
	-subj /CN=fsp-hooktest-rauc -days 2 >/dev/null 2>&1
for s in A B; do
	truncate -s 8M "$RA/slot$s.img"
	mkfs.ext4 -q -F "$RA/slot$s.img"
	cp "$RA/slot$s.img" "$RA/slot$s.orig"
	loop=$(losetup -f --show "$RA/slot$s.img")
	T_LOOPS+=("$loop")
	eval "RA_$s=$loop"
done
cat >"$RA/dbus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$RA/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
rauc_conf() { # FILE [handlers]
	cat >"$1" <<EOF
[system]
compatible=fsp-hooktest
bootloader=noop
data-directory=$RA/data
mountprefix=$RA/mnt

[keyring]
path=$RA/cert.pem

[slot.rootfs.0]
device=$RA_A
type=ext4
bootname=A

[slot.rootfs.1]
device=$RA_B
type=ext4
bootname=B
EOF
	[ -z "${2-}" ] || printf '\n[handlers]\npre-install=%s\npost-install=%s\n' \
		"$HOOKS/rauc/pre-install" "$HOOKS/rauc/post-install" >>"$1"
}
rauc_conf "$RA/handlers.conf" handlers
rauc_conf "$RA/bundle.conf"
head -c 300K /dev/urandom >"$RA/rootfs/blob"
truncate -s 8M "$RA/rootfs.ext4"
mkfs.ext4 -q -F -d "$RA/rootfs" "$RA/rootfs.ext4"
# b1: the slot-post-install hook only remounts (handlers do pre and post).
cp "$RA/rootfs.ext4" "$RA/b1/"
cat >"$RA/b1/hook" <<EOF
#!/bin/sh
[ "\$1" = slot-post-install ] && exec '$REMOUNT'
exit 0
EOF
# b2: the test's hook remounts, then hands over to the adapter's bundle hook.
cp "$RA/rootfs.ext4" "$RA/b2/"
cp "$HOOKS/rauc/bundle-hook" "$RA/b2/fscrypt-provision-hook"
cat >"$RA/b2/hook" <<EOF
#!/bin/sh
[ "\$1" = slot-post-install ] && { '$REMOUNT' || exit 1; }
exec "\$(dirname "\$0")/fscrypt-provision-hook" "\$@"
EOF
chmod +x "$RA/b1/hook" "$RA/b2/hook" "$RA/b2/fscrypt-provision-hook"
for b in b1 b2; do
	cat >"$RA/$b/manifest.raucm" <<EOF
[update]
compatible=fsp-hooktest
version=2

[bundle]
format=plain

[hooks]
filename=hook

[image.rootfs]
filename=rootfs.ext4
hooks=pre-install;post-install
EOF
	rauc bundle --cert "$RA/cert.pem" --key "$RA/key.pem" "$RA/$b" "$RA/$b.raucb" >"$RA/bundle.log" 2>&1 ||
		t_fail "rauc bundle $b" "$(cat "$RA/bundle.log")"
done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$RA/bus
dbus-daemon --config-file="$RA/dbus.conf" --nofork --nopidfile >"$RA/dbus.log" 2>&1 &
DBUS_PID=$!
bus_has() { # NAME -- the private bus is up and NAME has an owner
	dbus-send --system --print-reply --reply-timeout=1000 --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'
}
# rauc service gives up at once if the bus socket is not there yet.
for _ in $(seq 200); do
	bus_has org.freedesktop.DBus && break
	sleep 0.05
done
bus_has org.freedesktop.DBus || t_fail "the private dbus-daemon comes up" "$(tail -n 5 "$RA/dbus.log")"
rauc_service() { # CONF -- (re)starts rauc service, waits for its bus name
	if [ -n "$RAUC_PID" ]; then
		kill "$RAUC_PID" && wait "$RAUC_PID" 2>/dev/null
		RAUC_PID=
	fi
	rauc -c "$1" --override-boot-slot=A service >>"$RA/service.log" 2>&1 &
	RAUC_PID=$!
	for _ in $(seq 100); do
		bus_has de.pengutronix.rauc && return 0
		kill -0 "$RAUC_PID" 2>/dev/null || break
		sleep 0.05
	done
	t_fail "rauc service with $(basename "$1") comes up" "$(tail -n 5 "$RA/service.log")"
	return 1
}
# RAUC logs what handlers and hooks print in the service's log (the journal
# on a real system); "rauc install" itself says only which one failed.
ra_run() { # BUNDLE -- sets RC and OUT (client output, then the service's log of this run)
	local from
	cat "$RA/slotB.orig" >"$RA_B" # the old software: slot-pre-install mounts it
	from=$(wc -l <"$RA/service.log")
	OUT=$("${T[@]}" rauc install "$1" 2>&1)
	RC=$?
	OUT+=$'\n'$(tail -n +$((from + 1)) "$RA/service.log")
}
# By the filesystem UUID: the slot hooks mount the slot, which touches its
# superblock.
uuid() { blkid -p -o value -s UUID "$1"; }
ra_slot_written() { [ "$(uuid "$RA_B")" = "$(uuid "$RA/rootfs.ext4")" ]; }
ra_slot_not_written() { [ "$(uuid "$RA_B")" = "$(uuid "$RA/slotB.orig")" ]; }
for setup in handlers bundle; do
	t1=$(now)
	bundle=$RA/b1.raucb
	[ "$setup" = bundle ] && bundle=$RA/b2.raucb
	rauc_service "$RA/$setup.conf" || break
	data_volume
	ra_run "$bundle"
	updater_case "rauc ($setup): update remounts the data volume, files readable after" a "$RC" "$OUT" - ra_slot_written
	data_volume
	revoke_between
	ra_run "$bundle"
	updater_case "rauc ($setup): key revoked between pre and post fails the update" b "$RC" "$OUT" -
	data_volume
	revoke_now
	before=$(mount_id)
	ra_run "$bundle"
	updater_case "rauc ($setup): pre refuses a revoked key before anything is unmounted" c "$RC" "$OUT" "$before" ra_slot_not_written
	echo "# rauc ($setup): 3 updates in $(elapsed "$t1") s"
done
echo "# rauc: $(elapsed "$t0") s with setup"

# ------------------------------------------------------------------ Mender
# Standalone "mender install" of a single-file Artifact into a loop-mounted
# slot, with the adapters embedded as state scripts and the test's remount
# as ArtifactInstall_Leave_10 (before the adapter's _50), then "mender
# commit". /etc/mender/artifact_info is hard-coded in Mender: written here,
# removed (or restored) at exit.
t0=$(now)
ME=$T_WORK/mender
mkdir -p "$ME/slot"
truncate -s 8M "$ME/slot.img"
mkfs.ext4 -q -F "$ME/slot.img"
loop=$(losetup -f --show "$ME/slot.img")
T_LOOPS+=("$loop")
mount "$loop" "$ME/slot"
T_MOUNTS+=("$ME/slot")
echo v2 >"$ME/payload.txt"
printf '%s' "$ME/slot" >"$ME/dest_dir"
printf payload.txt >"$ME/filename"
echo '{}' >"$ME/mender.conf"
printf '#!/bin/sh\nexec %s\n' "$REMOUNT" >"$ME/ArtifactInstall_Leave_10_remount-data"
chmod +x "$ME/ArtifactInstall_Leave_10_remount-data"
scripts=()
for s in "$HOOKS"/mender/Artifact*_fscrypt-provision "$ME/ArtifactInstall_Leave_10_remount-data"; do
	scripts+=(-s "$s")
done
mender-artifact write module-image -T single-file -n fsp-hooktest-2 -t fsp-hooktest \
	-o "$ME/update.mender" -f "$ME/payload.txt" -f "$ME/dest_dir" -f "$ME/filename" \
	"${scripts[@]}" >"$ME/artifact.log" 2>&1 ||
	t_fail "mender-artifact write" "$(cat "$ME/artifact.log")"
if [ -e "$ARTIFACT_INFO" ]; then
	ARTIFACT_INFO_SAVED=$T_WORK/artifact_info.saved
	cp -p "$ARTIFACT_INFO" "$ARTIFACT_INFO_SAVED"
fi
mkdir -p "$(dirname "$ARTIFACT_INFO")"
: >"$T_WORK/artifact_info.ours"
echo artifact_name=fsp-hooktest-1 >"$ARTIFACT_INFO"
me_run() { # COMMAND [ARTIFACT] -- sets RC and OUT; install starts from a clean state
	if [ "$1" = install ]; then
		rm -rf "$ME/data"
		mkdir -p "$ME/data"
		echo device_type=fsp-hooktest >"$ME/data/device_type"
		echo v1 >"$ME/slot/payload.txt"
	fi
	OUT=$("${T[@]}" mender -c "$ME/mender.conf" -b "$ME/mender.conf" -d "$ME/data" --no-syslog "$@" 2>&1)
	RC=$?
}
me_slot() { [ "$(cat "$ME/slot/payload.txt")" = "$1" ]; }
t1=$(now)
data_volume
me_run install "$ME/update.mender"
updater_case "mender: install remounts the data volume, files readable after" a "$RC" "$OUT" - me_slot v2
: >"$EV"
me_run commit
if [ "$RC" = 0 ] && ordered "fsp update post" && files_readable; then
	t_ok "mender: commit runs post again (ArtifactCommit_Enter) and succeeds"
else
	t_fail "mender: commit runs post again (ArtifactCommit_Enter) and succeeds" "exit $RC: $(events)" "$(tail -n 10 <<<"$OUT")"
fi
data_volume
revoke_between
me_run install "$ME/update.mender"
updater_case "mender: key revoked between pre and post fails the update" b "$RC" "$OUT" -
# ArtifactInstall_Leave failed: Mender rolled the slot back and ran post
# once more (ArtifactRollback_Leave), which failed the same way.
if me_slot v1 && [ "$(grep -c '^fsp update post$' "$EV")" = 2 ]; then
	t_ok "mender: the failed update rolls back and runs post after the rollback"
else
	t_fail "mender: the failed update rolls back and runs post after the rollback" "slot: $(cat "$ME/slot/payload.txt"), events: $(events)"
fi
data_volume
revoke_now
before=$(mount_id)
me_run install "$ME/update.mender"
updater_case "mender: pre refuses a revoked key before anything is unmounted" c "$RC" "$OUT" "$before" me_slot v1
# Mender rolls back after the refusal; the volume was never unmounted, so
# post on the old slot (ArtifactRollback_Leave) passes, with a warning.
if [[ "$OUT" != *"Error rolling back"* ]] && [ "$(grep -c '^fsp update post$' "$EV")" = 1 ] && files_readable; then
	t_ok "mender: post after the refused install's rollback passes, volume untouched"
else
	t_fail "mender: post after the refused install's rollback passes, volume untouched" "$(events)" "$(grep -a 'level=error' <<<"$OUT" | tail -n 3)"
fi
echo "# mender: 3 installs and a commit in $(elapsed "$t1") s, $(elapsed "$t0") s with setup"

# ------------------------------------------- the entry point, no updater
hook() { # runs the entry point with the test's fscrypttab and keyring
	"$UPDATE" "$@" >"$T_WORK/out" 2>"$T_WORK/err"
	RC=$?
	OUT=$(cat "$T_WORK/out")
	ERR=$(cat "$T_WORK/err")
}
last_err() { tail -n 1 <<<"$ERR"; }

data_volume
hook pre
expect "pre: a volume whose keys are all provisioned" 0 "pre: ok: 1 volume(s) can be unlocked"
hook post
expect "post on a volume already unlocked is idempotent" 0 "post: ok: 1 volume(s) unlocked and verified"
files_readable && t_ok "post on an unlocked volume leaves it readable" || t_fail "post on an unlocked volume leaves it readable"
hook pre "$D///"
expect "pre: an explicit MOUNTPOINT (trailing slashes) finds its volume" 0 "pre: ok: 1 volume(s)"

revoke_now
hook pre
expect "pre refuses a revoked key" 1 "pre: refusing the update: volume $VOL ($D) fails the pre-flight check (not ready)"
[[ "$(last_err)" == "fscrypt-provision: pre: update refused before anything was unmounted: volume $VOL ($D): key $ID: the provisioning key was revoked"* ]] &&
	t_ok "pre: the last line names the volume, the key and why" || t_fail "pre: the last line names the volume, the key and why" "$ERR"
[ -z "$OUT" ] && t_ok "pre: nothing on stdout when refusing" || t_fail "pre: nothing on stdout when refusing" "$OUT"
# As after a refused or rolled-back update: not remounted, key revoked.
hook post
ALLOW_STDERR=1 expect "post on a volume not remounted passes, with its key revoked" 0 "post: warning: volume $VOL ($D) is unlocked, but unlock failed (key unavailable): it was not remounted, and its keys would not survive a remount"

data_volume
possessed "keyctl timeout $SERIAL 1"
sleep 1.5
hook pre
expect "pre refuses an expired key" 1 "key $ID: the provisioning key has expired"
remount data
hook post
expect "post with an expired key fails" 1 "unlock failed (key unavailable)"
files_readable && t_fail "post with an expired key leaves the files locked" || t_ok "post with an expired key leaves the files locked"

data_volume nofail
revoke_now
hook pre
ALLOW_STDERR=1 expect "pre: a nofail volume's missing key only warns" 0 "warning: volume $VOL ($D) fails the pre-flight check"
[[ "$OUT" == *"pre: ok: 0 volume(s) can be unlocked after the remount, 1 warning(s) above"* ]] &&
	t_ok "pre: the summary counts the warning" || t_fail "pre: the summary counts the warning" "$OUT"
remount data
hook post
ALLOW_STDERR=1 expect "post: a nofail volume that stays locked only warns" 0 "post: warning: volume $VOL ($D): unlock failed (key unavailable)"

# A rogue fscrypt-provisioning key under the volume's description, payload
# type 1 (descriptor): the kernel rejects it (EKEYREJECTED).
data_volume
K2=$T_WORK/k2.bin
new_key "$K2"
ID2=$("${FSP_CMD[@]}" identifier --key-file "$K2")
xfs_io -c add_enckey "$D" <"$K2" >/dev/null
mkdir "$D/other"
fsp set-policy --quiet "$D/other" "$ID2"
echo rogue >"$D/other/file"
possessed "printf '\\001\\000\\000\\000\\000\\000\\000\\000' | cat - $K2 | keyctl padd fscrypt-provisioning fscrypt-provision:$VOL:$ID2 %:$KR | xargs -I{} keyctl setperm {} 0x39090000"
rm -f "$K2"
printf '%s %s none secret,other\n' "$VOL" "$D" >"$FSCRYPT_PROVISION_TAB"
remount data
hook post
expect "post: the kernel rejects a rogue key (payload type 1)" 1 "unlock failed (key rejected)"
[[ "$ERR" == *"payload type"* ]] && t_ok "post: the rejection says why (payload type)" || t_fail "post: the rejection says why (payload type)" "$ERR"
[[ "$(last_err)" == "fscrypt-provision: post: FAILED, still locked after the update: volume $VOL ($D): "* ]] &&
	t_ok "post: the last line names the volume" || t_fail "post: the last line names the volume" "$ERR"
[ -e "$D/other/file" ] && t_fail "post: the rogue key unlocked nothing" || t_ok "post: the rogue key unlocked nothing"

# Verification beyond unlock: unlock passes a listed directory that is not
# encrypted (a warning), post does not (the strict directory checks).
data_volume
mkdir "$D/plain" "$D/odd \"dir\" \\x"
printf '%s %s none "secret,plain"\n' "$VOL" "$D" >"$FSCRYPT_PROVISION_TAB"
remount data
hook post
expect "post: a listed directory that is not encrypted fails the verification" 1 "$D/plain (volume $VOL) is not encrypted"
files_readable && t_ok "post: the encrypted listed directory is unlocked all the same" ||
	t_fail "post: the encrypted listed directory is unlocked all the same" "$ERR"
"${FSP_CMD[@]}" set-policy --quiet "$D/odd \"dir\" \\x" "$ID" &&
	printf '%s %s none "secret,odd \\"dir\\" \\\\x"\n' "$VOL" "$D" >"$FSCRYPT_PROVISION_TAB"
hook post
expect "post verifies directories with quotes, spaces and backslashes" 0 "post: ok: 1 volume(s) unlocked and verified"
# A different filesystem mounted where the volume was.
umount "$D"
mount -t tmpfs tmpfs "$D"
mkdir "$D/secret"
hook post
expect "post: a different filesystem at the mountpoint fails" 1 "unlock failed"
umount "$D"
hook post
expect "post: the volume not mounted after the update fails" 1 "post: volume $VOL ($D) is not mounted after the update"
hook pre
expect "pre: a volume not mounted is not checked" 0 "post will need it mounted"

# Usage and environment.
hook
expect "no mode is a usage error" 2 "expected pre or post"
hook during
expect "an unknown mode is a usage error" 2 "unknown mode 'during'"
hook pre --frobnicate
expect "an unknown option is a usage error" 2 "unknown option '--frobnicate'"
hook post --tab
expect "an option without its value is a usage error" 2 "--tab needs a value"
hook --help
[ "$RC" = 0 ] && [[ "$OUT" == *"Usage: fscrypt-provision-update pre|post"*"Exit codes: 0 ok"* ]] &&
	t_ok "--help shows usage and exit codes" || t_fail "--help shows usage and exit codes" "$OUT"
hook pre --bin "$T_WORK/nonexistent"
expect "a missing helper fails clearly" 1 "cannot run the helper $T_WORK/nonexistent"
hook post --tab "$T_WORK/no-such-tab"
expect "an explicit fscrypttab that does not exist fails" 1 "cannot read the fscrypttab (fscrypttab error)"
if [ ! -e /etc/fscrypttab ]; then
	FSCRYPT_PROVISION_TAB='' hook pre
	expect "no /etc/fscrypttab: nothing to do" 0 "no /etc/fscrypttab"
fi
t_done
