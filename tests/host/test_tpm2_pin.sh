#!/bin/bash
# tpm2 slots with a PIN against a software TPM: the PIN is the
# sealed object's authValue, checked by the TPM under its dictionary-attack
# protection, through fscrypt-provision-tpm2. The right PIN, a wrong one
# then the right one, lockout after repeated wrong PINs (and the right PIN
# refused while locked), a PCR change told before any PIN is asked for, a
# PIN with no PCRs, damaged data, no TPM, a missing or unsafe companion, a
# PIN prompt nobody answers (--password-timeout), update pre (--headless
# too), and that the PIN is in no argv and nowhere the TPM keeps things.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tpm2-lib.sh"

tpm_test_start
new_fs fs -O encrypt
M=$T_WORK/fs
S=$T_WORK/pin.slots
PIN=493817
fsp enroll --slots "$S" --passphrase --generate --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"pin pass"
ALLOW_STDERR=1 expect "a slots file with a passphrase slot" 0 "slot 0 (passphrase)"
fsp identifier --slots "$S" --passphrase-fd 3 3<<<"pin pass"
ID=$OUT

tpm_measure 7 "secure boot: db of the vendor"
fsp enroll --slots "$S" --tpm2 --tpm2-pin "${D[@]}" --unlock-passphrase-fd 3 --new-passphrase-fd 4 \
	3<<<"pin pass" 4<<<"$PIN"
ALLOW_STDERR=1 expect "enroll --tpm2 --tpm2-pin seals to PCR 7 with a PIN" 0 "with a PIN, to the current values of PCRs 7"
fsp slots --slots "$S" --json
[ "$(jq -c '.slots[1] | [.type, .pcrs, .signed, .pin]' <<<"$OUT")" = '["tpm2",[7,15],false,true]' ] &&
	t_ok "slots --json: tpm2, PCRs [7,15], pin true" || t_fail "slots --json for a PIN slot" "$OUT"
fsp slots --slots "$S"
[[ $OUT == *"slot 1: tpm2, sha256 bank, PCRs 7+15, and a PIN"* ]] && t_ok "slots names the PIN" || t_fail "slots names the PIN" "$OUT"

fsp identifier --slots "$S" "${D[@]}" --tpm2-pin-fd 3 3<<<"$PIN"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"slot 1 (tpm2+pin): the TPM took the PIN"* ]] &&
	t_ok "the right PIN unseals" || t_fail "the right PIN" "$RC $OUT" "$ERR"

fsp identifier --slots "$S" "${D[@]}" --tpm2-pin-fd 3 3<<<"000000
$PIN"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"slot 1 (tpm2+pin): wrong PIN (try 1 of 3)"* ]] &&
	t_ok "a wrong PIN, then the right one within the tries" || t_fail "wrong then right PIN" "$RC $OUT" "$ERR"
LEFT=$(tpm2_getcap properties-variable | sed -n 's/^TPM2_PT_LOCKOUT_COUNTER: *//p')
[ "$LEFT" = 0x1 ] && t_ok "the TPM counted the wrong PIN (lockout counter 1)" || t_fail "the TPM counted the wrong PIN" "$LEFT"

# A script's passphrase is never spent as a PIN: with --passphrase-fd and no
# --tpm2-pin-fd the PIN slot is passed over, and the TPM counts nothing.
fsp identifier --slots "$S" "${D[@]}" --passphrase-fd 3 3<<<"pin pass"
LEFT=$(tpm2_getcap properties-variable | sed -n 's/^TPM2_PT_LOCKOUT_COUNTER: *//p')
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"its PIN is not read from --passphrase-fd (give --tpm2-pin-fd N)"* ]] &&
	[ "$LEFT" = 0x1 ] && t_ok "--passphrase-fd alone: the PIN slot is passed over, the passphrase opens, no try counted" ||
	t_fail "a passphrase is never spent as a PIN" "$RC $LEFT" "$ERR"
fsp identifier --slots "$S" "${D[@]}" --passphrase-fd 3 --tpm2-pin-fd 4 3<<<"pin pass" 4<<<""
LEFT=$(tpm2_getcap properties-variable | sed -n 's/^TPM2_PT_LOCKOUT_COUNTER: *//p')
[ "$RC" = 0 ] && [[ $ERR == *"no PIN was typed"* ]] && [ "$LEFT" = 0x1 ] &&
	t_ok "an empty PIN: the next protector, and the TPM is not asked" || t_fail "an empty PIN" "$RC $LEFT" "$ERR"

# The TPM drops an authValue's trailing zero bytes, and one PIN in 256
# gives one: the companion seals and unseals such an authValue.
C=$(dirname "${FSP_CMD[-1]}")/fscrypt-provision-tpm2
{ head -c 31 /dev/urandom; printf '\0'; } >"$T_WORK/auth0"
head -c 32 /dev/urandom >"$T_WORK/secret0"
if cat "$T_WORK/auth0" "$T_WORK/secret0" | "$C" seal "$TPM_DEV" 80 >"$T_WORK/blob0" 2>"$T_WORK/c.err" &&
	cat "$T_WORK/auth0" "$T_WORK/blob0" | "$C" unseal "$TPM_DEV" 80 2>>"$T_WORK/c.err" | cmp -s - "$T_WORK/secret0"; then
	t_ok "an authValue ending in a zero byte seals and unseals (tpm2-tss#2664)"
else
	t_fail "an authValue ending in a zero byte" "$(cat "$T_WORK/c.err")"
fi

# The PIN's file with no passphrase: once the PIN is refused, exit 6.
P=$T_WORK/pin-only.slots
fsp identifier --slots "$S" --passphrase-fd 3 3<<<"pin pass"
cp "$S" "$P"
fsp wipe-slot --slots "$P" 0
fsp identifier --slots "$P" "${D[@]}" --tpm2-pin-fd 3 3<<<"$PIN"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "a file with only a PIN slot opens with the PIN" || t_fail "PIN-only file" "$ERR"

# Lockout: the TPM takes 2 wrong PINs, then refuses every PIN, the right one
# too, and the helper says so instead of asking a third time.
tpm2_dictionarylockout -c -Q
tpm2_dictionarylockout -s -n 2 -t 600 -l 600 -Q
fsp identifier --slots "$P" "${D[@]}" --tpm2-pin-fd 3 3<<<"1
2
$PIN"
[ "$RC" = 6 ] && [[ $ERR == *"wrong PIN (try 2 of 3)"* ]] && [[ $ERR == *"dictionary-attack lockout"* ]] &&
	[[ $ERR != *"try 3 of 3"* ]] &&
	t_ok "repeated wrong PINs: the TPM locks, the helper says so and stops asking (exit 6)" ||
	t_fail "lockout after wrong PINs" "$RC" "$ERR"
fsp identifier --slots "$P" "${D[@]}" --tpm2-pin-fd 3 3<<<"$PIN"
ALLOW_STDERR=1 expect "in lockout even the right PIN is refused, with the reason" 6 "dictionary-attack lockout"
fsp identifier --slots "$S" "${D[@]}" --passphrase-fd 3 --tpm2-pin-fd 4 3<<<"pin pass" 4<<<"$PIN"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"lockout"* ]] &&
	t_ok "in lockout the passphrase slot still opens, and no PIN line was spent" || t_fail "lockout fallback" "$RC" "$ERR"
tpm2_dictionarylockout -c -Q
fsp identifier --slots "$P" "${D[@]}" --tpm2-pin-fd 3 3<<<"$PIN"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "the lockout cleared, the right PIN unseals again" || t_fail "after clearing" "$ERR"

# Another boot chain: the PCRs are checked before the PIN is asked for.
tpm_reboot && tpm_measure 7 "secure boot: an attacker's db"
fsp identifier --slots "$S" "${D[@]}" --passphrase-fd 3 --tpm2-pin-fd 4 3<<<"pin pass" 4<<<"$PIN"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"slot 1 (tpm2+pin): PCR mismatch"* ]] &&
	t_ok "PCR mismatch: said before any PIN is read, the passphrase opens" || t_fail "PIN slot, PCR mismatch" "$RC" "$ERR"

# A PIN with no PCRs: the TPM and the PIN alone, whatever booted, until
# the initramfs is done (PCR 15, which every slot has).
fsp enroll --slots "$S" --tpm2 --tpm2-pin --tpm2-pcrs '' "${D[@]}" --unlock-passphrase-fd 3 --new-passphrase-fd 4 \
	3<<<"pin pass" 4<<<"2468"
ALLOW_STDERR=1 expect "enroll --tpm2-pin --tpm2-pcrs '': no PCRs" 0 "with a PIN, to PCR 15 alone, at its value in the initramfs: no other PCR, the TPM and the PIN alone"
tpm_reboot
fsp identifier --slots "$S" "${D[@]}" --tpm2-pin-fd 3 3<<<"2468"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"slot 2 (tpm2+pin): the TPM took the PIN"* ]] &&
	t_ok "a PIN slot with no PCRs unseals on any boot" || t_fail "PIN, no PCRs" "$RC" "$ERR"

# The PIN is in no argv: strace sees the companion's command line (run
# through the descriptor its check opened, by execveat; valgrind makes
# that an execve of the descriptor's path).
if ! command -v strace >/dev/null; then
	t_fail "strace is installed (tools/packages)"
else
	strace -f -s 256 -e trace=execve,execveat -o "$T_WORK/strace" "${FSP_CMD[@]}" identifier --keyring "$KR" \
		--slots "$S" "${D[@]}" --tpm2-pin-fd 3 3<<<"2468" >/dev/null 2>&1
	if grep -q 'execve[at]*(.*, \["[^"]*/fscrypt-provision-tpm2", "unseal", "tabrmd' "$T_WORK/strace" &&
		! grep -q 2468 "$T_WORK/strace"; then
		t_ok "the companion's argv holds the operation, the TCTI and the PCR mask, never the PIN"
	else
		t_fail "the PIN is in no argv" "$(grep -E 'execve(at)?\(' "$T_WORK/strace")"
	fi
fi

fsp enroll --slots "$S" --tpm2 --tpm2-pin --tpm2-public-key /dev/null "${D[@]}" --unlock-passphrase-fd 3 3<<<"pin pass"
ALLOW_STDERR=1 expect "--tpm2-pin with a signed policy: a usage error" 2 "cannot join a PIN to a signed policy"
fsp enroll --slots "$S" --passphrase --tpm2-pin --unlock-passphrase-fd 3 3<<<"pin pass"
ALLOW_STDERR=1 expect "--tpm2-pin without --tpm2: a usage error" 2 "are for --tpm2"

# Damaged: one byte of the TPM object flipped (its public area's policy).
cp "$P" "$T_WORK/damaged.slots"
tpm_damage_object "$T_WORK/damaged.slots"
tpm_reboot && tpm_measure 7 "secure boot: db of the vendor"
fsp identifier --slots "$T_WORK/damaged.slots" "${D[@]}" --tpm2-pin-fd 3 3<<<"$PIN"
ALLOW_STDERR=1 expect "damaged sealed data: a clear error, exit 6" 6 "cannot load the sealed data"

fsp identifier --slots "$P" --tpm2-device /dev/tpmrm-nothing --tpm2-pin-fd 3 3<<<"$PIN"
ALLOW_STDERR=1 expect "no TPM for a PIN slot: exit 6, said why" 6 "no TPM"

# The companion is looked for beside the helper, then in its libexec
# directory; one others could replace is never run.
if [ -z "${FSP_UNDER_VALGRIND-}" ] && [ "${#FSP_CMD[@]}" = 1 ]; then
	mkdir -p "$T_WORK/alone" "$T_WORK/unsafe"
	cp "${FSP_CMD[0]}" "$T_WORK/alone/"
	FSP_SAVE=("${FSP_CMD[@]}")
	FSP_CMD=("$T_WORK/alone/$(basename "${FSP_SAVE[0]}")")
	fsp identifier --slots "$P" "${D[@]}" --tpm2-pin-fd 3 3<<<"$PIN"
	[ -e /usr/lib/fscrypt-provision/fscrypt-provision-tpm2 ] ||
		ALLOW_STDERR=1 expect "no companion installed: said in one line" 6 "fscrypt-provision-tpm2 is not installed"
	cp "${FSP_SAVE[0]}" "$(dirname "${FSP_SAVE[0]}")/fscrypt-provision-tpm2" "$T_WORK/unsafe/"
	chmod g+w "$T_WORK/unsafe/fscrypt-provision-tpm2"
	FSP_CMD=("$T_WORK/unsafe/$(basename "${FSP_SAVE[0]}")")
	fsp identifier --slots "$P" "${D[@]}" --tpm2-pin-fd 3 3<<<"$PIN"
	ALLOW_STDERR=1 expect "a group-writable companion is not run" 6 "refusing to run it"
	# Nor one in a directory another user owns, who could replace it.
	install -d -o nobody -m 755 "$T_WORK/theirs"
	cp "${FSP_SAVE[0]}" "$(dirname "${FSP_SAVE[0]}")/fscrypt-provision-tpm2" "$T_WORK/theirs/"
	FSP_CMD=("$T_WORK/theirs/$(basename "${FSP_SAVE[0]}")")
	fsp identifier --slots "$P" "${D[@]}" --tpm2-pin-fd 3 3<<<"$PIN"
	ALLOW_STDERR=1 expect "a companion in a directory of nobody's is not run" 6 \
		"directory $T_WORK/theirs is owned by uid 65534 (mode 0755), not by root; refusing to run it"
	FSP_CMD=("${FSP_SAVE[@]}")
fi

# Nobody at the console: the PIN prompt gives up at the deadline, which
# is the passphrase's too, and no try of the TPM is spent.
on_silent_tty 40 "${FSP_CMD[@]}" add --keyring "$KR" --volume pv --slots "$S" "${D[@]}" --password-timeout 2
LEFT=$(tpm2_getcap properties-variable | sed -n 's/^TPM2_PT_LOCKOUT_COUNTER: *//p')
tty_expect "a PIN prompt nobody answers: exit 4 at --password-timeout" 4 \
	"needs a TPM2 PIN, and none was given within 2 s"
[ "$RC" = 4 ] && [[ $TTY == *"TPM2 PIN for fscrypt volume pv:"* ]] && [[ $TTY != *"Passphrase for"* ]] && [ "$LEFT" = 0x0 ] &&
	t_ok "the passphrase is not asked for after the deadline, and the TPM counted nothing" ||
	t_fail "after the PIN's deadline" "$LEFT" "$TTY"

# update pre: a PIN slot on PCR 7 survives an update of the kernel.
fsp add --volume v --slots "$S" --add-to "$M" --passphrase-fd 3 3<<<"pin pass"
ALLOW_STDERR=1 expect "the volume is provisioned for update pre" 0
mkdir "$M/dir" && fsp set-policy "$M/dir" "$ID"
printf 'v %s slots:%s dir\n' "$M" "$P" >"$T_WORK/pre.tab"
fsp update --tab "$T_WORK/pre.tab" pre
ALLOW_STDERR=1 expect "pre: a PIN slot on PCR 7 will unseal with its PIN" 0 "slot 1 (tpm2+pin) will unseal on the next boot with its PIN: PCRs 7+15 are not changed"
fsp update --tab "$T_WORK/pre.tab" pre --headless
ALLOW_STDERR=1 expect "pre --headless: nobody types the PIN, so the update is refused" 1 \
	"slot 1 (tpm2+pin) is not counted: its PIN would have to be typed at boot"
fsp remove --volume v "$M"

tpm_halt
if grep -r -a -q -F -e "$PIN" -e 2468 "$TPM_DIR" "$S" "$P"; then
	t_fail "canary: a PIN appears in the TPM's state, its logs or a slots file"
else
	t_ok "canary: no PIN in swtpm's state, the D-Bus/abrmd logs or the slots files"
fi
t_done
