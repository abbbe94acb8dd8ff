#!/bin/bash
# tpm2 slots on a TPM with no resource manager in front (swtpm over its
# own TCTI, as /dev/tpm0 is): what a program leaves loaded stays there,
# and systemd-creds 252 leaves two objects and two sessions after each
# failed unseal, which filled the TPM: every later unseal failed as
# "damaged". Five failed unseals in a row each say why and leave the TPM
# empty; a TPM other programs filled is flushed and the seal or unseal
# goes on (without fscrypt-provision-tpm2 the full TPM is said as such:
# test_tpm2_legacy.sh, with slots systemd-creds sealed);
# PIN slots leave nothing either (PCR mismatch, a wrong PIN, damaged
# data), and the companion says a full TPM is full.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tpm2-lib.sh"

tpm_direct_test_start
K=$T_WORK/raw.key
head -c 64 /dev/urandom >"$K"
chmod 600 "$K"
ID=$(fsp identifier --key-file "$K" && echo "$OUT")
C=$(dirname "${FSP_CMD[-1]}")/fscrypt-provision-tpm2
PIN=493817

# empty NAME: passes when the TPM holds no transient object and no session.
empty() {
	local held
	held=$(tpm_loaded | tr '\n' ' ')
	[ -z "$held" ] && t_ok "$1" || t_fail "$1" "the TPM still holds: $held"
}

# fill: other programs leave the TPM full: three primary keys in swtpm's
# three object slots, from tpm2-tools, which flushes nothing without a
# resource manager. (systemd-creds did it on Debian 12: its 252 left two
# objects and two sessions loaded after a failed decrypt; 257 on Debian 13
# leaves none. tpm2-tools saves its sessions' contexts, so they do not
# stay loaded.)
fill() {
	tpm2_createprimary -Q -C o -c "$T_WORK/primary1.ctx" &&
		tpm2_createprimary -Q -C o -c "$T_WORK/primary2.ctx" &&
		tpm2_createprimary -Q -C o -c "$T_WORK/primary3.ctx" &&
		[ "$(tpm_loaded | grep -c 0x)" = 3 ]
}

tpm_measure 7 "secure boot: db of the vendor"
tpm2_flushcontext -t && tpm2_flushcontext -l
S=$T_WORK/tpm.slots
fsp enroll --slots "$S" --tpm2 --key-file "$K" "${D[@]}"
ALLOW_STDERR=1 expect "enroll --tpm2 on a TPM with no resource manager" 0 "slot 0 (tpm2) added"
empty "the seal left nothing loaded"
fsp identifier --slots "$S" "${D[@]}" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "the TPM unseals it" || t_fail "unseal" "$RC" "$ERR"
empty "the unseal left nothing loaded"

# The boot chain changed: each of five attempts is refused for that.
tpm_measure 7 "secure boot: an attacker's db"
for i in 1 2 3 4 5; do
	fsp identifier --slots "$S" "${D[@]}" </dev/null
	[ "$RC" = 6 ] && [[ $ERR == *"slot 0 (tpm2): PCR mismatch"* ]] || break
done
[ "$i" = 5 ] && [ "$RC" = 6 ] && [[ $ERR == *"PCR mismatch"* ]] &&
	t_ok "five failed unseals in a row: each says PCR mismatch, exit 6" ||
	t_fail "five failed unseals in a row each say PCR mismatch" "attempt $i: exit $RC" "$ERR"
empty "after five failed unseals the TPM holds no object and no session"

# Other programs filled the TPM: flushed, and the seal and unseal go on.
fill || t_fail "the test fills the TPM" "$(tpm_loaded)"
N=$T_WORK/now.slots
fsp enroll --slots "$N" --tpm2 --key-file "$K" "${D[@]}"
ALLOW_STDERR=1 expect "enroll on a TPM others filled: flushed, then sealed" 0 "slot 0 (tpm2) added"
empty "nothing left after that seal"
fill
fsp identifier --slots "$N" "${D[@]}" </dev/null
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && t_ok "unseal on a TPM others filled: flushed, then unsealed" ||
	t_fail "unseal on a full TPM" "$RC" "$ERR"
empty "nothing left after that unseal"

# PIN slots, through the companion: nothing left on their failures either.
tpm_measure 7 "secure boot: db of the vendor"
P=$T_WORK/pin.slots
fsp enroll --slots "$P" --tpm2 --tpm2-pin --key-file "$K" "${D[@]}" --new-passphrase-fd 3 3<<<"$PIN"
ALLOW_STDERR=1 expect "enroll --tpm2-pin on a TPM with no resource manager" 0 "slot 0 (tpm2) added"
fsp identifier --slots "$P" "${D[@]}" --tpm2-pin-fd 3 3<<<"000000
$PIN"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"wrong PIN (try 1 of 3)"* ]] &&
	t_ok "a wrong PIN, then the right one" || t_fail "a wrong PIN, then the right one" "$RC" "$ERR"
empty "nothing left after a wrong PIN and a right one"
cp "$P" "$T_WORK/damaged.slots"
tpm_damage_object "$T_WORK/damaged.slots"
fsp identifier --slots "$T_WORK/damaged.slots" "${D[@]}" --tpm2-pin-fd 3 3<<<"$PIN"
ALLOW_STDERR=1 expect "a PIN slot's damaged data: said so, exit 6" 6 "cannot load the sealed data"
empty "nothing left after the damaged data"
tpm_measure 7 "secure boot: an attacker's db"
for i in 1 2 3 4 5; do
	fsp identifier --slots "$P" "${D[@]}" --tpm2-pin-fd 3 3<<<"$PIN"
	[ "$RC" = 6 ] && [[ $ERR == *"slot 0 (tpm2+pin): PCR mismatch"* ]] || break
done
[ "$i" = 5 ] && [ "$RC" = 6 ] && [[ $ERR == *"PCR mismatch"* ]] &&
	t_ok "a PIN slot, five times on other PCRs: each says so" ||
	t_fail "a PIN slot's PCR mismatch, five times" "attempt $i: exit $RC" "$ERR"
empty "nothing left after five PIN slot refusals"

# A PIN slot on a TPM others filled: flushed, then sealed and unsealed,
# and no PIN try spent on the way.
fill
fsp enroll --slots "$T_WORK/pin2.slots" --tpm2 --tpm2-pin --key-file "$K" "${D[@]}" --new-passphrase-fd 3 3<<<"$PIN"
ALLOW_STDERR=1 expect "enroll --tpm2-pin on a TPM others filled: flushed, then sealed" 0 "slot 0 (tpm2) added"
fill
tries() { tpm2_getcap properties-variable | sed -n 's/^TPM2_PT_LOCKOUT_COUNTER: *//p'; }
before=$(tries)
fsp identifier --slots "$T_WORK/pin2.slots" "${D[@]}" --tpm2-pin-fd 3 3<<<"$PIN"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"the TPM took the PIN"* ]] && [ "$(tries)" = "$before" ] &&
	t_ok "a PIN slot on a TPM others filled: flushed, then unsealed, no try counted" ||
	t_fail "a PIN slot on a full TPM" "$RC, lockout counter $before -> $(tries)" "$ERR"
empty "nothing left after it"

# The companion on a full TPM says so (exit 9), and its flush empties it.
fill
head -c 64 /dev/zero | "$C" seal "$TPM_DEV" 80 >/dev/null 2>"$T_WORK/c.err"
rc=$?
[ "$rc" = 9 ] && grep -q "fscrypt-provision-tpm2: the TPM is out of room for objects or sessions" "$T_WORK/c.err" &&
	t_ok "the companion on a full TPM: exit 9, out of room" || t_fail "the companion on a full TPM" "exit $rc" "$(cat "$T_WORK/c.err")"
flushed=$(head -c 32 /dev/zero | "$C" flush "$TPM_DEV" 0 2>"$T_WORK/c.err")
[ "$flushed" = 3 ] && t_ok "the companion's flush: the 3 handles flushed" || t_fail "the companion's flush" "$flushed" "$(cat "$T_WORK/c.err")"
empty "nothing left after the flush"
t_done
