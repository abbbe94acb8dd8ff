#!/bin/bash
# Revocation on the real kernel: wipe-slot warns that it revokes nothing, as
# a copy of the slots file made before still opens with the wiped slot; the
# procedure of fscrypt-slots(5), "REVOCATION", run step by step on a
# loop-mounted ext4, leaves that copy unable to open the data.
. "$(dirname "$0")/lib.sh"

new_fs fs -O encrypt
M=$T_WORK/fs
OLD=$T_WORK/data.slots
NEW=$T_WORK/data-2.slots
TAB=$T_WORK/fscrypttab

# policy DIR: the key identifier of DIR's policy, by xfs_io (an oracle of
# its own).
policy() { xfs_io -c get_encpolicy "$1" 2>/dev/null | sed -n 's/.*Master key identifier: //p'; }

# The volume as docs/getting-started.md makes it, with two passphrases.
fsp enroll --slots "$OLD" --passphrase --generate --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"kept"
expect "a slots file with a passphrase" 0
fsp enroll --slots "$OLD" --passphrase --unlock-passphrase-fd 3 --new-passphrase-fd 4 "${CHEAP[@]}" 3<<<"kept" 4<<<"leaked"
ALLOW_STDERR=1 expect "and a second one, which will leak" 0 "slot 1 (passphrase) added"
OLDID=$("${FSP_CMD[@]}" slots --slots "$OLD" --json | jq -r .identifier)
printf 'data %s slots:%s secret\n' "$M" "$OLD" >"$TAB"
fsp add --volume data --slots "$OLD" --passphrase-fd 3 --add-to "$M" 3<<<"kept"
ALLOW_STDERR=1 expect "the key provisioned" 0
mkdir "$M/secret"
fsp set-policy "$M/secret" "$OLDID"
expect "a directory encrypted with it" 0
mkdir "$M/secret/sub"
echo "the data" >"$M/secret/file"
echo "below" >"$M/secret/sub/deeper"
ln -s file "$M/secret/link"
sum_tree() { (cd "$1" && find . -printf '%p %y %m %l\n' | sort && find . -type f -print0 | sort -z | xargs -0 cat | sha256sum); }
BEFORE=$(sum_tree "$M/secret")

# wipe-slot --dry-run changes nothing, and says so; --json is for programs.
cp -p "$OLD" "$T_WORK/before-dry-run.slots"
fsp wipe-slot --slots "$OLD" --dry-run 1
ALLOW_STDERR=1 expect "wipe-slot --dry-run" 0 "dry run: slot 1 (passphrase) would be wiped from $OLD; 1 slot would be left"
cmp -s "$OLD" "$T_WORK/before-dry-run.slots" && t_ok "wipe-slot --dry-run leaves the file as it was" ||
	t_fail "wipe-slot --dry-run leaves the file as it was"
fsp wipe-slot --slots "$OLD" --dry-run --json 1
[ "$RC" = 0 ] && [ "$(jq -c . <<<"$OUT")" = "{\"file\":\"$OLD\",\"slot\":1,\"type\":\"passphrase\",\"slots_left\":1,\"dry_run\":true}" ] &&
	t_ok "wipe-slot --dry-run --json: one object" || t_fail "wipe-slot --dry-run --json: one object" "$OUT"
fsp wipe-slot --slots "$OLD" --dry-run 7
expect "wipe-slot --dry-run of a slot that is not there: exit 2" 2 "has no slot 7"

# wipe-slot: the slot is gone from the file, not from a copy made before.
cp -p "$OLD" "$T_WORK/backup.slots"
fsp wipe-slot --slots "$OLD" 1
ALLOW_STDERR=1 expect "wipe-slot removes slot 1" 0 "slot 1 wiped"
[ "$(wc -l <"$T_WORK/err")" = 1 ] && [ "$ERR" = "fscrypt-provision: warning: wiping a slot revokes nothing: every older \
copy of $OLD (backups, initramfs images) still opens with slot 1's protector; rebuild the images (dracut -f \
--regenerate-all, update-initramfs -u -k all) and, to revoke it, move the data to a new key (fscrypt-slots(5), \
REVOCATION)" ] && t_ok "and says in one line on stderr that this revokes nothing, and what to do" ||
	t_fail "the warning of wipe-slot" "$ERR"
fsp identifier --slots "$OLD" --passphrase-fd 3 3<<<"leaked"
ALLOW_STDERR=1 expect "the file no longer opens with the wiped slot's passphrase" 6
fsp identifier --slots "$T_WORK/backup.slots" --passphrase-fd 3 3<<<"leaked"
[ "$RC" = 0 ] && [ "$OUT" = "$OLDID" ] && t_ok "but the copy made before does: the key is the same" ||
	t_fail "the copy still opens" "exit $RC" "$OUT" "$ERR"
# Control: after a reboot (the volume locked, a new superblock), that copy
# and that passphrase open the data.
fsp remove --volume data "$M"
remount fs
fsp add --volume old --slots "$T_WORK/backup.slots" --passphrase-fd 3 --add-to "$M" 3<<<"leaked"
[ "$RC" = 0 ] && [ "$(cat "$M/secret/file" 2>/dev/null)" = "the data" ] &&
	t_ok "so after a reboot, the copy and the wiped slot's passphrase read the data (control)" ||
	t_fail "the copy reads the data before the procedure" "$ERR"
fsp remove --volume old "$M"
fsp add --volume data --slots "$OLD" --passphrase-fd 3 --add-to "$M" 3<<<"kept"
ALLOW_STDERR=1 expect "the volume unlocked again, as the procedure needs it" 0

# The procedure, its steps numbered as in fscrypt-slots(5).
# 1. A new key, in a new file, with only the protectors still trusted.
fsp enroll --slots "$NEW" --passphrase --generate --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"new pass"
expect "1. enroll --generate: the new key's file" 0
# 2. The new key provisioned beside the old one, a new directory with it.
fsp add --volume data --slots "$NEW" --passphrase-fd 3 --add-to "$M" 3<<<"new pass"
ALLOW_STDERR=1 expect "2. add: the new key provisioned beside the old one" 0
mkdir "$M/secret.new"
NEWID=$("${FSP_CMD[@]}" identifier --slots "$NEW" --passphrase-fd 3 3<<<"new pass" 2>/dev/null)
fsp set-policy "$M/secret.new" "$NEWID"
expect "2. set-policy: a new directory encrypted with the new key" 0
# 3. The data copied across, the new directory in the old one's place.
check "3. cp -a, rm -rf, mv" sh -c "cp -a '$M/secret/.' '$M/secret.new/' && rm -rf '$M/secret' && mv '$M/secret.new' '$M/secret'"
# 4. Both keys removed, the table pointed at the new file, provisioned again.
fsp remove --volume data "$M"
ALLOW_STDERR=1 expect "4. remove --volume: both keys out of the filesystem" 0
sed -i "s|slots:$OLD|slots:$NEW|" "$TAB"
fsp apply --tab "$TAB" --passphrase-fd 3 3<<<"new pass"
ALLOW_STDERR=1 expect "4. apply with the table on the new file" 0 "volume data"
# 5. Images rebuilt (none here), the old file deleted.
rm "$OLD"

[ "$(sum_tree "$M/secret")" = "$BEFORE" ] && t_ok "the data is all there: names, types, modes, links, contents" ||
	t_fail "the data came across" "before: $BEFORE" "after: $(sum_tree "$M/secret")"
[ "$(policy "$M/secret")" = "$NEWID" ] && [ "$(policy "$M/secret/sub")" = "$NEWID" ] && [ "$NEWID" != "$OLDID" ] &&
	t_ok "it is encrypted with the new key (xfs_io)" || t_fail "the new policy" "$(policy "$M/secret")"
old_dirs=$(find "$M" -xdev -type d | while read -r d; do [ "$(policy "$d")" = "$OLDID" ] && echo "$d"; done)
[ -z "$old_dirs" ] && t_ok "no directory on the filesystem is encrypted with the old key" ||
	t_fail "directories left on the old key" "$old_dirs"

# Someone with the copy made before and the wiped slot's passphrase, after
# a reboot (here: the volume locked, a new superblock).
fsp remove --volume data "$M"
ALLOW_STDERR=1 expect "the volume locked again" 0
remount fs
fsp add --volume old --slots "$T_WORK/backup.slots" --passphrase-fd 3 --add-to "$M" 3<<<"leaked"
ALLOW_STDERR=1 expect "the old copy still gives its key, and it goes into the filesystem" 0
[[ $(xfs_io -c "enckey_status $OLDID" "$M") == Present* ]] && [ "$(xfs_io -c "enckey_status $NEWID" "$M")" = Absent ] &&
	t_ok "the filesystem holds the old key, not the new one (xfs_io)" ||
	t_fail "key status" "$(xfs_io -c "enckey_status $OLDID" "$M") / $(xfs_io -c "enckey_status $NEWID" "$M")"
if cat "$M/secret/file" >/dev/null 2>&1 || [ -e "$M/secret/sub" ]; then
	t_fail "the old key's identifier does not unlock the new directory"
else
	t_ok "the old key's identifier does not unlock the new directory: no file reads, no name shows"
fi
fsp apply --tab "$TAB" --passphrase-fd 3 3<<<"new pass"
ALLOW_STDERR=1 expect "the new key, from the table, unlocks it again" 0
[ "$(cat "$M/secret/file" 2>/dev/null)" = "the data" ] && t_ok "and the data reads back" || t_fail "the data reads back"

t_done
