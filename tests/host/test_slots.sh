#!/bin/bash
# Slots files on the real kernel: enroll, the full cycle
# through a slots file, wrong passphrases, passphrase change, recovery
# keys, unsealer programs, damaged files, kill -9 during enroll, and a
# canary scan for the raw key.
. "$(dirname "$0")/lib.sh"

new_fs fs -O encrypt
M=$T_WORK/fs
S=$T_WORK/vol.slots
# Cheap costs: the tests time nothing, and run under valgrind too.

sum() { sha256sum "$1" | cut -d' ' -f1; }

fsp enroll --slots "$S" --passphrase --generate --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"first pass"
expect "enroll --generate --passphrase creates the file" 0 "slot 0 (passphrase) added to $S"
[ "$(stat -c %a "$S")" = 600 ] && t_ok "the slots file is mode 0600" || t_fail "the slots file is mode 0600" "$(stat -c %a "$S")"
fsp slots --slots "$S" --json
[ "$(jq -r '.version, .key_size, (.slots | length), .slots[0].type, .slots[0].kdf, .slots[0].memory_kib, .slots[0].passes' <<<"$OUT" | xargs)" = "1 64 1 passphrase argon2id 8192 1" ] &&
	t_ok "slots --json: version, key size, one Argon2id slot with its costs" || t_fail "slots --json fields" "$OUT"
ID=$(jq -r .identifier <<<"$OUT")

fsp identifier --slots "$S" --passphrase-fd 3 3<<<"first pass"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "identifier --slots unwraps and prints the stored identifier" ||
	t_fail "identifier --slots" "$OUT" "$ERR"

# The full cycle: add -> set-policy -> files -> remount -> unlock.
fsp add --volume v --slots "$S" --passphrase-fd 3 --add-to "$M" 3<<<"first pass"
ALLOW_STDERR=1 expect "add --slots provisions the key and adds it to the filesystem" 0 "volume v"
mkdir "$M/dir"
fsp set-policy "$M/dir" "$ID"
expect "set-policy with the slots file's identifier" 0
echo "kept across remounts" >"$M/dir/file"
[ "$(xfs_io -c get_encpolicy "$M/dir" | sed -n 's/.*Master key identifier: //p')" = "$ID" ] &&
	t_ok "xfs_io sees the directory encrypted with the slots file's key" || t_fail "xfs_io get_encpolicy"
remount fs
fsp unlock --volume v "$M"
expect "after a remount, unlock by key id" 0
[ "$(cat "$M/dir/file" 2>/dev/null)" = "kept across remounts" ] && t_ok "the file reads back" || t_fail "the file reads back"

# A wrong passphrase adds nothing.
fsp add --volume w --slots "$S" --passphrase-fd 3 --add-to "$M" 3<<<"not it"
ALLOW_STDERR=1 expect "a wrong passphrase exits 6" 6 "did not accept the passphrase"
fsp list --json
[ "$(jq '[.[] | select(.volume == "w")] | length' <<<"$OUT")" = 0 ] &&
	t_ok "a wrong passphrase provisions nothing" || t_fail "a wrong passphrase provisions nothing" "$OUT"
fsp add --volume w --slots "$S" --passphrase-fd 3 3< <(printf 'no\nnope\nfirst pass\n')
ALLOW_STDERR=1 expect "two wrong lines, then the right one (3 tries)" 0 "(try 2 of 3)"

# A passphrase change: a new slot, the old one wiped, the same key.
fsp enroll --slots "$S" --passphrase --unlock-passphrase-fd 3 --new-passphrase-fd 4 "${CHEAP[@]}" 3<<<"first pass" 4<<<"second pass"
ALLOW_STDERR=1 expect "enroll a second passphrase, unlocking with the first" 0 "slot 1 (passphrase) added"
fsp wipe-slot --slots "$S" 0
ALLOW_STDERR=1 expect "wipe the old passphrase's slot" 0 "slot 0 wiped"
[ "$(wc -l <"$T_WORK/err")" = 1 ] && [[ $ERR == "fscrypt-provision: warning: wiping a slot revokes nothing: "* ]] &&
	t_ok "with one line of warning: wiping revokes nothing" || t_fail "the warning of wipe-slot" "$ERR"
fsp identifier --slots "$S" --passphrase-fd 3 3<<<"second pass"
[ "$OUT" = "$ID" ] && t_ok "the new passphrase gives the same identifier" || t_fail "same identifier" "$OUT $ERR"
fsp identifier --slots "$S" --passphrase-fd 3 3<<<"first pass"
ALLOW_STDERR=1 expect "the old passphrase no longer opens the file" 6

# enroll --passphrase-fd, the spelling before --new-passphrase-fd, still
# gives the new passphrase for now, with one line that names the new one.
OLDSP=$T_WORK/old-spelling.slots
fsp enroll --slots "$OLDSP" --passphrase --generate --passphrase-fd 3 "${CHEAP[@]}" 3<<<"old spelling"
ALLOW_STDERR=1 expect "enroll --passphrase-fd (deprecated) still sets the new passphrase" 0 "slot 0 (passphrase) added"
[ "$(wc -l <"$T_WORK/err")" = 1 ] &&
	[ "$ERR" = "fscrypt-provision: warning: enroll --passphrase-fd is deprecated; spell it --new-passphrase-fd N (the new passphrase or PIN)" ] &&
	t_ok "and warns in one line on stderr, naming --new-passphrase-fd" || t_fail "the deprecation warning of enroll --passphrase-fd" "$ERR"
fsp identifier --slots "$OLDSP" --passphrase-fd 3 3<<<"old spelling"
[ "$RC" = 0 ] && [ -n "$OUT" ] && t_ok "the file opens with the passphrase given that way" || t_fail "the old spelling's passphrase" "$RC" "$ERR"
fsp enroll --slots "$OLDSP" --recovery-key --unlock-passphrase-fd 3 --new-passphrase-fd 4 3<<<"old spelling" 4<<<"x"
expect "--new-passphrase-fd is for --passphrase and --tpm2-pin" 2 "--new-passphrase-fd is for --passphrase and --tpm2-pin"
fsp remove --volume v "$M"
remount fs
fsp add --volume v2 --slots "$S" --passphrase-fd 3 --add-to "$M" 3<<<"second pass"
ALLOW_STDERR=1 expect "add with the new passphrase" 0
[ "$(cat "$M/dir/file" 2>/dev/null)" = "kept across remounts" ] &&
	t_ok "the old files stay readable after the change" || t_fail "the old files stay readable after the change"

# The last slot is never removed by accident.
before=$(sum "$S")
fsp wipe-slot --slots "$S" 1
expect "wiping the last slot is refused" 2 "is the last slot"
[ "$(sum "$S")" = "$before" ] && t_ok "the refused wipe left the file alone" || t_fail "the refused wipe left the file alone"
fsp wipe-slot --slots "$S" 7
expect "a slot that does not exist" 2 "has no slot 7"

# A recovery key: printed once, as the last line; accepted at the same prompt.
fsp enroll --slots "$S" --recovery-key --unlock-passphrase-fd 3 3<<<"second pass"
ALLOW_STDERR=1 expect "enroll --recovery-key" 0 "slot 0 (recovery-key) added"
RK=$(tail -n 1 "$T_WORK/out")
[[ $RK =~ ^[cbdefghijklnrtuv]{8}(-[cbdefghijklnrtuv]{8}){7}$ ]] &&
	t_ok "the recovery key is the last line: 8 groups of 8 modhex digits" || t_fail "recovery key format" "$RK"
[ "$(grep -c -- "$RK" "$T_WORK/out")" = 1 ] && ! grep -q -- "$RK" "$T_WORK/err" &&
	t_ok "it is printed once, on stdout only" || t_fail "recovery key printed once"
fsp identifier --slots "$S" --passphrase-fd 3 3<<<"$RK"
[ "$OUT" = "$ID" ] && t_ok "the recovery key unlocks" || t_fail "the recovery key unlocks" "$ERR"
fsp identifier --slots "$S" --passphrase-fd 3 3<<<"$(tr -d - <<<"$RK" | tr '[:lower:]' '[:upper:]' | sed 's/..../& /g')"
[ "$OUT" = "$ID" ] && t_ok "typed in capitals, in groups of 4" || t_fail "typed in capitals" "$ERR"

# --dry-run unwraps and says which slot would be added; writes nothing.
before=$(sum "$S")
fsp enroll --slots "$S" --passphrase --unlock-passphrase-fd 3 --dry-run 3<<<"second pass"
ALLOW_STDERR=1 expect "enroll --dry-run" 0 "dry run: slot 2 (passphrase) would be added to $S, key identifier $ID; nothing was written"
[ "$(sum "$S")" = "$before" ] && t_ok "enroll --dry-run left the file alone" || t_fail "enroll --dry-run left the file alone"
fsp enroll --slots "$S" --passphrase --unlock-passphrase-fd 3 --dry-run 3<<<"a wrong one"
expect "enroll --dry-run with a wrong passphrase fails as enroll would" 6
# --json: one object, the new slot's number; a recovery key goes in it.
fsp enroll --slots "$S" --recovery-key --unlock-passphrase-fd 3 --json 3<<<"second pass"
RK2=$(jq -r .recovery_key <<<"$OUT")
[ "$RC" = 0 ] && [ "$(jq -c 'del(.recovery_key)' <<<"$OUT")" = "{\"file\":\"$S\",\"slot\":2,\"type\":\"recovery-key\",\"identifier\":\"$ID\",\"dry_run\":false}" ] &&
	[[ $RK2 =~ ^[cbdefghijklnrtuv]{8}(-[cbdefghijklnrtuv]{8}){7}$ ]] &&
	t_ok "enroll --json: one object with the slot's number and the recovery key" || t_fail "enroll --json" "$OUT" "$ERR"
fsp identifier --slots "$S" --passphrase-fd 3 3<<<"$RK2"
[ "$OUT" = "$ID" ] && t_ok "the recovery key from the JSON unlocks" || t_fail "the recovery key from the JSON unlocks" "$ERR"
fsp wipe-slot --slots "$S" 2
ALLOW_STDERR=1 expect "and goes again" 0

# An unsealer program: tried first, needs no person; failures fall back.
SECRET=$T_WORK/unsealed
head -c 48 /dev/urandom >"$SECRET"
printf '#!/bin/sh\nexec cat %q\n' "$SECRET" >"$T_WORK/unseal"
printf '#!/bin/sh\necho "no device" >&2\nexit 3\n' >"$T_WORK/broken"
printf '#!/bin/sh\nsleep 60\n' >"$T_WORK/hang"
chmod 755 "$T_WORK/unseal" "$T_WORK/broken" "$T_WORK/hang"
fsp enroll --slots "$S" --exec "$T_WORK/unseal" --flag -- --unlock-passphrase-fd 3 3<<<"second pass"
ALLOW_STDERR=1 expect "enroll --exec PROGRAM ARG --" 0 "slot 2 (exec) added"
fsp slots --slots "$S" --json
[ "$(jq -r '.slots[] | select(.type == "exec") | [.program, .arguments[0], .timeout_seconds] | join(" ")' <<<"$OUT")" = "$T_WORK/unseal --flag 30" ] &&
	t_ok "the exec slot records program, arguments and timeout" || t_fail "exec slot in --json" "$OUT"
fsp identifier --slots "$S" </dev/null
expect "the program unlocks with no one to ask" 0
[ "$OUT" = "$ID" ] && t_ok "to the same key" || t_fail "to the same key"
head -c 48 /dev/urandom >"$SECRET"
fsp identifier --slots "$S" --passphrase-fd 3 3<<<"second pass"
ALLOW_STDERR=1 expect "a program whose output is wrong: the passphrase is asked next" 0 "its program's output does not unwrap it"
fsp identifier --slots "$S" </dev/null
expect "with nobody to ask, that is exit 4 and says so" 4 "no terminal or agent to ask"
fsp enroll --slots "$S" --exec "$T_WORK/broken" -- --unlock-passphrase-fd 3 3<<<"second pass"
expect "enrolling a program that fails enrols nothing" 4 "exited with status 3"
fsp enroll --slots "$S" --exec "$T_WORK/hang" -- --exec-timeout 1 --unlock-passphrase-fd 3 3<<<"second pass"
ALLOW_STDERR=1 expect "a program that hangs is killed at its timeout" 4 "took more than 1 s and was killed"
fsp enroll --slots "$S" --exec unseal -- --unlock-passphrase-fd 3 3<<<"second pass"
expect "a program without an absolute path is refused" 2 "absolute program path"
# The program sees none of our descriptors (here the passphrase's, fd 3).
printf '#!/bin/sh\nif [ -e /proc/$$/fd/3 ]; then echo "fd 3 leaked" >&2; exit 9; fi\nexec cat %q\n' "$SECRET" >"$T_WORK/fdcheck"
chmod 755 "$T_WORK/fdcheck"
fsp enroll --slots "$S" --exec "$T_WORK/fdcheck" -- --unlock-passphrase-fd 3 3<<<"second pass"
ALLOW_STDERR=1 expect "the program inherits no descriptor of ours (fd 3: the passphrase)" 0 "slot 3 (exec) added"
fsp wipe-slot --slots "$S" 3
ALLOW_STDERR=1 expect "and its slot is wiped again" 0 "slot 3 wiped"
printf '#!/bin/sh\nexec >&-\nsleep 60\n' >"$T_WORK/quiet"
chmod 755 "$T_WORK/quiet"
fsp enroll --slots "$S" --exec "$T_WORK/quiet" -- --exec-timeout 1 --unlock-passphrase-fd 3 3<<<"second pass"
expect "one that closes its stdout and hangs is killed at the timeout too" 4 "took more than 1 s"
chmod 777 "$T_WORK/unseal"
fsp identifier --slots "$S" --passphrase-fd 3 3<<<"second pass"
ALLOW_STDERR=1 expect "a program others may change is not run" 0 "refusing to run it"
chmod 755 "$T_WORK/unseal"

# The key source slots:PATH in fscrypttab, through apply.
TAB=$T_WORK/fscrypttab
printf 'tv %s slots:%s dir\n' "$M" "$S" >"$TAB"
fsp remove --volume v2 "$M"
remount fs
fsp apply --tab "$TAB" --passphrase-fd 3 3<<<"second pass"
ALLOW_STDERR=1 expect "apply with slots:PATH and --passphrase-fd" 0 "volume tv"
[ "$(cat "$M/dir/file" 2>/dev/null)" = "kept across remounts" ] && t_ok "apply unlocked the directory" || t_fail "apply unlocked the directory"
# Provisioned already (its identifier is in the slots file's header): the
# source is not read again, so the wrong passphrase is never taken. This is
# what the load units do after a soft-reboot.
fsp apply --tab "$TAB" --passphrase-fd 3 3<<<"wrong"
ALLOW_STDERR=1 expect "apply again, the key in the keyring: its source is not read" 0 "its key source is not read again"
[[ $OUT != *"asked for"* && $ERR != *"Argon2id"* ]] && t_ok "nothing was asked or derived" || t_fail "apply of a provisioned key" "$OUT" "$ERR"
# identifier= that is not the slots file's: the source is read the usual
# way, which names the mismatch, although a key of the volume is provisioned.
printf 'tv %s slots:%s dir identifier=%s\n' "$M" "$S" "$(printf '%032d' 0)" >"$T_WORK/mismatch.tab"
fsp apply --tab "$T_WORK/mismatch.tab" --passphrase-fd 3 3<<<"second pass"
[ "$RC" != 0 ] && [[ $ERR == *"but $T_WORK/mismatch.tab:1 expects"* ]] &&
	t_ok "identifier= other than the slots file's: read, and the mismatch named" || t_fail "identifier= mismatch" "$RC" "$OUT" "$ERR"
fsp remove --volume tv "$M"
remount fs
fsp apply --tab "$TAB" --passphrase-fd 3 3<<<"wrong"
ALLOW_STDERR=1 expect "apply with a wrong passphrase: exit 6, naming the volume" 6 "volume tv: unable to read key from slots:$S"

# Migration: an existing raw key wrapped; the identifier is the raw key's.
RAW=$T_WORK/raw.key
new_key "$RAW"
RAWID=$("${FSP_CMD[@]}" identifier --key-file "$RAW")
fsp enroll --slots "$T_WORK/m.slots" --passphrase --key-file "$RAW" --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"m pass"
expect "enroll --key-file wraps an existing raw key" 0 "is still a raw copy of the key"
fsp identifier --slots "$T_WORK/m.slots" --passphrase-fd 3 3<<<"m pass"
[ "$OUT" = "$RAWID" ] && t_ok "the wrapped key has the raw key's identifier" || t_fail "migration identifier"
fsp enroll --slots "$T_WORK/m.slots" --recovery-key --key-file "$S"
expect "a raw key of the wrong size is refused" 4
new_key "$T_WORK/other.key"
fsp enroll --slots "$T_WORK/m.slots" --recovery-key --key-file "$T_WORK/other.key"
expect "adding a slot with another raw key is refused" 6 "holds another key"

# A 32-byte key: its file knows its size when a slot is added later.
new_key "$T_WORK/k32.key" 32
fsp enroll --slots "$T_WORK/k32.slots" --recovery-key --key-file "$T_WORK/k32.key" --key-size 32
ALLOW_STDERR=1 expect "a 32-byte key wrapped with --key-size 32" 0
fsp enroll --slots "$T_WORK/k32.slots" --passphrase --key-file "$T_WORK/k32.key" --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"k32"
ALLOW_STDERR=1 expect "another slot with the same raw key, no --key-size: the file's size is used" 0 "slot 1 (passphrase) added"

# A slot whose Argon2id memory this machine cannot give does not hide the
# others (not under valgrind or ASan: the first cannot take a 1 GiB
# Argon2id, the second cannot run within a small address space).
if [ -z "${FSP_UNDER_VALGRIND-}" ] && [[ $FSP != *asan* ]]; then
	fsp enroll --slots "$T_WORK/big-first.slots" --passphrase --key-file "$RAW" --new-passphrase-fd 3 \
		--pbkdf-memory 1048576 --pbkdf-iterations 1 3<<<"same"
	fsp enroll --slots "$T_WORK/big-first.slots" --passphrase --unlock-passphrase-fd 3 --new-passphrase-fd 4 \
		"${CHEAP[@]}" 3<<<"same" 4<<<"same"
	ALLOW_STDERR=1 expect "a 1 GiB slot, then a small one with the same passphrase" 0
	(ulimit -v 400000 && fsp identifier --slots "$T_WORK/big-first.slots" --passphrase-fd 3 3<<<"same" &&
		printf '%s\n%s\n%s\n' "$RC" "$OUT" "$ERR" >"$T_WORK/lim")
	[ "$(sed -n 2p "$T_WORK/lim")" = "$RAWID" ] && grep -q "could not get the 1024 MiB it names" "$T_WORK/lim" &&
		t_ok "with 400 MB of address space: the 1 GiB slot is skipped, the small one unlocks" ||
		t_fail "a slot too big for the machine" "$(cat "$T_WORK/lim")"
fi

# Canary: the raw key appears in no slots file and no output.
HEX=$(od -An -tx1 -v "$RAW" | tr -d ' \n')
leak=
for f in "$T_WORK/m.slots" "$T_WORK/out" "$T_WORK/err"; do
	grep -q "$HEX" "$f" && leak="$leak $f(hex)"
	od -An -tx1 -v "$f" | tr -d ' \n' | grep -q "$HEX" && leak="$leak $f(raw)"
done
[ -z "$leak" ] && t_ok "canary: the raw key is in neither the slots file nor the output" || t_fail "canary" "$leak"

# Damage: every unsafe or damaged file is exit 4, and says what is wrong.
cp "$S" "$T_WORK/d.slots"
chmod 644 "$T_WORK/d.slots"
fsp identifier --slots "$T_WORK/d.slots" --passphrase-fd 3 3<<<"second pass"
expect "a readable slots file is refused" 4 "has mode 0644"
chmod 666 "$T_WORK/d.slots"
fsp identifier --slots "$T_WORK/d.slots" --passphrase-fd 3 --allow-readable 3<<<"second pass"
expect "a writable one even with --allow-readable" 4 "others may replace its slots"
chmod 600 "$T_WORK/d.slots"
ln -s "$T_WORK/d.slots" "$T_WORK/link.slots"
fsp identifier --slots "$T_WORK/link.slots" --passphrase-fd 3 3<<<"second pass"
expect "a symlink is refused" 4 "is a symbolic link"
chown nobody "$T_WORK/d.slots"
fsp identifier --slots "$T_WORK/d.slots" --passphrase-fd 3 3<<<"second pass"
expect "another owner's file is refused" 4 "is owned by uid"
chown root "$T_WORK/d.slots"
head -c 100 "$S" >"$T_WORK/t.slots"
chmod 600 "$T_WORK/t.slots"
fsp identifier --slots "$T_WORK/t.slots" --passphrase-fd 3 3<<<"second pass"
expect "a truncated file" 4 "is truncated"
printf '\002' | dd of="$T_WORK/d.slots" bs=1 seek=8 conv=notrunc status=none
fsp identifier --slots "$T_WORK/d.slots" --passphrase-fd 3 3<<<"second pass"
expect "another format version" 4 "has format version 2"
head -c 80000 /dev/zero >"$T_WORK/big.slots" # SLOTS_FILE_MAX is 70,768
chmod 600 "$T_WORK/big.slots"
fsp identifier --slots "$T_WORK/big.slots" --passphrase-fd 3 3<<<"x"
expect "an oversized file" 4 "more than a slots file can be"
fsp identifier --slots "$T_WORK/none.slots" --passphrase-fd 3 3<<<"x"
expect "a missing file" 4 "does not exist"

# Usage.
fsp enroll --slots "$S" --passphrase --recovery-key
expect "two protector types" 2 "give one of"
fsp enroll --slots "$S" --recovery-key --generate
expect "--generate on an existing file" 2 "already exists"
fsp enroll --passphrase --generate
expect "no --slots" 2 "--slots FILE is required"
fsp enroll --slots "$T_WORK/new.slots" --recovery-key
expect "a missing file with no key source" 4 "does not exist; create it with --generate"

t_done
