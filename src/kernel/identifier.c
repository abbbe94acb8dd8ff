// SPDX-License-Identifier: MIT
/* The fscrypt v2 key identifier, computed in userspace. */
#include "kernel/identifier.h"

#include <errno.h>
#include <stdbool.h>
#include <sodium.h>
#include <string.h>

#include "basic/secmem.h"

/*
 * libsodium 1.0.18 (Debian 12) has HMAC-SHA512 but not yet the HKDF API of
 * 1.0.19, so HKDF's two steps (RFC 5869) are spelled out on top of its HMAC.
 * sodium_init() is deliberately not called: HMAC needs no initialisation, and
 * sodium_init() seeds the RNG, which can block early in boot on machines
 * without a hardware RNG. The initramfs is exactly that place.
 */
int fscrypt_key_identifier(const uint8_t *key, size_t key_len,
			   uint8_t ret_id[FSP_KEY_IDENTIFIER_SIZE])
{
	/* fs/crypto: "fscrypt\0" then HKDF_CONTEXT_KEY_IDENTIFIER (1). */
	static const uint8_t info[] = {'f', 's', 'c', 'r', 'y', 'p', 't', 0, 1};
	static const uint8_t counter = 1;
	static const uint8_t empty_salt[1];
	static crypto_auth_hmacsha512_state salt_st;
	static bool salt_ready;
	crypto_auth_hmacsha512_state st;
	uint8_t prk[crypto_auth_hmacsha512_BYTES];
	uint8_t okm[crypto_auth_hmacsha512_BYTES];

	if (!key || key_len < FSP_MIN_KEY_SIZE || key_len > FSP_MAX_KEY_SIZE)
		return -EINVAL;

	/*
	 * Extract: an empty salt is HMAC with a zero-length key, whose padded
	 * blocks are the same for every key: hashed once per process, which
	 * saves two of the eight SHA-512 blocks per key. The state holds no
	 * secret.
	 */
	if (!salt_ready) {
		crypto_auth_hmacsha512_init(&salt_st, empty_salt, 0);
		salt_ready = true;
	}
	st = salt_st;
	crypto_auth_hmacsha512_update(&st, key, key_len);
	crypto_auth_hmacsha512_final(&st, prk);

	/* Expand: one block, T(1) = HMAC(PRK, info || 0x01). */
	crypto_auth_hmacsha512_init(&st, prk, sizeof(prk));
	crypto_auth_hmacsha512_update(&st, info, sizeof(info));
	crypto_auth_hmacsha512_update(&st, &counter, 1);
	crypto_auth_hmacsha512_final(&st, okm);

	memcpy(ret_id, okm, FSP_KEY_IDENTIFIER_SIZE);
	secure_wipe(prk, sizeof(prk));
	secure_wipe(okm, sizeof(okm));
	secure_wipe(&st, sizeof(st));
	return 0;
}

bool is_identifier_hex(const char *s)
{
	uint8_t tmp[FSP_KEY_IDENTIFIER_SIZE];

	return s && hex_decode(s, strlen(s), tmp, sizeof(tmp)) == 0;
}
