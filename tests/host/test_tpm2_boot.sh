#!/bin/bash
# the TPM stops unsealing once the initramfs is done.
# tpm2-extend extends PCR 15, which every new tpm2 slot is sealed to at
# its value before that: afterwards nothing unseals (an emergency shell,
# the running system), and a slot enrolled on the running system, after
# the extension, still unseals at the next boot. Also the PCRs a policy
# must not use: 16 and 23 (resettable), 17-22 at their reset value.
# fsp-host: alone
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tpm2-lib.sh"

tpm_test_start
tpm_keep_record
REC=$TPM_RECORD

S=$T_WORK/boot.slots
R=$T_WORK/running.slots
K=$T_WORK/raw.key
ZERO=$(printf '%064d' 0)
printf 'fsp-tpm2-boot-canary-5Rk8Wq2Zx7Lm4Nv9Bt1Hy6Jc3Gd0Fs-e2Pa8Uo3Xi7Q' >"$K"
chmod 600 "$K"
fsp identifier --key-file "$K"
ID=$OUT
pcr15() { tpm2_pcrread sha256:15 | sed -n 's/.*15 *: 0x//p' | tr A-F a-f; }

# The initramfs's view: PCR 7 measured by the firmware, PCR 15 not yet.
tpm_measure 7 "secure boot: db of the vendor"
fsp enroll --slots "$S" --passphrase --key-file "$K" --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"boot pass"
fsp enroll --slots "$S" --tpm2 "${D[@]}" --unlock-passphrase-fd 3 3<<<"boot pass"
ALLOW_STDERR=1 expect "enroll --tpm2 before the extension: PCRs 7 and 15" 0 "PCRs 7, and PCR 15 at its value"
fsp identifier --slots "$S" "${D[@]}" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "before the extension the slot unseals with no prompt" ||
	t_fail "unseal before the extension" "$RC" "$ERR"

# apply is done: the initramfs extends PCR 15.
fsp tpm2-extend --initramfs "${D[@]}" --json
[ "$RC" = 0 ] && [ "$(jq -r '[.pcr, .extended, .boot_value] | @tsv' <<<"$OUT")" = "$(printf '15\ttrue\t%s' "$ZERO")" ] &&
	[ "$(jq -r .value <<<"$OUT")" = "$(pcr15)" ] &&
	t_ok "tpm2-extend extends PCR 15, and says its value before and now" || t_fail "tpm2-extend --json" "$RC" "$OUT" "$ERR"
[ "$(stat -c '%u %a' "$REC" 2>&1)" = "0 600" ] && [ "$(cat "$REC")" = "$ZERO $(pcr15)" ] &&
	t_ok "the record of PCR 15's boot value is root's, on /run" || t_fail "the record" "$(ls -l "$REC" 2>&1)"

# The attack: an emergency shell, or root on the running system, with the
# slots file (which is not secret) and the TPM.
fsp identifier --slots "$S" "${D[@]}" </dev/null
[ "$RC" != 0 ] && [ -z "$OUT" ] && [[ $ERR == *"slot 1 (tpm2): PCR mismatch"* ]] &&
	t_ok "after the extension the TPM refuses: PCR mismatch, no key" || t_fail "unseal after the extension" "$RC" "$OUT" "$ERR"
new_fs fs -O encrypt
fsp add --volume x --slots "$S" "${D[@]}" --add-to "$T_WORK/fs" </dev/null
fsp list --json
[ "$(jq '[.[] | select(.volume == "x")] | length' <<<"$OUT")" = 0 ] &&
	t_ok "add --slots after the extension provisions nothing" || t_fail "add after the extension" "$OUT"

# The running system enrolls: sealed to PCR 15's boot value, from the
# record, although the TPM holds another value now.
fsp enroll --slots "$R" --tpm2 --key-file "$K" "${D[@]}"
ALLOW_STDERR=1 expect "enroll --tpm2 on the running system, after the extension" 0 "PCR 15 at its value in the initramfs"
fsp identifier --slots "$R" "${D[@]}" </dev/null
[ "$RC" != 0 ] && [[ $ERR == *"PCR mismatch"* ]] &&
	t_ok "that slot does not unseal on the running system either" || t_fail "running-system slot now" "$RC" "$ERR"

# A second extension on the same boot (the emergency hook after apply)
# keeps the boot value.
fsp tpm2-extend --final "${D[@]}" --json
[ "$RC" = 0 ] && [ "$(jq -r .boot_value <<<"$OUT")" = "$ZERO" ] && [ "$(cat "$REC")" = "$ZERO $(pcr15)" ] &&
	t_ok "a second extension keeps PCR 15's boot value in the record" || t_fail "second extension" "$OUT" "$(cat "$REC")"
fsp enroll --slots "$R" --tpm2 "${D[@]}" --unlock-passphrase-fd 3 3<<<"x" </dev/null
ALLOW_STDERR=1 expect "after the extension, enroll cannot open a TPM-only file to add a slot" 6 "PCR mismatch"

# Without the record, PCR 15's boot value cannot be known: refused.
mv "$REC" "$T_WORK/rec"
fsp enroll --slots "$T_WORK/none.slots" --tpm2 --key-file "$K" "${D[@]}"
ALLOW_STDERR=1 expect "no record and PCR 15 extended: refused, with the reason" 4 "PCR 15 was extended on this boot"
mv "$T_WORK/rec" "$REC"
printf 'not a record\n' >"$REC"
fsp enroll --slots "$T_WORK/none.slots" --tpm2 --key-file "$K" "${D[@]}"
ALLOW_STDERR=1 expect "a damaged record: refused, with the fix" 4 "remove it"
fsp tpm2-extend --final "${D[@]}"
ALLOW_STDERR=1 expect "tpm2-extend keeps a damaged record as it is, and says so" 11 "remove it"
[ "$(cat "$REC")" = "not a record" ] && t_ok "(the record is unchanged: enroll keeps refusing)" ||
	t_fail "damaged record rewritten" "$(cat "$REC")"
rm -f "$REC"

# The next boot: PCR 7 as before, PCR 15 back at its boot value.
tpm_reboot && tpm_measure 7 "secure boot: db of the vendor"
fsp identifier --slots "$S" "${D[@]}" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "the next boot: the initramfs's slot unseals again" || t_fail "next boot, S" "$RC" "$ERR"
fsp identifier --slots "$R" "${D[@]}" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"(tpm2): the TPM unsealed it"* ]] &&
	t_ok "the next boot: the slot enrolled on the running system unseals with no prompt" || t_fail "next boot, R" "$RC" "$ERR"

# Secure Boot off (or no UEFI, as on this machine when efivars has no
# SecureBoot variable): a policy with no PCR of the boot chain is warned
# about, with the fix; one with PCR 4 (the boot loader and kernel) is not.
SB=$(od -An -tu1 -j4 -N1 /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e398b9ac6bfa 2>/dev/null | tr -d ' ')
fsp enroll --slots "$T_WORK/sb7.slots" --tpm2 --key-file "$K" "${D[@]}"
if [ "$SB" = 1 ]; then
	[ "$RC" = 0 ] && [[ $ERR != *"Secure Boot is off"* ]] &&
		t_ok "Secure Boot on: no warning for PCR 7" || t_fail "Secure Boot on, PCR 7" "$ERR"
else
	[ "$RC" = 0 ] && [[ $ERR == *"warning: Secure Boot is off"*"PCRs 7+15 measure nothing of the boot chain"*"--tpm2-pcrs 4+7"* ]] &&
		t_ok "Secure Boot off: enroll --tpm2 on PCR 7 warns, with the reason and the fix" || t_fail "Secure Boot warning" "$RC" "$ERR"
fi
tpm_measure 4 "a boot loader"
fsp enroll --slots "$T_WORK/sb4.slots" --tpm2 --key-file "$K" "${D[@]}" --tpm2-pcrs 4+7
[ "$RC" = 0 ] && [[ $ERR != *"Secure Boot"* ]] &&
	t_ok "no Secure Boot warning when PCR 4 measures the boot chain" || t_fail "PCR 4+7 and the warning" "$RC" "$ERR"

# A signed policy (PCR 11, by a key whose signatures ship with each image)
# is bound to PCR 15 too: after the extension its image's own signature
# no longer opens it; at the next boot it does.
openssl genrsa -out "$T_WORK/pcr.key" 2048 2>/dev/null
openssl rsa -in "$T_WORK/pcr.key" -pubout -out "$T_WORK/pcr.pub" 2>/dev/null
printf 'image A: kernel 6.1.0-1\n' >"$T_WORK/image-a"
tpm_sign_image "$T_WORK/image-a" "$T_WORK/pcr.key" "$T_WORK/pcr.pub" "$T_WORK/sig-a.json"
G=$T_WORK/signed.slots
fsp enroll --slots "$G" --tpm2 --key-file "$K" "${D[@]}" --tpm2-public-key "$T_WORK/pcr.pub"
ALLOW_STDERR=1 expect "a signed slot: PCR 11 through the key, and PCR 15" 0 \
	"PCRs 11 through a policy signed by $T_WORK/pcr.pub, and PCR 15 at its value in the initramfs"
tpm_reboot && tpm_measure 7 "secure boot: db of the vendor" && tpm_boot_image "$T_WORK/image-a"
fsp identifier --slots "$G" "${D[@]}" --tpm2-signature "$T_WORK/sig-a.json" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "in the initramfs the image's signature opens the signed slot" ||
	t_fail "signed slot before the extension" "$RC" "$ERR"
fsp tpm2-extend --initramfs "${D[@]}"
fsp identifier --slots "$G" "${D[@]}" --tpm2-signature "$T_WORK/sig-a.json" </dev/null
[ "$RC" != 0 ] && [ -z "$OUT" ] && [[ $ERR == *"slot 0 (tpm2): PCR mismatch"* ]] &&
	t_ok "after the extension the same signature no longer opens it: PCR mismatch" ||
	t_fail "signed slot after the extension" "$RC" "$OUT" "$ERR"
tpm_reboot && tpm_measure 7 "secure boot: db of the vendor" && tpm_boot_image "$T_WORK/image-a"
fsp identifier --slots "$G" "${D[@]}" --tpm2-signature "$T_WORK/sig-a.json" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "the next boot: the signed slot opens again" ||
	t_fail "signed slot, next boot" "$RC" "$ERR"
rm -f "$REC"

# PCRs a policy must not use.
for p in 16 23; do
	fsp enroll --slots "$T_WORK/bad.slots" --tpm2 --key-file "$K" "${D[@]}" --tpm2-pcrs "7+$p"
	ALLOW_STDERR=1 expect "--tpm2-pcrs with PCR $p (resettable) is refused" 2 "PCR $p can be reset"
done
fsp enroll --slots "$T_WORK/bad.slots" --tpm2 --key-file "$K" "${D[@]}" --tpm2-pcrs 7+17
ALLOW_STDERR=1 expect "PCR 17 at its all-ones reset value counts as never extended" 4 "PCR 17 of the SHA-256 bank was never extended"
[ ! -e "$T_WORK/bad.slots" ] && t_ok "the refused enrolls wrote no file" || t_fail "no file from a refused enroll"

# No TPM: nothing to extend, and nothing to refuse.
fsp tpm2-extend --tpm2-device /dev/tpmrm-nothing
ALLOW_STDERR=1 expect "tpm2-extend with no TPM: exit 0, said why" 0 "not extended: no TPM"
t_done
