#!/bin/bash
# pkcs11 slots through the helper, against SoftHSM2 (a token directory of
# this test's own, an RSA-2048 and an EC P-256 key pair): enroll
# --pkcs11-token-uri list, a URI with module-path=, a URI that p11-kit's
# configured modules resolve, auto; unlock (identifier) with the PIN from
# --pkcs11-pin-fd, a wrong PIN then the right one, and the count-low flag
# told; a missing token or a locked-out route passes to the passphrase in
# one line; a passphrase is never spent as a token PIN; the PIN is in no
# argv and no slots file; slots shows the slot; enroll refuses a PIN in
# the URI.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pkcs11-lib.sh"

PIN=97531
p11_token fsp-b "$PIN" 0a 0b
MOD=$P11_MOD
mkdir -p "$T_WORK/no-tokens"

S=$T_WORK/data.slots
new_key "$T_WORK/master.key"
ID=$("${FSP_CMD[@]}" identifier --key-file "$T_WORK/master.key")

fsp enroll --pkcs11-token-uri list
if [ "$RC" = 0 ] && [[ $OUT == *"token fsp-b (module "*"key pair rsa:2048:pkcs11:"*"id=%0A"* ]] &&
	[[ $OUT == *"key pair ec:256:pkcs11:"*"id=%0B"* ]]; then
	t_ok "enroll --pkcs11-token-uri list: the token and its key pairs, no --slots needed"
else
	t_fail "enroll --pkcs11-token-uri list" "exit $RC" "$OUT" "$ERR"
fi
fsp enroll --slots "$S" --key-file "$T_WORK/master.key" --pkcs11-token-uri auto --pkcs11-pin-fd 3 3<<<"$PIN"
ALLOW_STDERR=1 expect "auto with two key pairs: refused, and says how to name one" 4 \
	"needs one key pair on one token, and 2 are present"
fsp enroll --slots "$S" --key-file "$T_WORK/master.key" \
	--pkcs11-token-uri "pkcs11:token=fsp-b;id=%0a;pin-value=$PIN"
ALLOW_STDERR=1 expect "a PIN in the URI: a usage error" 2 "a PIN never goes on the command line"

fsp enroll --slots "$S" --key-file "$T_WORK/master.key" \
	--pkcs11-token-uri "pkcs11:token=fsp-b;id=%0a?module-path=$MOD" --pkcs11-pin-fd 3 3<<<"$PIN"
ALLOW_STDERR=1 expect "enroll an RSA key pair's slot, the module named in the URI" 0 \
	"slot 0: token fsp-b keeps its secret (rsa-oaep-"
fsp enroll --slots "$S" --passphrase --new-passphrase-fd 3 --pkcs11-pin-fd 4 "${CHEAP[@]}" \
	3<<<"fallback words" 4<<<"$PIN"
ALLOW_STDERR=1 expect "a passphrase slot, the file unwrapped by the token" 0 "slot 1 (passphrase) added"
fsp enroll --slots "$S" --pkcs11-token-uri "pkcs11:object=ec-key" --pkcs11-pin-fd 3 3<<<"$PIN
$PIN"
ALLOW_STDERR=1 expect "enroll an EC key pair's slot through p11-kit's modules (the PIN twice: unwrap, then enroll)" 0 \
	"slot 2: token fsp-b keeps its secret (ecdh, module "
fsp slots --slots "$S" --json
[[ $OUT == *'"type": "pkcs11"'*'"mechanism": "rsa-oaep-sha'*'"mechanism": "ecdh"'* ]] &&
	[[ $OUT == *'"token_uri": "pkcs11:'*'token=fsp-b;id=%0A"'* ]] &&
	t_ok "slots --json: each pkcs11 slot's token URI, module and mechanism" ||
	t_fail "slots --json shows the pkcs11 slots" "$OUT"
if grep -a -q "$PIN" "$S"; then t_fail "the PIN is in the slots file"; else t_ok "the PIN is not in the slots file"; fi

fsp identifier --slots "$S" --pkcs11-pin-fd 3 3<<<"$PIN"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [[ $ERR == *"slot 0 (pkcs11): the token gave its secret in"* ]] &&
	t_ok "unlock: the token's PIN from --pkcs11-pin-fd, the first pkcs11 slot" ||
	t_fail "unlock through the token" "exit $RC" "$OUT" "$ERR"
fsp identifier --slots "$S" --pkcs11-pin-fd 3 3<<<"1$PIN
$PIN"
if [ "$RC" = 0 ] && [ "$OUT" = "$ID" ] &&
	[[ $ERR == *"wrong PIN for token fsp-b (try 1 of 3)"*"user PIN count is low"*"gave its secret"* ]]; then
	t_ok "a wrong PIN, then the right one: the try and the token's count-low flag are told"
else
	t_fail "a wrong PIN then the right one" "exit $RC" "$ERR"
fi
fsp identifier --slots "$S" --passphrase-fd 3 3<<<"fallback words"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] &&
	[[ $ERR == *"its PIN is not read from --passphrase-fd (give --pkcs11-pin-fd N)"* ]] &&
	t_ok "--passphrase-fd alone: the token slots are passed over, the passphrase is never sent as a PIN" ||
	t_fail "passphrase fd without a PIN fd" "exit $RC" "$ERR"
SOFTHSM2_CONF=$T_WORK/none.conf
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$T_WORK/no-tokens" >"$SOFTHSM2_CONF"
fsp identifier --slots "$S" --pkcs11-pin-fd 3 --passphrase-fd 4 3<<<"$PIN" 4<<<"fallback words"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] &&
	[[ $ERR == *"slot 0 (pkcs11): token fsp-b is not present; trying the next protector"* ]] &&
	t_ok "the token absent: one line, no PIN read, and the passphrase opens" ||
	t_fail "token absent" "exit $RC" "$ERR"
SOFTHSM2_CONF=$T_WORK/softhsm2.conf

# The image: embed's manifest names the companion and each module the
# initramfs entry's pkcs11 slots load, where the slots name them.
printf 'data /data slots:%s vault initramfs,identifier=%s\n' "$S" "$ID" >"$T_WORK/tab"
mkdir "$T_WORK/manifest"
fsp embed --tab "$T_WORK/tab" --manifest "$T_WORK/manifest"
mods=$(printf '%s\n' "$OUT" | awk -F'\t' '$1 == "binary" && $3 ~ /softhsm/ {print $3}' | sort -u | tr '\n' ' ')
want=$("${FSP_CMD[@]}" slots --slots "$S" --json | grep -o '"module": "[^"]*"' | cut -d'"' -f4 | sort -u | tr '\n' ' ')
if [ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -q "^binary	[^	]*/fscrypt-provision-pkcs11	/usr/lib/fscrypt-provision/fscrypt-provision-pkcs11	required" &&
	[ -n "$mods" ] && [ "$mods" = "$want" ]; then
	t_ok "embed --manifest: the PKCS#11 companion and each module its pkcs11 slots name ($mods)"
else
	t_fail "embed --manifest with pkcs11 slots" "exit $RC" "$OUT" "$ERR"
fi

# The PIN is in no argv: the companion's command line is the operation,
# the module, the URI, the mechanism and the wrapped secret.
if [ -n "${FSP_UNDER_VALGRIND-}" ]; then
	t_ok "# skipped under valgrind: strace of the argv"
else
	# LeakSanitizer cannot run under ptrace: off for this one run.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -s 4096 -e trace=execve,execveat -o "$T_WORK/strace" "${FSP_CMD[@]}" identifier --keyring "$KR" \
		--slots "$S" --pkcs11-pin-fd 3 3<<<"$PIN" >/dev/null 2>&1
	if grep -q 'execve[at]*(.*, \["[^"]*/fscrypt-provision-pkcs11", "check"' "$T_WORK/strace" &&
		grep -q 'execve[at]*(.*, \["[^"]*/fscrypt-provision-pkcs11", "unlock", "/' "$T_WORK/strace" &&
		! grep -q "$PIN" "$T_WORK/strace"; then
		t_ok "the companion's argv holds the operation, module, URI and wrapped secret, never the PIN"
	else
		t_fail "the PIN is in no argv" "$(grep -E 'execve(at)?\(' "$T_WORK/strace" | cut -c1-300)"
	fi
fi

exit $((T_FAILED > 0))
