/* SPDX-License-Identifier: MIT */
/*
 * Signed PCR policies in the companion: TPM2_PolicyAuthorize by an RSA key
 * whose signatures systemd-measure makes (RSASSA-PKCS1-v1_5 with SHA-256
 * over a PolicyPCR digest, the "pol" of a signature file). The policy is
 * PolicyAuthorize first, then the fixed PCRs (the boot PCR among them),
 * then the PIN, as systemd orders them.
 */
#ifndef FSP_FSCRYPT_PROVISION_TPM2_SIGNED_H
#define FSP_FSCRYPT_PROVISION_TPM2_SIGNED_H

#include <stddef.h>
#include <stdint.h>

#include "fscrypt-provision-tpm2/esys.h"

#define SIGNED_POL_SIZE 32

/* The signing key from its RSAPublicKey DER (the bits of a PEM "PUBLIC
 * KEY", as systemd fingerprints them). COMPANION_EXIT_USAGE when it is not
 * one. */
int signer_from_der(const uint8_t *der, size_t len, TPM2B_PUBLIC *key,
		    char *why, size_t wn);

/* Loads key (public only) into t->signer, and its Name into name. */
int signer_load(struct tpm *t, const TPM2B_PUBLIC *key, TPM2B_NAME *name,
		char *why, size_t wn);

/* PolicyAuthorize in a trial session: binds the policy to the key. */
int signed_trial(struct tpm *t, const TPM2B_NAME *name, char *why, size_t wn);

/*
 * In a policy session: PolicyPCR on pcrs (their values now), then the
 * signature among sigs (len bytes of "pol, le16 size, sig" records) whose
 * pol is that digest, checked by the TPM, then PolicyAuthorize.
 * COMPANION_EXIT_SIGNATURE when no record is for this boot's values,
 * COMPANION_EXIT_BAD_SIGNATURE when the TPM refuses its signature.
 */
int signed_authorize(struct tpm *t, uint32_t pcrs, const TPM2B_NAME *name,
		     const uint8_t *sigs, size_t len, char *why, size_t wn);

#endif
