#!/bin/bash
# The full cycle on the real kernel: add -> set-policy -> write -> umount ->
# mount -> unlock from a fresh session keyring -> files byte-identical,
# cross-checked against xfs_io and keyctl.
. "$(dirname "$0")/lib.sh"

new_fs fs -O encrypt
M=$T_WORK/fs
K=$T_WORK/k.bin
new_key "$K"

fsp identifier --key-file "$K"
ID=$OUT
expect "identifier prints 32 hex digits" 0
[[ $ID =~ ^[0-9a-f]{32}$ ]] && t_ok "identifier format" || t_fail "identifier format" "$ID"

# Oracle: xfs_io computes the identifier in the kernel from the same key.
XID=$(xfs_io -c "add_enckey" "$M" <"$K" | sed -n 's/.*identifier \([0-9a-f]*\).*/\1/p')
[ "$XID" = "$ID" ] && t_ok "identifier equals xfs_io add_enckey" ||
	t_fail "identifier equals xfs_io add_enckey" "ours $ID, xfs_io $XID"
xfs_io -c "rm_enckey $XID" "$M" >/dev/null

fsp add --volume data --key-file "$K" --add-to "$M"
expect "add --add-to" 0 "added to $M by key_id"
SERIAL=$(keyctl search "%:$KR" fscrypt-provisioning "fscrypt-provision:data:$ID" 2>/dev/null)
[ -n "$SERIAL" ] && t_ok "keyctl finds the key by description" || t_fail "keyctl finds the key by description"

# keyctl oracle: type, permissions, and the payload is unreadable.
DESC=$(keyctl rdescribe "$SERIAL" 2>/dev/null)
[ "$DESC" = "fscrypt-provisioning;0;0;39090000;fscrypt-provision:data:$ID" ] &&
	t_ok "key type, owner and permissions 0x39090000" || t_fail "key type, owner and permissions" "$DESC"
RDESC=$(keyctl rdescribe "%:$KR" 2>/dev/null)
[[ $RDESC == "keyring;0;0;3f0b0000;$KR" ]] && t_ok "keyring permissions 0x3f0b0000" ||
	t_fail "keyring permissions 0x3f0b0000" "$RDESC"
if keyctl read "$SERIAL" >/dev/null 2>&1 || keyctl pipe "$SERIAL" >/dev/null 2>&1; then
	t_fail "keyctl cannot read the payload"
else
	t_ok "keyctl cannot read the payload"
fi
# A root process that does not possess the keyring may not link into it.
if keyctl session - keyctl add user intruder x "%:$KR" >/dev/null 2>&1; then
	t_fail "non-possessor cannot add keys to the keyring"
else
	t_ok "non-possessor cannot add keys to the keyring"
fi

# add from a process without possession (KeyringMode=private services,
# dracut's per-service session keyrings) still lands in the durable keyring.
K3=$T_WORK/k3.bin
new_key "$K3"
keyctl session - "${FSP_CMD[@]}" add --keyring "$KR" --volume other --key-file "$K3" >/dev/null 2>&1
RC=$?
[ "$RC" = 0 ] && keyctl list "%:$KR" | grep -q "fscrypt-provision:other:" &&
	t_ok "add from a fresh session keyring lands in the durable keyring" ||
	t_fail "add from a fresh session keyring lands in the durable keyring" "rc $RC"

ST=$(xfs_io -c "enckey_status $ID" "$M")
[ "$ST" = "Present (user_count=1, added_by_self)" ] && t_ok "xfs_io enckey_status present" ||
	t_fail "xfs_io enckey_status present" "$ST"

fsp add --volume data --key-file "$K" --add-to "$M"
expect "add is idempotent" 0 "already provisioned as key $SERIAL"
N=$(keyctl list "%:$KR" | grep -c "fscrypt-provision:data:")
[ "$N" = 1 ] && t_ok "idempotent add keeps one key" || t_fail "idempotent add keeps one key" "$N keys"

mkdir "$M/enc"
fsp set-policy "$M/enc" "$ID"
expect "set-policy on an empty directory" 0
fsp get-policy "$M/enc"
expect "get-policy" 0
[ "$(head -n1 "$T_WORK/out")" = "$ID" ] && t_ok "get-policy prints the identifier first" ||
	t_fail "get-policy prints the identifier first" "$OUT"
XP=$(xfs_io -c get_encpolicy "$M/enc")
[[ $XP == *"Master key identifier: $ID"* && $XP == *"Contents encryption mode: 1 (AES-256-XTS)"* &&
	$XP == *"Filenames encryption mode: 4 (AES-256-CTS)"* && $XP == *"Flags: 0x03"* ]] &&
	t_ok "xfs_io get_encpolicy agrees" || t_fail "xfs_io get_encpolicy agrees" "$XP"

head -c 300000 /dev/urandom >"$T_WORK/blob"
cp "$T_WORK/blob" "$M/enc/blob"
mkdir "$M/enc/sub" && echo "hello" >"$M/enc/sub/note.txt"
sync

remount fs
fsp status "$M/enc" --json
expect "status --json after remount" 0
[ "$(jq -r '.key_status' <<<"$OUT")" = absent ] && t_ok "status: key absent after remount" ||
	t_fail "status: key absent after remount" "$OUT"
[ "$(jq -r '[.key_id_supported, .provisioned, .policy.identifier, .policy.contents_mode, .policy.filenames_mode, .policy.version] | @tsv' <<<"$OUT")" = "$(printf 'true\ttrue\t%s\tAES-256-XTS\tAES-256-CTS\t2' "$ID")" ] &&
	t_ok "status --json fields" || t_fail "status --json fields" "$OUT"
if [ -e "$M/enc/blob" ] || cat "$M/enc/blob" >/dev/null 2>&1; then
	t_fail "locked after remount"
else
	t_ok "locked after remount"
fi

# unlock from a process that does not possess the keys: a fresh session
# keyring, as a systemd service with KeyringMode=private gets.
keyctl session - "${FSP_CMD[@]}" unlock --keyring "$KR" --volume data "$M/enc" >"$T_WORK/out" 2>"$T_WORK/err"
RC=$? OUT=$(cat "$T_WORK/out") ERR=$(grep -v '^Joined session keyring' "$T_WORK/err")
expect "unlock from a fresh session keyring" 0 "unlocked on $M by key_id (was absent, now present)"
cmp -s "$T_WORK/blob" "$M/enc/blob" && t_ok "files byte-identical after remount" || t_fail "files byte-identical after remount"
[ "$(cat "$M/enc/sub/note.txt")" = hello ] && t_ok "nested file readable" || t_fail "nested file readable"

fsp unlock --volume data "$M/enc"
expect "unlock is idempotent" 0 "already unlocked"

fsp status "$M/enc" --json
[ "$(jq -r '.key_status' <<<"$OUT")" = present ] && t_ok "status: present after unlock" ||
	t_fail "status: present after unlock" "$OUT"

fsp list --json
expect "list --json" 0
[ "$(jq -r --arg id "$ID" '.[] | select(.identifier == $id) | [.volume, .permissions, (.expiry|tostring), (.key_id|tostring)] | @tsv' <<<"$OUT")" = \
	"$(printf 'data\t0x39090000\tnull\t%s' "$SERIAL")" ] && t_ok "list --json fields" || t_fail "list --json fields" "$OUT"

fsp check --volume data "$M"
expect "check passes when every key is there" 0 "ok: volume data key $ID"

# timeout: expiry shows in list, then the key expires.
K2=$T_WORK/k2.bin
new_key "$K2" 32
fsp add --volume short --key-file "$K2" --key-size 32 --key-lifetime 2
expect "add --key-lifetime" 0
fsp list --json
EXP=$(jq -r '.[] | select(.volume == "short") | .expiry' <<<"$OUT")
[[ $EXP =~ ^[12]$ ]] && t_ok "list shows the expiry in seconds" || t_fail "list shows the expiry in seconds" "$OUT"
sleep 3
fsp list --json
[ "$(jq -r '.[] | select(.volume == "short") | .state' <<<"$OUT")" = expired ] &&
	t_ok "expired key listed as expired" || t_fail "expired key listed as expired" "$OUT"

# remove --dry-run: says what remove would do, and does nothing.
fsp remove --volume data --dry-run "$M/enc"
expect "remove --dry-run" 0 "volume data: dry run: key $ID is present on $M; remove would remove it and invalidate provisioning key"
[ "$(xfs_io -c "enckey_status $ID" "$M")" = "Present (user_count=1, added_by_self)" ] &&
	t_ok "xfs_io: the key is still present after remove --dry-run" ||
	t_fail "xfs_io: the key is still present after remove --dry-run" "$(xfs_io -c "enckey_status $ID" "$M")"
fsp remove --volume data --dry-run --keep-provisioned "$M/enc"
expect "remove --dry-run --keep-provisioned" 0 "remove would remove it and keep provisioning key"

# remove: lock, and retire the provisioning key.
exec 9<"$M/enc/blob"
fsp remove --volume data "$M/enc"
expect "remove reports files busy" 10 "still in use"
exec 9<&-
fsp list --json
[ "$(jq -r '[.[] | select(.volume == "data")] | length' <<<"$OUT")" = 1 ] &&
	t_ok "busy removal keeps the provisioning key" || t_fail "busy removal keeps the provisioning key" "$OUT"
fsp remove --volume data --keep-provisioned --retry 3 "$M/enc"
expect "remove --keep-provisioned after files closed" 0 "removed from $M"
[ "$(xfs_io -c "enckey_status $ID" "$M")" = Absent ] && t_ok "xfs_io: key absent after remove" ||
	t_fail "xfs_io: key absent after remove"
fsp unlock --volume data "$M"
expect "kept key unlocks again" 0 "now present"
fsp remove --volume data "$M"
expect "remove invalidates the provisioning key" 0 "invalidated"
sleep 0.2
fsp list --json
[ "$(jq -r '[.[] | select(.volume == "data")] | length' <<<"$OUT")" = 0 ] &&
	t_ok "key gone after remove" || t_fail "key gone after remove" "$OUT"
fsp unlock --volume data "$M"
expect "unlock without keys fails clearly" 7 "no usable provisioning key"

# add --mount, the name before --add-to (it never mounted anything): the
# same, for now, with one line that names --add-to.
K4=$T_WORK/k4.bin
new_key "$K4"
ID4=$("${FSP_CMD[@]}" identifier --key-file "$K4")
fsp add --volume legacy --key-file "$K4" --mount "$M"
ALLOW_STDERR=1 expect "add --mount (deprecated) still adds the key to DIR's filesystem" 0 "added to $M by key_id"
[ "$(xfs_io -c "enckey_status $ID4" "$M")" = "Present (user_count=1, added_by_self)" ] &&
	t_ok "xfs_io: the key is present on the filesystem" || t_fail "xfs_io: the key added by add --mount" "$ID4"
[ "$(wc -l <"$T_WORK/err")" = 1 ] &&
	[ "$ERR" = "fscrypt-provision: warning: add --mount is deprecated; spell it --add-to DIR (it adds the key to DIR's filesystem)" ] &&
	t_ok "and warns in one line on stderr, naming --add-to" || t_fail "the deprecation warning of add --mount" "$ERR"
fsp remove --volume legacy "$M"
expect "its key removed again" 0 "invalidated"

t_done
