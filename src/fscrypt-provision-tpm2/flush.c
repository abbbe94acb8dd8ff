// SPDX-License-Identifier: MIT
/*
 * The companion's flush (tpm.h): every transient object and loaded session
 * of a TPM that no resource manager stands in front of. There, what a
 * program leaves loaded stays until someone flushes it, and systemd-creds
 * 252 leaves two objects and two sessions after each failure: the TPM,
 * which holds three of each, is full after one, and every later use fails
 * for that. Nothing is made here, so it works on a full TPM.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <tss2/tss2_esys.h>

#include "fscrypt-provision-tpm2/esys.h"
#include "fscrypt-provision-tpm2/tpm.h"
#include "shared/companion_protocol.h"

/* Bounds the lists asked for: each is all the TPM has of a kind, which
 * fits one answer on every TPM we know. */
#define FLUSH_ROUNDS 8

/* Every handle of the kind that first starts (TPM2_HT_* << 24). */
static int flush_kind(struct tpm *t, TPM2_HANDLE first, unsigned *n, char *why,
		      size_t wn)
{
	for (int round = 0; round < FLUSH_ROUNDS; round++) {
		TPMS_CAPABILITY_DATA *cap = NULL;
		TPMI_YES_NO more = TPM2_NO;
		unsigned done = 0;
		TSS2_RC rc;

		rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
					ESYS_TR_NONE, TPM2_CAP_HANDLES, first,
					TPM2_MAX_CAP_HANDLES, &more, &cap);
		if (rc)
			return tss_why(why, wn, COMPANION_EXIT_FAILED,
				       "the TPM did not list its handles", rc);
		for (UINT32 i = 0; i < cap->data.handles.count; i++) {
			ESYS_TR tr = ESYS_TR_NONE;

			/* One gone meanwhile is no failure: it is gone. */
			if (Esys_TR_FromTPMPublic(t->esys,
						  cap->data.handles.handle[i],
						  ESYS_TR_NONE, ESYS_TR_NONE,
						  ESYS_TR_NONE, &tr) == 0 &&
			    Esys_FlushContext(t->esys, tr) == 0)
				done++;
		}
		Esys_Free(cap);
		*n += done;
		if (!more || !done)
			break;
	}
	return COMPANION_EXIT_OK;
}

int tpm_flush(const char *tcti, unsigned *n, char *why, size_t wn)
{
	struct tpm t;
	int code = tpm_connect(&t, tcti, why, wn);

	*n = 0;
	if (code == 0)
		code = flush_kind(&t, TPM2_TRANSIENT_FIRST, n, why, wn);
	if (code == 0)
		code = flush_kind(&t, TPM2_LOADED_SESSION_FIRST, n, why, wn);
	tpm_close(&t);
	return code;
}
