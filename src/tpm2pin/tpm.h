/* SPDX-License-Identifier: MIT */
/*
 * The companion's TPM work, through the TSS's ESAPI: a sealed object under
 * the owner hierarchy's standard ECC primary, whose policy is PolicyPCR
 * (SHA-256 bank) then PolicyAuthValue, so that the PIN is checked by the
 * TPM, under its dictionary-attack protection. Every session is salted
 * with the primary and encrypts its parameters: neither the PIN's HMAC key
 * nor the secret crosses the bus in the clear.
 */
#ifndef FSP_TPM2PIN_TPM_H
#define FSP_TPM2PIN_TPM_H

#include <stddef.h>
#include <stdint.h>

/* Each returns a TPM2_PIN_EXIT_* code, with a message in why. */
int tpm_seal(const char *tcti, uint32_t pcrs, const uint8_t *auth, size_t alen,
	     const uint8_t *secret, size_t slen, uint8_t *blob, size_t cap,
	     size_t *blen, char *why, size_t wn);
/* With auth NULL, checks the policy and the lockout only: *left is the
 * wrong PINs the TPM still allows. */
int tpm_unseal(const char *tcti, uint32_t pcrs, const uint8_t *auth,
	       size_t alen, const uint8_t *blob, size_t blen, uint8_t *secret,
	       size_t cap, size_t *slen, unsigned *left, char *why, size_t wn);

#endif
