/* SPDX-License-Identifier: MIT */
/* The fscrypt v2 key identifier, computed in userspace. */
#ifndef FSP_KERNEL_IDENTIFIER_H
#define FSP_KERNEL_IDENTIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/hex.h"
#include "kernel/fscrypt_uapi.h"
#include "kernel/identifier.h"

#define FSP_IDENTIFIER_HEX_LEN (2 * FSP_KEY_IDENTIFIER_SIZE)

/*
 * identifier = HKDF-SHA512(ikm = key, salt = "", info = "fscrypt\0" 0x01),
 * first 16 bytes, exactly as fs/crypto/hkdf.c derives it. Returns 0, or
 * -EINVAL for a key size the kernel would refuse.
 */
int fscrypt_key_identifier(const uint8_t *key, size_t key_len,
			   uint8_t ret_id[FSP_KEY_IDENTIFIER_SIZE]);

/* True for a 32-hex-digit fscrypt identifier. */
bool is_identifier_hex(const char *s);

#endif
