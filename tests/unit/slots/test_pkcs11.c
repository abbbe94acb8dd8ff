// SPDX-License-Identifier: MIT
/*
 * The pkcs11 slot's data: its layout written and read back, the strictness
 * of the reader (the reserved byte, each length one off, each field's
 * form), the mechanism names, and the token label taken from a URI.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "basic/unaligned_le.h"
#include "slots/pkcs11_data.h"
#include "unit.h"

#define MOD "/usr/lib/softhsm/libsofthsm2.so"
#define URI "pkcs11:model=SoftHSM%20v2;token=fsp%2Da;id=%01"

static uint8_t rsa_ct[256], point[65];

/* A slot holding a valid pkcs11 data block of mech. */
static int make(struct slot *s, uint8_t mech)
{
	struct pkcs11_slot p = {.mech = mech};

	memset(s, 0, sizeof(*s));
	s->type = SLOT_PKCS11;
	strcpy(p.module, MOD);
	strcpy(p.uri, URI);
	p.wrapped = mech == PKCS11_ECDH ? point : rsa_ct;
	p.wrapped_len = mech == PKCS11_ECDH ? sizeof(point) : sizeof(rsa_ct);
	return slot_pkcs11_set(s, &p);
}

static void test_round_trip(void)
{
	struct slot s;
	struct pkcs11_slot p;

	for (size_t i = 0; i < sizeof(rsa_ct); i++)
		rsa_ct[i] = (uint8_t)i;
	point[0] = 0x04;
	CHECK(make(&s, PKCS11_OAEP_SHA256) == 0, "RSA data written");
	CHECK(s.data_len == 2 + 2 + strlen(MOD) + 2 + strlen(URI) + 2 + 256,
	      "its length: header, three fields with their lengths");
	CHECK(slot_pkcs11_get(&s, &p) == 0 && p.mech == PKCS11_OAEP_SHA256,
	      "read back");
	CHECK_STR(p.module, MOD, "module");
	CHECK_STR(p.uri, URI, "URI");
	CHECK(p.wrapped_len == 256 && !memcmp(p.wrapped, rsa_ct, 256),
	      "wrapped secret");
	CHECK(make(&s, PKCS11_ECDH) == 0 && slot_pkcs11_get(&s, &p) == 0 &&
		  p.mech == PKCS11_ECDH && p.wrapped_len == 65,
	      "EC data: a 65-byte point");
}

/* s's data with byte i set to v: refused? */
static int refused_with(const struct slot *s, size_t i, uint8_t v)
{
	struct slot t = *s;
	struct pkcs11_slot p;

	t.data[i] = v;
	return slot_pkcs11_get(&t, &p) == -EBADMSG;
}

static void test_strict(void)
{
	struct slot s, t;
	struct pkcs11_slot p;
	size_t mod_at = 2, uri_at = 4 + strlen(MOD),
	       w_at = uri_at + 2 + strlen(URI);

	make(&s, PKCS11_OAEP_SHA1);
	CHECK(refused_with(&s, 1, 1), "the reserved byte set");
	CHECK(refused_with(&s, 0, 0) && refused_with(&s, 0, 4),
	      "mechanisms 0 and 4");
	CHECK(refused_with(&s, mod_at, (uint8_t)(strlen(MOD) + 1)) &&
		  refused_with(&s, mod_at, (uint8_t)(strlen(MOD) - 1)),
	      "the module's length one off either way");
	CHECK(refused_with(&s, uri_at, (uint8_t)(strlen(URI) + 1)) &&
		  refused_with(&s, uri_at, (uint8_t)(strlen(URI) - 1)),
	      "the URI's length one off either way");
	CHECK(refused_with(&s, w_at, 1) && refused_with(&s, w_at, 255),
	      "the wrapped secret's length one off either way");
	CHECK(refused_with(&s, mod_at + 2, 'u'), "a module path not absolute");
	CHECK(refused_with(&s, mod_at + 5, 0), "a NUL in the module path");
	CHECK(refused_with(&s, uri_at + 2, 'P'), "a URI not pkcs11:");
	CHECK(refused_with(&s, uri_at + 12, ' '), "a blank in the URI");
	t = s;
	t.data_len--;
	CHECK(slot_pkcs11_get(&t, &p) == -EBADMSG, "one byte short");
	t = s;
	t.data[t.data_len++] = 0;
	CHECK(slot_pkcs11_get(&t, &p) == -EBADMSG, "one byte after its end");
	t = s;
	t.data_len = 1;
	CHECK(slot_pkcs11_get(&t, &p) == -EBADMSG, "a header cut short");
	make(&s, PKCS11_ECDH);
	w_at += 2;
	CHECK(refused_with(&s, w_at, 0x02), "an EC point not uncompressed");
	s.data[0] = PKCS11_OAEP_SHA256;
	CHECK(slot_pkcs11_get(&s, &p) == -EBADMSG,
	      "an RSA ciphertext of 65 bytes (under 1024 bits)");
}

static void test_set_refuses(void)
{
	struct slot s = {.type = SLOT_PKCS11};
	struct pkcs11_slot p = {.mech = PKCS11_ECDH,
				.wrapped = point,
				.wrapped_len = sizeof(point)};

	strcpy(p.module, "libsofthsm2.so");
	strcpy(p.uri, URI);
	CHECK(slot_pkcs11_set(&s, &p) == -EINVAL, "set: a relative module");
	strcpy(p.module, MOD);
	strcpy(p.uri, "token=fsp-a");
	CHECK(slot_pkcs11_set(&s, &p) == -EINVAL, "set: not a URI");
	strcpy(p.uri, URI);
	p.wrapped_len = PKCS11_SLOT_WRAPPED_MAX + 1;
	CHECK(slot_pkcs11_set(&s, &p) == -EINVAL, "set: too long a secret");
}

static void test_names(void)
{
	char l[64];

	CHECK_STR(pkcs11_mech_name(PKCS11_ECDH), "ecdh", "ecdh's name");
	CHECK(pkcs11_mech_name(0) == NULL && pkcs11_mech_name(4) == NULL,
	      "no name for 0 and 4");
	CHECK(pkcs11_mech_parse("rsa-oaep-sha1") == PKCS11_OAEP_SHA1 &&
		  pkcs11_mech_parse("rsa-pkcs1") == 0,
	      "names parsed, unknown ones refused");
	pkcs11_uri_value(URI, "token", l, sizeof(l));
	CHECK_STR(l, "fsp-a", "token= with %%2D undone");
	pkcs11_uri_value("pkcs11:token=a%1bb;id=%01", "token", l, sizeof(l));
	CHECK_STR(l, "a?b", "a control byte in a label is not shown");
	pkcs11_uri_value("pkcs11:id=%01", "token", l, sizeof(l));
	CHECK_STR(l, "", "no token=: empty");
	pkcs11_uri_value("pkcs11:token=abcdef", "token", l, 4);
	CHECK_STR(l, "abc", "cut to the buffer");
	pkcs11_uri_value("pkcs11:mytoken=x;token=y", "token", l, sizeof(l));
	CHECK_STR(l, "y", "a longer name that ends with it is another");
	pkcs11_uri_value(
	    "pkcs11:token=t?module-path=/usr/lib/a%20b.so&pin-value=1",
	    "module-path", l, sizeof(l));
	CHECK_STR(l, "/usr/lib/a b.so", "a query attribute, up to the next");
}

int main(void)
{
	test_round_trip();
	test_strict();
	test_set_refuses();
	test_names();
	return UNIT_DONE();
}
