/* SPDX-License-Identifier: MIT */
/* The companion's ESAPI groundwork: the connection, the storage primary,
 * salted sessions, the policy, and what the TPM's answers mean. */
#ifndef FSP_FSCRYPT_PROVISION_TPM2_ESYS_H
#define FSP_FSCRYPT_PROVISION_TPM2_ESYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_esys.h>

struct tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR primary, session, object, signer;
};

/* Sets why (with the TSS's words for rc, when not 0); returns code, or
 * for an rc that says the TPM is full, COMPANION_EXIT_FULL and why so. */
int tss_why(char *why, size_t wn, int code, const char *what, TSS2_RC rc);
/* A COMPANION_EXIT_* code for a TPM's answer. */
int rc_code(TSS2_RC rc);
/* Connects over tcti ("auto", a device path or a TCTI string). Returns a
 * COMPANION_EXIT_* code; tpm_close always. */
int tpm_connect(struct tpm *t, const char *tcti, char *why, size_t wn);
/* Connects, and makes the storage primary. The same. */
int tpm_open(struct tpm *t, const char *tcti, char *why, size_t wn);
void tpm_close(struct tpm *t);
/* A session salted with the primary, into t->session. */
int start_session(struct tpm *t, TPM2_SE type, char *why, size_t wn);
TPML_PCR_SELECTION pcr_selection(uint32_t pcrs);
/* PolicyPCR (of values, a pcrDigest, or the current values when NULL)
 * and, with pin, PolicyAuthValue on t->session; its digest into *digest
 * (Esys_Free it). */
int run_policy(struct tpm *t, uint32_t pcrs, const TPM2B_DIGEST *values,
	       bool pin, TPM2B_DIGEST **digest, char *why, size_t wn);

#endif
