#!/bin/bash
# fsp-host: alone (tests/run-all.sh): the update tools use their own fixed
# paths, so they run one at a time, as they always did.
# The entry point hooks/fscrypt-provision-update alone, no updater: expired
# and revoked keys, idempotent post, a rogue key the kernel rejects, nofail,
# the strict directory checks, usage.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need_tools xfs_io jq keyctl

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
hook pre --json
[ "$RC" = 0 ] && [ "$(jq -c . <<<"$OUT")" = "{\"mode\":\"pre\",\"volumes\":[{\"volume\":\"$VOL\",\"mountpoint\":\"$D\",\"result\":\"ok\",\"problem\":null}],\"ok\":true,\"volumes_ok\":1,\"warnings\":0,\"failed\":0}" ] &&
	t_ok "pre --json: one object, the volume's result and the verdict" || t_fail "pre --json" "$OUT" "$ERR"
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
hook pre --json
[ "$RC" = 1 ] && [ "$(jq -c '[.ok, .failed, .volumes[0].result]' <<<"$OUT")" = '[false,1,"failed"]' ] &&
	[[ $(jq -r '.volumes[0].problem' <<<"$OUT") == "key $ID: the provisioning key was revoked"* ]] &&
	t_ok "pre --json refusing: failed, and why" || t_fail "pre --json refusing" "$OUT" "$ERR"
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
expect "an unknown option is a usage error" 2 "unrecognized option '--frobnicate'"
hook post --tab
expect "an option without its value is a usage error" 2 "option '--tab' requires an argument"
hook --help
[ "$RC" = 0 ] && [[ "$OUT" == *"Usage: fscrypt-provision-update pre|post"*"Exit codes: 0 ok"* ]] &&
	t_ok "--help shows usage and exit codes" || t_fail "--help shows usage and exit codes" "$OUT"
# The options are the helper's, listed as the helper lists them: the
# wrapper does not repeat them.
[[ "$OUT" == *"$("$FSP" update --help | sed -n '/^Options:/,/^$/p')"* ]] && [[ "$OUT" == *"--update-pcrs PCRS"* ]] &&
	t_ok "--help lists the helper's options for update" || t_fail "--help lists the helper's options for update" "$OUT"
hook pre --update-pcrs 4+11 --tab "$FSCRYPT_PROVISION_TAB"
expect "an option of the helper's that the wrapper never knew goes through (--update-pcrs)" 0 "pre: ok"
hook pre --bin
expect "--bin without a path is a usage error" 2 "--bin needs a path"
hook pre --bin "$T_WORK/nonexistent"
expect "a missing helper fails clearly" 1 "cannot run the helper $T_WORK/nonexistent"
hook post --tab "$T_WORK/no-such-tab"
expect "an explicit fscrypttab that does not exist fails" 1 "cannot read the fscrypttab (fscrypttab error)"
if [ ! -e /etc/fscrypttab ]; then
	FSCRYPT_PROVISION_TAB='' hook pre
	expect "no /etc/fscrypttab: nothing to do" 0 "no /etc/fscrypttab"
fi

# A TAB in a mountpoint once split the volumes list
# wrongly, so that pre skipped that volume's check: the table is refused.
data_volume
printf 'tabbed "%s\tx" none\n' "$D" >>"$FSCRYPT_PROVISION_TAB"
hook pre
expect "pre: a TAB in a mountpoint fails the table, naming the field" 1 "the mountpoint field holds control character 0x09 at byte $((${#D} + 1))"
hook post
expect "post: the same" 1 "control character 0x09"

t_done
