/* SPDX-License-Identifier: MIT */
/* Unwrapping through the slots that ask for a PIN: a TPM's
 * (keysource/unwrap_pin.c) and a PKCS#11 token's (unwrap_pkcs11.c). */
#ifndef FSP_KEYSOURCE_UNWRAP_PIN_H
#define FSP_KEYSOURCE_UNWRAP_PIN_H

#include <stddef.h>

#include "basic/secmem.h"
#include "keysource/unwrap_params.h"
#include "shared/problem.h"

struct slots_file;
/*
 * Each tpm2 slot with a PIN whose PCRs hold, asking for its PIN up to
 * up->tries times. 0 with the key, or -errno with detail set.
 */
int try_pin_slots(const struct slots_file *f, const struct unwrap_params *up,
		  struct secbuf *key, struct fsp_problem *detail);
/*
 * Each pkcs11 slot whose token is present, asking for the token's PIN up
 * to up->tries times (keysource/unwrap_pkcs11.c). 0 with the key, or
 * -errno with detail set.
 */
int try_pkcs11_slots(const struct slots_file *f, const struct unwrap_params *up,
		     struct secbuf *key, struct fsp_problem *detail);

#endif
