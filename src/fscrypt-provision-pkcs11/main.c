// SPDX-License-Identifier: MIT
/*
 * fscrypt-provision-pkcs11: the token side of pkcs11 slots, for the static
 * helper (shared/pkcs11_protocol.h has the protocol). The PIN comes on
 * stdin and the secret goes out on stdout, through locked memory; never
 * argv or the environment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/read_full.h"
#include "fscrypt-provision-pkcs11/keypair.h"
#include "fscrypt-provision-pkcs11/token.h"
#include "shared/pkcs11_protocol.h"

struct io {
	char pin[PKCS11_PIN_MAX + 2];
	size_t pin_len;
	struct wrapped w;
	char out[3 * PKCS11_WRAPPED_MAX + PKCS11_URI_MAX + PATH_MAX];
};

static int usage(void)
{
	fprintf(stderr,
		"usage: %s list [MODULE]\n"
		"       %s enroll|check MODULE URI\n"
		"       %s unlock MODULE URI MECH WRAPPED\n"
		"The token side of fscrypt-provision's pkcs11 slots: run by "
		"fscrypt-provision, not by people (see fscrypt-slots(5)).\n",
		PKCS11_COMPANION_NAME, PKCS11_COMPANION_NAME,
		PKCS11_COMPANION_NAME);
	return PKCS11_EXIT_USAGE;
}

/* The PIN: stdin's first line, without its newline. */
static int read_pin(struct io *io)
{
	size_t len = 0;
	int r = read_full(0, (uint8_t *)io->pin, sizeof(io->pin) - 1, &len);
	char *nl;

	if (r < 0)
		return -1;
	io->pin[len] = '\0';
	nl = memchr(io->pin, '\n', len);
	if (nl)
		*nl = '\0';
	io->pin_len = strlen(io->pin);
	return io->pin_len <= PKCS11_PIN_MAX ? 0 : -1;
}

/* The token's URI, as p11-kit writes it from its token info. */
static int token_uri(const struct token *t, const struct keypair *k, char **ret)
{
	P11KitUri *u = p11_kit_uri_new();
	CK_TOKEN_INFO *ti = u ? p11_kit_uri_get_token_info(u) : NULL;
	int r;

	if (!ti)
		return -1;
	*ti = t->info;
	if (k) {
		CK_ATTRIBUTE id = {CKA_ID, (void *)k->id, k->id_len};

		p11_kit_uri_set_attribute(u, &id);
	}
	r = p11_kit_uri_format(
	    u, k ? P11_KIT_URI_FOR_OBJECT_ON_TOKEN : P11_KIT_URI_FOR_TOKEN,
	    ret);
	p11_kit_uri_free(u);
	return r == P11_KIT_URI_OK ? 0 : -1;
}

static void print_key(const struct keypair *k, void *data)
{
	const struct token *t = data;
	char *uri;

	if (token_uri(t, k, &uri) < 0)
		return;
	printf("\t%s:%u:%s", k->type == CKK_RSA ? "rsa" : "ec", k->bits, uri);
	free(uri);
}

/* Every present token of the modules, and its key pairs. */
static int list(const char *module, char *why, size_t wn)
{
	struct token t;
	P11KitUri *any = p11_kit_uri_new();
	int code =
	    any ? token_modules(module, &t, why, wn)
		: (snprintf(why, wn, "out of memory"), PKCS11_EXIT_FAILED);

	for (size_t i = 0; code == 0 && t.modules[i]; i++) {
		CK_SLOT_ID ids[64];
		CK_ULONG n = 64;
		char *path = p11_kit_module_get_filename(t.modules[i]), *uri;

		t.m = t.modules[i];
		if (t.m->C_GetSlotList(CK_TRUE, ids, &n) != CKR_OK)
			n = 0;
		for (CK_ULONG j = 0; j < n; j++) {
			if (t.m->C_GetTokenInfo(ids[j], &t.info) != CKR_OK ||
			    !(t.info.flags & CKF_TOKEN_INITIALIZED) ||
			    token_uri(&t, NULL, &uri) < 0)
				continue;
			printf("%s\t%s", path ? path : "-", uri);
			free(uri);
			if (t.m->C_OpenSession(ids[j], CKF_SERIAL_SESSION, NULL,
					       NULL, &t.s) == CKR_OK) {
				/* Public keys: no PIN is asked. */
				keypair_each(&t, any, CKO_PUBLIC_KEY, print_key,
					     &t);
				t.m->C_CloseSession(t.s);
			}
			printf("\n");
		}
		free(path);
	}
	t.s = CK_INVALID_HANDLE;
	t.m = NULL;
	if (any)
		p11_kit_uri_free(any);
	if (code == 0)
		token_close(&t);
	return code;
}

/* enroll's lines, the secret's among them: built in locked memory and
 * written with one call, not through stdio's buffer. */
static int print_enrolled(const struct token *t, const struct keypair *k,
			  struct io *io)
{
	char *uri, *p = io->out;
	size_t room = sizeof(io->out);
	int n;

	if (token_uri(t, k, &uri) < 0)
		return PKCS11_EXIT_FAILED;
	n = snprintf(p, room, "module=%s\nuri=%s\nmech=%s\nwrapped=", t->module,
		     uri, io->w.mech);
	free(uri);
	if (n < 0 || (size_t)n + 2 * (io->w.len + io->w.secret_len) + 16 > room)
		return PKCS11_EXIT_FAILED;
	p += n;
	hex_encode(io->w.data, io->w.len, p);
	p += 2 * io->w.len;
	p += sprintf(p, "\nsecret=");
	hex_encode(io->w.secret, io->w.secret_len, p);
	p += 2 * io->w.secret_len;
	*p++ = '\n';
	return write_full(1, (const uint8_t *)io->out, (size_t)(p - io->out)) <
		       0
		   ? PKCS11_EXIT_FAILED
		   : PKCS11_EXIT_OK;
}

/* The operations on one token: enroll, unlock, check. */
static int one_token(char **argv, struct io *io, char *why, size_t wn)
{
	const char *op = argv[1];
	P11KitUri *uri = p11_kit_uri_new();
	struct token t;
	struct keypair k;
	int code;

	if (!uri || p11_kit_uri_parse(argv[3], P11_KIT_URI_FOR_ANY, uri) !=
			P11_KIT_URI_OK) {
		snprintf(why, wn, "not a PKCS#11 URI (RFC 7512): %s", argv[3]);
		if (uri)
			p11_kit_uri_free(uri);
		return PKCS11_EXIT_USAGE;
	}
	code = token_modules(argv[2], &t, why, wn);
	if (code == 0)
		code = token_open(uri, &t, why, wn);
	if (code == 0 && !strcmp(op, "check")) {
		token_flags_text(&t.info, io->out, sizeof(io->out));
		printf("%s\t%s\n", t.label, io->out);
	} else if (code == 0) {
		code = token_login(&t, io->pin, io->pin_len, why, wn);
		if (code == 0)
			code = keypair_find(&t, uri, !strcmp(op, "enroll"), &k,
					    why, wn);
	}
	if (code == 0 && !strcmp(op, "unlock")) {
		code = keypair_unwrap(&t, &k, &io->w, why, wn);
		if (code == 0 &&
		    write_full(1, io->w.secret, io->w.secret_len) < 0)
			code = PKCS11_EXIT_FAILED;
	} else if (code == 0 && !strcmp(op, "enroll")) {
		code = keypair_enroll(&t, &k, &io->w, why, wn);
		if (code == 0)
			code = print_enrolled(&t, &k, io);
	}
	p11_kit_uri_free(uri);
	token_close(&t);
	return code;
}

/* unlock's MECH and WRAPPED. */
static int wrapped_args(const char *mech, const char *hex, struct wrapped *w)
{
	size_t len = strlen(hex);

	if (strcmp(mech, PKCS11_MECH_OAEP_SHA256) &&
	    strcmp(mech, PKCS11_MECH_OAEP_SHA1) &&
	    strcmp(mech, PKCS11_MECH_ECDH))
		return -1;
	snprintf(w->mech, sizeof(w->mech), "%s", mech);
	if (len == 0 || len % 2 || len / 2 > sizeof(w->data) ||
	    hex_decode(hex, len, w->data, len / 2) < 0)
		return -1;
	w->len = len / 2;
	return 0;
}

int main(int argc, char **argv)
{
	static struct io io;
	char why[1024] = "";
	const char *op = argc > 1 ? argv[1] : "";
	bool pin = !strcmp(op, "enroll") || !strcmp(op, "unlock");
	int code;

	if (!strcmp(op, "list") && argc <= 3) {
		code = list(argc == 3 ? argv[2] : "-", why, sizeof(why));
		if (code)
			fprintf(stderr, PKCS11_MSG_PREFIX "%s\n", why);
		return code;
	}
	if (argc != (!strcmp(op, "unlock") ? 6 : 4) ||
	    (!pin && strcmp(op, "check")))
		return usage();
	/* The module keeps the PIN and the secret on its own heap: lock all
	 * of it, and dump none of it. */
	prctl(PR_SET_DUMPABLE, 0);
	setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0 &&
	    mlock(&io, sizeof(io)) < 0) {
		fprintf(stderr, PKCS11_MSG_PREFIX "cannot lock memory: %m\n");
		return PKCS11_EXIT_FAILED;
	}
	if ((pin && read_pin(&io) < 0) ||
	    (argc == 6 && wrapped_args(argv[4], argv[5], &io.w) < 0)) {
		fprintf(stderr, PKCS11_MSG_PREFIX "bad input\n");
		code = PKCS11_EXIT_USAGE;
	} else {
		code = one_token(argv, &io, why, sizeof(why));
		if (code && *why)
			fprintf(stderr, PKCS11_MSG_PREFIX "%s\n", why);
	}
	explicit_bzero(&io, sizeof(io));
	return code;
}
