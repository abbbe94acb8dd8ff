// SPDX-License-Identifier: MIT
/* The key pair of a pkcs11 slot (keypair.h). */
#define _GNU_SOURCE
#include "fscrypt-provision-pkcs11/keypair.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* Reads k's id, label and size from the token. */
static void describe(struct token *t, CK_OBJECT_HANDLE o, struct keypair *k)
{
	CK_ATTRIBUTE a[] = {
	    {CKA_ID, k->id, sizeof(k->id)},
	    {CKA_LABEL, k->label, sizeof(k->label) - 1},
	    {CKA_KEY_TYPE, &k->type, sizeof(k->type)},
	};

	memset(k, 0, sizeof(*k));
	k->priv = o;
	k->pub = CK_INVALID_HANDLE;
	/* Each attribute the token cannot give comes back with
	 * CK_UNAVAILABLE_INFORMATION as its length. */
	t->m->C_GetAttributeValue(t->s, o, a, 3);
	k->id_len = a[0].ulValueLen <= sizeof(k->id) ? a[0].ulValueLen : 0;
	if (a[1].ulValueLen < sizeof(k->label))
		k->label[a[1].ulValueLen] = '\0';
	else
		k->label[0] = '\0';
	if (a[2].ulValueLen != sizeof(k->type))
		k->type = CKK_VENDOR_DEFINED;
}

/* The public key with k's id, and its size in bits. */
static void find_public(struct token *t, struct keypair *k)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE q[] = {{CKA_CLASS, &cls, sizeof(cls)},
			    {CKA_ID, k->id, k->id_len}};
	CK_ULONG n = 0, len;
	CK_ATTRIBUTE a = {k->type == CKK_RSA ? CKA_MODULUS : CKA_EC_POINT, NULL,
			  0};

	if (t->m->C_FindObjectsInit(t->s, q, 2) != CKR_OK)
		return;
	t->m->C_FindObjects(t->s, &k->pub, 1, &n);
	t->m->C_FindObjectsFinal(t->s);
	if (n != 1) {
		k->pub = CK_INVALID_HANDLE;
		return;
	}
	if (t->m->C_GetAttributeValue(t->s, k->pub, &a, 1) != CKR_OK)
		return;
	len = a.ulValueLen;
	/* An EC point is an OCTET STRING of 04 X Y: X's bits. */
	k->bits = k->type == CKK_RSA ? (unsigned)(8 * len)
				     : (unsigned)(8 * ((len - 3) / 2));
}

void keypair_each(struct token *t, P11KitUri *uri, CK_OBJECT_CLASS cls,
		  void (*fn)(const struct keypair *k, void *data), void *data)
{
	CK_ATTRIBUTE q[3] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_ULONG nq = 1, n;
	CK_OBJECT_HANDLE found[64];
	CK_ATTRIBUTE *a;

	/* The URI's id= and object= narrow the search. */
	if ((a = p11_kit_uri_get_attribute(uri, CKA_ID)))
		q[nq++] = *a;
	if ((a = p11_kit_uri_get_attribute(uri, CKA_LABEL)))
		q[nq++] = *a;
	if (t->m->C_FindObjectsInit(t->s, q, nq) != CKR_OK)
		return;
	if (t->m->C_FindObjects(t->s, found, 64, &n) != CKR_OK)
		n = 0;
	t->m->C_FindObjectsFinal(t->s);
	for (CK_ULONG i = 0; i < n; i++) {
		struct keypair k;

		describe(t, found[i], &k);
		if (k.type != CKK_RSA && k.type != CKK_EC)
			continue;
		find_public(t, &k);
		fn(&k, data);
	}
}

struct pick {
	struct keypair k;
	unsigned n;
};

static void pick_one(const struct keypair *k, void *data)
{
	struct pick *p = data;

	if (p->n++ == 0)
		p->k = *k;
}

int keypair_find(struct token *t, P11KitUri *uri, int want_pub,
		 struct keypair *k, char *why, size_t wn)
{
	struct pick p = {0};

	keypair_each(t, uri, CKO_PRIVATE_KEY, pick_one, &p);
	if (p.n == 0) {
		snprintf(why, wn,
			 "token %s has no RSA or EC private key that the URI "
			 "names",
			 t->label);
		return PKCS11_EXIT_NO_KEY;
	}
	if (p.n > 1) {
		snprintf(why, wn,
			 "token %s has %u private keys that the URI names: "
			 "name one with id= or object=",
			 t->label, p.n);
		return PKCS11_EXIT_NO_KEY;
	}
	if (want_pub && p.k.pub == CK_INVALID_HANDLE) {
		snprintf(why, wn,
			 "the key %s on token %s has no public key object "
			 "with its id to encrypt to",
			 p.k.label, t->label);
		return PKCS11_EXIT_NO_KEY;
	}
	*k = p.k;
	return PKCS11_EXIT_OK;
}

static int fail(CK_RV rv, const char *what, const struct token *t, char *why,
		size_t wn)
{
	snprintf(why, wn, "token %s: %s: %s", t->label, what,
		 p11_kit_strerror(rv));
	return token_exit(rv);
}

static CK_RSA_PKCS_OAEP_PARAMS oaep_params(const char *mech)
{
	bool sha1 = !strcmp(mech, PKCS11_MECH_OAEP_SHA1);

	return (CK_RSA_PKCS_OAEP_PARAMS){
	    .hashAlg = sha1 ? CKM_SHA_1 : CKM_SHA256,
	    .mgf = sha1 ? CKG_MGF1_SHA1 : CKG_MGF1_SHA256,
	    .source = CKZ_DATA_SPECIFIED,
	};
}

/* A random secret encrypted to k's public key: OAEP with SHA-256, or with
 * SHA-1 on a token without it (OAEP's security needs no collision
 * resistance of its hash). */
static int enroll_rsa(struct token *t, const struct keypair *k,
		      struct wrapped *w, char *why, size_t wn)
{
	static const char *const mechs[] = {PKCS11_MECH_OAEP_SHA256,
					    PKCS11_MECH_OAEP_SHA1};
	CK_RV rv = CKR_MECHANISM_INVALID;

	if (getrandom(w->secret, PKCS11_SECRET_SIZE, 0) != PKCS11_SECRET_SIZE) {
		snprintf(why, wn, "no random bytes from the kernel");
		return PKCS11_EXIT_FAILED;
	}
	w->secret_len = PKCS11_SECRET_SIZE;
	for (size_t i = 0; i < 2; i++) {
		CK_RSA_PKCS_OAEP_PARAMS p = oaep_params(mechs[i]);
		CK_MECHANISM m = {CKM_RSA_PKCS_OAEP, &p, sizeof(p)};
		CK_ULONG len = sizeof(w->data);

		rv = t->m->C_EncryptInit(t->s, &m, k->pub);
		if (rv == CKR_OK)
			rv = t->m->C_Encrypt(t->s, w->secret, w->secret_len,
					     w->data, &len);
		if (rv == CKR_OK) {
			snprintf(w->mech, sizeof(w->mech), "%s", mechs[i]);
			w->len = len;
			return PKCS11_EXIT_OK;
		}
		/* SoftHSM 2.6 answers SHA-256 with CKR_ARGUMENTS_BAD. */
		if (rv != CKR_MECHANISM_INVALID &&
		    rv != CKR_MECHANISM_PARAM_INVALID &&
		    rv != CKR_ARGUMENTS_BAD)
			break;
	}
	return fail(rv, "RSA-OAEP encryption to its public key", t, why, wn);
}

/* The uncompressed point inside a DER OCTET STRING (CKA_EC_POINT). */
static int point_of(const uint8_t *der, size_t len, const uint8_t **p,
		    size_t *n)
{
	size_t hdr = len > 1 && der[1] < 0x80 ? 2 : 3;

	if (len < 3 || der[0] != 0x04 || (hdr == 3 && der[1] != 0x81))
		return -1;
	*n = hdr == 2 ? der[1] : der[2];
	*p = der + hdr;
	return hdr + *n == len && *n > 0 && (*p)[0] == 0x04 ? 0 : -1;
}

/* ECDH of the private key priv and a raw point: the shared value. */
static int derive(struct token *t, CK_OBJECT_HANDLE priv, const uint8_t *pt,
		  size_t n, struct wrapped *w, char *why, size_t wn)
{
	CK_ECDH1_DERIVE_PARAMS p = {CKD_NULL, 0, NULL, (CK_ULONG)n,
				    (CK_BYTE_PTR)pt};
	CK_MECHANISM m = {CKM_ECDH1_DERIVE, &p, sizeof(p)};
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	/* A session object that may be read: the value is the secret that
	 * the helper turns into its key-encryption key. */
	CK_ATTRIBUTE tmpl[] = {
	    {CKA_CLASS, &cls, sizeof(cls)},
	    {CKA_KEY_TYPE, &kt, sizeof(kt)},
	    {CKA_TOKEN, &no, sizeof(no)},
	    {CKA_SENSITIVE, &no, sizeof(no)},
	    {CKA_EXTRACTABLE, &yes, sizeof(yes)},
	};
	CK_OBJECT_HANDLE o;
	CK_ATTRIBUTE v = {CKA_VALUE, w->secret, sizeof(w->secret)};
	CK_RV rv = t->m->C_DeriveKey(t->s, &m, priv, tmpl, 5, &o);

	if (rv != CKR_OK)
		return fail(rv, "ECDH", t, why, wn);
	rv = t->m->C_GetAttributeValue(t->s, o, &v, 1);
	t->m->C_DestroyObject(t->s, o);
	if (rv != CKR_OK || v.ulValueLen == 0 ||
	    v.ulValueLen > sizeof(w->secret))
		return fail(rv == CKR_OK ? CKR_DATA_LEN_RANGE : rv,
			    "reading the ECDH value", t, why, wn);
	w->secret_len = v.ulValueLen;
	return PKCS11_EXIT_OK;
}

/* ECDH of k and a key pair made on the token for this once, in the
 * session only: its public point is what the slot keeps. */
static int enroll_ec(struct token *t, const struct keypair *k,
		     struct wrapped *w, char *why, size_t wn)
{
	uint8_t params[256], der[2 * PKCS11_SECRET_MAX + 8];
	CK_ATTRIBUTE pa[] = {{CKA_EC_PARAMS, params, sizeof(params)},
			     {CKA_EC_POINT, der, sizeof(der)}};
	CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_OBJECT_HANDLE epub, epriv;
	const uint8_t *pt;
	size_t n;
	CK_RV rv = t->m->C_GetAttributeValue(t->s, k->pub, pa, 2);
	int code;

	if (rv != CKR_OK || point_of(der, pa[1].ulValueLen, &pt, &n) < 0)
		return fail(rv == CKR_OK ? CKR_ATTRIBUTE_VALUE_INVALID : rv,
			    "reading the public key's point", t, why, wn);
	CK_ATTRIBUTE pubt[] = {{CKA_TOKEN, &no, sizeof(no)},
			       {CKA_EC_PARAMS, params, pa[0].ulValueLen}};
	CK_ATTRIBUTE privt[] = {{CKA_TOKEN, &no, sizeof(no)},
				{CKA_DERIVE, &yes, sizeof(yes)},
				{CKA_SENSITIVE, &yes, sizeof(yes)}};
	rv = t->m->C_GenerateKeyPair(t->s, &gen, pubt, 2, privt, 3, &epub,
				     &epriv);
	if (rv != CKR_OK)
		return fail(rv, "making a one-time EC key pair", t, why, wn);
	code = derive(t, epriv, pt, n, w, why, wn);
	pa[1].pValue = der;
	pa[1].ulValueLen = sizeof(der);
	rv = t->m->C_GetAttributeValue(t->s, epub, &pa[1], 1);
	t->m->C_DestroyObject(t->s, epriv);
	t->m->C_DestroyObject(t->s, epub);
	if (code)
		return code;
	if (rv != CKR_OK || point_of(der, pa[1].ulValueLen, &pt, &n) < 0 ||
	    n > sizeof(w->data))
		return fail(rv == CKR_OK ? CKR_ATTRIBUTE_VALUE_INVALID : rv,
			    "reading the one-time point", t, why, wn);
	memcpy(w->data, pt, n);
	w->len = n;
	snprintf(w->mech, sizeof(w->mech), "%s", PKCS11_MECH_ECDH);
	return PKCS11_EXIT_OK;
}

int keypair_unwrap(struct token *t, const struct keypair *k, struct wrapped *w,
		   char *why, size_t wn)
{
	CK_RSA_PKCS_OAEP_PARAMS p = oaep_params(w->mech);
	CK_MECHANISM m = {CKM_RSA_PKCS_OAEP, &p, sizeof(p)};
	uint8_t plain[PKCS11_WRAPPED_MAX];
	CK_ULONG len;
	bool ec = !strcmp(w->mech, PKCS11_MECH_ECDH);
	CK_RV rv;

	if (ec != (k->type == CKK_EC)) {
		snprintf(why, wn,
			 "the key %s on token %s is not of the slot's kind "
			 "(%s)",
			 k->label, t->label, w->mech);
		return PKCS11_EXIT_NO_KEY;
	}
	if (ec)
		return derive(t, k->priv, w->data, w->len, w, why, wn);
	/* Tokens want room for a whole block (SoftHSM does). */
	len = sizeof(plain);
	rv = t->m->C_DecryptInit(t->s, &m, k->priv);
	if (rv == CKR_OK)
		rv = t->m->C_Decrypt(t->s, w->data, w->len, plain, &len);
	if (rv == CKR_OK && (len == 0 || len > sizeof(w->secret)))
		rv = CKR_ENCRYPTED_DATA_INVALID;
	if (rv == CKR_OK) {
		memcpy(w->secret, plain, len);
		w->secret_len = len;
	}
	explicit_bzero(plain, sizeof(plain));
	return rv == CKR_OK ? PKCS11_EXIT_OK
			    : fail(rv, "RSA-OAEP decryption", t, why, wn);
}

int keypair_enroll(struct token *t, const struct keypair *k, struct wrapped *w,
		   char *why, size_t wn)
{
	struct wrapped back;
	int code = k->type == CKK_RSA ? enroll_rsa(t, k, w, why, wn)
				      : enroll_ec(t, k, w, why, wn);

	if (code)
		return code;
	memcpy(back.mech, w->mech, sizeof(back.mech));
	memcpy(back.data, w->data, w->len);
	back.len = w->len;
	code = keypair_unwrap(t, k, &back, why, wn);
	if (code == 0 && (back.secret_len != w->secret_len ||
			  memcmp(back.secret, w->secret, w->secret_len))) {
		snprintf(why, wn,
			 "token %s gave back another secret than the one "
			 "made for it",
			 t->label);
		code = PKCS11_EXIT_FAILED;
	}
	explicit_bzero(&back, sizeof(back));
	return code;
}
