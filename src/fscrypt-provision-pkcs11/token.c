// SPDX-License-Identifier: MIT
/* Finding the token a URI names, and logging in (token.h). */
#define _GNU_SOURCE
#include "fscrypt-provision-pkcs11/token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/pkcs11_protocol.h"

int token_exit(CK_RV rv)
{
	switch (rv) {
	case CKR_OK:
		return PKCS11_EXIT_OK;
	case CKR_PIN_INCORRECT:
	case CKR_PIN_INVALID:
	case CKR_PIN_LEN_RANGE:
		return PKCS11_EXIT_BAD_PIN;
	case CKR_PIN_LOCKED:
		return PKCS11_EXIT_PIN_LOCKED;
	case CKR_PIN_EXPIRED:
		return PKCS11_EXIT_PIN_EXPIRED;
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_DEVICE_REMOVED:
	case CKR_SLOT_ID_INVALID:
		return PKCS11_EXIT_NO_TOKEN;
	case CKR_MECHANISM_INVALID:
	case CKR_MECHANISM_PARAM_INVALID:
	case CKR_KEY_TYPE_INCONSISTENT:
	case CKR_KEY_FUNCTION_NOT_PERMITTED:
	case CKR_FUNCTION_NOT_SUPPORTED:
		return PKCS11_EXIT_UNSUPPORTED;
	case CKR_ENCRYPTED_DATA_INVALID:
	case CKR_ENCRYPTED_DATA_LEN_RANGE:
	case CKR_DOMAIN_PARAMS_INVALID:
	case CKR_ATTRIBUTE_VALUE_INVALID:
		return PKCS11_EXIT_DAMAGED;
	default:
		return PKCS11_EXIT_FAILED;
	}
}

void token_flags_text(const CK_TOKEN_INFO *info, char *buf, size_t n)
{
	static const struct {
		CK_FLAGS flag;
		const char *word;
	} words[] = {
	    {CKF_PROTECTED_AUTHENTICATION_PATH, PKCS11_FLAG_PIN_PAD},
	    {CKF_USER_PIN_COUNT_LOW, PKCS11_FLAG_COUNT_LOW},
	    {CKF_USER_PIN_FINAL_TRY, PKCS11_FLAG_FINAL_TRY},
	    {CKF_USER_PIN_LOCKED, PKCS11_FLAG_LOCKED},
	    {CKF_USER_PIN_TO_BE_CHANGED, PKCS11_FLAG_TO_BE_CHANGED},
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (info->flags & words[i].flag && used < n)
			used +=
			    (size_t)snprintf(buf + used, n - used, "%s%s",
					     used ? " " : "", words[i].word);
}

int token_modules(const char *module, struct token *t, char *why, size_t wn)
{
	CK_FUNCTION_LIST *one;
	CK_RV rv;

	memset(t, 0, sizeof(*t));
	t->s = CK_INVALID_HANDLE;
	/* p11-kit prints its own warnings on stderr, where the helper
	 * reads our one line: it says what matters itself. */
	p11_kit_be_quiet();
	if (!strcmp(module, "-")) {
		t->modules = p11_kit_modules_load_and_initialize(0);
		if (!t->modules || !t->modules[0]) {
			snprintf(why, wn,
				 "p11-kit has no PKCS#11 module configured "
				 "(see pkcs11.conf(5)), and the URI names "
				 "none (module-path=)");
			return PKCS11_EXIT_NO_MODULE;
		}
		return PKCS11_EXIT_OK;
	}
	one = p11_kit_module_load(module, 0);
	if (!one) {
		snprintf(why, wn, "cannot load the PKCS#11 module %s: %s",
			 module, p11_kit_message() ? p11_kit_message() : "");
		return PKCS11_EXIT_NO_MODULE;
	}
	rv = p11_kit_module_initialize(one);
	if (rv != CKR_OK) {
		p11_kit_module_release(one);
		snprintf(why, wn, "the PKCS#11 module %s does not start: %s",
			 module, p11_kit_strerror(rv));
		return PKCS11_EXIT_NO_MODULE;
	}
	t->modules = calloc(2, sizeof(*t->modules));
	if (!t->modules) {
		p11_kit_module_finalize(one);
		p11_kit_module_release(one);
		snprintf(why, wn, "out of memory");
		return PKCS11_EXIT_FAILED;
	}
	t->modules[0] = one;
	return PKCS11_EXIT_OK;
}

/*
 * Whether the token in slot id shows a public key that uri's id= or
 * object= names, without a login; true when uri names neither. A URI
 * that names a key but no token (object=ec-key) then finds the token
 * that has it, not p11-kit's trust store or another card.
 */
static bool has_named_key(CK_FUNCTION_LIST *m, CK_SLOT_ID id, P11KitUri *uri)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE q[3] = {{CKA_CLASS, &cls, sizeof(cls)}}, *a;
	CK_ULONG nq = 1, n = 0;
	CK_OBJECT_HANDLE o;
	CK_SESSION_HANDLE s;

	if ((a = p11_kit_uri_get_attribute(uri, CKA_ID)))
		q[nq++] = *a;
	if ((a = p11_kit_uri_get_attribute(uri, CKA_LABEL)))
		q[nq++] = *a;
	if (nq == 1)
		return true;
	if (m->C_OpenSession(id, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return false;
	if (m->C_FindObjectsInit(s, q, nq) == CKR_OK) {
		m->C_FindObjects(s, &o, 1, &n);
		m->C_FindObjectsFinal(s);
	}
	m->C_CloseSession(s);
	return n > 0;
}

/* The first slot of m with a present token that uri matches (pass 0), or
 * that also shows the key it names (pass 1). */
static int find_in_module(CK_FUNCTION_LIST *m, P11KitUri *uri, int pass,
			  struct token *t)
{
	CK_SLOT_ID ids[64];
	CK_ULONG n = sizeof(ids) / sizeof(ids[0]);

	if (m->C_GetSlotList(CK_TRUE, ids, &n) != CKR_OK)
		return 0;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO info;

		if (m->C_GetTokenInfo(ids[i], &info) != CKR_OK ||
		    !p11_kit_uri_match_token_info(uri, &info) ||
		    (pass == 1 && !has_named_key(m, ids[i], uri)))
			continue;
		t->m = m;
		t->slot = ids[i];
		t->info = info;
		return 1;
	}
	return 0;
}

int token_open(P11KitUri *uri, struct token *t, char *why, size_t wn)
{
	char *path;
	CK_RV rv;

	/* A token that shows the key first; else one whose keys are all
	 * private (shown only after the login). */
	for (int pass = 1; pass >= 0 && !t->m; pass--)
		for (size_t i = 0; t->modules[i] && !t->m; i++)
			find_in_module(t->modules[i], uri, pass, t);
	if (!t->m) {
		CK_TOKEN_INFO *want = p11_kit_uri_get_token_info(uri);
		size_t l =
		    p11_kit_space_strlen(want->label, sizeof(want->label));

		if (l && want->label[0])
			snprintf(why, wn, "token %.*s is not present", (int)l,
				 (const char *)want->label);
		else
			snprintf(why, wn,
				 "no PKCS#11 token that the URI "
				 "names is present");
		return PKCS11_EXIT_NO_TOKEN;
	}
	path = p11_kit_module_get_filename(t->m);
	snprintf(t->module, sizeof(t->module), "%s", path ? path : "");
	free(path);
	snprintf(
	    t->label, sizeof(t->label), "%.*s",
	    (int)p11_kit_space_strlen(t->info.label, sizeof(t->info.label)),
	    (const char *)t->info.label);
	rv =
	    t->m->C_OpenSession(t->slot, CKF_SERIAL_SESSION, NULL, NULL, &t->s);
	if (rv != CKR_OK) {
		t->s = CK_INVALID_HANDLE;
		snprintf(why, wn, "cannot open a session on token %s: %s",
			 t->label, p11_kit_strerror(rv));
		return token_exit(rv);
	}
	return PKCS11_EXIT_OK;
}

int token_login(struct token *t, const char *pin, size_t len, char *why,
		size_t wn)
{
	bool pad = t->info.flags & CKF_PROTECTED_AUTHENTICATION_PATH;
	CK_RV rv;

	if (t->info.flags & CKF_USER_PIN_LOCKED) {
		snprintf(why, wn, "the PIN of token %s is locked", t->label);
		return PKCS11_EXIT_PIN_LOCKED;
	}
	/* With a PIN pad and no PIN given, the reader asks. */
	rv = t->m->C_Login(t->s, CKU_USER,
			   pad && len == 0 ? NULL : (CK_UTF8CHAR_PTR)pin,
			   pad && len == 0 ? 0 : (CK_ULONG)len);
	if (rv == CKR_USER_ALREADY_LOGGED_IN)
		rv = CKR_OK;
	if (rv != CKR_OK)
		snprintf(why, wn, "token %s refused the login: %s", t->label,
			 p11_kit_strerror(rv));
	return token_exit(rv);
}

void token_close(struct token *t)
{
	if (t->m && t->s != CK_INVALID_HANDLE)
		t->m->C_CloseSession(t->s);
	if (t->modules)
		p11_kit_modules_finalize_and_release(t->modules);
	memset(t, 0, sizeof(*t));
}
