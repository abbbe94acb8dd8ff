#!/bin/bash
# Provision-only entries (fscrypttab MOUNTPOINT none), as rd.fscrypt.key=
# adds them for a volume the table lacks: apply provisions the key and adds
# it to no filesystem; unlock/check/remove find such a volume only with
# --volume; volumes prints it with no mountpoint; the systemd generator and
# the update hook leave it out; the dracut library adds it (apply --key).
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)

new_fs fs -O encrypt
new_fs fs2 -O encrypt
M=$T_WORK/fs
M2=$T_WORK/fs2
KX=$T_WORK/extra.key KN=$T_WORK/normal.key KW=$T_WORK/wrong.key
new_key "$KX"
new_key "$KN"
new_key "$KW"
IDX=$("${FSP_CMD[@]}" identifier --key-file "$KX")
IDN=$("${FSP_CMD[@]}" identifier --key-file "$KN")
IDW=$("${FSP_CMD[@]}" identifier --key-file "$KW")

# Encrypted directories made with xfs_io, an independent tool; the remount
# drops the keys.
xfs_enc_dir "$M/secret" "$KX" "$IDX" x.txt xray
xfs_enc_dir "$M2/vault" "$KN" "$IDN" n.txt november
remount fs
remount fs2

absent_everywhere() { # ID
	[ "$(xfs_io -c "enckey_status $1" "$M")" = Absent ] &&
		[ "$(xfs_io -c "enckey_status $1" "$M2")" = Absent ]
}

TAB=$T_WORK/fscrypttab
cat >"$TAB" <<EOT
# volume  mountpoint  key source  directories  options
normal  $M2  $KN  vault
extra   none  $KX  -  identifier=$IDX,key-lifetime=3600
EOT

# --- apply
fsp apply --tab "$TAB"
expect "apply provisions a provision-only entry" 0 "apply: 2 volumes ready, 0 failed"
[[ $OUT == *"volume extra: provisioned only (mountpoint none in $TAB:3), added to no filesystem; unlock it with 'fscrypt-provision unlock --volume extra DIR'"* ]] &&
	t_ok "apply says the entry was provisioned only" || t_fail "apply says the entry was provisioned only" "$OUT"
fsp list --json
[ "$(jq -r '.[] | select(.volume == "extra") | "\(.identifier) \(.state) \(.expiry > 3500)"' <<<"$OUT")" = "$IDX valid true" ] &&
	t_ok "the key is in the durable keyring, with its lifetime" || t_fail "the key is in the durable keyring, with its lifetime" "$OUT"
absent_everywhere "$IDX" && [ ! -e "$M/secret/x.txt" ] &&
	t_ok "apply added the key to no filesystem" || t_fail "apply added the key to no filesystem"
[ "$(cat "$M2/vault/n.txt" 2>/dev/null)" = november ] &&
	t_ok "the ordinary entry next to it was unlocked" || t_fail "the ordinary entry next to it was unlocked"

# --root does not concern it: provisioned the same way.
mkdir -p "$T_WORK/root"
printf 'extra none %s\n' "$KX" >"$T_WORK/roottab"
fsp apply --tab "$T_WORK/roottab" --root "$T_WORK/root"
expect "apply --root with a provision-only entry" 0 "volume extra: key $IDX already provisioned"

# The key is still checked against identifier= before anything is stored.
printf 'other none %s - identifier=%s\n' "$KW" "$IDX" >"$T_WORK/wrongtab"
fsp apply --tab "$T_WORK/wrongtab"
expect "identifier= mismatch on a provision-only entry" 6 "identifier $IDW, but $T_WORK/wrongtab:1 expects $IDX; nothing was provisioned"
fsp list --json
[ "$(jq '[.[] | select(.volume == "other")] | length' <<<"$OUT")" = 0 ] &&
	t_ok "wrong key: nothing provisioned" || t_fail "wrong key: nothing provisioned" "$OUT"

printf 'idle none none\n' >"$T_WORK/idletab"
fsp apply --tab "$T_WORK/idletab"
expect "mountpoint and key source both none: nothing to do" 0 "mountpoint and key source are both none; nothing to do"

# --- unlock, check, remove: by --volume only
fsp unlock --tab "$TAB" "$M"
expect "unlock by path never matches a provision-only entry" 2 "no entry in $TAB has mountpoint $M"
keyctl session - "${FSP_CMD[@]}" unlock --keyring "$KR" --tab "$TAB" --volume extra "$M/secret" >"$T_WORK/out" 2>"$T_WORK/err"
RC=$? OUT=$(cat "$T_WORK/out")
[ "$RC" = 0 ] && [[ $OUT == *"volume extra: key $IDX unlocked on $M by key_id"* ]] &&
	[ "$(cat "$M/secret/x.txt" 2>/dev/null)" = xray ] &&
	t_ok "unlock --volume extra PATH unlocks PATH's filesystem, as a non-possessor" ||
	t_fail "unlock --volume extra PATH unlocks PATH's filesystem, as a non-possessor" "rc $RC $OUT" "$(cat "$T_WORK/err")"
fsp check --tab "$TAB" --volume extra "$M"
expect "check --volume extra" 0 "ok: volume extra key $IDX"
fsp check --tab "$TAB" "$M"
expect "check by path never matches a provision-only entry" 2 "no entry in $TAB has mountpoint $M"
fsp remove --tab "$TAB" "$M"
expect "remove by path never matches a provision-only entry" 2 "no entry in $TAB has mountpoint $M"
[ "$(cat "$M/secret/x.txt" 2>/dev/null)" = xray ] && t_ok "still unlocked after that" || t_fail "still unlocked after that"
# remove resolves DIR as unlock and check do: a DIR below the mountpoint of
# an entry that is not mounted yet belongs to that entry, never to the
# filesystem under it (remove used to lock that filesystem's volumes).
TAB_SUB=$T_WORK/fscrypttab.sub
printf 'normal %s %s vault\nsub %s/sub none\n' "$M2" "$KN" "$M2" >"$TAB_SUB"
mkdir -p "$M2/sub"
fsp remove --tab "$TAB_SUB" "$M2/sub"
expect "remove DIR of a volume that is not mounted refuses, as unlock does" 1 "volume sub in $TAB_SUB has mountpoint $M2/sub, which is not mounted"
[ "$(cat "$M2/vault/n.txt" 2>/dev/null)" = november ] &&
	t_ok "the filesystem below kept its key" || t_fail "the filesystem below kept its key"
fsp remove --tab "$TAB" --volume extra --keep-provisioned "$M"
expect "remove --volume extra" 0
[ ! -e "$M/secret/x.txt" ] && t_ok "locked again" || t_fail "locked again"

# --- volumes
fsp volumes --tab "$TAB"
[ "$OUT" = "$(printf 'normal\t%s\tmounted\t-\t-\t%s\t-\nextra\tnone\t-\t-\t-\t%s\t-' "$M2" "$T_WORK/normal.key" "$T_WORK/extra.key")" ] &&
	t_ok "volumes: mountpoint none, state -" || t_fail "volumes: mountpoint none, state -" "$OUT"
fsp volumes --tab "$TAB" --json
[ "$(jq -c '.[1] | [.name, .mountpoint, .mounted, .directories, .identifier, .timeout]' <<<"$OUT")" = \
	"[\"extra\",null,false,[],\"$IDX\",3600]" ] &&
	t_ok "volumes --json: mountpoint null" || t_fail "volumes --json: mountpoint null" "$OUT"
printf 'bad none %s dir\n' "$KX" >"$T_WORK/badtab"
fsp volumes --tab "$T_WORK/badtab"
expect "directories with mountpoint none are refused" 3 "$T_WORK/badtab:1: directories 'dir' need a mountpoint; with mountpoint none (provision only) write '-'"

BIN=$T_WORK/fsp-bin
one_word_bin "$BIN"

# --- the systemd generator
GEN=$T_WORK/gen
mkdir "$GEN"
FSCRYPT_PROVISION_BIN=$BIN FSCRYPT_PROVISION_TAB=$TAB sh "$ROOT/hooks/systemd/fscrypt-provision-generator" "$GEN" >"$T_WORK/out" 2>&1
RC=$?
NORMAL_UNIT=$(systemd-escape --template=fscrypt-provision-unlock@.service normal)
[ "$RC" = 0 ] && [ -f "$GEN/$NORMAL_UNIT" ] && [ ! -s "$T_WORK/out" ] &&
	[ "$(find "$GEN" -name '*extra*' | wc -l)" = 0 ] &&
	t_ok "generator: a unit for normal, none for the provision-only entry, no complaint" ||
	t_fail "generator: a unit for normal, none for the provision-only entry, no complaint" "rc $RC" "$(cat "$T_WORK/out")" "$(find "$GEN")"

# --- the update hook: pre and post pass over the provision-only entry
for mode in pre post; do
	"$ROOT/hooks/fscrypt-provision-update" "$mode" --tab "$TAB" --keyring "$KR" --bin "$BIN" >"$T_WORK/out" 2>"$T_WORK/err"
	RC=$?
	[ "$RC" = 0 ] && [ ! -s "$T_WORK/err" ] && grep -q "$mode: ok: 1 volume(s)" "$T_WORK/out" &&
		t_ok "fscrypt-provision-update $mode leaves the provision-only entry out" ||
		t_fail "fscrypt-provision-update $mode leaves the provision-only entry out" "rc $RC" "$(cat "$T_WORK/out" "$T_WORK/err")"
done

# --- the boot steps: rd.fscrypt.key= becomes apply --key
LIB=$ROOT/initramfs/fscrypt-provision-lib.sh
RUN=$T_WORK/run
# The real helper with the test's keyring (the lib passes none).
BIN_KR=$T_WORK/fsp-with-keyring
# shellcheck disable=SC2016 # expanded by the wrapper
printf '#!/bin/sh\ncmd=$1\nshift\nexec %s "$cmd" --keyring %s "$@"\n' "$BIN" "$KR" >"$BIN_KR"
chmod 0755 "$BIN_KR"
# lib_apply TAB KEYS: fsp_apply under dash, with dracut's getarg family
# answering rd.fscrypt.tab=TAB (none if empty) and rd.fscrypt.key=KEYS, and
# info/warn printing; stdout gets the log, then "rc=N reason=...".
lib_apply() {
	rm -rf "$RUN"
	# shellcheck disable=SC2016 # expanded by dash
	dash -c '
		info() { echo "INFO: $*"; }
		warn() { echo "WARN: $*"; }
		getargbool() { return 0; }
		getarg() { [ "$1" = rd.fscrypt.tab= ] && [ -n "$FSP_T_TAB" ] && echo "$FSP_T_TAB"; }
		getargs() { echo "$FSP_T_KEYS"; }
		modprobe() { :; }
		. "$0"
		FSP_RUNDIR=$1 FSP_BIN=$2 NEWROOT=/
		fsp_apply
		echo "rc=$? reason=$FSP_REASON"' "$LIB" "$RUN" "$BIN_KR" >"$T_WORK/rw" 2>&1
	RW=$(cat "$T_WORK/rw")
}
printf '# c\nnormal %s %s vault # comment\n' "$M2" "$KW" >"$T_WORK/initrdtab"
remount fs2
FSP_T_TAB=$T_WORK/initrdtab FSP_T_KEYS="normal:$KN added:$KW added:file:$KX idle:none" lib_apply
[[ $RW == *"rc=0 reason="* ]] && t_ok "rd.fscrypt.key= overrides and adds" || t_fail "rd.fscrypt.key= overrides and adds" "$RW"
[[ $RW == *"INFO: fscrypt-provision: volume normal: key source $KN (from --key)"* ]] &&
	[ "$(cat "$M2/vault/n.txt" 2>/dev/null)" = november ] &&
	t_ok "the override replaced the table's wrong key: vault unlocked" ||
	t_fail "the override replaced the table's wrong key: vault unlocked" "$RW"
[[ $RW == *"INFO: fscrypt-provision: volume added: added from --key (no volume added in $T_WORK/initrdtab) with key source $KX, provision only (mountpoint none)"* ]] &&
	grep -q "^volume added: added from --key" "$RUN/initrd.log" &&
	t_ok "the addition is logged (info and initrd.log)" || t_fail "the addition is logged (info and initrd.log)" "$RW"
[[ $RW == *"WARN: fscrypt-provision: warning: --key idle:none: no volume idle in $T_WORK/initrdtab, and an entry with neither a mountpoint nor a key source would do nothing; ignored"* ]] &&
	t_ok "an added volume without a key source is ignored with a warning" ||
	t_fail "an added volume without a key source is ignored with a warning" "$RW"
fsp list --json
[ "$(jq -r '.[] | select(.volume == "added") | .identifier' <<<"$OUT")" = "$IDX" ] &&
	t_ok "the added volume's key is provisioned, the last source wins" || t_fail "the added volume's key is provisioned, the last source wins" "$OUT"

remount fs2
FSP_T_TAB=$T_WORK/initrdtab FSP_T_KEYS="" lib_apply
[[ $RW == *"rc=1 reason=key rejected (exit 6): volume normal: "*"wrong key; nothing was provisioned"* ]] &&
	t_ok "without the override the table's wrong key fails, named by the helper's exit-codes" ||
	t_fail "without the override the table's wrong key fails, named by the helper's exit-codes" "$RW"

FSP_T_TAB="" FSP_T_KEYS="solo:$KX" lib_apply
[[ $RW == *"volume solo: added from --key (no table /etc/fscrypttab)"*"rc=0 reason="* ]] &&
	t_ok "rd.fscrypt.key= with no table at all" || t_fail "rd.fscrypt.key= with no table at all" "$RW"
FSP_T_TAB="" FSP_T_KEYS="" lib_apply
[[ $RW == *"nothing to do"*"rc=0 reason="* ]] &&
	t_ok "no table and no rd.fscrypt.key=: nothing to do" || t_fail "no table and no rd.fscrypt.key=: nothing to do" "$RW"
for bad in ".x:$KX|invalid volume name '.x'" "-x:$KX|invalid volume name '-x'" \
	"a/b:$KX|invalid volume name 'a/b'" \
	"$(printf 'v%.0s' {1..65}):$KX|the volume name is longer than 64 characters" \
	"x:rel.key|invalid key source 'rel.key': expected /PATH, file:PATH, fd:N, slots:PATH or none" \
	"x|expected VOLUME:SOURCE"; do
	FSP_T_TAB=$T_WORK/initrdtab FSP_T_KEYS="normal:$KN ${bad%%|*}" lib_apply
	[[ $RW == *"rc=1 reason=usage error (exit 2): usage error: --key '${bad%%|*}': ${bad#*|}"* ]] &&
		! grep -q "RESULT ok" "$RUN/initrd.log" &&
		t_ok "rd.fscrypt.key=${bad%%|*} is refused, and nothing applied" ||
		t_fail "rd.fscrypt.key=${bad%%|*} is refused, and nothing applied" "$RW"
done
FSP_T_TAB=$T_WORK/initrdtab FSP_T_KEYS="normal:$KN $(printf 'v%.0s' {1..64}):$KX" lib_apply
[[ $RW == *"rc=0 reason="* ]] && t_ok "a 64-character volume name is added" || t_fail "a 64-character volume name is added" "$RW"
# The table's quoting is the parser's business, so a quoted name is the
# same volume (the shell rewrite of old refused such lines).
printf '"normal" "%s" %s vault\n' "$M2" "$KW" >"$T_WORK/quotedtab"
remount fs2
FSP_T_TAB=$T_WORK/quotedtab FSP_T_KEYS="normal:$KN" lib_apply
[[ $RW == *"volume normal: key source $KN (from --key)"*"rc=0 reason="* ]] &&
	[ "$(cat "$M2/vault/n.txt" 2>/dev/null)" = november ] &&
	t_ok "a quoted volume name is recognised and overridden, not added twice" ||
	t_fail "a quoted volume name is recognised and overridden, not added twice" "$RW"

t_done
