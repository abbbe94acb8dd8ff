/* SPDX-License-Identifier: MIT */
/*
 * Finding the token a URI names, through p11-kit, and logging in. Each
 * function writes what went wrong in why and returns a PKCS11_EXIT_* code.
 */
#ifndef FSP_PKCS11_TOKEN_H
#define FSP_PKCS11_TOKEN_H

#include <limits.h>
#include <linux/limits.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>
#include <stdbool.h>
#include <stddef.h>

struct token {
	CK_FUNCTION_LIST **modules; /* NULL-ended, as p11-kit gives them */
	CK_FUNCTION_LIST *m;	    /* the one holding the token */
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_TOKEN_INFO info;
	char module[PATH_MAX];
	char label[33];
};

/* Loads MODULE (a path) or, for "-", every module p11-kit is configured
 * with, into t->modules. */
int token_modules(const char *module, struct token *t, char *why, size_t wn);
/* The first present token of t->modules that uri matches, with a
 * read-only session open on it. */
int token_open(P11KitUri *uri, struct token *t, char *why, size_t wn);
/* Logs the user in with the PIN (len bytes; none on a PIN pad). */
int token_login(struct token *t, const char *pin, size_t len, char *why,
		size_t wn);
/* Closes the session and unloads the modules. */
void token_close(struct token *t);
/* What a PKCS#11 return value means for the helper: a PKCS11_EXIT_*. */
int token_exit(CK_RV rv);
/* The PIN flags of info as PKCS11_FLAG_* words, space-separated. */
void token_flags_text(const CK_TOKEN_INFO *info, char *buf, size_t n);

#endif
