// SPDX-License-Identifier: MIT
/* enroll --pkcs11-token-uri: a slot whose secret a PKCS#11 token keeps. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/enroll.h"
#include "keysource/askpass.h"
#include "keysource/pkcs11_companion.h"
#include "slots/crypto.h"
#include "slots/pkcs11_data.h"

/* Calls fn(module, token URI, key or NULL, data) for each line of list. */
static void each_key(char *text,
		     void (*fn)(const char *, const char *, const char *,
				void *),
		     void *data)
{
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *module = line, *token = strchr(line, '\t'), *key;

		if (!token)
			continue;
		*token++ = '\0';
		key = strchr(token, '\t');
		if (key)
			*key++ = '\0';
		fn(module, token, NULL, data);
		while (key) {
			char *next = strchr(key, '\t');

			if (next)
				*next++ = '\0';
			fn(module, token, key, data);
			key = next;
		}
	}
}

static void print_one(const char *module, const char *token, const char *key,
		      void *data)
{
	char label[64];

	(void)data;
	pkcs11_uri_value(token, "token", label, sizeof(label));
	if (!key)
		printf("token %s (module %s):\n  %s\n", label, module, token);
	else
		printf("  key pair %s\n", key);
}

int enroll_pkcs11_list(const struct enroll *en)
{
	struct fsp_problem why = {0};
	struct secbuf out;
	int r = pkcs11_list("-", &out, &why);

	(void)en;
	if (r < 0)
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 "cannot list PKCS#11 tokens: %s", why.text);
	out.data[out.len < out.cap ? out.len : out.cap - 1] = '\0';
	if (out.len == 0)
		cli_say("no PKCS#11 token is present");
	each_key((char *)out.data, print_one, NULL);
	secbuf_free(&out);
	return FSP_EXIT_OK;
}

struct pick {
	unsigned n;
	char module[PKCS11_MODULE_MAX + 1], uri[PKCS11_SLOT_URI_MAX + 1];
};

static void pick_one(const char *module, const char *token, const char *key,
		     void *data)
{
	struct pick *p = data;
	const char *c = key ? strchr(key, ':') : NULL,
		   *uri = c ? strchr(c + 1, ':') : NULL;

	(void)token;
	if (!uri || p->n++)
		return;
	snprintf(p->module, sizeof(p->module), "%s", module);
	snprintf(p->uri, sizeof(p->uri), "%s", uri + 1);
}

/* auto: the one key pair of the one token present, and its module. */
static int pick_auto(struct pkcs11_slot *p)
{
	struct fsp_problem why = {0};
	struct secbuf out;
	struct pick k = {0};
	int r = pkcs11_list("-", &out, &why);

	if (r < 0)
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 "cannot list PKCS#11 tokens: %s", why.text);
	out.data[out.len < out.cap ? out.len : out.cap - 1] = '\0';
	each_key((char *)out.data, pick_one, &k);
	secbuf_free(&out);
	if (k.n != 1)
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 "--pkcs11-token-uri auto needs one key pair "
				 "on one token, and %u are present: name one "
				 "(enroll --pkcs11-token-uri list)",
				 k.n);
	memcpy(p->module, k.module, sizeof(k.module));
	memcpy(p->uri, k.uri, sizeof(k.uri));
	return FSP_EXIT_OK;
}

/* The URI given, checked, with the module its module-path= names (or
 * "-": p11-kit's). */
static int given_uri(const char *uri, struct pkcs11_slot *p)
{
	char pin[8];

	if (strncmp(uri, "pkcs11:", 7) || strlen(uri) > PKCS11_SLOT_URI_MAX)
		return cli_usage_error("enroll",
				       "--pkcs11-token-uri takes a pkcs11: URI "
				       "(RFC 7512) of at most %d bytes, auto "
				       "or list",
				       PKCS11_SLOT_URI_MAX);
	pkcs11_uri_value(uri, "pin-value", pin, sizeof(pin));
	if (pin[0] || strstr(uri, "pin-value=") || strstr(uri, "pin-source="))
		return cli_usage_error(
		    "enroll", "a PIN never goes on the command line: "
			      "leave pin-value= and pin-source= out of "
			      "the URI, and type the PIN when asked or "
			      "give --pkcs11-pin-fd N");
	snprintf(p->uri, sizeof(p->uri), "%s", uri);
	pkcs11_uri_value(uri, "module-path", p->module, sizeof(p->module));
	if (!p->module[0])
		strcpy(p->module, "-");
	return FSP_EXIT_OK;
}

/* The token's PIN: none on a PIN pad, else a line of --pkcs11-pin-fd or
 * asked once (a wrong one costs nothing here: enroll stops). */
static int token_pin(const struct enroll *en, const struct pkcs11_slot *p,
		     char *label, size_t n, struct secbuf *pin)
{
	struct fsp_problem why = {0};
	char prompt[128];
	const char *how = "";
	unsigned flags;
	int r = pkcs11_check(p, label, n, &flags, &why);

	if (r < 0)
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 "%s; nothing was enrolled", why.text);
	if (flags & PKCS11_PIN_LOCKED)
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 "the PIN of token %s is locked; nothing was "
				 "enrolled",
				 label);
	if (flags & PKCS11_PIN_PAD) {
		cli_say("token %s takes its PIN on its reader's PIN pad",
			label);
		r = secbuf_alloc(pin, 1);
	} else if (en->slots.up.pkcs11_pin_fd >= 0) {
		r = passphrase_read_fd(en->slots.up.pkcs11_pin_fd, pin);
	} else {
		snprintf(prompt, sizeof(prompt), "PIN of token %s:", label);
		r = passphrase_ask(prompt, "fscrypt-provision-pkcs11:enroll", 0,
				   pin, &how);
	}
	if (r < 0)
		return cli_error(
		    FSP_EXIT_KEY_SOURCE, "no PIN for token %s: %s", label,
		    r == -ENXIO	    ? "there is no terminal or agent to ask "
				      "(give --pkcs11-pin-fd N)"
		    : r == -ENODATA ? "--pkcs11-pin-fd gave no line"
				    : strerror(-r));
	return FSP_EXIT_OK;
}

int enroll_seal_pkcs11(const struct enroll *en, const struct slots_file *f,
		       struct slot *s, const struct secbuf *key)
{
	struct pkcs11_slot p = {0}, made;
	uint8_t wrapped[PKCS11_SLOT_WRAPPED_MAX];
	struct fsp_problem why = {0};
	struct secbuf pin, secret;
	char label[64];
	int code = strcmp(en->pkcs11_uri, "auto")
		       ? given_uri(en->pkcs11_uri, &p)
		       : pick_auto(&p);
	int r;

	if (!code)
		code = token_pin(en, &p, label, sizeof(label), &pin);
	if (code)
		return code;
	r = pkcs11_enroll(p.module, p.uri, pin.data, pin.len, &made, wrapped,
			  &secret, &why);
	secbuf_free(&pin);
	if (r < 0)
		return cli_error(r == -EACCES || r == -EPERM
				     ? FSP_EXIT_KEY_REJECTED
				 : r == -ENODEV ? FSP_EXIT_KEY_UNAVAILABLE
						: FSP_EXIT_KEY_SOURCE,
				 "%s; nothing was enrolled", why.text);
	r = slot_pkcs11_set(s, &made);
	if (r == 0)
		r = slot_seal_secret(f, s, secret.data, secret.len, key);
	secbuf_free(&secret);
	if (r < 0)
		return cli_error_errno(OP_KEY_SOURCE, r, "wrap the key");
	cli_say("slot %u: token %s keeps its secret (%s, module %s)", s->number,
		label, pkcs11_mech_name(made.mech), made.module);
	return FSP_EXIT_OK;
}
