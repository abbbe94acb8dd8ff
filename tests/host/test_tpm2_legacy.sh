#!/bin/bash
# tpm2 slots that earlier versions sealed with systemd-creds (flags 0 and
# 1 in fscrypt-slots(5)): they still unseal, through systemd-creds, and
# `slots` says that they are not bound to PCR 15 and how to replace them.
# The fixture (tests/host/fixtures/legacy-tpm2/) was made once by version
# 0.1.0 as of a2d3813: a software TPM's state, a slots file with a
# passphrase slot (slot 0), a PCR 7 slot (1) and a signed PCR 11 slot (2),
# the signing key's public half, an image and its systemd-measure
# signature, and the key's identifier (never the key). The TPM has no
# resource manager in front, so that a full TPM is said to be full when
# no companion can flush it.
# fsp-host: alone
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tpm2-lib.sh"

FIX=$(cd "$(dirname "$0")/fixtures/legacy-tpm2" && pwd)
mkdir -p "$TPM_DIR" && cp -r "$FIX/state" "$TPM_DIR/state"
tpm_direct_test_start
tpm_keep_record
ID=$(cat "$FIX/identifier")
S=$T_WORK/legacy.slots
cp "$FIX/legacy.slots" "$S" && chmod 600 "$S"

fsp slots --slots "$S" --json
[ "$(jq -c '[.slots[1].sealed_by, .slots[2].sealed_by, .slots[2].signed]' <<<"$OUT")" = \
	'["systemd-creds","systemd-creds",true]' ] &&
	t_ok "slots --json: the old slots were sealed by systemd-creds" || t_fail "slots --json, legacy" "$OUT"
fsp slots --slots "$S"
[[ $OUT == *"slot 1: tpm2"*"not bound to PCR 15"*"enroll --tpm2 again"* ]] &&
	t_ok "slots says an old slot is not bound to PCR 15, and what to do" || t_fail "slots, legacy" "$OUT"

# The boot the fixture was sealed on: PCR 7 as then.
tpm_measure 7 "secure boot: db of the vendor"
fsp identifier --slots "$S" "${D[@]}" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"slot 1 (tpm2): the TPM unsealed it"* ]] &&
	t_ok "an old PCR 7 slot still unseals, through systemd-creds" || t_fail "legacy PCR 7 slot" "$RC" "$ERR"
[ -z "$(tpm_loaded)" ] && t_ok "and systemd-creds left nothing loaded in the TPM" ||
	t_fail "nothing loaded after systemd-creds" "$(tpm_loaded)"

# Another PCR 7: slot 1 refuses, and the signed slot opens with the
# image's signature.
tpm_measure 7 "one more measurement"
tpm_boot_image "$FIX/image"
fsp identifier --slots "$S" "${D[@]}" --tpm2-signature "$FIX/image.sig.json" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"slot 1 (tpm2): PCR mismatch"* ]] &&
	[[ $ERR == *"slot 2 (tpm2): the TPM unsealed it"* ]] &&
	t_ok "an old signed slot still unseals with its image's signature" || t_fail "legacy signed slot" "$RC" "$ERR"

# Not bound to PCR 15: the extension does not stop them. What slots says.
fsp tpm2-extend "${D[@]}"
fsp identifier --slots "$S" "${D[@]}" --tpm2-signature "$FIX/image.sig.json" </dev/null
[ "$RC" = 0 ] && [[ $ERR == *"slot 2 (tpm2): the TPM unsealed it"* ]] &&
	t_ok "an old slot still unseals after tpm2-extend: it is not bound to PCR 15" ||
	t_fail "legacy slot after the extension" "$RC" "$ERR"

# No companion to flush what others left: a full TPM is said to be full,
# with what to do, not taken for damaged data.
if [ -z "${FSP_UNDER_VALGRIND-}" ] && [ "${#FSP_CMD[@]}" = 1 ] &&
	[ ! -e /usr/lib/fscrypt-provision/fscrypt-provision-tpm2 ]; then
	mkdir -p "$T_WORK/alone"
	cp "${FSP_CMD[0]}" "$T_WORK/alone/"
	FSP_SAVE=("${FSP_CMD[@]}")
	FSP_CMD=("$T_WORK/alone/$(basename "${FSP_SAVE[0]}")")
	for _ in 1 2 3; do tpm2_createprimary -Q -C o -c "$T_WORK/primary.ctx"; done
	fsp identifier --slots "$S" "${D[@]}" --tpm2-signature "$FIX/image.sig.json" </dev/null
	FSP_CMD=("${FSP_SAVE[@]}")
	[ "$RC" != 0 ] && [[ $ERR == *"slot 1 (tpm2): the TPM is out of room for objects or sessions"* ]] &&
		[[ $ERR == *"tpm2_flushcontext"* && $ERR != *damaged* ]] &&
		t_ok "no companion, a full TPM: said to be out of room, with what to do" ||
		t_fail "no companion, a full TPM" "$RC" "$ERR"
	tpm2_flushcontext -t && tpm2_flushcontext -l
fi
t_done
