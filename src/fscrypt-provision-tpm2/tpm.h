/* SPDX-License-Identifier: MIT */
/*
 * The companion's TPM work, through the TSS's ESAPI: a sealed object under
 * the owner hierarchy's standard ECC primary, whose policy is PolicyPCR
 * (SHA-256 bank) then, with a PIN, PolicyAuthValue, so that the PIN is
 * checked by the TPM, under its dictionary-attack protection. Every session is
 * salted with the primary and encrypts its parameters: neither the PIN's HMAC
 * key nor the secret crosses the bus in the clear.
 */
#ifndef FSP_FSCRYPT_PROVISION_TPM2_TPM_H
#define FSP_FSCRYPT_PROVISION_TPM2_TPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fscrypt-provision-tpm2/pcr.h"

struct tpm_policy {
	uint32_t pcrs;		     /* SHA-256 bank */
	bool pin;		     /* PolicyAuthValue: the PIN is the auth */
	const struct boot_pcr *boot; /* seal: this boot's record, or NULL */
	bool system;	      /* seal: to the running system's boot PCR value */
	uint32_t signed_pcrs; /* PolicyAuthorize over these, or 0 */
	const uint8_t *signer; /* seal: the key's RSAPublicKey DER */
	size_t signer_len;
	const uint8_t *sigs; /* unseal: signed.h's records */
	size_t sigs_len;
};

/* Each returns a COMPANION_EXIT_* code, with a message in why. */
int tpm_seal(const char *tcti, const struct tpm_policy *p, const uint8_t *auth,
	     size_t alen, const uint8_t *secret, size_t slen, uint8_t *blob,
	     size_t cap, size_t *blen, char *why, size_t wn);
/* With auth NULL, checks the policy and (with a PIN) the lockout only:
 * *left is the wrong PINs the TPM still allows. */
int tpm_unseal(const char *tcti, const struct tpm_policy *p,
	       const uint8_t *auth, size_t alen, const uint8_t *blob,
	       size_t blen, uint8_t *secret, size_t cap, size_t *slen,
	       unsigned *left, char *why, size_t wn);

/* The extend operation: the boot PCR's SHA-256 values around it. */
int tpm_extend_boot(const char *tcti, uint8_t before[PCR_SIZE],
		    uint8_t after[PCR_SIZE], char *why, size_t wn);
/* Flushes every transient object and loaded session (flush.c); *n is how
 * many. */
int tpm_flush(const char *tcti, unsigned *n, char *why, size_t wn);

#endif
