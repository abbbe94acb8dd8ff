// SPDX-License-Identifier: MIT
/* The companion's signed PCR policies (signed.h). */
#define _GNU_SOURCE
#include "fscrypt-provision-tpm2/signed.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "shared/companion_protocol.h"

/* One DER tag and length at *p: the content's start and length, or false
 * for what this reader does not take (indefinite or over 64 KiB). */
static bool der_next(const uint8_t **p, const uint8_t *end, uint8_t tag,
		     size_t *len)
{
	const uint8_t *q = *p;
	size_t n;

	if (end - q < 2 || *q++ != tag)
		return false;
	n = *q++;
	if (n == 0x81 && end - q >= 1) {
		n = *q++;
	} else if (n == 0x82 && end - q >= 2) {
		n = (size_t)q[0] << 8 | q[1];
		q += 2;
	} else if (n & 0x80) {
		return false;
	}
	if ((size_t)(end - q) < n)
		return false;
	*p = q;
	*len = n;
	return true;
}

/* An INTEGER's magnitude, without its sign byte. */
static bool der_uint(const uint8_t **p, const uint8_t *end, const uint8_t **v,
		     size_t *n)
{
	if (!der_next(p, end, 0x02, n) || *n == 0 || (**p & 0x80))
		return false;
	*v = *p;
	*p += *n;
	while (*n > 1 && **v == 0)
		(*v)++, (*n)--;
	return true;
}

int signer_from_der(const uint8_t *der, size_t len, TPM2B_PUBLIC *key,
		    char *why, size_t wn)
{
	const uint8_t *p = der, *end = der + len, *n, *e;
	size_t seq, nn, en;
	uint32_t exp = 0;
	TPMT_PUBLIC *k = &key->publicArea;

	if (!der_next(&p, end, 0x30, &seq) || p + seq != end ||
	    !der_uint(&p, end, &n, &nn) || !der_uint(&p, end, &e, &en) ||
	    p != end || nn > sizeof(k->unique.rsa.buffer) || nn < 128 || en > 4)
		return tss_why(
		    why, wn, COMPANION_EXIT_USAGE,
		    "the signing key is not an RSA public key of 1024 "
		    "to 4096 bits",
		    0);
	for (size_t i = 0; i < en; i++)
		exp = exp << 8 | e[i];
	memset(key, 0, sizeof(*key));
	k->type = TPM2_ALG_RSA;
	k->nameAlg = TPM2_ALG_SHA256;
	k->objectAttributes =
	    TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH;
	k->parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
	k->parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
	k->parameters.rsaDetail.keyBits = (TPMI_RSA_KEY_BITS)(nn * 8);
	/* The TPM's 0 is 65537, and a key must say it that way. */
	k->parameters.rsaDetail.exponent = exp == 65537 ? 0 : exp;
	k->unique.rsa.size = (UINT16)nn;
	memcpy(k->unique.rsa.buffer, n, nn);
	return COMPANION_EXIT_OK;
}

int signer_load(struct tpm *t, const TPM2B_PUBLIC *key, TPM2B_NAME *name,
		char *why, size_t wn)
{
	TPM2B_NAME *got = NULL;
	/* Under the owner hierarchy: in the null one, VerifySignature gives
	 * a null ticket, which PolicyAuthorize refuses. */
	TSS2_RC rc =
	    Esys_LoadExternal(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
			      NULL, key, ESYS_TR_RH_OWNER, &t->signer);

	if (rc == 0)
		rc = Esys_TR_GetName(t->esys, t->signer, &got);
	if (rc == 0)
		*name = *got;
	Esys_Free(got);
	return rc ? tss_why(why, wn, COMPANION_EXIT_FAILED,
			    "the TPM did not take the signing key", rc)
		  : COMPANION_EXIT_OK;
}

int signed_trial(struct tpm *t, const TPM2B_NAME *name, char *why, size_t wn)
{
	TPMT_TK_VERIFIED none = {.tag = TPM2_ST_VERIFIED,
				 .hierarchy = TPM2_RH_NULL};
	TSS2_RC rc = Esys_PolicyAuthorize(
	    t->esys, t->session, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
	    &(TPM2B_DIGEST){0}, &(TPM2B_NONCE){0}, name, &none);

	return rc ? tss_why(why, wn, rc_code(rc), "the TPM refused the policy",
			    rc)
		  : COMPANION_EXIT_OK;
}

/* The record of sigs whose pol is approved: its signature, or NULL. */
static const uint8_t *find_sig(const TPM2B_DIGEST *approved,
			       const uint8_t *sigs, size_t len, size_t *n)
{
	while (len >= SIGNED_POL_SIZE + 2) {
		size_t sn = sigs[SIGNED_POL_SIZE] |
			    (size_t)sigs[SIGNED_POL_SIZE + 1] << 8;

		if (len - SIGNED_POL_SIZE - 2 < sn)
			return NULL;
		if (approved->size == SIGNED_POL_SIZE &&
		    !memcmp(approved->buffer, sigs, SIGNED_POL_SIZE)) {
			*n = sn;
			return sigs + SIGNED_POL_SIZE + 2;
		}
		sigs += SIGNED_POL_SIZE + 2 + sn;
		len -= SIGNED_POL_SIZE + 2 + sn;
	}
	return NULL;
}

/* The TPM checks sig over approved (RSASSA, SHA-256): its ticket. */
static int verify(struct tpm *t, const TPM2B_DIGEST *approved,
		  const uint8_t *sig, size_t n, TPMT_TK_VERIFIED **ticket,
		  char *why, size_t wn)
{
	TPMT_SIGNATURE s = {.sigAlg = TPM2_ALG_RSASSA};
	TPM2B_MAX_BUFFER in = {.size = approved->size};
	TPMT_TK_HASHCHECK *check = NULL;
	TPM2B_DIGEST *ahash = NULL;
	TSS2_RC rc;

	if (n > sizeof(s.signature.rsassa.sig.buffer))
		return tss_why(why, wn, COMPANION_EXIT_BAD_SIGNATURE,
			       "bad signature: it is not one of the slot's key",
			       0);
	s.signature.rsassa.hash = TPM2_ALG_SHA256;
	s.signature.rsassa.sig.size = (UINT16)n;
	memcpy(s.signature.rsassa.sig.buffer, sig, n);
	memcpy(in.buffer, approved->buffer, approved->size);
	/* aHash: the approved policy and an empty policyRef. */
	rc = Esys_Hash(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &in,
		       TPM2_ALG_SHA256, ESYS_TR_RH_NULL, &ahash, &check);
	Esys_Free(check);
	if (rc == 0)
		rc = Esys_VerifySignature(t->esys, t->signer, ESYS_TR_NONE,
					  ESYS_TR_NONE, ESYS_TR_NONE, ahash, &s,
					  ticket);
	Esys_Free(ahash);
	if (rc && (rc & 0x3f) == (TPM2_RC_SIGNATURE & 0x3f))
		return tss_why(
		    why, wn, COMPANION_EXIT_BAD_SIGNATURE,
		    "bad signature: the PCR signature does not verify "
		    "against the slot's public key",
		    0);
	return rc ? tss_why(why, wn, COMPANION_EXIT_BAD_SIGNATURE,
			    "bad signature: the TPM refused it", rc)
		  : COMPANION_EXIT_OK;
}

int signed_authorize(struct tpm *t, uint32_t pcrs, const TPM2B_NAME *name,
		     const uint8_t *sigs, size_t len, char *why, size_t wn)
{
	TPML_PCR_SELECTION sel = pcr_selection(pcrs);
	TPMT_TK_VERIFIED *ticket = NULL;
	TPM2B_DIGEST *approved = NULL;
	const uint8_t *sig;
	size_t n = 0;
	TSS2_RC rc;
	int code;

	rc = Esys_PolicyPCR(t->esys, t->session, ESYS_TR_NONE, ESYS_TR_NONE,
			    ESYS_TR_NONE, &(TPM2B_DIGEST){0}, &sel);
	if (rc == 0)
		rc =
		    Esys_PolicyGetDigest(t->esys, t->session, ESYS_TR_NONE,
					 ESYS_TR_NONE, ESYS_TR_NONE, &approved);
	if (rc)
		return tss_why(why, wn, rc_code(rc),
			       "the TPM refused the policy", rc);
	sig = find_sig(approved, sigs, len, &n);
	code =
	    sig ? verify(t, approved, sig, n, &ticket, why, wn)
		: tss_why(why, wn, COMPANION_EXIT_SIGNATURE,
			  "no signature for this boot: none of the slot's key "
			  "is of the PCR values this boot measured",
			  0);
	if (code == 0) {
		rc = Esys_PolicyAuthorize(t->esys, t->session, ESYS_TR_NONE,
					  ESYS_TR_NONE, ESYS_TR_NONE, approved,
					  &(TPM2B_NONCE){0}, name, ticket);
		if (rc)
			code = tss_why(why, wn, rc_code(rc),
				       "the TPM refused the signed policy", rc);
	}
	Esys_Free(ticket);
	Esys_Free(approved);
	return code;
}
