// SPDX-License-Identifier: MIT
/* Volume names and the "fscrypt-provision:VOL:HEX" key descriptions. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernel/key_description.h"
#include "unit.h"

static const uint8_t id_seq[FSP_KEY_IDENTIFIER_SIZE] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
static const uint8_t id_kat[FSP_KEY_IDENTIFIER_SIZE] = {
    0x69, 0xb2, 0xf6, 0xed, 0xee, 0xe7, 0x20, 0xcc,
    0xe0, 0x57, 0x79, 0x37, 0xeb, 0x8a, 0x67, 0x51};

static void repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
}

/* The string with control and non-ASCII bytes as \xNN, for TAP lines. */
static const char *shown(const char *s)
{
	static char out[4][512];
	static int slot;
	char *o = out[slot = (slot + 1) % 4];
	size_t n = 0;

	for (; *s && n + 5 < sizeof(out[0]); s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(o + n, 5, "\\x%02x", c);
		else
			o[n++] = (char)c;
	}
	o[n] = '\0';
	return o;
}

static int allowed_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '+' ||
	       c == '@' || c == '-';
}

static void test_volume_name_valid(void)
{
	static const char *const good[] = {
	    "a",      "Z",	   "0",	   "home", "Data_01", "x.y",
	    "a+b",    "user@host", "a-b",  "_x",   "+x",      "@x",
	    "9lives", "end.",	   "end-", "a..b", "a--b",    "A_.+@-z",
	};
	static const char *const bad[] = {
	    "",	   ".x",   "-x",  ".",	  "-",	 "..",		"a/b", "/a",
	    "a b", "a\tb", "a:b", "a,b",  "a*b", "a=b",		"a~b", "a\\b",
	    "a#b", "a$b",  "a'b", "a\"b", "a\n", "caf\xc3\xa9",
	};
	char name[80];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(volume_name_valid(good[i]), "valid volume name '%s'",
		      good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!volume_name_valid(bad[i]), "invalid volume name '%s'",
		      shown(bad[i]));
	CHECK(!volume_name_valid(NULL), "NULL is not a volume name");

	repeat(name, 'v', 64);
	CHECK(volume_name_valid(name), "64 characters are valid");
	repeat(name, 'v', 65);
	CHECK(!volume_name_valid(name), "65 characters are not");
	repeat(name, 'v', 63);
	name[63] = '/';
	name[64] = '\0';
	CHECK(!volume_name_valid(name), "bad character at position 63");

	/* Every byte value, inside a name and at its start. */
	{
		unsigned wrong_mid = 0, wrong_first = 0, n_ok = 0;

		for (int c = 1; c < 256; c++) {
			char mid[4] = {'a', (char)c, 'b', '\0'};
			char first[3] = {(char)c, 'b', '\0'};
			int want = allowed_char(c);

			n_ok += want;
			if (volume_name_valid(mid) != want)
				wrong_mid++;
			if (volume_name_valid(first) !=
			    (want && c != '.' && c != '-'))
				wrong_first++;
		}
		CHECK(wrong_mid == 0 && n_ok == 67,
		      "inside a name exactly the 67 characters "
		      "[A-Za-z0-9_.+@-] are accepted (%u wrong)",
		      wrong_mid);
		CHECK(wrong_first == 0,
		      "at the start the same, less '.' and '-' (%u wrong)",
		      wrong_first);
	}
}

static void test_encode(void)
{
	char buf[FSP_DESC_MAX];
	char vol[FSP_VOLUME_MAX + 2];
	int r;

	r = description_encode("home", id_seq, buf, sizeof(buf));
	CHECK(r == 0, "encode home: 0 (got %d)", r);
	CHECK_STR(buf,
		  "fscrypt-provision:home:000102030405060708090a0b0c0d0e0f",
		  "encode home");

	r = description_encode("user@host.x+y_z-1", id_kat, buf, sizeof(buf));
	CHECK(r == 0, "encode punctuation volume: 0 (got %d)", r);
	CHECK_STR(buf,
		  "fscrypt-provision:user@host.x+y_z-1:"
		  "69b2f6edeee720cce0577937eb8a6751",
		  "encode punctuation volume, lowercase hex");

	/* The largest description fits FSP_DESC_MAX. */
	repeat(vol, 'V', 64);
	r = description_encode(vol, id_kat, buf, sizeof(buf));
	CHECK(r == 0 && strlen(buf) == 18 + 64 + 1 + 32,
	      "64-char volume fits FSP_DESC_MAX (r=%d)", r);

	/* Exactly enough room: prefix + "v" + ':' + 32 + NUL = 53. */
	{
		char small[64];

		memset(small, 'X', sizeof(small));
		r = description_encode("v", id_seq, small, 53);
		CHECK(r == 0, "53 bytes are enough for volume 'v' (r=%d)", r);
		CHECK_STR(
		    small,
		    "fscrypt-provision:v:000102030405060708090a0b0c0d0e0f",
		    "encode into an exact-size buffer");
		CHECK(small[53] == 'X', "nothing written past 53 bytes");

		memset(small, 'X', sizeof(small));
		r = description_encode("v", id_seq, small, 52);
		CHECK(r == -ENAMETOOLONG, "52 bytes: -ENAMETOOLONG (got %d)",
		      r);
		CHECK(small[0] == 'X', "buffer untouched on -ENAMETOOLONG");
		r = description_encode("home", id_seq, small, 10);
		CHECK(r == -ENAMETOOLONG, "10 bytes: -ENAMETOOLONG (got %d)",
		      r);
		r = description_encode("home", id_seq, small, 0);
		CHECK(r == -ENAMETOOLONG, "0 bytes: -ENAMETOOLONG (got %d)", r);
	}

	memset(buf, 'X', sizeof(buf));
	r = description_encode("a/b", id_seq, buf, sizeof(buf));
	CHECK(r == -EINVAL, "encode 'a/b': -EINVAL (got %d)", r);
	CHECK(buf[0] == 'X', "buffer untouched on -EINVAL");
	r = description_encode("", id_seq, buf, sizeof(buf));
	CHECK(r == -EINVAL, "encode '': -EINVAL (got %d)", r);
	r = description_encode(".hidden", id_seq, buf, sizeof(buf));
	CHECK(r == -EINVAL, "encode '.hidden': -EINVAL (got %d)", r);
	r = description_encode("a:b", id_seq, buf, sizeof(buf));
	CHECK(r == -EINVAL, "encode 'a:b': -EINVAL (got %d)", r);
	r = description_encode(NULL, id_seq, buf, sizeof(buf));
	CHECK(r == -EINVAL, "encode NULL: -EINVAL (got %d)", r);
	repeat(vol, 'v', 65);
	r = description_encode(vol, id_seq, buf, sizeof(buf));
	CHECK(r == -EINVAL, "encode 65-char volume: -EINVAL (got %d)", r);
}

static void test_round_trip(void)
{
	static const char *const vols[] = {"home",	"a", "user@host",
					   "x.y+z_w-1", "_", "ROOT"};
	char v64[FSP_VOLUME_MAX + 1];

	repeat(v64, 'q', 64);
	for (size_t i = 0; i < sizeof(vols) / sizeof(vols[0]) + 1; i++) {
		const char *v =
		    i < sizeof(vols) / sizeof(vols[0]) ? vols[i] : v64;
		const uint8_t *id = (i % 2) ? id_kat : id_seq;
		char desc[FSP_DESC_MAX], got_vol[FSP_VOLUME_MAX + 1];
		uint8_t got_id[FSP_KEY_IDENTIFIER_SIZE];
		int r1, r2;

		memset(got_vol, 'X', sizeof(got_vol));
		memset(got_id, 0xee, sizeof(got_id));
		r1 = description_encode(v, id, desc, sizeof(desc));
		r2 = description_decode(desc, got_vol, got_id);
		CHECK(r1 == 0 && r2 == 0, "round trip '%s': %d %d", v, r1, r2);
		CHECK_STR(got_vol, v, "round trip volume '%s'", v);
		CHECK(memcmp(got_id, id, sizeof(got_id)) == 0,
		      "round trip identifier for '%s'", v);
	}

	/* Decoding a literal, independently of encode. */
	{
		char got_vol[FSP_VOLUME_MAX + 1];
		uint8_t got_id[FSP_KEY_IDENTIFIER_SIZE];
		int r = description_decode("fscrypt-provision:data:"
					   "69b2f6edeee720cce0577937eb8a6751",
					   got_vol, got_id);

		CHECK(r == 0, "decode literal: 0 (got %d)", r);
		CHECK_STR(got_vol, "data", "decode literal volume");
		CHECK(memcmp(got_id, id_kat, sizeof(got_id)) == 0,
		      "decode literal identifier");
	}
}

static void test_decode_rejects(void)
{
	char v65[128];
	static const char *const bad[] = {
	    "",
	    "fscrypt-provision",
	    "fscrypt-provision:",
	    "fscrypt-provision:probe",
	    "fscrypt:1234",
	    "fscrypt:0011223344556677",
	    "Fscrypt-provision:home:69b2f6edeee720cce0577937eb8a6751",
	    "fscrypt-provisio:home:69b2f6edeee720cce0577937eb8a6751",
	    "xfscrypt-provision:home:69b2f6edeee720cce0577937eb8a6751",
	    " fscrypt-provision:home:69b2f6edeee720cce0577937eb8a6751",
	    /* missing colon between volume and hex */
	    "fscrypt-provision:home69b2f6edeee720cce0577937eb8a6751",
	    /* empty volume */
	    "fscrypt-provision::69b2f6edeee720cce0577937eb8a6751",
	    /* invalid volumes */
	    "fscrypt-provision:.home:69b2f6edeee720cce0577937eb8a6751",
	    "fscrypt-provision:-home:69b2f6edeee720cce0577937eb8a6751",
	    "fscrypt-provision:ho me:69b2f6edeee720cce0577937eb8a6751",
	    "fscrypt-provision:a:b:69b2f6edeee720cce0577937eb8a6751",
	    "fscrypt-provision:a/b:69b2f6edeee720cce0577937eb8a6751",
	    /* uppercase hex, anywhere */
	    "fscrypt-provision:home:69B2F6EDEEE720CCE0577937EB8A6751",
	    "fscrypt-provision:home:69b2f6edeee720cce0577937eb8a675A",
	    "fscrypt-provision:home:F9b2f6edeee720cce0577937eb8a6751",
	    /* 31 and 33 digits, none */
	    "fscrypt-provision:home:69b2f6edeee720cce0577937eb8a675",
	    "fscrypt-provision:home:69b2f6edeee720cce0577937eb8a67510",
	    "fscrypt-provision:home:",
	    /* non-hex */
	    "fscrypt-provision:home:69b2f6edeee720cce0577937eb8a675g",
	    "fscrypt-provision:home:69b2f6edeee720cce0577937eb8a675 ",
	    "fscrypt-provision:home:69b2f6edeee720cce0577937eb8a6751\n",
	    "fscrypt-provision:home:69b2f6edeee720cce0577937eb8a6751:",
	    "fscrypt-provision:home:-9b2f6edeee720cce0577937eb8a6751",
	};
	char got_vol[FSP_VOLUME_MAX + 1];
	uint8_t got_id[FSP_KEY_IDENTIFIER_SIZE];
	int r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(got_vol, 'X', sizeof(got_vol));
		memset(got_id, 0xee, sizeof(got_id));
		r = description_decode(bad[i], got_vol, got_id);
		CHECK(r == -EINVAL && got_vol[0] == 'X' && got_id[0] == 0xee,
		      "decode rejects '%s' untouched (got %d)", shown(bad[i]),
		      r);
	}
	r = description_decode(NULL, got_vol, got_id);
	CHECK(r == -EINVAL, "decode NULL: -EINVAL (got %d)", r);

	/* A 65-character volume. */
	strcpy(v65, "fscrypt-provision:");
	memset(v65 + 18, 'v', 65);
	strcpy(v65 + 18 + 65, ":69b2f6edeee720cce0577937eb8a6751");
	r = description_decode(v65, got_vol, got_id);
	CHECK(r == -EINVAL, "decode 65-char volume: -EINVAL (got %d)", r);
}

int main(void)
{
	test_volume_name_valid();
	test_encode();
	test_round_trip();
	test_decode_rejects();
	return UNIT_DONE();
}
