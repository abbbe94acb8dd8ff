#!/bin/bash
# tpm2 slots against a software TPM (swtpm, over a TCTI): seal
# and unseal, a PCR change and the passphrase fallback, a TPM-only file
# failing with exit 6, a signed PCR 11 policy across an "update" (old
# signature refused, new one unseals with no re-enrollment), a bad
# signature, damaged sealed data, no TPM, dictionary-attack lockout, no
# TPM at apply for a nofail volume with nobody to type (skipped at its
# password-timeout=), update pre's verdict on the next boot (--headless
# too), and a canary scan of the TPM's state for the raw key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tpm2-lib.sh"

tpm_test_start

new_fs fs -O encrypt
M=$T_WORK/fs
S=$T_WORK/vol.slots
K=$T_WORK/raw.key
printf 'fsp-tpm2-canary-Qm7Zt2Lx9Vr4Kw8Hs3Nc6Bd1Fy5Gj0Pe-u9Ti4Oa7Ys2Wq6M' >"$K"
chmod 600 "$K"

fsp enroll --slots "$S" --passphrase --key-file "$K" --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"tpm pass"
ALLOW_STDERR=1 expect "a slots file with a passphrase slot" 0 "slot 0 (passphrase)"
ID=$(fsp identifier --key-file "$K" && echo "$OUT")

# Fresh from power-on, no PCR was extended: a policy on them binds nothing.
fsp enroll --slots "$S" --tpm2 "${D[@]}" --unlock-passphrase-fd 3 3<<<"tpm pass"
ALLOW_STDERR=1 expect "sealing to PCRs never extended is refused" 4 "never extended"
fsp slots --slots "$S" --json
[ "$(jq '.slots | length' <<<"$OUT")" = 1 ] && t_ok "the refused enroll left the file as it was" ||
	t_fail "the refused enroll left the file as it was" "$OUT"

tpm_measure 7 "secure boot: db of the vendor"
fsp enroll --slots "$S" --tpm2 "${D[@]}" --unlock-passphrase-fd 3 3<<<"tpm pass"
ALLOW_STDERR=1 expect "enroll --tpm2 seals to PCR 7, and PCR 15 at its value in the initramfs, by default" 0 \
	"to the current values of PCRs 7, and PCR 15 at its value in the initramfs"
fsp slots --slots "$S" --json
[ "$(jq -c '.slots[1] | [.type, .kdf, .bank, .pcrs, .signed, .sealed_by]' <<<"$OUT")" = \
	'["tpm2","blake2b","sha256",[7,15],false,"fscrypt-provision-tpm2"]' ] &&
	t_ok "slots --json: type tpm2, bank sha256, PCRs [7,15], not signed, sealed by the companion" ||
	t_fail "slots --json for tpm2" "$OUT"
jq -e '.slots[1] | has("sealed") or has("blob") or has("data") | not' <<<"$OUT" >/dev/null &&
	t_ok "slots --json shows no sealed data" || t_fail "slots --json shows no sealed data" "$OUT"

fsp identifier --slots "$S" "${D[@]}" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"(tpm2): the TPM unsealed it"* ]] &&
	t_ok "identifier --slots unseals through the TPM with no prompt" || t_fail "identifier through the TPM" "$RC $OUT" "$ERR"

fsp add --volume v --slots "$S" "${D[@]}" --add-to "$M" </dev/null
ALLOW_STDERR=1 expect "add --slots provisions through the TPM" 0 "volume v"
mkdir "$M/dir" && fsp set-policy "$M/dir" "$ID" && echo sealed >"$M/dir/f"
remount fs
fsp unlock --volume v "$M"
[ "$RC" = 0 ] && [ "$(cat "$M/dir/f" 2>/dev/null)" = sealed ] &&
	t_ok "after a remount the TPM-provisioned key unlocks the directory" || t_fail "unlock after remount" "$ERR"
fsp remove --volume v "$M"

# Another boot chain: PCR 7 differs. The TPM refuses, the passphrase opens.
tpm_reboot && tpm_measure 7 "secure boot: an attacker's db"
fsp identifier --slots "$S" "${D[@]}" --passphrase-fd 3 3<<<"tpm pass"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"slot 1 (tpm2): PCR mismatch"* ]] &&
	[ "$(grep -c . <<<"$ERR")" = 2 ] &&
	t_ok "PCR mismatch: one line, then the passphrase slot opens the file" || t_fail "PCR mismatch fallback" "$ERR"

# A TPM-only file: with no fallback left the volume fails with exit 6.
T=$T_WORK/tpm-only.slots
tpm_reboot && tpm_measure 7 "secure boot: db of the vendor"
fsp enroll --slots "$T" --tpm2 --key-file "$K" "${D[@]}"
ALLOW_STDERR=1 expect "a file with a tpm2 slot only" 0 "slot 0 (tpm2) added"
fsp enroll --slots "$T" --passphrase --new-passphrase-fd 3 "${D[@]}" "${CHEAP[@]}" 3<<<"added later" </dev/null
ALLOW_STDERR=1 expect "enroll unlocks through the tpm2 slot with no prompt to add a slot" 0 "slot 1 (passphrase) added"
fsp wipe-slot --slots "$T" 1
tpm_measure 7 "one more measurement"
fsp add --volume w --slots "$T" "${D[@]}" --add-to "$M" </dev/null
ALLOW_STDERR=1 expect "TPM-only, the TPM refuses: exit 6" 6 "PCR mismatch"
fsp list --json
[ "$(jq '[.[] | select(.volume == "w")] | length' <<<"$OUT")" = 0 ] &&
	t_ok "the refused unseal provisioned nothing" || t_fail "nothing provisioned" "$OUT"

# No TPM at all.
fsp identifier --slots "$S" --tpm2-device /dev/tpmrm-nothing --passphrase-fd 3 3<<<"tpm pass"
[ "$RC" = 0 ] && [[ $ERR == *"no TPM: /dev/tpmrm-nothing"* ]] &&
	t_ok "no TPM: said in one line, the passphrase opens" || t_fail "no TPM" "$ERR"

# Signed policies: a slot bound to a key, not to PCR values.
openssl genrsa -out "$T_WORK/pcr.key" 2048 2>/dev/null
openssl rsa -in "$T_WORK/pcr.key" -pubout -out "$T_WORK/pcr.pub" 2>/dev/null
printf 'image A: kernel 6.1.0-1\n' >"$T_WORK/image-a"
printf 'image B: kernel 6.1.0-2\n' >"$T_WORK/image-b"
tpm_sign_image "$T_WORK/image-a" "$T_WORK/pcr.key" "$T_WORK/pcr.pub" "$T_WORK/sig-a.json"
tpm_sign_image "$T_WORK/image-b" "$T_WORK/pcr.key" "$T_WORK/pcr.pub" "$T_WORK/sig-b.json"
G=$T_WORK/signed.slots
fsp enroll --slots "$G" --tpm2 --key-file "$K" "${D[@]}" --tpm2-public-key "$T_WORK/pcr.pub"
ALLOW_STDERR=1 expect "enroll --tpm2 --tpm2-public-key: PCR 11 through a signed policy" 0 "PCRs 11 through a policy signed by"
fsp slots --slots "$G" --json
PKFP=$(openssl rsa -pubin -in "$T_WORK/pcr.pub" -RSAPublicKey_out -outform DER 2>/dev/null | sha256sum | cut -c1-64)
[ "$(jq -c '.slots[0] | [.pcrs, .signed, .public_key_pcrs, .public_key_fingerprint, .sealed_by]' <<<"$OUT")" = \
	"[[15],true,[11],\"$PKFP\",\"fscrypt-provision-tpm2\"]" ] &&
	[ "$(jq -r '.sha256[0].pkfp' "$T_WORK/sig-a.json")" = "$PKFP" ] &&
	t_ok "slots --json: signed, public-key PCRs [11], PCR 15 fixed, the fingerprint systemd-measure signs with" ||
	t_fail "slots --json for a signed slot" "$OUT"

tpm_reboot && tpm_boot_image "$T_WORK/image-a"
WANT=$(/usr/lib/systemd/systemd-measure calculate --linux="$T_WORK/image-a" --bank=sha256 --phase=enter-initrd --json=short | jq -r '.sha256[0].hash')
[ "$(tpm2_pcrread sha256:11 | sed -n 's/.*11 *: 0x//p' | tr A-F a-f)" = "$WANT" ] &&
	t_ok "the test's image measurement gives systemd-measure's expected PCR 11" || t_fail "PCR 11 as systemd-measure expects"
fsp identifier --slots "$G" "${D[@]}" --tpm2-signature "$T_WORK/sig-a.json" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "image A booted: its signature unseals" || t_fail "image A, signature A" "$ERR"
fsp identifier --slots "$G" "${D[@]}" </dev/null
ALLOW_STDERR=1 expect "a signed slot with no signature file anywhere: exit 6, said why" 6 "no PCR signature for this boot"

tpm_reboot && tpm_boot_image "$T_WORK/image-b"
fsp identifier --slots "$G" "${D[@]}" --tpm2-signature "$T_WORK/sig-a.json" </dev/null
ALLOW_STDERR=1 expect "image B booted: image A's signature is refused" 6 "no signature for this boot"
fsp identifier --slots "$G" "${D[@]}" --tpm2-signature "$T_WORK/sig-b.json" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "image B's new signature unseals with no re-enrollment" || t_fail "image B, signature B" "$ERR"
jq -c --arg s "$(head -c 256 /dev/urandom | base64 -w0)" '.sha256[0].sig = $s' "$T_WORK/sig-b.json" >"$T_WORK/sig-forged.json"
fsp identifier --slots "$G" "${D[@]}" --tpm2-signature "$T_WORK/sig-forged.json" </dev/null
ALLOW_STDERR=1 expect "a forged signature: bad signature, exit 6" 6 "bad signature"

# Damaged sealed data: one byte flipped inside the credential.
cp "$T" "$T_WORK/damaged.slots"
python3 - "$T_WORK/damaged.slots" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.find(bytes.fromhex('0c7cc07b11764591'))
b[i + 120] ^= 0x40
open(p, 'wb').write(b)
PY
tpm_reboot && tpm_measure 7 "secure boot: db of the vendor"
fsp identifier --slots "$T_WORK/damaged.slots" "${D[@]}" </dev/null
ALLOW_STDERR=1 expect "damaged sealed data: a clear error, exit 6" 6 "damaged"

# Dictionary-attack lockout: with a threshold of one, one wrong
# authorization value locks the TPM. A slot without a PIN spends no
# authorization value, so lockout does not stop it (a PIN slot's lockout:
# test_tpm2_pin.sh).
tpm2_dictionarylockout -s -n 1 -t 120 -l 120 >/dev/null 2>&1
(cd "$T_WORK" && tpm2_createprimary -C o -c da.ctx && printf da | tpm2_create -C da.ctx -p right -i- -u da.pub -r da.priv &&
	tpm2_flushcontext -t && tpm2_load -C da.ctx -u da.pub -r da.priv -c da-obj.ctx &&
	! tpm2_unseal -c da-obj.ctx -p wrong; tpm2_flushcontext -t) >/dev/null 2>&1
tpm2_getcap properties-variable | grep -q 'inLockout: *1' &&
	t_ok "a failed authorization with a threshold of one put the TPM in lockout" || t_fail "the TPM is in lockout"
fsp identifier --slots "$S" "${D[@]}" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"(tpm2): the TPM unsealed it"* ]] &&
	t_ok "lockout does not stop a tpm2 slot without a PIN" || t_fail "lockout and a slot without a PIN" "$RC" "$ERR"
tpm2_dictionarylockout -c >/dev/null 2>&1

# The TPM gone (apply looks only at the default device, absent here, or a
# real one that never sealed this): the passphrase slot asks, nobody
# answers, and the nofail volume is let go at its password-timeout=.
printf 'gone none slots:%s - nofail,password-timeout=2\n' "$S" >"$T_WORK/gone.tab"
on_silent_tty 40 "${FSP_CMD[@]}" apply --keyring "$KR" --tab "$T_WORK/gone.tab"
tty_expect "no TPM at boot, a silent console: the nofail volume is skipped at its deadline" 0 \
	"volume gone: slot 1 (tpm2): " "none was given within 2 s; skipped (nofail)"

# update pre: will the next boot still unseal? The volume is mounted and
# its key provisioned, so only the slots file decides.
fsp add --volume v --key-file "$K" --add-to "$M"
ALLOW_STDERR=1 expect "the volume is provisioned again for update pre" 0
P=$T_WORK/pcr11.slots
tpm_measure 11 "a kernel"
fsp enroll --slots "$P" --tpm2 --key-file "$K" "${D[@]}" --tpm2-pcrs 7+11
ALLOW_STDERR=1 expect "a TPM-only slot on PCRs 7+11" 0 "PCRs 7+11"
pre() { # SLOTS [update pre options]
	local f=$1
	shift
	printf 'v %s slots:%s dir\n' "$M" "$f" >"$T_WORK/pre.tab"
	fsp update --tab "$T_WORK/pre.tab" pre "$@"
}
pre "$T"
ALLOW_STDERR=1 expect "pre: a PCR 7 slot survives an update" 0 "slot 0 (tpm2) will unseal on the next boot: PCRs 7+15 are not changed"
pre "$P"
ALLOW_STDERR=1 expect "pre: TPM-only on PCR 11 is refused before anything is unmounted" 1 "update refused before anything was unmounted"
[[ $OUT$ERR == *"PCRs 11, which the update changes"* ]] && t_ok "pre says which PCR the update changes" || t_fail "pre names PCR 11" "$OUT" "$ERR"
pre "$S" --update-pcrs 7
ALLOW_STDERR=1 expect "pre: a slot that will not unseal, with a passphrase slot left, passes" 0 "will not unseal"
pre "$S" --update-pcrs 7 --headless
ALLOW_STDERR=1 expect "pre --headless: the same, on a device nobody types at, is refused" 1 \
	"its other protectors need a person to type at boot, and this device is headless (--headless)"
pre "$G"
ALLOW_STDERR=1 expect "pre: a signed TPM-only slot with no new signature is refused" 1 "needs the new image's PCR signature"
pre "$G" --tpm2-signature "$T_WORK/sig-b.json"
ALLOW_STDERR=1 expect "pre: the new image's signature by the slot's key: the update goes on" 0 "will unseal on the next boot"
# A genuine signature by the slot's key, but of PCR 12 (the command line),
# not the slot's PCR 11: systemd finds no entry for the slot's PCRs, and
# the next boot would not unseal. Genuine: a slot on PCR 12 opens with it.
tpm_measure 12 "console=ttyS0 quiet"
tpm_sign_pcrs 12 "$T_WORK/pcr.key" "$T_WORK/pcr.pub" "$T_WORK/sig-12.json"
fsp enroll --slots "$T_WORK/pcr12.slots" --tpm2 --key-file "$K" "${D[@]}" \
	--tpm2-public-key "$T_WORK/pcr.pub" --tpm2-public-key-pcrs 12
fsp identifier --slots "$T_WORK/pcr12.slots" "${D[@]}" --tpm2-signature "$T_WORK/sig-12.json" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [ "$(jq -c '.sha256[0].pcrs' "$T_WORK/sig-12.json")" = "[12]" ] &&
	t_ok "the key's signature of PCR 12 unseals a slot on PCR 12" || t_fail "a signature of PCR 12" "$RC" "$ERR"
pre "$G" --tpm2-signature "$T_WORK/sig-12.json"
ALLOW_STDERR=1 expect "pre: the key's signature of PCR 12, the slot on PCR 11: refused" 1 "will not unseal on the next boot"
[[ $OUT$ERR == *"has no sha256 signature by key ${PKFP:0:16}... for PCRs 11"* ]] &&
	t_ok "pre names the slot's PCRs the signature lacks" || t_fail "pre names PCR 11" "$OUT" "$ERR"
jq -c '.sha256 += [.sha256[0] | .pcrs = [11, 12]]' "$T_WORK/sig-12.json" >"$T_WORK/sig-11-12.json"
pre "$G" --tpm2-signature "$T_WORK/sig-11-12.json"
ALLOW_STDERR=1 expect "pre: a signature of PCRs 11+12 is not one of PCR 11 alone" 1 "will not unseal on the next boot"
openssl genrsa -out "$T_WORK/other.key" 2048 2>/dev/null
openssl rsa -in "$T_WORK/other.key" -pubout -out "$T_WORK/other.pub" 2>/dev/null
tpm_sign_image "$T_WORK/image-b" "$T_WORK/other.key" "$T_WORK/other.pub" "$T_WORK/sig-other.json"
pre "$G" --tpm2-signature "$T_WORK/sig-other.json"
ALLOW_STDERR=1 expect "pre: a signature by another key is refused" 1 "has no sha256 signature by key"
# The updaters' entry point passes the new image's signature on.
HOOK=$(cd "$(dirname "$0")/../.." && pwd)/hooks/fscrypt-provision-update
one_word_bin "$T_WORK/fsp-bin"
printf 'v %s slots:%s dir\n' "$M" "$G" >"$T_WORK/pre.tab"
hook_out=$("$HOOK" pre --tab "$T_WORK/pre.tab" --keyring "$KR" --bin "$T_WORK/fsp-bin" \
	--tpm2-signature "$T_WORK/sig-b.json" 2>&1) &&
	FSCRYPT_PROVISION_TPM2_SIGNATURE=$T_WORK/sig-other.json "$HOOK" pre --tab "$T_WORK/pre.tab" \
		--keyring "$KR" --bin "$T_WORK/fsp-bin" >/dev/null 2>&1
[ $? = 1 ] && [[ $hook_out == *"will unseal on the next boot"* ]] &&
	t_ok "fscrypt-provision-update pre passes --tpm2-signature (and its variable) on" ||
	t_fail "the update hook and --tpm2-signature" "$hook_out"
fsp remove --volume v "$M"

# The raw key is nowhere the TPM keeps things, nor in the slots files.
tpm_halt
HEX=$(od -An -tx1 -v "$K" | tr -d ' \n')
if grep -r -a -q -F -e "$(head -c 32 "$K")" -e "$(tail -c 32 "$K")" -e "${HEX:0:64}" -e "${HEX:64:64}" \
	"$TPM_DIR" "$S" "$T" "$G" "$P"; then
	t_fail "canary: the raw key appears in the TPM state or a slots file"
else
	t_ok "canary: no raw key in swtpm's state, the D-Bus/abrmd logs or the slots files"
fi
t_done
