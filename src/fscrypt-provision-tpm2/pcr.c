// SPDX-License-Identifier: MIT
/* The companion's PCR work (pcr.h). */
#define _GNU_SOURCE
#include "fscrypt-provision-tpm2/pcr.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "shared/companion_protocol.h"

static const char boot_event[] = TPM2_BOOT_EVENT;

int pcr_read(struct tpm *t, unsigned pcr, uint8_t v[PCR_SIZE], char *why,
	     size_t wn)
{
	TPML_PCR_SELECTION sel = pcr_selection(1u << pcr);
	TPML_DIGEST *d = NULL;
	TSS2_RC rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, &sel, NULL, NULL, &d);
	int code = COMPANION_EXIT_OK;

	if (rc || d->count != 1 || d->digests[0].size != PCR_SIZE)
		code = tss_why(why, wn, COMPANION_EXIT_FAILED,
			       "the TPM did not give its SHA-256 PCRs", rc);
	else
		memcpy(v, d->digests[0].buffer, PCR_SIZE);
	Esys_Free(d);
	return code;
}

/* All zeros (0-15) or all ones (17-22, the dynamic root of trust's,
 * until a late launch): the reset value, which nothing measured. */
static bool pcr_unset(const uint8_t v[PCR_SIZE])
{
	static const uint8_t zero[PCR_SIZE];
	uint8_t ones[PCR_SIZE];

	memset(ones, 0xff, sizeof(ones));
	return !memcmp(v, zero, PCR_SIZE) || !memcmp(v, ones, PCR_SIZE);
}

int pcrs_extended(struct tpm *t, uint32_t pcrs, char *why, size_t wn)
{
	uint8_t v[PCR_SIZE];

	for (unsigned i = 0; i < 24; i++) {
		int code;

		if (!(pcrs & (1u << i)))
			continue;
		code = pcr_read(t, i, v, why, wn);
		if (code)
			return code;
		if (pcr_unset(v)) {
			snprintf(why, wn,
				 "PCR %u of the SHA-256 bank was never "
				 "extended on this boot (it holds its reset "
				 "value): a policy on it would bind nothing",
				 i);
			return COMPANION_EXIT_UNENFORCED;
		}
	}
	return COMPANION_EXIT_OK;
}

/* SHA-256 of n bytes at p, by the TPM (the companion has no hash of its
 * own). */
static int tpm_sha256(struct tpm *t, const uint8_t *p, size_t n,
		      uint8_t out[PCR_SIZE], char *why, size_t wn)
{
	TPM2B_MAX_BUFFER in = {.size = (UINT16)n};
	TPMT_TK_HASHCHECK *ticket = NULL;
	TPM2B_DIGEST *d = NULL;
	TSS2_RC rc;

	memcpy(in.buffer, p, n);
	rc = Esys_Hash(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &in,
		       TPM2_ALG_SHA256, ESYS_TR_RH_NULL, &d, &ticket);
	if (rc == 0 && d->size == PCR_SIZE)
		memcpy(out, d->buffer, PCR_SIZE);
	else if (rc == 0)
		rc = TPM2_RC_SIZE;
	Esys_Free(d);
	Esys_Free(ticket);
	return rc ? tss_why(why, wn, COMPANION_EXIT_FAILED,
			    "the TPM did not hash the PCR values", rc)
		  : COMPANION_EXIT_OK;
}

/* v extended once by the boot event, as the TPM's PCR_Event does it in
 * the SHA-256 bank: SHA-256(v || SHA-256(event)). */
static int extended_once(struct tpm *t, uint8_t v[PCR_SIZE], char *why,
			 size_t wn)
{
	uint8_t both[2 * PCR_SIZE];

	memcpy(both, v, PCR_SIZE);
	int code = tpm_sha256(t, (const uint8_t *)boot_event,
			      sizeof(boot_event) - 1, both + PCR_SIZE, why, wn);
	return code ? code : tpm_sha256(t, both, sizeof(both), v, why, wn);
}

/*
 * The value the boot PCR will hold at the next boot when the initramfs
 * unseals: its value now if nothing extended it yet on this boot, or
 * the value before the initramfs's extension, which the helper passes on
 * (b) and which holds only while the PCR is still what that extension
 * left. For the system phase, that value extended once: what the running
 * system finds until fscrypt-provision extends it again there.
 */
static int boot_value(struct tpm *t, const struct boot_pcr *b, bool system,
		      uint8_t v[PCR_SIZE], char *why, size_t wn)
{
	static const uint8_t zero[PCR_SIZE];
	int code = pcr_read(t, TPM2_BOOT_PCR, v, why, wn);

	if (code)
		return code;
	if (memcmp(v, zero, PCR_SIZE) && b && !memcmp(v, b->after, PCR_SIZE))
		memcpy(v, b->before, PCR_SIZE);
	else if (memcmp(v, zero, PCR_SIZE)) {
		snprintf(why, wn,
			 "PCR %d was extended on this boot, and not (or not "
			 "only) by fscrypt-provision in the initramfs: its "
			 "value at the next boot cannot be known here; enroll "
			 "from the initramfs, or after a boot whose initramfs "
			 "ran fscrypt-provision",
			 TPM2_BOOT_PCR);
		return COMPANION_EXIT_BOOT_PCR;
	}
	return system ? extended_once(t, v, why, wn) : COMPANION_EXIT_OK;
}

int pcr_policy_digest(struct tpm *t, uint32_t pcrs, const struct boot_pcr *b,
		      bool system, TPM2B_DIGEST *out, char *why, size_t wn)
{
	uint8_t all[24 * PCR_SIZE];
	size_t n = 0;
	int code = COMPANION_EXIT_OK;

	/* The PCRs' values in the selection's order, as PolicyPCR hashes
	 * them: ascending, one bank. */
	for (unsigned i = 0; code == 0 && i < 24; i++) {
		if (!(pcrs & (1u << i)))
			continue;
		code = i == TPM2_BOOT_PCR
			   ? boot_value(t, b, system, all + n, why, wn)
			   : pcr_read(t, i, all + n, why, wn);
		n += PCR_SIZE;
	}
	if (code)
		return code;
	out->size = PCR_SIZE;
	return tpm_sha256(t, all, n, out->buffer, why, wn);
}

int pcr_extend_boot(struct tpm *t, uint8_t before[PCR_SIZE],
		    uint8_t after[PCR_SIZE], char *why, size_t wn)
{
	TPM2B_EVENT ev = {.size = sizeof(boot_event) - 1};
	TPML_DIGEST_VALUES *d = NULL;
	int code = pcr_read(t, TPM2_BOOT_PCR, before, why, wn);
	TSS2_RC rc;

	if (code)
		return code;
	memcpy(ev.buffer, boot_event, ev.size);
	/* PCR_Event: the TPM hashes the event into every active bank. */
	rc = Esys_PCR_Event(t->esys, ESYS_TR_PCR0 + TPM2_BOOT_PCR,
			    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &ev,
			    &d);
	Esys_Free(d);
	if (rc)
		return tss_why(why, wn, COMPANION_EXIT_FAILED,
			       "the TPM did not extend the boot PCR", rc);
	return pcr_read(t, TPM2_BOOT_PCR, after, why, wn);
}
