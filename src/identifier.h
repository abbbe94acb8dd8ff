/* SPDX-License-Identifier: MIT */
/* The fscrypt v2 key identifier, computed in userspace. */
#ifndef FSP_IDENTIFIER_H
#define FSP_IDENTIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "fscrypt_uapi.h"
#include "hex.h"

/*
 * identifier = HKDF-SHA512(ikm = key, salt = "", info = "fscrypt\0" 0x01),
 * first 16 bytes, exactly as fs/crypto/hkdf.c derives it. Returns 0, or
 * -EINVAL for a key size the kernel would refuse.
 */
int fscrypt_key_identifier(const uint8_t *key, size_t key_len,
			   uint8_t ret_id[FSP_KEY_IDENTIFIER_SIZE]);

#endif
