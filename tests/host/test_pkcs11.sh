#!/bin/bash
# The PKCS#11 companion (shared/pkcs11_protocol.h) against a real token:
# SoftHSM2 in a token directory of this test's own, with an RSA-2048 and an
# EC P-256 key pair made by opensc's pkcs11-tool. list names the token and
# both keys; enroll makes a secret that unlock gives back, for RSA (OAEP)
# and EC (ECDH with a one-time key pair); a wrong PIN exits 4 and costs
# the right one nothing; check shows the token's PIN flags without a PIN;
# a missing token, a URI that names two keys, the wrong kind of key, a
# damaged ciphertext or point, a module that does not load and a bad URI
# each exit with their own code and write no secret. Under the valgrind
# part, the companion runs under valgrind too, and its ASan build in the
# sanitizers' part.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pkcs11-lib.sh"

# The companion beside the helper under test (its ASan build in the
# sanitizers' part).
BIN=${FSP_CMD[${#FSP_CMD[@]} - 1]}
P11=$(dirname "$BIN")/fscrypt-provision-pkcs11
# The wrapper of the helper under test (valgrind's), if any.
WRAP=("${FSP_CMD[@]:0:${#FSP_CMD[@]}-1}")
PIN=246810
[ -x "$P11" ] || {
	t_fail "$P11 is there (make)"
	exit 1
}
p11_token fsp-a "$PIN" 01 02
MOD=$P11_MOD

# p11 PIN ARGS...: the companion, the PIN on stdin; stdout in $T_WORK/out
# (and hex in HEX), stderr in ERR, the exit status in RC.
p11() {
	local pin=$1
	shift
	printf '%s\n' "$pin" | "${WRAP[@]}" "$P11" "$@" >"$T_WORK/out" 2>"$T_WORK/err"
	RC=$?
	HEX=$(od -An -tx1 -v "$T_WORK/out" | tr -d ' \n')
	ERR=$(cat "$T_WORK/err")
}
# is NAME WANT-RC [STDERR-SUBSTRING]
is() {
	if [ "$RC" != "$2" ]; then
		t_fail "$1" "exit $RC, expected $2" "stderr: $ERR"
	elif [ -n "${3-}" ] && [[ $ERR != *"$3"* ]]; then
		t_fail "$1" "stderr lacks: $3" "stderr: $ERR"
	else
		t_ok "$1"
	fi
}
field() { sed -n "s/^$1=//p" "$T_WORK/enrolled"; }

p11 "" list "$MOD"
LIST=$(cat "$T_WORK/out")
if [ "$RC" = 0 ] && [[ $LIST == *"token=fsp-a"*"rsa:2048:pkcs11:"*"id=%01"* ]] &&
	[[ $LIST == *"ec:256:pkcs11:"*"id=%02"* ]]; then
	t_ok "list: the token, its RSA-2048 and its EC P-256 key pairs, without a PIN"
else
	t_fail "list: the token and its two key pairs" "exit $RC" "$LIST" "$ERR"
fi

for kind in rsa ec; do
	id=01 mechs="rsa-oaep-sha256 rsa-oaep-sha1" wlen=512
	[ $kind = ec ] && id=02 mechs=ecdh wlen=130
	p11 "$PIN" enroll "$MOD" "pkcs11:token=fsp-a;id=%$id"
	cp "$T_WORK/out" "$T_WORK/enrolled"
	is "$kind: enroll" 0
	URI=$(field uri) MECH=$(field mech) WRAPPED=$(field wrapped) SECRET=$(field secret)
	if [ "$(field module)" = "$MOD" ] && [[ $URI == pkcs11:*"token=fsp-a"*"id=%$id" ]] &&
		[[ " $mechs " == *" $MECH "* ]] && [ ${#WRAPPED} = $wlen ] && [ ${#SECRET} -ge 64 ]; then
		t_ok "$kind: enroll names the module, the key's URI, $MECH, and a $((wlen / 2))-byte wrapped secret"
	else
		t_fail "$kind: enroll's lines" "$(cat "$T_WORK/enrolled")"
	fi
	p11 "$PIN" unlock "$MOD" "$URI" "$MECH" "$WRAPPED"
	[ "$RC" = 0 ] && [ "$HEX" = "$SECRET" ] && t_ok "$kind: unlock gives the enrolled secret back" ||
		t_fail "$kind: unlock gives the secret back" "exit $RC, $HEX, want $SECRET" "$ERR"
	p11 "1$PIN" unlock "$MOD" "$URI" "$MECH" "$WRAPPED"
	is "$kind: a wrong PIN exits 4 and names the token" 4 "token fsp-a refused the login"
	[ -z "$HEX" ] && [[ $ERR != *"$SECRET"* ]] && t_ok "$kind: nothing of the secret after a wrong PIN" ||
		t_fail "$kind: nothing of the secret after a wrong PIN" "$HEX" "$ERR"
	p11 "" check "$MOD" "$URI"
	is "$kind: check after a wrong PIN, with no PIN: SoftHSM's user PIN count is low" 0
	[ "$(cat "$T_WORK/out")" = "$(printf 'fsp-a\tpin-count-low')" ] || t_fail "$kind: check's line" "$(cat "$T_WORK/out")"
	p11 "$PIN" unlock "$MOD" "$URI" "$MECH" "$WRAPPED"
	[ "$RC" = 0 ] && [ "$HEX" = "$SECRET" ] && t_ok "$kind: the right PIN still unlocks after a wrong one" ||
		t_fail "$kind: the right PIN after a wrong one" "exit $RC" "$ERR"
	p11 "" check "$MOD" "$URI"
	[ "$RC" = 0 ] && [ "$(cat "$T_WORK/out")" = "$(printf 'fsp-a\t')" ] && t_ok "$kind: the right PIN clears the flag" ||
		t_fail "$kind: check after the right PIN" "exit $RC" "$(cat "$T_WORK/out")" "$ERR"
	# The last byte changed: another ciphertext, or a point off the curve.
	last=${WRAPPED: -2}
	p11 "$PIN" unlock "$MOD" "$URI" "$MECH" "${WRAPPED:0:wlen-2}$(printf '%02x' $((0x$last ^ 1)))"
	if [ "$RC" != 0 ] && [ -z "$HEX" ]; then
		t_ok "$kind: a damaged wrapped secret is refused (exit $RC), and nothing is written"
	else
		t_fail "$kind: a damaged wrapped secret" "exit $RC, out $HEX" "$ERR"
	fi
	[ $kind = rsa ] && { RSA_URI=$URI RSA_WRAPPED=$WRAPPED; }
	[ $kind = ec ] && EC_WRAPPED=$WRAPPED
done

p11 "$PIN" enroll "$MOD" "pkcs11:token=fsp-a;id=%02"
[ "$RC" = 0 ] && [ "$(sed -n 's/^wrapped=//p' "$T_WORK/out")" != "$EC_WRAPPED" ] &&
	t_ok "ec: each enrolment makes a new one-time key pair" ||
	t_fail "ec: a second enrolment's point differs" "exit $RC" "$ERR"
p11 "$PIN" unlock "$MOD" "$RSA_URI" ecdh "$EC_WRAPPED"
is "the RSA key with an ecdh slot: exit 7, not its kind" 7 "not of the slot's kind"
p11 "$PIN" enroll "$MOD" "pkcs11:token=fsp-a"
is "a URI that names two key pairs: exit 7, name one" 7 "name one with id= or object="
p11 "$PIN" enroll "$MOD" "pkcs11:token=fsp-a;object=ec-key"
is "object= names one key pair" 0
p11 "$PIN" unlock "$MOD" "pkcs11:token=fsp-absent;id=%01" rsa-oaep-sha1 "$RSA_WRAPPED"
is "a token that is not present: exit 3, named" 3 "token fsp-absent is not present"
p11 "$PIN" unlock "$T_WORK/no-such-module.so" "$RSA_URI" rsa-oaep-sha1 "$RSA_WRAPPED"
is "a module that does not load: exit 10" 10 "cannot load the PKCS#11 module"
p11 "$PIN" unlock "$MOD" "https://fsp-a" rsa-oaep-sha1 "$RSA_WRAPPED"
is "not a PKCS#11 URI: exit 2" 2 "not a PKCS#11 URI"
p11 "$PIN" unlock "$MOD" "$RSA_URI" rsa-pkcs1 "$RSA_WRAPPED"
is "a mechanism it does not know: exit 2" 2 "bad input"
p11 "$PIN" unlock "$MOD" "$RSA_URI"
is "unlock without its wrapped secret: usage, exit 2" 2 "usage:"
[ -z "$HEX" ] && t_ok "a usage error writes nothing on stdout" || t_fail "usage error's stdout" "$HEX"

exit $((T_FAILED > 0))
