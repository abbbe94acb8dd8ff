/* SPDX-License-Identifier: MIT */
/* Getting the master key out of a slots file: programs first, then people. */
#ifndef FSP_KEYSOURCE_UNWRAP_H
#define FSP_KEYSOURCE_UNWRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/secmem.h"
#include "kernel/fscrypt_uapi.h"
#include "keysource/unwrap_params.h"
#include "shared/problem.h"

/*
 * Unwraps the master key of slots file path into key (locked) and sets id
 * to its identifier. Tries every tpm2 slot, then every exec slot, silently
 * (a refusal is one line in the log), then asks for
 * a passphrase or recovery key up to up->tries times. Returns 0, or
 * -EKEYREJECTED (no protector accepted what it was given), -ENOKEY (the
 * file has no slot that could be tried), -ETIME (nobody answered within
 * up->password_timeout), or another -errno for a file that is missing,
 * unsafe or damaged; detail says which.
 */
int slots_unwrap(const char *path, const struct unwrap_params *up,
		 struct secbuf *key, uint8_t id[FSP_KEY_IDENTIFIER_SIZE],
		 struct fsp_problem *detail);

#endif
