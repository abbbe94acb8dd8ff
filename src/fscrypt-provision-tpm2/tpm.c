// SPDX-License-Identifier: MIT
/* The companion's TPM work (tpm.h). */
#define _GNU_SOURCE
#include "fscrypt-provision-tpm2/tpm.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>

#include "fscrypt-provision-tpm2/esys.h"
#include "fscrypt-provision-tpm2/pcr.h"
#include "fscrypt-provision-tpm2/signed.h"
#include "shared/companion_protocol.h"

/* The policy digest a new object gets: a trial session, on the PCRs'
 * values at the next boot (pcr.h), after the signing key's
 * PolicyAuthorize for a signed policy. */
static int make_policy(struct tpm *t, const struct tpm_policy *p,
		       const TPM2B_PUBLIC *key, TPM2B_DIGEST **digest,
		       char *why, size_t wn)
{
	TPM2B_NAME name;
	TPM2B_DIGEST values;
	int code = pcrs_extended(t, p->pcrs & ~(1u << TPM2_BOOT_PCR), why, wn);

	if (code == 0 && key)
		code = signer_load(t, key, &name, why, wn);
	if (code == 0)
		code = pcr_policy_digest(t, p->pcrs, p->boot, p->system,
					 &values, why, wn);
	if (code == 0)
		code = start_session(t, TPM2_SE_TRIAL, why, wn);
	if (code == 0 && key)
		code = signed_trial(t, &name, why, wn);
	if (code == 0)
		code = run_policy(t, p->pcrs, &values, p->pin, digest, why, wn);
	if (t->session != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, t->session);
	t->session = ESYS_TR_NONE;
	return code;
}

/*
 * The TPM drops an authValue's trailing zero bytes; tpm2-tss before 4.0
 * keeps them in its HMAC (tpm2-tss#2664), and one BLAKE2b output in 256
 * ends in zero: the right PIN would fail, and count, for ever.
 */
static UINT16 auth_size(const uint8_t *auth, size_t n)
{
	while (n && auth[n - 1] == 0)
		n--;
	return (UINT16)n;
}

/* The sealed object, then the storage primary's Name, which unseal checks
 * before it salts a session with that key, then the signing key of a
 * signed policy. */
static int marshal_sealed(struct tpm *t, const TPM2B_PUBLIC *pub,
			  const TPM2B_PRIVATE *priv, const TPM2B_PUBLIC *key,
			  uint8_t *blob, size_t cap, size_t *blen)
{
	TPM2B_NAME *name = NULL;
	size_t off = 0;
	TSS2_RC rc = Esys_TR_GetName(t->esys, t->primary, &name);

	if (rc == 0)
		rc = Tss2_MU_TPM2B_PUBLIC_Marshal(pub, blob, cap, &off);
	if (rc == 0)
		rc = Tss2_MU_TPM2B_PRIVATE_Marshal(priv, blob, cap, &off);
	if (rc == 0)
		rc = Tss2_MU_TPM2B_NAME_Marshal(name, blob, cap, &off);
	if (rc == 0 && key)
		rc = Tss2_MU_TPM2B_PUBLIC_Marshal(key, blob, cap, &off);
	Esys_Free(name);
	*blen = off;
	return (int)rc;
}

static int create_sealed(struct tpm *t, const TPM2B_DIGEST *policy,
			 const TPM2B_PUBLIC *key, const uint8_t *auth,
			 size_t alen, const uint8_t *secret, size_t slen,
			 uint8_t *blob, size_t cap, size_t *blen, char *why,
			 size_t wn)
{
	TPM2B_SENSITIVE_CREATE sens = {0};
	TPM2B_PUBLIC tmpl = {
	    .publicArea = {
		.type = TPM2_ALG_KEYEDHASH,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes =
		    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT,
		.authPolicy = *policy,
		.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL,
	    }};
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	TSS2_RC rc;

	sens.sensitive.userAuth.size = auth_size(auth, alen);
	memcpy(sens.sensitive.userAuth.buffer, auth, alen);
	sens.sensitive.data.size = (UINT16)slen;
	memcpy(sens.sensitive.data.buffer, secret, slen);
	rc = Esys_Create(t->esys, t->primary, t->session, ESYS_TR_NONE,
			 ESYS_TR_NONE, &sens, &tmpl, &(TPM2B_DATA){0},
			 &(TPML_PCR_SELECTION){0}, &priv, &pub, NULL, NULL,
			 NULL);
	explicit_bzero(&sens, sizeof(sens));
	if (rc == 0)
		rc =
		    (TSS2_RC)marshal_sealed(t, pub, priv, key, blob, cap, blen);
	Esys_Free(priv);
	Esys_Free(pub);
	return rc ? tss_why(why, wn, rc_code(rc), "the TPM sealed nothing", rc)
		  : COMPANION_EXIT_OK;
}

int tpm_seal(const char *tcti, const struct tpm_policy *p, const uint8_t *auth,
	     size_t alen, const uint8_t *secret, size_t slen, uint8_t *blob,
	     size_t cap, size_t *blen, char *why, size_t wn)
{
	TPM2B_PUBLIC key, *k = p->signed_pcrs ? &key : NULL;
	TPM2B_DIGEST *policy = NULL;
	struct tpm t = {0}; /* tpm_close's: not connected yet */
	int code = k ? signer_from_der(p->signer, p->signer_len, k, why, wn)
		     : COMPANION_EXIT_OK;

	if (code == 0)
		code = tpm_open(&t, tcti, why, wn);
	if (code == 0)
		code = make_policy(&t, p, k, &policy, why, wn);
	if (code == 0)
		code = start_session(&t, TPM2_SE_HMAC, why, wn);
	if (code == 0)
		code = create_sealed(&t, policy, k, auth, alen, secret, slen,
				     blob, cap, blen, why, wn);
	Esys_Free(policy);
	tpm_close(&t);
	return code;
}

/* The wrong PINs the TPM still takes; 0 in lockout. */
static int lockout_left(struct tpm *t, unsigned *left, char *why, size_t wn)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	UINT32 count = 0, max = 0, perm = 0, seen = 0;
	TSS2_RC rc;

	rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES,
				TPM2_PT_PERMANENT, 32, NULL, &cap);
	if (rc)
		return tss_why(why, wn, COMPANION_EXIT_FAILED,
			       "the TPM did not say its lockout state", rc);
	for (UINT32 i = 0; i < cap->data.tpmProperties.count; i++) {
		TPMS_TAGGED_PROPERTY *p =
		    &cap->data.tpmProperties.tpmProperty[i];

		if (p->property == TPM2_PT_PERMANENT)
			perm = p->value, seen |= 1;
		else if (p->property == TPM2_PT_LOCKOUT_COUNTER)
			count = p->value, seen |= 2;
		else if (p->property == TPM2_PT_MAX_AUTH_FAIL)
			max = p->value, seen |= 4;
	}
	Esys_Free(cap);
	/* Without all three, a lockout said would be a guess. */
	if (seen != 7)
		return tss_why(why, wn, COMPANION_EXIT_FAILED,
			       "the TPM did not give its lockout counter and "
			       "limit",
			       0);
	*left =
	    (perm & TPMA_PERMANENT_INLOCKOUT) || count >= max ? 0 : max - count;
	if (*left == 0)
		return tss_why(
		    why, wn, COMPANION_EXIT_LOCKOUT,
		    "the TPM is in dictionary-attack lockout after too "
		    "many wrong PINs: wait for it to recover, or clear "
		    "it with its lockout authorization",
		    0);
	return COMPANION_EXIT_OK;
}

static int load_sealed(struct tpm *t, const uint8_t *blob, size_t blen,
		       TPM2B_PUBLIC *pub, TPM2B_PUBLIC *key, char *why,
		       size_t wn)
{
	TPM2B_PRIVATE priv = {0};
	TPM2B_NAME want = {0}, *got = NULL;
	size_t off = 0;
	TSS2_RC rc;

	/* The TSS takes a sized structure only into zeros. */
	memset(pub, 0, sizeof(*pub));
	if (key)
		memset(key, 0, sizeof(*key));
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(blob, blen, &off, pub) ||
	    Tss2_MU_TPM2B_PRIVATE_Unmarshal(blob, blen, &off, &priv) ||
	    Tss2_MU_TPM2B_NAME_Unmarshal(blob, blen, &off, &want) ||
	    (key && Tss2_MU_TPM2B_PUBLIC_Unmarshal(blob, blen, &off, key)) ||
	    off != blen)
		return tss_why(why, wn, COMPANION_EXIT_DAMAGED,
			       "the sealed data is damaged: it is not a TPM "
			       "object",
			       0);
	/* A storage key that is not the one sealed to: another or a cleared
	 * TPM, or something between us and the TPM that would learn the
	 * session key (and with it a way to test PINs offline). */
	rc = Esys_TR_GetName(t->esys, t->primary, &got);
	if (rc == 0 &&
	    (got->size != want.size || memcmp(got->name, want.name, want.size)))
		rc = TSS2_ESYS_RC_BAD_VALUE;
	Esys_Free(got);
	if (rc)
		return tss_why(
		    why, wn, COMPANION_EXIT_DAMAGED,
		    "the TPM's storage key is not the one the data was "
		    "sealed under: another TPM, a cleared one, or "
		    "someone between this machine and its TPM",
		    0);
	rc = Esys_Load(t->esys, t->primary, ESYS_TR_PASSWORD, ESYS_TR_NONE,
		       ESYS_TR_NONE, &priv, pub, &t->object);
	if (rc)
		return tss_why(why, wn, COMPANION_EXIT_DAMAGED,
			       "this TPM cannot load the sealed data: it was "
			       "sealed by another TPM, this one was cleared "
			       "since, or the data is damaged",
			       rc);
	return COMPANION_EXIT_OK;
}

/* The policy session, checked against the object's own policy: a PCR
 * mismatch is told before any PIN is spent. */
static int open_policy(struct tpm *t, const struct tpm_policy *p,
		       const TPM2B_PUBLIC *pub, const TPM2B_PUBLIC *key,
		       char *why, size_t wn)
{
	const TPM2B_DIGEST *want = &pub->publicArea.authPolicy;
	TPM2B_DIGEST *got = NULL;
	TPM2B_NAME name;
	int code =
	    key ? signer_load(t, key, &name, why, wn) : COMPANION_EXIT_OK;

	if (code == 0)
		code = start_session(t, TPM2_SE_POLICY, why, wn);
	if (code == 0 && key)
		code = signed_authorize(t, p->signed_pcrs, &name, p->sigs,
					p->sigs_len, why, wn);
	if (code == 0)
		code = run_policy(t, p->pcrs, NULL, p->pin, &got, why, wn);
	if (code == 0 && (got->size != want->size ||
			  memcmp(got->buffer, want->buffer, got->size)))
		code =
		    tss_why(why, wn, COMPANION_EXIT_PCR,
			    "PCR mismatch: this boot's measurements differ "
			    "from those the key was sealed to (the boot "
			    "chain changed, or the initramfs is done: PCR 15 "
			    "was extended)",
			    0);
	Esys_Free(got);
	return code;
}

int tpm_unseal(const char *tcti, const struct tpm_policy *p,
	       const uint8_t *auth, size_t alen, const uint8_t *blob,
	       size_t blen, uint8_t *secret, size_t cap, size_t *slen,
	       unsigned *left, char *why, size_t wn)
{
	TPM2B_SENSITIVE_DATA *out = NULL;
	TPM2B_AUTH a = {.size = auth ? auth_size(auth, alen) : 0};
	TPM2B_PUBLIC pub, key, *k = p->signed_pcrs ? &key : NULL;
	struct tpm t;
	TSS2_RC rc;
	int code = tpm_open(&t, tcti, why, wn);

	if (code == 0)
		code = load_sealed(&t, blob, blen, &pub, k, why, wn);
	if (code == 0)
		code = open_policy(&t, p, &pub, k, why, wn);
	/* Without a PIN the policy spends no authValue: no lockout to mind. */
	if (code == 0 && p->pin)
		code = lockout_left(&t, left, why, wn);
	if (code == 0 && auth) {
		memcpy(a.buffer, auth, alen);
		rc = Esys_TR_SetAuth(t.esys, t.object, &a);
		if (rc == 0)
			rc = Esys_Unseal(t.esys, t.object, t.session,
					 ESYS_TR_NONE, ESYS_TR_NONE, &out);
		explicit_bzero(&a, sizeof(a));
		if (rc)
			code = rc_code(rc) == COMPANION_EXIT_BAD_PIN
				   ? tss_why(why, wn, COMPANION_EXIT_BAD_PIN,
					     "wrong PIN", 0)
				   : tss_why(why, wn, rc_code(rc),
					     "the TPM did not unseal it", rc);
		else if (out->size > cap)
			code = tss_why(why, wn, COMPANION_EXIT_DAMAGED,
				       "the TPM gave more than was sealed", 0);
		else
			memcpy(secret, out->buffer, *slen = out->size);
		if (out)
			explicit_bzero(out, sizeof(*out));
		Esys_Free(out);
	}
	tpm_close(&t);
	return code;
}

int tpm_extend_boot(const char *tcti, uint8_t before[PCR_SIZE],
		    uint8_t after[PCR_SIZE], char *why, size_t wn)
{
	struct tpm t;
	int code = tpm_connect(&t, tcti, why, wn);

	if (code == 0)
		code = pcr_extend_boot(&t, before, after, why, wn);
	tpm_close(&t);
	return code;
}
