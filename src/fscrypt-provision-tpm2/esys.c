// SPDX-License-Identifier: MIT
/* The companion's ESAPI groundwork (esys.h). */
#define _GNU_SOURCE
#include "fscrypt-provision-tpm2/esys.h"

#include <stdio.h>
#include <string.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "shared/companion_protocol.h"

/* The TCG's standard storage key template (ECC P-256, AES-128-CFB): the
 * same primary comes back on every boot, so only the sealed object is
 * kept. */
static const TPM2B_PUBLIC primary_template = {
    .publicArea = {
	.type = TPM2_ALG_ECC,
	.nameAlg = TPM2_ALG_SHA256,
	.objectAttributes = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT |
			    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
			    TPMA_OBJECT_SENSITIVEDATAORIGIN |
			    TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA,
	.parameters.eccDetail = {.symmetric = {.algorithm = TPM2_ALG_AES,
					       .keyBits.aes = 128,
					       .mode.aes = TPM2_ALG_CFB},
				 .scheme.scheme = TPM2_ALG_NULL,
				 .curveID = TPM2_ECC_NIST_P256,
				 .kdf.scheme = TPM2_ALG_NULL},
	.unique.ecc = {.x.size = 32, .y.size = 32},
    }};

static const TPMT_SYM_DEF session_sym = {
    .algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB};

int tss_why(char *why, size_t wn, int code, const char *what, TSS2_RC rc)
{
	/* Whatever was being done, a full TPM is what to act on. */
	if (rc && rc_code(rc) == COMPANION_EXIT_FULL) {
		snprintf(why, wn, "%s (%s)", COMPANION_FULL_TEXT,
			 Tss2_RC_Decode(rc));
		return COMPANION_EXIT_FULL;
	}
	if (rc)
		snprintf(why, wn, "%s: %s", what, Tss2_RC_Decode(rc));
	else
		snprintf(why, wn, "%s", what);
	return code;
}

/* What a TPM's answer means for the person at the prompt. */
int rc_code(TSS2_RC rc)
{
	TSS2_RC e;

	if ((rc & TSS2_RC_LAYER_MASK) != TSS2_TPM_RC_LAYER)
		return COMPANION_EXIT_FAILED;
	if (rc & TPM2_RC_FMT1) {
		e = rc & (TPM2_RC_FMT1 | 0x3f);
		if (e == TPM2_RC_AUTH_FAIL || e == TPM2_RC_BAD_AUTH)
			return COMPANION_EXIT_BAD_PIN;
		if (e == TPM2_RC_POLICY_FAIL)
			return COMPANION_EXIT_PCR;
		if (e == TPM2_RC_INTEGRITY)
			return COMPANION_EXIT_DAMAGED;
		return COMPANION_EXIT_FAILED;
	}
	switch (rc) {
	case TPM2_RC_LOCKOUT:
		return COMPANION_EXIT_LOCKOUT;
	case TPM2_RC_OBJECT_MEMORY:
	case TPM2_RC_SESSION_MEMORY:
	case TPM2_RC_MEMORY:
	case TPM2_RC_SESSION_HANDLES:
		return COMPANION_EXIT_FULL;
	default:
		return COMPANION_EXIT_FAILED;
	}
}

int tpm_connect(struct tpm *t, const char *tcti, char *why, size_t wn)
{
	char conf[4200];
	TSS2_RC rc;

	t->tcti = NULL;
	t->esys = NULL;
	t->primary = t->session = t->object = t->signer = ESYS_TR_NONE;
	if (!strcmp(tcti, "auto"))
		tcti = "/dev/tpmrm0";
	if (tcti[0] == '/')
		snprintf(conf, sizeof(conf), "device:%s", tcti);
	else
		snprintf(conf, sizeof(conf), "%s", tcti);
	rc = Tss2_TctiLdr_Initialize(conf, &t->tcti);
	if (rc)
		return tss_why(why, wn, COMPANION_EXIT_NO_TPM,
			       "no TPM at that TCTI", rc);
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc)
		return tss_why(why, wn, COMPANION_EXIT_NO_TPM,
			       "the TPM does not answer", rc);
	return COMPANION_EXIT_OK;
}

int tpm_open(struct tpm *t, const char *tcti, char *why, size_t wn)
{
	int code = tpm_connect(t, tcti, why, wn);
	TSS2_RC rc;

	if (code)
		return code;
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
				ESYS_TR_NONE, ESYS_TR_NONE,
				&(TPM2B_SENSITIVE_CREATE){0}, &primary_template,
				&(TPM2B_DATA){0}, &(TPML_PCR_SELECTION){0},
				&t->primary, NULL, NULL, NULL, NULL);
	if (rc)
		return tss_why(why, wn, COMPANION_EXIT_FAILED,
			       "the TPM made no storage key (is the owner "
			       "hierarchy protected by a password?)",
			       rc);
	return COMPANION_EXIT_OK;
}

void tpm_close(struct tpm *t)
{
	ESYS_TR *h[] = {&t->object, &t->session, &t->signer, &t->primary};

	for (size_t i = 0; t->esys && i < sizeof(h) / sizeof(*h); i++)
		if (*h[i] != ESYS_TR_NONE)
			Esys_FlushContext(t->esys, *h[i]);
	if (t->esys)
		Esys_Finalize(&t->esys);
	if (t->tcti)
		Tss2_TctiLdr_Finalize(&t->tcti);
}

int start_session(struct tpm *t, TPM2_SE type, char *why, size_t wn)
{
	TSS2_RC rc;

	rc = Esys_StartAuthSession(t->esys, t->primary, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   NULL, type, &session_sym, TPM2_ALG_SHA256,
				   &t->session);
	/* Create's first parameter (the PIN and the secret) goes in
	 * encrypted; Unseal's answer comes back so. */
	if (rc == 0 && type != TPM2_SE_TRIAL)
		rc = Esys_TRSess_SetAttributes(t->esys, t->session,
					       (type == TPM2_SE_HMAC
						    ? TPMA_SESSION_DECRYPT
						    : TPMA_SESSION_ENCRYPT) |
						   TPMA_SESSION_CONTINUESESSION,
					       0xff);
	return rc ? tss_why(why, wn, COMPANION_EXIT_FAILED,
			    "the TPM started no session", rc)
		  : COMPANION_EXIT_OK;
}

TPML_PCR_SELECTION pcr_selection(uint32_t pcrs)
{
	TPML_PCR_SELECTION sel = {.count = 1};

	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	for (unsigned i = 0; i < 24; i++)
		if (pcrs & (1u << i))
			sel.pcrSelections[0].pcrSelect[i / 8] |= 1u << (i % 8);
	return sel;
}

/* PolicyPCR (with no digest given, the TPM takes the current values) and,
 * with a PIN, PolicyAuthValue; the session's digest then goes to
 * *digest. */
int run_policy(struct tpm *t, uint32_t pcrs, const TPM2B_DIGEST *values,
	       bool pin, TPM2B_DIGEST **digest, char *why, size_t wn)
{
	TPML_PCR_SELECTION sel = pcr_selection(pcrs);
	TSS2_RC rc = 0;

	if (pcrs)
		rc = Esys_PolicyPCR(t->esys, t->session, ESYS_TR_NONE,
				    ESYS_TR_NONE, ESYS_TR_NONE,
				    values ? values : &(TPM2B_DIGEST){0}, &sel);
	if (rc == 0 && pin)
		rc = Esys_PolicyAuthValue(t->esys, t->session, ESYS_TR_NONE,
					  ESYS_TR_NONE, ESYS_TR_NONE);
	if (rc == 0)
		rc = Esys_PolicyGetDigest(t->esys, t->session, ESYS_TR_NONE,
					  ESYS_TR_NONE, ESYS_TR_NONE, digest);
	return rc ? tss_why(why, wn, rc_code(rc), "the TPM refused the policy",
			    rc)
		  : COMPANION_EXIT_OK;
}
