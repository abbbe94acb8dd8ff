# shellcheck shell=bash
# A SoftHSM2 token for the pkcs11 tests, in a token directory of the
# test's own (SOFTHSM2_CONF): sourced after lib.sh.
#
#   p11_token LABEL PIN RSA-ID EC-ID
# makes token LABEL with user PIN PIN, an RSA-2048 key pair "rsa-key" of
# CKA_ID RSA-ID and an EC P-256 one "ec-key" of EC-ID (hex), with opensc's
# pkcs11-tool; the test fails and stops when it cannot.

P11_MOD=/usr/lib/softhsm/libsofthsm2.so

p11_token() {
	local label=$1 pin=$2 f
	for f in "$P11_MOD" "$(command -v pkcs11-tool)" "$(command -v softhsm2-util)"; do
		[ -e "$f" ] || {
			t_fail "$f is there (tools/packages: softhsm2, opensc)"
			exit 1
		}
	done
	export SOFTHSM2_CONF=$T_WORK/softhsm2.conf
	mkdir -p "$T_WORK/tokens"
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$T_WORK/tokens" >"$SOFTHSM2_CONF"
	softhsm2-util --init-token --free --label "$label" --so-pin 13579135 --pin "$pin" >/dev/null &&
		pkcs11-tool --module "$P11_MOD" --token-label "$label" --login --pin "$pin" --keypairgen \
			--key-type rsa:2048 --id "$3" --label rsa-key >/dev/null 2>&1 &&
		pkcs11-tool --module "$P11_MOD" --token-label "$label" --login --pin "$pin" --keypairgen \
			--key-type EC:prime256v1 --id "$4" --label ec-key >/dev/null 2>&1 || {
		t_fail "a SoftHSM2 token with an RSA and an EC key pair"
		exit 1
	}
}
