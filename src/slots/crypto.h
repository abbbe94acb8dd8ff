/* SPDX-License-Identifier: MIT */
/* One slot's key wrapping: KEK derivation and AEAD (libsodium). */
#ifndef FSP_SLOTS_CRYPTO_H
#define FSP_SLOTS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "basic/secmem.h"
#include "slots/format.h"

#define SLOT_KEK_SIZE 32

/* Call once before the functions below: 0 or -EIO. */
int slots_crypto_init(void);
/*
 * The key-encryption key of slot s for secret: Argon2id with the slot's
 * costs, or keyed BLAKE2b. 0, -ENOMEM (Argon2id could not get its
 * memory) or -EOPNOTSUPP (a KDF this version does not know).
 */
int slot_kek(const struct slot *s, const uint8_t *secret, size_t len,
	     uint8_t kek[SLOT_KEK_SIZE]);
/* Fills s->nonce and s->wrapped from key. 0 or -EINVAL/-EIO. */
int slot_wrap(const struct slots_file *f, struct slot *s,
	      const uint8_t kek[SLOT_KEK_SIZE], const struct secbuf *key);
/*
 * Unwraps s into key (locked). 0; -EKEYREJECTED when the KEK is wrong or
 * the slot was changed; -EBADMSG when the key does not have the file's
 * identifier.
 */
int slot_unwrap(const struct slots_file *f, const struct slot *s,
		const uint8_t kek[SLOT_KEK_SIZE], struct secbuf *key);
/* A new slot: number, type, creation time, its KDF and a random salt. */
void slot_init(struct slot *s, unsigned number, enum slot_type type);
/* slot_kek, then slot_wrap or slot_unwrap; the KEK is wiped. */
int slot_seal_secret(const struct slots_file *f, struct slot *s,
		     const uint8_t *secret, size_t len,
		     const struct secbuf *key);
int slot_open_secret(const struct slots_file *f, const struct slot *s,
		     const uint8_t *secret, size_t len, struct secbuf *key);

#endif
