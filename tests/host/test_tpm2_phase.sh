#!/bin/bash
# tpm2 slots for the running system (enroll --tpm2-phase system): for
# volumes the initramfs does not load. Such a slot is sealed to PCR 15
# one extension past its boot value: it does not unseal in the initramfs
# (no extension yet), it does on the running system (the initramfs
# extended once), and not after tpm2-extend --final, which the generator's
# fscrypt-provision-tpm2-end.service runs once the volumes are loaded and
# every shell runs first. The value of one extension is checked against
# Python's SHA-256, not only against the TPM.
# fsp-host: alone
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tpm2-lib.sh"

tpm_test_start
tpm_keep_record

S=$T_WORK/home.slots
K=$T_WORK/raw.key
printf 'fsp-tpm2-phase-canary-Qx4Lm8Zr2Wv6Nb1Tk9Hs3Jd7Gc5Fp0Ye-u3Ka9Oi2P' >"$K"
chmod 600 "$K"
fsp identifier --key-file "$K"
ID=$OUT
pcr15() { tpm2_pcrread sha256:15 | sed -n 's/.*15 *: 0x//p' | tr A-F a-f; }
ONCE=$(python3 -c '
import hashlib
e = hashlib.sha256(b"fscrypt-provision: initramfs done").digest()
print(hashlib.sha256(bytes(32) + e).hexdigest())')

fsp enroll --slots "$S" --tpm2 --tpm2-phase initrd --key-file "$K" "${D[@]}"
ALLOW_STDERR=1 expect "--tpm2-phase takes initramfs or system only" 2 "--tpm2-phase is initramfs or system, not 'initrd'"
fsp enroll --slots "$S" --passphrase --tpm2-phase system --key-file "$K" --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"p"
ALLOW_STDERR=1 expect "--tpm2-phase without --tpm2: usage error" 2 "are for --tpm2"
[ ! -e "$S" ] && t_ok "the refused enrolls wrote no file" || t_fail "no file from a refused enroll"

# The initramfs's view at enroll time: PCR 7 measured, PCR 15 not yet.
tpm_measure 7 "secure boot: db of the vendor"
fsp enroll --slots "$S" --passphrase --key-file "$K" --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"home pass"
fsp enroll --slots "$S" --tpm2 --tpm2-phase system "${D[@]}" --unlock-passphrase-fd 3 3<<<"home pass"
ALLOW_STDERR=1 expect "enroll --tpm2-phase system says where it unseals" 0 "PCR 15 at its value on the running system"
# The initramfs must extend PCR 15 for such a slot to open: embed puts the
# companion in the image for a volume it does not load, when its slots
# file can be read at build time.
printf 'home /home slots:%s - nofail\n' "$S" >"$T_WORK/home.tab"
mkdir "$T_WORK/manifest"
fsp embed --quiet --tab "$T_WORK/home.tab" --manifest "$T_WORK/manifest"
[ "$RC" = 0 ] && grep -q "^binary	.*/fscrypt-provision-tpm2	/usr/lib/fscrypt-provision/fscrypt-provision-tpm2	required	" <<<"$OUT" &&
	t_ok "embed: a running system's tpm2 slot puts the companion in the image" || t_fail "embed and a system slot" "$RC" "$OUT" "$ERR"
fsp slots --slots "$S" --json
[ "$(jq -r '.slots[] | select(.type == "tpm2") | .phase' <<<"$OUT")" = system ] &&
	t_ok "slots --json: phase system" || t_fail "slots --json phase" "$OUT"
fsp slots --slots "$S"
[[ $OUT == *"unseals on the running system (--tpm2-phase system)"* ]] &&
	t_ok "slots says it in words" || t_fail "slots text" "$OUT"
fsp identifier --slots "$S" "${D[@]}" </dev/null
[ "$RC" != 0 ] && [ -z "$OUT" ] && [[ $ERR == *"slot 1 (tpm2): PCR mismatch"* ]] &&
	t_ok "in the initramfs (PCR 15 at its boot value) it does not unseal" || t_fail "system slot before the extension" "$RC" "$OUT" "$ERR"

# The initramfs is done: one extension. The running system's phase.
fsp tpm2-extend --initramfs "${D[@]}" --json
[ "$RC" = 0 ] && [ "$(jq -r '[.unseals, .value] | @tsv' <<<"$OUT")" = "$(printf 'system\t%s' "$ONCE")" ] &&
	[ "$(pcr15)" = "$ONCE" ] &&
	t_ok "one extension: PCR 15 is SHA-256(zeros || SHA-256(event)), and the system's slots unseal" ||
	t_fail "tpm2-extend, first" "$RC" "$OUT" "$ERR" "$(pcr15)"
fsp identifier --slots "$S" "${D[@]}" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"(tpm2): the TPM unsealed it"* ]] &&
	t_ok "on the running system the slot unseals with no prompt" || t_fail "system slot after one extension" "$RC" "$ERR"
fsp enroll --slots "$S" --tpm2 --tpm2-phase system --tpm2-pin "${D[@]}" --key-file "$K" --new-passphrase-fd 3 3<<<"2468"
ALLOW_STDERR=1 expect "a PIN slot for the running system, enrolled there" 0 "with a PIN, to the current values of PCRs 7, and PCR 15 at its value on the running system"
fsp identifier --slots "$S" "${D[@]}" --tpm2-pin-fd 3 3<<<"2468" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "it unseals there too" || t_fail "PIN system slot" "$RC" "$ERR"

# The volumes are loaded: tpm2-end runs tpm2-extend --final.
fsp tpm2-extend --final "${D[@]}"
ALLOW_STDERR=1 expect "tpm2-extend --final ends the running system's phase" 0 "no tpm2 slot unseals until the next boot"
fsp identifier --slots "$S" "${D[@]}" </dev/null
[ "$RC" != 0 ] && [ -z "$OUT" ] && [[ $ERR == *"slot 1 (tpm2): PCR mismatch"* ]] &&
	t_ok "after --final the TPM refuses it: PCR mismatch, no key" || t_fail "system slot after --final" "$RC" "$OUT" "$ERR"
fsp enroll --slots "$T_WORK/late.slots" --tpm2 --tpm2-phase system --key-file "$K" "${D[@]}"
fsp identifier --slots "$T_WORK/late.slots" "${D[@]}" </dev/null
[ "$RC" != 0 ] && [[ $ERR == *"PCR mismatch"* ]] &&
	t_ok "a slot enrolled after --final is for the next boot, not this one" || t_fail "late system slot" "$RC" "$ERR"

# The next boot, an emergency shell in the initramfs before apply: --final
# from the boot value extends twice, so the system's slots never open.
rm -f "$TPM_RECORD"
tpm_reboot && tpm_measure 7 "secure boot: db of the vendor"
fsp tpm2-extend --final "${D[@]}" --json
[ "$RC" = 0 ] && [ "$(jq -r .unseals <<<"$OUT")" = none ] && [ "$(pcr15)" != "$ONCE" ] &&
	t_ok "--final from the boot value: two extensions, past the system's phase" || t_fail "--final at boot" "$RC" "$OUT" "$(pcr15)"
for f in "$S" "$T_WORK/late.slots"; do
	fsp identifier --slots "$f" "${D[@]}" </dev/null
	[ "$RC" != 0 ] && [[ $ERR == *"PCR mismatch"* ]] || BAD="${BAD-} $f"
done
[ -z "${BAD-}" ] && t_ok "a shell before apply unseals no slot of either phase" || t_fail "shell before apply" "$BAD"

# And a normal boot after that: the late slot opens once the initramfs is done.
rm -f "$TPM_RECORD"
tpm_reboot && tpm_measure 7 "secure boot: db of the vendor"
fsp tpm2-extend --initramfs "${D[@]}"
fsp identifier --slots "$T_WORK/late.slots" "${D[@]}" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "the next boot: the slot enrolled late unseals on the running system" ||
	t_fail "late slot, next boot" "$RC" "$ERR"

# Another program extends PCR 15 on the running system (systemd-pcrfs,
# crypttab's tpm2-measure-pcr=): the record keeps the boot's value, so
# enroll still seals for the next boot, and --final still ends the phase.
tpm2_pcrextend "15:sha256=$(printf 'another measurement' | sha256sum | cut -c1-64)" >/dev/null
fsp tpm2-extend --final "${D[@]}" --json
[ "$RC" = 0 ] && [ "$(jq -r '[.boot_value, .unseals] | @tsv' <<<"$OUT")" = "$(printf '%064d\tnone' 0)" ] &&
	t_ok "after another program's extension the record keeps the boot value" || t_fail "foreign extension" "$OUT" "$ERR"
fsp enroll --slots "$T_WORK/after.slots" --tpm2 --key-file "$K" "${D[@]}"
tpm_reboot && tpm_measure 7 "secure boot: db of the vendor"
fsp identifier --slots "$T_WORK/after.slots" "${D[@]}" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "and a slot enrolled then unseals in the next boot's initramfs" ||
	t_fail "slot enrolled after a foreign extension" "$RC" "$ERR"
rm -f "$TPM_RECORD"

# Outside an initramfs, plain tpm2-extend ends both phases: a script that
# runs it on the running system means no slot to unseal any more.
fsp tpm2-extend "${D[@]}" --json
[ "$RC" = 0 ] && [ "$(jq -r .unseals <<<"$OUT")" = none ] &&
	t_ok "plain tpm2-extend outside an initramfs is --final" || t_fail "plain tpm2-extend" "$OUT" "$ERR"
rm -f "$TPM_RECORD"

# A signed policy for the running system: seven arguments to the companion.
openssl genrsa -out "$T_WORK/pcr.key" 2048 2>/dev/null
openssl rsa -in "$T_WORK/pcr.key" -pubout -out "$T_WORK/pcr.pub" 2>/dev/null
printf 'image A: kernel 6.12\n' >"$T_WORK/image-a"
tpm_sign_image "$T_WORK/image-a" "$T_WORK/pcr.key" "$T_WORK/pcr.pub" "$T_WORK/sig-a.json"
tpm_reboot && tpm_measure 7 "secure boot: db of the vendor" && tpm_boot_image "$T_WORK/image-a"
fsp tpm2-extend --initramfs "${D[@]}"
fsp enroll --slots "$T_WORK/signed.slots" --tpm2 --tpm2-phase system --tpm2-public-key "$T_WORK/pcr.pub" \
	--key-file "$K" "${D[@]}"
ALLOW_STDERR=1 expect "a signed slot for the running system, enrolled there" 0 "PCR 15 at its value on the running system"
fsp identifier --slots "$T_WORK/signed.slots" "${D[@]}" --tpm2-signature "$T_WORK/sig-a.json" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "the image's signature opens it on the running system" ||
	t_fail "signed system slot" "$RC" "$ERR"
rm -f "$TPM_RECORD"
t_done
