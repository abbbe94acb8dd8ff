// SPDX-License-Identifier: MIT
/*
 * Wrapping and unwrapping a master key in one slot: a key-encryption key
 * from the protector's secret, then XChaCha20-Poly1305 (libsodium) bound
 * to the header and the slot's own fields.
 */
#define _GNU_SOURCE
#include "slots/crypto.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "kernel/identifier.h"
#include "slots/pbkdf.h"

/*
 * sodium_init() picks the fastest Argon2 and ChaCha20 code for this CPU;
 * without it libsodium runs its reference code, about twice as slow. It
 * also prepares the RNG, which only enrollment needs.
 */
int slots_crypto_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

int slot_kek(const struct slot *s, const uint8_t *secret, size_t len,
	     uint8_t kek[SLOT_KEK_SIZE])
{
	if (s->kdf == SLOT_KDF_ARGON2ID) {
		return pbkdf_derive(kek, SLOT_KEK_SIZE, secret, len, s->salt,
				    s->opslimit, (size_t)s->memlimit);
	}
	if (s->kdf == SLOT_KDF_BLAKE2B) {
		/* High-entropy secrets need no stretching, only a salt. */
		crypto_generichash(kek, SLOT_KEK_SIZE, secret, len, s->salt,
				   SLOT_SALT_SIZE);
		return 0;
	}
	return -EOPNOTSUPP;
}

int slot_wrap(const struct slots_file *f, struct slot *s,
	      const uint8_t kek[SLOT_KEK_SIZE], const struct secbuf *key)
{
	uint8_t ad[SLOTS_HEADER_SIZE + SLOT_RECORD_MAX];
	unsigned long long clen;
	size_t adlen;

	if (key->len != f->key_size)
		return -EINVAL;
	randombytes_buf(s->nonce, sizeof(s->nonce));
	adlen = slot_associated_data(f, s, ad);
	crypto_aead_xchacha20poly1305_ietf_encrypt(s->wrapped, &clen, key->data,
						   key->len, ad, adlen, NULL,
						   s->nonce, kek);
	return clen == key->len + SLOT_TAG_SIZE ? 0 : -EIO;
}

int slot_unwrap(const struct slots_file *f, const struct slot *s,
		const uint8_t kek[SLOT_KEK_SIZE], struct secbuf *key)
{
	uint8_t ad[SLOTS_HEADER_SIZE + SLOT_RECORD_MAX];
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	unsigned long long mlen;
	size_t adlen;
	int r;

	r = secbuf_alloc(key, f->key_size);
	if (r < 0)
		return r;
	adlen = slot_associated_data(f, s, ad);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		key->data, &mlen, NULL, s->wrapped,
		(unsigned long long)f->key_size + SLOT_TAG_SIZE, ad, adlen,
		s->nonce, kek) != 0) {
		secbuf_free(key);
		return -EKEYREJECTED;
	}
	key->len = (size_t)mlen;
	/*
	 * The tag already proves the key; the identifier check catches a
	 * file written with the wrong key before the kernel sees it.
	 */
	r = fscrypt_key_identifier(key->data, key->len, id);
	if (r == 0 && sodium_memcmp(id, f->identifier, sizeof(id)) != 0)
		r = -EBADMSG;
	if (r < 0)
		secbuf_free(key);
	return r;
}

void slot_init(struct slot *s, unsigned number, enum slot_type type)
{
	memset(s, 0, sizeof(*s));
	s->number = (uint16_t)number;
	s->type = (uint16_t)type;
	s->created = (uint64_t)time(NULL);
	s->kdf = type == SLOT_PASSPHRASE ? SLOT_KDF_ARGON2ID : SLOT_KDF_BLAKE2B;
	randombytes_buf(s->salt, sizeof(s->salt));
}

int slot_seal_secret(const struct slots_file *f, struct slot *s,
		     const uint8_t *secret, size_t len,
		     const struct secbuf *key)
{
	uint8_t kek[SLOT_KEK_SIZE];
	int r;

	r = slot_kek(s, secret, len, kek);
	if (r == 0)
		r = slot_wrap(f, s, kek, key);
	sodium_memzero(kek, sizeof(kek));
	return r;
}

int slot_open_secret(const struct slots_file *f, const struct slot *s,
		     const uint8_t *secret, size_t len, struct secbuf *key)
{
	uint8_t kek[SLOT_KEK_SIZE];
	int r;

	r = slot_kek(s, secret, len, kek);
	if (r == 0)
		r = slot_unwrap(f, s, kek, key);
	sodium_memzero(kek, sizeof(kek));
	return r;
}
