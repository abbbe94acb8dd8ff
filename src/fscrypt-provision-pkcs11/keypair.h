/* SPDX-License-Identifier: MIT */
/*
 * The key pair of a pkcs11 slot: finding it on the token, making a secret
 * for it, and having the token give the secret back. Each function writes
 * what went wrong in why and returns a PKCS11_EXIT_* code.
 */
#ifndef FSP_PKCS11_KEYPAIR_H
#define FSP_PKCS11_KEYPAIR_H

#include <stddef.h>
#include <stdint.h>

#include "fscrypt-provision-pkcs11/token.h"
#include "shared/pkcs11_protocol.h"

struct keypair {
	CK_OBJECT_HANDLE priv, pub;
	CK_KEY_TYPE type; /* CKK_RSA or CKK_EC */
	uint8_t id[128];  /* CKA_ID */
	size_t id_len;
	char label[128]; /* CKA_LABEL, for messages */
	unsigned bits;	 /* RSA modulus bits, or the EC point's */
};

/* What a key pair's secret is and how the token gives it back. */
struct wrapped {
	char mech[24]; /* PKCS11_MECH_* */
	uint8_t data[PKCS11_WRAPPED_MAX];
	size_t len;
	uint8_t secret[PKCS11_SECRET_MAX];
	size_t secret_len;
};

/*
 * The one private key on the token that uri's id= and object= name (all
 * RSA and EC ones when it names none), with its public key when want_pub.
 * PKCS11_EXIT_NO_KEY for none or several.
 */
int keypair_find(struct token *t, P11KitUri *uri, int want_pub,
		 struct keypair *k, char *why, size_t wn);
/* Calls fn for each RSA or EC key of class cls (private or public) that
 * uri matches: those the token shows, logged in or not. */
void keypair_each(struct token *t, P11KitUri *uri, CK_OBJECT_CLASS cls,
		  void (*fn)(const struct keypair *k, void *data), void *data);
/* A new secret for k (logged in), checked by giving it back. */
int keypair_enroll(struct token *t, const struct keypair *k, struct wrapped *w,
		   char *why, size_t wn);
/* The secret of w->mech and w->data from k (logged in), into w->secret. */
int keypair_unwrap(struct token *t, const struct keypair *k, struct wrapped *w,
		   char *why, size_t wn);

#endif
