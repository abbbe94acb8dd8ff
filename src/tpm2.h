/* SPDX-License-Identifier: MIT */
/*
 * Sealing and unsealing a slot's secret with the TPM, through systemd-creds:
 * the helper stays static and speaks no TPM itself. The secret travels in
 * pipes only, into locked memory.
 */
#ifndef FSP_TPM2_H
#define FSP_TPM2_H

#include <stddef.h>
#include <stdint.h>

#include "secmem.h"
#include "slots_tpm2.h"

#define TPM2_DEVICE_AUTO "/dev/tpmrm0"
#define TPM2_SECRET_SIZE 32

struct tpm2_opts {
	const char *device;    /* "auto" (NULL), a device path or a TCTI */
	const char *signature; /* PCR signature JSON; NULL: the usual places */
};

struct tpm2_seal_req {
	const char *device;
	uint32_t pcrs;	      /* fixed PCRs */
	const char *pubkey;   /* PEM, for a signed policy; NULL for none */
	uint32_t pubkey_pcrs; /* PCRs the signatures cover */
};

/*
 * Seals secret into t (its blob in blob, cap bytes; bank and masks read
 * back from the credential). Returns 0, or -errno with why set; a seal to
 * PCRs that were never extended is refused (-EDOM).
 */
int tpm2_seal(const struct tpm2_seal_req *q, const uint8_t *secret, size_t len,
	      struct tpm2_slot *t, uint8_t *blob, size_t cap, char *why,
	      size_t wn);

/*
 * Unseals t's secret into out (locked). Returns 0, or -errno with why set:
 * -ENODEV (no TPM), -EKEYREJECTED (the TPM refused: PCRs, signature,
 * lockout), -EBADMSG (damaged), or another.
 */
int tpm2_unseal(const struct tpm2_opts *o, const struct tpm2_slot *t,
		struct secbuf *out, char *why, size_t wn);

/* The signature file tpm2_unseal would use: o's, or the first that exists
 * of the usual places; NULL when none does. */
const char *tpm2_signature_path(const struct tpm2_opts *o);

#endif
