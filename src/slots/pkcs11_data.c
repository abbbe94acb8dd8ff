// SPDX-License-Identifier: MIT
/* The pkcs11 slot's data (slots/pkcs11_data.h). */
#define _GNU_SOURCE
#include "slots/pkcs11_data.h"

#include <errno.h>
#include <string.h>

#include "basic/hex.h"
#include "basic/unaligned_le.h"
#include "shared/pkcs11_protocol.h"

/*
 * mech, a reserved byte, then three fields each with its 16-bit length:
 * the module's path, the URI, the wrapped secret.
 */
#define PKCS11_DATA_HEADER 2

static const char *const mech_names[] = {
    [PKCS11_OAEP_SHA256] = PKCS11_MECH_OAEP_SHA256,
    [PKCS11_OAEP_SHA1] = PKCS11_MECH_OAEP_SHA1,
    [PKCS11_ECDH] = PKCS11_MECH_ECDH,
};

const char *pkcs11_mech_name(unsigned mech)
{
	return mech >= PKCS11_OAEP_SHA256 && mech <= PKCS11_ECDH
		   ? mech_names[mech]
		   : NULL;
}

uint8_t pkcs11_mech_parse(const char *name)
{
	for (uint8_t m = PKCS11_OAEP_SHA256; m <= PKCS11_ECDH; m++)
		if (!strcmp(name, mech_names[m]))
			return m;
	return 0;
}

/* Printable ASCII without blanks: what RFC 7512 leaves after %-encoding. */
static bool uri_ok(const char *u, size_t n)
{
	if (n < 8 || strncmp(u, "pkcs11:", 7))
		return false;
	for (size_t i = 0; i < n; i++)
		if (u[i] <= ' ' || u[i] > '~')
			return false;
	return true;
}

static bool module_ok(const char *m, size_t n)
{
	return n > 1 && m[0] == '/' && memchr(m, '\0', n) == NULL;
}

/* The secret's form for its mechanism: an uncompressed point for ECDH,
 * a ciphertext of at least 1024 bits for RSA. */
static bool wrapped_ok(unsigned mech, const uint8_t *w, size_t n)
{
	if (n > PKCS11_SLOT_WRAPPED_MAX)
		return false;
	if (mech == PKCS11_ECDH)
		return n >= 65 && n % 2 == 1 && w[0] == 0x04;
	return n >= 128;
}

/* One length-prefixed field at *off of d (len bytes); *off moves past. */
static const uint8_t *field(const uint8_t *d, size_t len, size_t *off,
			    size_t *n)
{
	const uint8_t *f;

	if (len - *off < 2)
		return NULL;
	*n = get_le16(d + *off);
	if (len - *off - 2 < *n)
		return NULL;
	f = d + *off + 2;
	*off += 2 + *n;
	return f;
}

int slot_pkcs11_get(const struct slot *s, struct pkcs11_slot *p)
{
	const uint8_t *d = s->data, *m, *u, *w;
	size_t off = PKCS11_DATA_HEADER, mn, un, wn;

	memset(p, 0, sizeof(*p));
	if (s->data_len < PKCS11_DATA_HEADER || !pkcs11_mech_name(d[0]) || d[1])
		return -EBADMSG;
	m = field(d, s->data_len, &off, &mn);
	u = m ? field(d, s->data_len, &off, &un) : NULL;
	w = u ? field(d, s->data_len, &off, &wn) : NULL;
	if (!w || off != s->data_len || mn > PKCS11_MODULE_MAX ||
	    !module_ok((const char *)m, mn) || un > PKCS11_SLOT_URI_MAX ||
	    !uri_ok((const char *)u, un) || !wrapped_ok(d[0], w, wn))
		return -EBADMSG;
	p->mech = d[0];
	memcpy(p->module, m, mn);
	memcpy(p->uri, u, un);
	p->wrapped = w;
	p->wrapped_len = wn;
	return 0;
}

int slot_pkcs11_set(struct slot *s, const struct pkcs11_slot *p)
{
	size_t mn = strnlen(p->module, sizeof(p->module)),
	       un = strnlen(p->uri, sizeof(p->uri)), o = PKCS11_DATA_HEADER;
	uint8_t *d = s->data;

	if (!pkcs11_mech_name(p->mech) || mn > PKCS11_MODULE_MAX ||
	    !module_ok(p->module, mn) || un > PKCS11_SLOT_URI_MAX ||
	    !uri_ok(p->uri, un) ||
	    !wrapped_ok(p->mech, p->wrapped, p->wrapped_len) ||
	    PKCS11_DATA_HEADER + 6 + mn + un + p->wrapped_len > SLOT_DATA_MAX)
		return -EINVAL;
	d[0] = p->mech;
	d[1] = 0;
	put_le16(d + o, (uint16_t)mn);
	memcpy(d + o + 2, p->module, mn);
	o += 2 + mn;
	put_le16(d + o, (uint16_t)un);
	memcpy(d + o + 2, p->uri, un);
	o += 2 + un;
	put_le16(d + o, (uint16_t)p->wrapped_len);
	memmove(d + o + 2, p->wrapped, p->wrapped_len);
	s->data_len = (uint16_t)(o + 2 + p->wrapped_len);
	return 0;
}

void pkcs11_uri_value(const char *uri, const char *name, char *buf, size_t n)
{
	size_t nl = strlen(name), o = 0;
	const char *p = uri;

	if (n == 0)
		return;
	buf[0] = '\0';
	/* An attribute starts the path (after "pkcs11:") or the query, or
	 * follows a separator; its value ends at the next one. */
	for (; (p = strstr(p, name)); p += nl)
		if (p > uri && strchr(":;?&", p[-1]) && p[nl] == '=')
			break;
	if (!p)
		return;
	for (p += nl + 1; *p && !strchr(";?&", *p) && o + 1 < n; p++) {
		uint8_t c;

		if (p[0] == '%' && strnlen(p + 1, 2) == 2 &&
		    hex_decode(p + 1, 2, &c, 1) == 0) {
			/* A label is shown in prompts: no control bytes. */
			buf[o++] = c < ' ' || c == 0x7f ? '?' : (char)c;
			p += 2;
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = '\0';
}
