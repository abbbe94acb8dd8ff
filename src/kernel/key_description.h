/* SPDX-License-Identifier: MIT */
/* Volume names and the description of provisioning keys. */
#ifndef FSP_KERNEL_KEY_DESCRIPTION_H
#define FSP_KERNEL_KEY_DESCRIPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fscrypt_uapi.h"

#define FSP_DESC_PREFIX "fscrypt-provision:"
#define FSP_VOLUME_MAX 64
/* prefix + volume + ':' + 32 hex + NUL */
#define FSP_DESC_MAX (sizeof(FSP_DESC_PREFIX) + FSP_VOLUME_MAX + 1 + 32 + 1)

/*
 * Volume names: 1-64 of [A-Za-z0-9_.+@-], not starting with '.' or '-'.
 * Narrow on purpose: names end up in key descriptions, unit names and
 * file names, and no escaping is then ever needed.
 */
bool volume_name_valid(const char *name);

/* "fscrypt-provision:<volume>:<identifier hex>". Returns 0 or -EINVAL. */
int description_encode(const char *volume,
		       const uint8_t id[FSP_KEY_IDENTIFIER_SIZE], char *buf,
		       size_t bufsz);
/* Strict inverse of description_encode(); -EINVAL for foreign keys. */
int description_decode(const char *desc, char ret_volume[FSP_VOLUME_MAX + 1],
		       uint8_t ret_id[FSP_KEY_IDENTIFIER_SIZE]);

#endif
