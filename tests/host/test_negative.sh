#!/bin/bash
# fsp-host: alone (tests/run-all.sh): its EDQUOT case lowers root's key
# quota (kernel.keys.root_maxkeys) for every process.
# Negative cases, in the spirit of xfstests generic/593: every refusal has
# a clear message and a documented exit code, and leaves nothing behind.
. "$(dirname "$0")/lib.sh"

new_fs fs -O encrypt
new_fs plain
M=$T_WORK/fs
P=$T_WORK/plain
K=$T_WORK/k.bin
new_key "$K"

# Runs a shell command with possession of @u (and so of our keyring),
# the way the keyring's owner would tamper with it.
possessed() { keyctl session - bash -c "keyctl link @u @s >/dev/null; $1" >/dev/null 2>&1; }
nkeys() { fsp list --json && jq 'length' <<<"$OUT"; }

# --- key sources
fsp add --volume data --key-file "$K" --key-size 15
expect "key size below 16 is a usage error" 2 "--key-size must be 16 to 64"
head -c 63 "$K" >"$T_WORK/short" && chmod 600 "$T_WORK/short"
fsp add --volume data --key-file "$T_WORK/short"
expect "truncated key file refused" 4 "is 63 bytes, but a 64-byte key file must be"
[ -z "$(keyring_id)" ] && t_ok "refused key left no keyring behind" || t_fail "refused key left no keyring behind"
ln -s "$K" "$T_WORK/link"
fsp add --volume data --key-file "$T_WORK/link"
expect "symlinked key file refused" 4 "is a symbolic link"
cp "$K" "$T_WORK/open" && chmod 0644 "$T_WORK/open"
fsp add --volume data --key-file "$T_WORK/open"
expect "world-readable key file refused" 4 "has mode 0644"
fsp identifier --key-file "$T_WORK/open" --allow-readable
expect "--allow-readable accepts it" 0
chmod 0640 "$T_WORK/open"
fsp identifier --key-file "$T_WORK/open"
expect "group-readable key file refused" 4 "has mode 0640"
# Writable by others is refused even with --allow-readable: they could
# substitute the key (fscrypttab allow-readable goes through the same check).
for mode in 0620 0602 0666 0660; do
	chmod "$mode" "$T_WORK/open"
	fsp identifier --key-file "$T_WORK/open" --allow-readable
	expect "mode $mode: writable by others, refused even with --allow-readable" 4 "has mode $mode, so others may replace the key"
done
printf 'w /mnt %s - initramfs,allow-readable,embed-raw-key\n' "$T_WORK/open" >"$T_WORK/w.tab"
fsp embed --tab "$T_WORK/w.tab"
expect "embed refuses a writable key file with allow-readable too" 4 "others may replace the key"
fsp identifier --key-file "$T_WORK"
expect "directory as key file refused" 4 "not a regular file"
fsp identifier --key-file "$T_WORK/missing"
expect "missing key file" 4 "does not exist"
fsp identifier --key-file "$K"
ID=$OUT
od -An -tx1 -v "$K" | tr -d ' \n' >"$T_WORK/k.hex" && chmod 600 "$T_WORK/k.hex"
fsp identifier --key-file "$T_WORK/k.hex"
[ "$RC/$OUT" = "0/$ID" ] && t_ok "hex key file gives the same identifier" || t_fail "hex key file gives the same identifier" "$OUT $ERR"
fsp identifier --key-fd 0 <"$K"
[ "$RC/$OUT" = "0/$ID" ] && t_ok "--key-fd 0 reads stdin" || t_fail "--key-fd 0 reads stdin" "$OUT $ERR"
printf 'zz%.0s' $(seq 64) >"$T_WORK/bad.hex" && chmod 600 "$T_WORK/bad.hex"
fsp identifier --key-file "$T_WORK/bad.hex"
expect "non-hex text of hex size refused" 4 "not hex digits"
fsp identifier --key-fd 0 </dev/null
expect "empty stdin refused" 4 "holds 0 bytes"
# A 32-byte key as 64 hex digits, no newline, read with the default size
# of 64: also a 64-byte raw key. --key-format auto refuses to guess.
new_key "$T_WORK/k32.bin" 32
ID32=$("${FSP_CMD[@]}" identifier --key-file "$T_WORK/k32.bin" --key-size 32)
printf '%s' "$(od -An -tx1 -v "$T_WORK/k32.bin" | tr -d ' \n')" >"$T_WORK/k32.hex" && chmod 600 "$T_WORK/k32.hex"
AMB="give --key-format raw, or --key-format hex --key-size 32"
fsp identifier --key-file "$T_WORK/k32.hex"
expect "64 hex digits with the default size: a usage error that says what to give" 2 "it is 64 hex digits and nothing else, so it may be a 64-byte raw key or a 32-byte key in hex, and the format auto cannot tell which; $AMB"
fsp add --volume amb --key-fd 0 <"$T_WORK/k32.hex"
expect "the same from a descriptor, and add provisions nothing" 2 "$AMB"
[ -z "$(keyring_id)" ] && t_ok "the refused key left no keyring behind" || t_fail "the refused key left no keyring behind"
fsp identifier --key-file "$T_WORK/k32.hex" --key-format hex --key-size 32
[ "$RC/$OUT" = "0/$ID32" ] && t_ok "--key-format hex --key-size 32 reads the 32-byte key" || t_fail "--key-format hex --key-size 32" "$RC $OUT $ERR"
fsp identifier --key-file "$T_WORK/k32.hex" --key-format raw
expect "--key-format raw takes the 64 characters as the key" 0
printf 'amb %s %s - initramfs,embed-raw-key\n' "$M" "$T_WORK/k32.hex" >"$T_WORK/amb.tab"
fsp apply --tab "$T_WORK/amb.tab"
expect "apply: the entry is refused as a table error (exit 3), naming keyformat=" 3 "say which in the options of volume amb in $T_WORK/amb.tab: keyformat=raw, or keyformat=hex,keysize=32"
fsp embed --tab "$T_WORK/amb.tab"
expect "embed refuses it the same way" 3 "keyformat=raw, or keyformat=hex,keysize=32"
printf 'amb %s %s - keyformat=hex,keysize=32\n' "$M" "$T_WORK/k32.hex" >"$T_WORK/amb.tab"
fsp apply --tab "$T_WORK/amb.tab" --dry-run
expect "keyformat=hex,keysize=32 in the entry: the key reads" 0 "key $ID32"

# --- usage
fsp add --key-file "$K"
expect "add without --volume" 2 "--volume NAME is required"
fsp add --volume data --key-file "$K" --key-fd 0
expect "two key sources" 2 "exactly one of"
fsp add --volume ../x --key-file "$K"
expect "bad volume name" 2 "invalid volume name"
fsp set-policy "$M" nothex
expect "bad identifier for set-policy" 2 "32 hex digits"
fsp list --bogus
expect "unknown option" 2 "unrecognized option"
"${FSP_CMD[@]}" frobnicate >/dev/null 2>&1
[ $? = 2 ] && t_ok "unknown command exits 2" || t_fail "unknown command exits 2"

# --- filesystems
fsp add --volume data --key-file "$K" --add-to "$P"
expect "filesystem without encrypt" 5 "tune2fs -O encrypt"
[ -z "$(keyring_id)" ] && t_ok "nothing provisioned for a non-encrypt fs" || t_fail "nothing provisioned for a non-encrypt fs"
mkdir -p "$T_WORK/tmpfs" && mount -t tmpfs tmpfs "$T_WORK/tmpfs" && T_MOUNTS+=("$T_WORK/tmpfs")
fsp add --volume data --key-file "$K" --add-to "$T_WORK/tmpfs"
expect "tmpfs" 5 "does not support fscrypt"
fsp status --json "$T_WORK/tmpfs"
[ "$(jq -r '[.fscrypt_filesystem, .policy, .key_status] | @tsv' <<<"$OUT")" = "$(printf 'false\t\t')" ] &&
	t_ok "status on tmpfs" || t_fail "status on tmpfs" "$OUT"
fsp status --json "$P"
[ "$(jq -r '.encrypt_feature' <<<"$OUT")" = false ] && t_ok "status: encrypt feature off" || t_fail "status: encrypt feature off" "$OUT"

fsp add --volume data --key-file "$K" --add-to "$M"
expect "add" 0
SERIAL=$(jq -r '.[0].key_id' <<<"$(fsp list --json && echo "$OUT")")
fsp set-policy "$M" "$ID"
expect "non-empty directory for set-policy" 11 "not empty"
mkdir "$M/enc" "$M/other"
fsp set-policy "$M/enc" 00112233445566778899aabbccddeeff
expect "set-policy with a key that is not present" 7 "is not present on this filesystem"
fsp set-policy --force "$M/other" 00112233445566778899aabbccddeeff
expect "set-policy --force" 0
rmdir "$M/other" && mkdir "$M/other"

# --- wrong key for a directory's policy
K2=$T_WORK/k2.bin
new_key "$K2"
fsp identifier --key-file "$K2"
ID2=$OUT
xfs_io -c add_enckey "$M" <"$K2" >/dev/null
fsp set-policy "$M/other" "$ID2"
expect "policy with a second key" 0
remount fs
fsp unlock --volume data "$M/other"
expect "wrong key for a directory's policy" 6 "volume data has no provisioning key with that identifier"

# --- tampered provisioning keys: wrong payload type, a user key
possessed "printf '\\001\\000\\000\\000\\000\\000\\000\\000' | cat - $K2 | keyctl padd fscrypt-provisioning fscrypt-provision:rogue:$ID2 %:$KR | xargs -I{} keyctl setperm {} 0x39090000"
fsp unlock --volume rogue "$M"
expect "payload type 1 (descriptor) rejected" 6 "payload type"
possessed "keyctl add user fscrypt-provision:userkey:$ID2 secret %:$KR"
fsp unlock --volume userkey "$M"
expect "a user key's id is never used" 7 "no usable provisioning key"
fsp list --json
[ "$(jq '[.[] | select(.volume == "userkey")] | length' <<<"$OUT")" = 0 ] && t_ok "list ignores user keys" || t_fail "list ignores user keys" "$OUT"

# --- revoked, expired, unknown
possessed "keyctl revoke $SERIAL"
fsp unlock --volume data "$M"
expect "revoked provisioning key" 7 "was revoked"
fsp check --volume data "$M/enc"
expect "check reports the revoked key" 1 "revoked"
fsp add --volume data --key-file "$K" --timeout 1
ALLOW_STDERR=1 expect "re-provision displaces the revoked key (with --timeout, the old spelling of --key-lifetime)" 0 "provisioned as key"
[[ $ERR == *"add --timeout is deprecated; spell it --key-lifetime SECONDS"* ]] &&
	t_ok "add --timeout still works, and says it is deprecated" || t_fail "add --timeout says it is deprecated" "$ERR"
sleep 2
fsp unlock --volume data "$M"
expect "expired provisioning key" 7 "has expired"
fsp check --volume data "$M"
expect "check reports the expired key" 1 "expired"
printf 'data %s - - identifier=00112233445566778899aabbccddeeff\n' "$M" >"$T_WORK/tab"
fsp check --tab "$T_WORK/tab" "$M"
expect "check: unknown identifier" 1 "no such provisioning key"

# --- quota: EDQUOT, and nothing half-provisioned
fsp add --volume data --key-file "$K"
OLD=$(cat /proc/sys/kernel/keys/root_maxkeys)
BEFORE=$(nkeys)
USED=$(awk '$1 == "0:" {split($4, a, "/"); print a[1]}' /proc/key-users)
echo "$USED" >/proc/sys/kernel/keys/root_maxkeys
fsp add --volume quota --key-file "$K2" --add-to "$M"
echo "$OLD" >/proc/sys/kernel/keys/root_maxkeys
expect "key quota exhausted" 9 "quota"
[ "$(nkeys)" = "$BEFORE" ] && t_ok "nothing left after EDQUOT" || t_fail "nothing left after EDQUOT"
[ "$(xfs_io -c "enckey_status $ID2" "$M")" = Absent ] && t_ok "no fs key after EDQUOT" || t_fail "no fs key after EDQUOT"

# --- another user holds the key too: remove must not retire the way back
fsp add --volume shared --key-file "$K2" --add-to "$M"
chmod 0711 "$T_WORK"
setpriv --reuid=65534 --regid=65534 --clear-groups xfs_io -c add_enckey "$M" <"$K2" >/dev/null
chmod 0700 "$T_WORK"
fsp remove --volume shared "$M"
expect "remove reports other users" 10 "other users still hold it"
fsp remove --volume shared "$M"
expect "remove again: this user's claim is gone, others hold the key" 10 "held by 1 other user"
fsp list --json
[ "$(jq '[.[] | select(.volume == "shared")] | length' <<<"$OUT")" = 1 ] &&
	t_ok "provisioning key kept while others hold the key" || t_fail "provisioning key kept while others hold the key" "$OUT"
fsp remove --volume shared --all-users "$M"
expect "remove --all-users" 0 "invalidated"

# --- fscrypttab errors reach the user as file:line
printf 'ok / none\nbad / none - frob\n' >"$T_WORK/badtab"
fsp apply --tab "$T_WORK/badtab"
expect "bad fscrypttab" 3 "$T_WORK/badtab:2: unknown option 'frob'"
fsp apply --tab "$T_WORK/nonexistent"
expect "missing explicit fscrypttab" 3 "cannot open"

# Control characters in paths: refused in every field
# that holds a path, so that no output can be split wrongly.
printf 'v "/mnt/a\tb" none\n' >"$T_WORK/ctl.tab"
fsp volumes --tab "$T_WORK/ctl.tab"
expect "a TAB in a mountpoint is refused" 3 "ctl.tab:1: the mountpoint field holds control character 0x09 at byte 7"
printf 'v /mnt "/k\001" -\n' >"$T_WORK/ctl.tab"
fsp volumes --tab "$T_WORK/ctl.tab"
expect "a control character in a key file is refused" 3 "the key source field holds control character 0x01 at byte 3"
printf 'v /mnt none "a\033b"\n' >"$T_WORK/ctl.tab"
fsp volumes --tab "$T_WORK/ctl.tab"
expect "an ESC in a directory is refused" 3 "the directories field holds control character 0x1b"
fsp apply --tab "$T_WORK/nonexistent" --key "$(printf 'v:/k\tx')"
expect "apply --key refuses a TAB in the key source" 2 "volume v: the key source holds a control character"

# A failed mlock() is said, not silent: another user,
# with RLIMIT_MEMLOCK at 0, reads its own key file. Not under valgrind or
# ASan, whose mlock() does nothing and succeeds.
if [ -z "${FSP_UNDER_VALGRIND-}" ] && [ -z "${ASAN_OPTIONS-}" ]; then
	NK=$T_WORK/nobody.key
	new_key "$NK"
	WANT=$("${FSP_CMD[@]}" identifier --key-file "$NK")
	chown 65534 "$NK"
	cp "${FSP_CMD[${#FSP_CMD[@]} - 1]}" "$T_WORK/fsp-copy"
	chmod 0711 "$T_WORK"
	setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --memlock=0:0 \
		"$T_WORK/fsp-copy" identifier --key-file "$NK" >"$T_WORK/out" 2>"$T_WORK/err"
	RC=$? OUT=$(cat "$T_WORK/out") ERR=$(cat "$T_WORK/err")
	chmod 0700 "$T_WORK"
	ALLOW_STDERR=1 expect "a key that cannot be locked in memory is a warning" 0 \
		"warning: key memory could not be locked (mlock: Operation not permitted), so a key may have been swapped out"
	[ "$OUT" = "$WANT" ] &&
		t_ok "the identifier is still computed" || t_fail "the identifier is still computed" "$OUT"
fi

# A table is bounded: more than 4096 entries is a clear error, and 4096
# entries parse (30,000 took 6.3 s and 240 MB before).
for i in $(seq 4097); do echo "v$i none none"; done >"$T_WORK/big.tab"
fsp volumes --tab "$T_WORK/big.tab"
expect "more than 4096 entries is refused" 3 "big.tab:4097: more than 4096 entries; split the table"
head -n 4096 "$T_WORK/big.tab" >"$T_WORK/ok.tab"
fsp volumes --tab "$T_WORK/ok.tab"
expect "4096 entries are fine" 0 ""
[ "$(wc -l <"$T_WORK/out")" = 4096 ] && t_ok "and all 4096 are listed" || t_fail "and all 4096 are listed"

t_done
