/* SPDX-License-Identifier: MIT */
/*
 * The companion's PCRs: reading them, the refusal of PCRs nothing
 * measured, policy digests from given values, and the extension of the
 * boot PCR (TPM2_BOOT_PCR) that ends unsealing once the initramfs is done.
 * SHA-256 bank only, as the slots' policies.
 */
#ifndef FSP_FSCRYPT_PROVISION_TPM2_PCR_H
#define FSP_FSCRYPT_PROVISION_TPM2_PCR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fscrypt-provision-tpm2/esys.h"

#define PCR_SIZE 32

/* The boot PCR around the initramfs's extension on this boot, as the
 * helper recorded it. */
struct boot_pcr {
	uint8_t before[PCR_SIZE];
	uint8_t after[PCR_SIZE];
};

/* Each returns a COMPANION_EXIT_* code, with a message in why. */
int pcr_read(struct tpm *t, unsigned pcr, uint8_t v[PCR_SIZE], char *why,
	     size_t wn);
/* Refuses (COMPANION_EXIT_UNENFORCED) a PCR of pcrs at its reset value. */
int pcrs_extended(struct tpm *t, uint32_t pcrs, char *why, size_t wn);
/*
 * PolicyPCR's pcrDigest for pcrs: the current values, but the boot PCR's
 * value at the next boot's initramfs (its current value if nothing
 * extended it yet, or b's before when it holds b's after; else
 * COMPANION_EXIT_BOOT_PCR), or with system, that value extended once: the
 * next boot's running system's, until fscrypt-provision ends its phase.
 */
int pcr_policy_digest(struct tpm *t, uint32_t pcrs, const struct boot_pcr *b,
		      bool system, TPM2B_DIGEST *out, char *why, size_t wn);
/* Extends the boot PCR in every bank; its SHA-256 values around it. */
int pcr_extend_boot(struct tpm *t, uint8_t before[PCR_SIZE],
		    uint8_t after[PCR_SIZE], char *why, size_t wn);

#endif
