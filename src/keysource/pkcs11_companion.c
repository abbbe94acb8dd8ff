// SPDX-License-Identifier: MIT
/* The helper's side of pkcs11 slots (keysource/pkcs11_companion.h). */
#define _GNU_SOURCE
#include "keysource/pkcs11_companion.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "basic/hex.h"
#include "keysource/companion_run.h"

/* Token operations are quick; a PIN pad waits for a person. */
#define PKCS11_TIMEOUT_S 120
#define PKCS11_OUT_MAX 65536

int pkcs11_exit_errno(int code)
{
	switch (code) {
	case PKCS11_EXIT_NO_TOKEN:
		return -ENODEV;
	case PKCS11_EXIT_BAD_PIN:
		return -EACCES;
	case PKCS11_EXIT_PIN_LOCKED:
		return -EPERM;
	case PKCS11_EXIT_PIN_EXPIRED:
		return -EKEYEXPIRED;
	case PKCS11_EXIT_NO_KEY:
		return -ENOKEY;
	case PKCS11_EXIT_UNSUPPORTED:
		return -EOPNOTSUPP;
	case PKCS11_EXIT_DAMAGED:
		return -EBADMSG;
	case PKCS11_EXIT_NO_MODULE:
		return -ELIBACC;
	case PKCS11_EXIT_USAGE:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static const struct companion pkcs11_companion = {
    .name = PKCS11_COMPANION_NAME,
    .prefix = PKCS11_MSG_PREFIX,
    .what = "PKCS#11 token",
    .timeout_s = PKCS11_TIMEOUT_S,
    .exit_errno = pkcs11_exit_errno,
};

unsigned pkcs11_flags_parse(const char *words)
{
	static const struct {
		const char *word;
		unsigned bit;
	} flags[] = {
	    {PKCS11_FLAG_PIN_PAD, PKCS11_PIN_PAD},
	    {PKCS11_FLAG_COUNT_LOW, PKCS11_PIN_COUNT_LOW},
	    {PKCS11_FLAG_FINAL_TRY, PKCS11_PIN_FINAL_TRY},
	    {PKCS11_FLAG_LOCKED, PKCS11_PIN_LOCKED},
	    {PKCS11_FLAG_TO_BE_CHANGED, PKCS11_PIN_TO_BE_CHANGED},
	};
	unsigned bits = 0;

	for (const char *w = words; *w;) {
		size_t l = strcspn(w, " \n");

		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			if (strlen(flags[i].word) == l &&
			    !strncmp(w, flags[i].word, l))
				bits |= flags[i].bit;
		w += l;
		w += strspn(w, " \n");
	}
	return bits;
}

/* Runs op with args and the PIN line on stdin; out allocated here. */
static int call(const char *const *args, size_t n, const uint8_t *pin,
		size_t pin_len, struct secbuf *out, struct fsp_problem *why)
{
	struct secbuf in = {0};
	int r;

	if (pin_len > PKCS11_PIN_MAX || (pin && memchr(pin, '\n', pin_len)))
		return problem_set(why, OP_UNWRAP, -EINVAL,
				   "the PIN is longer than %d bytes or has a "
				   "line break",
				   PKCS11_PIN_MAX);
	r = secbuf_alloc(&in, PKCS11_PIN_MAX + 1);
	if (r == 0)
		r = secbuf_alloc(out, PKCS11_OUT_MAX);
	if (r < 0) {
		secbuf_free(&in);
		return problem_set(why, OP_UNWRAP, r, "out of locked memory");
	}
	if (pin_len)
		memcpy(in.data, pin, pin_len);
	in.data[pin_len] = '\n';
	in.len = pin_len + 1;
	r = companion_run(&pkcs11_companion, args, n, in.data, in.len, out,
			  why);
	secbuf_free(&in);
	if (r < 0)
		secbuf_free(out);
	return r;
}

/* The value of enroll's line "name=" in text (len bytes), or NULL. */
static const char *value(const char *text, size_t len, const char *name,
			 size_t *n)
{
	size_t nl = strlen(name);

	for (const char *p = text; p < text + len;) {
		const char *end = memchr(p, '\n', (size_t)(text + len - p));

		if (!end)
			return NULL;
		if ((size_t)(end - p) > nl && !strncmp(p, name, nl) &&
		    p[nl] == '=') {
			*n = (size_t)(end - p) - nl - 1;
			return p + nl + 1;
		}
		p = end + 1;
	}
	return NULL;
}

/* enroll's lines into p, wrapped and secret. */
static int parse_enrolled(const struct secbuf *out, struct pkcs11_slot *p,
			  uint8_t *wrapped, struct secbuf *secret)
{
	const char *t = (const char *)out->data;
	size_t mn = 0, un = 0, cn = 0, wn = 0, sn = 0;
	const char *m = value(t, out->len, "module", &mn),
		   *u = value(t, out->len, "uri", &un),
		   *c = value(t, out->len, "mech", &cn),
		   *w = value(t, out->len, "wrapped", &wn),
		   *s = value(t, out->len, "secret", &sn);
	char mech[24];

	memset(p, 0, sizeof(*p));
	if (!m || !u || !c || !w || !s || mn >= sizeof(p->module) ||
	    un >= sizeof(p->uri) || cn >= sizeof(mech) || wn % 2 ||
	    wn / 2 > PKCS11_SLOT_WRAPPED_MAX || sn % 2 || sn == 0 ||
	    sn / 2 > PKCS11_SECRET_MAX)
		return -EPROTO;
	memcpy(p->module, m, mn);
	memcpy(p->uri, u, un);
	memcpy(mech, c, cn);
	mech[cn] = '\0';
	p->mech = pkcs11_mech_parse(mech);
	p->wrapped = wrapped;
	p->wrapped_len = wn / 2;
	if (!p->mech || hex_decode(w, wn, wrapped, wn / 2) < 0 ||
	    secbuf_alloc(secret, PKCS11_SECRET_MAX) < 0)
		return -EPROTO;
	if (hex_decode(s, sn, secret->data, sn / 2) < 0) {
		secbuf_free(secret);
		return -EPROTO;
	}
	secret->len = sn / 2;
	return 0;
}

int pkcs11_enroll(const char *module, const char *uri, const uint8_t *pin,
		  size_t pin_len, struct pkcs11_slot *p, uint8_t *wrapped,
		  struct secbuf *secret, struct fsp_problem *why)
{
	const char *args[] = {"enroll", module, uri};
	struct secbuf out;
	int r = call(args, 3, pin, pin_len, &out, why);

	if (r < 0)
		return r;
	r = parse_enrolled(&out, p, wrapped, secret);
	secbuf_free(&out);
	if (r < 0)
		return problem_set(why, OP_UNWRAP, r,
				   "%s wrote what it should not",
				   PKCS11_COMPANION_NAME);
	return 0;
}

int pkcs11_unlock(const struct pkcs11_slot *p, const uint8_t *pin,
		  size_t pin_len, struct secbuf *secret,
		  struct fsp_problem *why)
{
	char hex[2 * PKCS11_SLOT_WRAPPED_MAX + 1];
	const char *args[] = {"unlock", p->module, p->uri,
			      pkcs11_mech_name(p->mech), hex};
	int r;

	hex_encode(p->wrapped, p->wrapped_len, hex);
	r = call(args, 5, pin, pin_len, secret, why);
	if (r == 0 && (secret->len == 0 || secret->len > PKCS11_SECRET_MAX)) {
		size_t len = secret->len;

		secbuf_free(secret);
		return problem_set(why, OP_UNWRAP, -EPROTO,
				   "%s gave a secret of %zu bytes",
				   PKCS11_COMPANION_NAME, len);
	}
	return r;
}

int pkcs11_check(const struct pkcs11_slot *p, char *label, size_t n,
		 unsigned *flags, struct fsp_problem *why)
{
	const char *args[] = {"check", p->module, p->uri};
	struct secbuf out;
	char *tab;
	int r = call(args, 3, NULL, 0, &out, why);

	*flags = 0;
	if (r < 0)
		return r;
	out.data[out.len < out.cap ? out.len : out.cap - 1] = '\0';
	tab = strchr((char *)out.data, '\t');
	if (tab) {
		*tab = '\0';
		*flags = pkcs11_flags_parse(tab + 1);
	}
	snprintf(label, n, "%s", (const char *)out.data);
	secbuf_free(&out);
	return 0;
}

int pkcs11_list(const char *module, struct secbuf *out, struct fsp_problem *why)
{
	const char *args[] = {"list", module};

	return call(args, 2, NULL, 0, out, why);
}
