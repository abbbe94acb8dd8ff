#!/bin/bash
# fsp-host: alone (tests/run-all.sh): the update tools use their own fixed
# paths, so they run one at a time, as they always did.
# Mender client 3.4 standalone with mender-artifact 3.9 and the hooks/mender
# state scripts: the cases (a), (b) and (c) of lib.sh, the commit and the
# rollbacks.
# shellcheck disable=SC2119 # data_volume takes an optional nofail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need_tools mender mender-artifact xfs_io jq

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

t_done
