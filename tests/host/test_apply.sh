#!/bin/bash
# fscrypttab-driven flows: apply, unlock by mountpoint, check, nofail, the
# wrong key, and kernels without key_id (via the explicit raw fallback).
. "$(dirname "$0")/lib.sh"

new_fs fs -O encrypt
new_fs fs2 -O encrypt
M=$T_WORK/fs
M2=$T_WORK/fs2
KA=$T_WORK/a.key KB=$T_WORK/b.key KW=$T_WORK/wrong.key
new_key "$KA"
new_key "$KB" 32
new_key "$KW"
IDA=$("${FSP_CMD[@]}" identifier --key-file "$KA")
IDB=$("${FSP_CMD[@]}" identifier --key-file "$KB" --key-size 32)

# Encrypted directories made with xfs_io, an independent tool.
xfs_enc_dir "$M/secret" "$KA" "$IDA" a.txt alpha
xfs_enc_dir "$M2/vault" "$KB" "$IDB" b.txt bravo
remount fs
remount fs2

TAB=$T_WORK/fscrypttab
cat >"$TAB" <<EOT
# volume  mountpoint  key source  directories  options
alpha  $M   $KA  secret  key-lifetime=3600
"bravo"  $M2  file:$KB  vault  keysize=32,identifier=$IDB
ghost  /nonexistent  none  -  nofail
EOT
fsp apply --tab "$TAB"
expect "apply provisions and unlocks every mounted volume" 0 "apply: 3 volumes ready, 0 failed"
[ "$(cat "$M/secret/a.txt" "$M2/vault/b.txt" | tr '\n' ' ')" = "alpha bravo " ] &&
	t_ok "files readable after apply" || t_fail "files readable after apply"
fsp list --json
[ "$(jq -r '[.[] | .volume] | sort | join(",")' <<<"$OUT")" = alpha,bravo ] && t_ok "apply stored both keys" || t_fail "apply stored both keys" "$OUT"
[ "$(jq -r '.[] | select(.volume == "alpha") | .expiry > 3500' <<<"$OUT")" = true ] && t_ok "key-lifetime= option sets expiry" ||
	t_fail "key-lifetime= option sets expiry" "$OUT"

fsp apply --tab "$TAB"
expect "apply is idempotent" 0 "already provisioned"
fsp volumes --tab "$TAB" --json
[ "$(jq -r '[.[] | "\(.name):\(.mounted):\(.directories | join("+")):\(.nofail)"] | join(" ")' <<<"$OUT")" = \
	"alpha:true:secret:false bravo:true:vault:false ghost:false::true" ] && t_ok "volumes --json" || t_fail "volumes --json" "$OUT"

# apply --root: mountpoints are read under the root (as in the initramfs).
mkdir -p "$T_WORK/root/mnt"
mount --bind "$M" "$T_WORK/root/mnt" && T_MOUNTS+=("$T_WORK/root/mnt")
printf 'alpha /mnt %s secret\n' "$KA" >"$T_WORK/roottab"
fsp apply --tab "$T_WORK/roottab" --root "$T_WORK/root"
expect "apply --root" 0 "added to $T_WORK/root/mnt"
# The bind mount would keep the superblock, and so the keys, alive.
umount "$T_WORK/root/mnt"

# After a remount: unlock finds the volume by mountpoint, from a process
# without possession of the keys.
remount fs
remount fs2
[ "$(cat "$M/secret/a.txt" 2>/dev/null)" != alpha ] && t_ok "locked after remount" || t_fail "locked after remount"

# apply --volume: the named volumes only (the systemd generator's load
# units); a name the table lacks changes nothing and exits 3.
fsp apply --tab "$TAB" --volume nosuch --volume bravo
[ "$RC" = 3 ] && [ "$ERR" = "fscrypt-provision: error: apply --volume nosuch: no volume nosuch in $TAB" ] &&
	[ "$(cat "$M2/vault/b.txt" 2>/dev/null)" != bravo ] &&
	t_ok "apply --volume NAME not in the table: exit 3, said, nothing unlocked" ||
	t_fail "apply --volume of an unknown name" "rc $RC" "$ERR"
fsp apply --tab "$TAB" --volume bravo
[ "$RC" = 0 ] && [[ $OUT == *"apply: 1 volume ready, 0 failed"* ]] &&
	[ "$(cat "$M2/vault/b.txt" 2>/dev/null)" = bravo ] && [ "$(cat "$M/secret/a.txt" 2>/dev/null)" != alpha ] &&
	t_ok "apply --volume bravo: bravo unlocked, alpha left alone" ||
	t_fail "apply --volume bravo" "rc $RC" "$OUT" "$ERR"
remount fs2

# apply --dry-run reads and checks everything but changes nothing: with a
# keyring name that does not exist, it must still not exist afterwards, and
# the locked directories stay locked.
KRD=fsp-dry-$$
dry() {
	"${FSP_CMD[@]}" apply --keyring "$KRD" --dry-run "$@" >"$T_WORK/out" 2>"$T_WORK/err"
	RC=$?
	OUT=$(cat "$T_WORK/out")
	ERR=$(cat "$T_WORK/err")
}
dry --tab "$TAB"
expect "apply --dry-run on locked volumes" 0 "apply --dry-run: 3 volumes ready, 0 failed"
[[ $OUT == *"volume alpha: dry run: key $IDA from $KA is valid; apply would provision it and add it to $M by key_id"* ]] &&
	t_ok "dry run says what apply would do" || t_fail "dry run says what apply would do" "$OUT"
keyctl show @u | grep -q "$KRD" && t_fail "dry run created no keyring" "$(keyctl show @u)" ||
	t_ok "dry run created no keyring"
[ "$(cat "$M/secret/a.txt" 2>/dev/null)" != alpha ] && [ "$(cat "$M2/vault/b.txt" 2>/dev/null)" != bravo ] &&
	t_ok "dry run unlocked nothing" || t_fail "dry run unlocked nothing"
printf 'alpha %s %s secret\n' "$M" "$KW" >"$T_WORK/drywrong"
dry --tab "$T_WORK/drywrong"
expect "dry run refuses the wrong key" 6 "wrong key"
printf 'alpha %s %s/none.key secret\n' "$M" "$T_WORK" >"$T_WORK/drymissing"
dry --tab "$T_WORK/drymissing"
expect "dry run refuses a missing key file" 4 "none.key"
printf 'alpha %s none secret\n' "$M" >"$T_WORK/drynone"
dry --tab "$T_WORK/drynone"
expect "dry run: source none with no provisioning key" 7 "dry run: no usable provisioning key"
fsp apply --dry-run --tab "$T_WORK/drynone"
expect "dry run: source none with a provisioning key" 0 "apply would add 1 provisioning key to $M by key_id"
[ "$(cat "$M/secret/a.txt" 2>/dev/null)" != alpha ] && t_ok "still locked after the dry runs" ||
	t_fail "still locked after the dry runs"
keyctl session - "${FSP_CMD[@]}" unlock --keyring "$KR" --tab "$TAB" "$M/secret" >"$T_WORK/out" 2>/dev/null
RC=$? OUT=$(cat "$T_WORK/out")
[ "$RC" = 0 ] && [ "$(cat "$M/secret/a.txt")" = alpha ] && t_ok "unlock by mountpoint from fscrypttab" ||
	t_fail "unlock by mountpoint from fscrypttab" "rc $RC $OUT"
fsp check --tab "$TAB" "$M2"
expect "check by mountpoint" 0 "ok: volume bravo key $IDB"
fsp check --tab "$TAB" --json "$M2"
[ "$(jq -r '.[0] | [.volume, .identifier, .ok] | @tsv' <<<"$OUT")" = "$(printf 'bravo\t%s\ttrue' "$IDB")" ] &&
	t_ok "check --json" || t_fail "check --json" "$OUT"
fsp unlock --tab "$TAB" /tmp
expect "unlock outside any listed mountpoint" 2 "no entry in $TAB has mountpoint"
# A listed mountpoint that is not mounted (yet): a script that runs unlock
# too early must not get the filesystem below it, and success.
mkdir -p "$T_WORK/later/sub"
printf 'alpha %s %s secret\nlater %s/later none\n' "$M" "$KA" "$T_WORK" >"$T_WORK/latertab"
fsp unlock --tab "$T_WORK/latertab" "$T_WORK/later"
expect "unlock of a listed mountpoint that is not mounted" 1 \
	"volume later in $T_WORK/latertab has mountpoint $T_WORK/later, which is not mounted"
fsp check --tab "$T_WORK/latertab" "$T_WORK/later/sub"
expect "check below a listed mountpoint that is not mounted" 1 "which is not mounted; mount it first"
mount --bind "$M2" "$T_WORK/later" && T_MOUNTS+=("$T_WORK/later")
fsp check --tab "$T_WORK/latertab" "$T_WORK/later"
[[ "$ERR$OUT" != *"not mounted"* && "$ERR$OUT" == *"volume later"* ]] &&
	t_ok "once it is mounted, check goes on to the volume" ||
	t_fail "once it is mounted, check goes on to the volume" "rc $RC $OUT $ERR"
umount "$T_WORK/later"

# Missing key file: nofail continues, without it apply fails.
printf 'alpha %s %s secret\nmissing %s %s/none.key - nofail\n' "$M" "$KA" "$M2" "$T_WORK" >"$T_WORK/nofail"
fsp apply --tab "$T_WORK/nofail"
ALLOW_STDERR=1 expect "missing key file with nofail" 0 "volume missing is nofail: continuing"
[[ $ERR == *"none.key: it does not exist"* ]] && t_ok "nofail names the missing file" || t_fail "nofail names the missing file" "$ERR"
fsp apply --tab "$T_WORK/nofail" --json
A=$(jq -c '[.volumes[] | [.volume, .result, .exit_name]], .ready, .failed, .skipped, .dry_run' <<<"$OUT" | tr '\n' ' ')
[ "$RC" = 0 ] && [ "$A" = '[["alpha","ready","success"],["missing","skipped","key source error"]] 1 0 1 false ' ] &&
	[[ $(jq -r '.volumes[1].problem' <<<"$OUT") == "volume missing: unable to read key from $T_WORK/none.key: it does not exist"* ]] &&
	t_ok "apply --json: each volume's result and first problem, and the totals, as one object" ||
	t_fail "apply --json" "$OUT" "$A"
printf 'missing %s %s/none.key\n' "$M2" "$T_WORK" >"$T_WORK/fail"
fsp apply --tab "$T_WORK/fail"
expect "missing key file without nofail" 4 "does not exist"

# The wrong key: refused before anything is provisioned or added.
remount fs
BEFORE=$("${FSP_CMD[@]}" list --keyring "$KR" --json | jq length)
printf 'alpha %s %s secret\n' "$M" "$KW" >"$T_WORK/wrong"
fsp apply --tab "$T_WORK/wrong"
expect "wrong key for the listed directory" 6 "wrong key; nothing was provisioned"
AFTER=$("${FSP_CMD[@]}" list --keyring "$KR" --json | jq length)
IDW=$("${FSP_CMD[@]}" identifier --key-file "$KW")
[ "$BEFORE" = "$AFTER" ] && [ "$(xfs_io -c "enckey_status $IDW" "$M")" = Absent ] &&
	t_ok "wrong key: nothing provisioned or added" || t_fail "wrong key: nothing provisioned or added" "$BEFORE vs $AFTER"
[ "$(cat "$M/secret/a.txt" 2>/dev/null)" != alpha ] && t_ok "wrong key: directory stays locked" ||
	t_fail "wrong key: directory stays locked"
printf 'bravo %s %s vault keysize=32,identifier=%s\n' "$M2" "$KB" "$IDA" >"$T_WORK/wrongid"
fsp apply --tab "$T_WORK/wrongid"
expect "identifier= mismatch" 6 "expects $IDA; nothing was provisioned"

# A second remount and a volume with several keys (key rotation).
KR2=$T_WORK/rot.key
new_key "$KR2"
fsp add --volume alpha --key-file "$KR2"
remount fs
fsp unlock --volume alpha "$M"
expect "unlock adds every key of the volume" 0 "unlocked on $M"
[ "$(grep -c 'unlocked on' <<<"$OUT")" = 2 ] && t_ok "both keys of the volume added" || t_fail "both keys of the volume added" "$OUT"

# timeout=, the name before key-lifetime=, is still the key's lifetime for
# now: apply takes it without a word (it runs every boot), check says it
# is deprecated, volumes --json gives it under both names.
printf 'aged %s %s - timeout=600\n' "$M2" "$KA" >"$T_WORK/oldtab"
fsp apply --tab "$T_WORK/oldtab"
expect "apply with timeout= (deprecated): the same, and no warning" 0 "volume aged"
fsp list --json
[ "$(jq -r '.[] | select(.volume == "aged") | .expiry > 500 and .expiry <= 600' <<<"$OUT")" = true ] &&
	t_ok "timeout= still sets the key's expiry" || t_fail "timeout= still sets the key's expiry" "$OUT"
fsp check --tab "$T_WORK/oldtab" "$M2"
[ "$RC" = 0 ] && [ "$ERR" = "fscrypt-provision: warning: $T_WORK/oldtab:1: timeout= is deprecated; spell it key-lifetime= (the provisioning key's lifetime, not a prompt's timeout as in crypttab)" ] &&
	t_ok "check warns in one line that timeout= is deprecated, naming key-lifetime=" ||
	t_fail "check's warning for timeout=" "rc $RC" "$ERR"
fsp check --tab "$TAB" "$M"
expect "and says nothing of key-lifetime=" 0
fsp volumes --tab "$T_WORK/oldtab" --json
[ "$RC/$ERR" = 0/ ] && [ "$(jq -r '.[0] | "\(.key_lifetime) \(.timeout)"' <<<"$OUT")" = "600 600" ] &&
	t_ok "volumes --json: key_lifetime, and timeout for one release; no warning" || t_fail "volumes --json key_lifetime" "$OUT" "$ERR"

t_done
