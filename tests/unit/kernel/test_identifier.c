// SPDX-License-Identifier: MIT
/*
 * fscrypt_key_identifier() against known answers (computed with Python's
 * hmac module) and against an independent HKDF-SHA512 built here from
 * libsodium's plain SHA-512; and the hex helpers.
 */
#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "basic/hex.h"
#include "kernel/identifier.h"
#include "unit.h"

#define SHA512_BLOCK 128

/*
 * HMAC-SHA512 (RFC 2104) spelled out on crypto_hash_sha512, so that it
 * shares no code with kernel/identifier.c's use of crypto_auth_hmacsha512_*.
 */
static void ref_hmac_sha512(const uint8_t *key, size_t key_len,
			    const uint8_t *msg, size_t msg_len,
			    uint8_t out[crypto_hash_sha512_BYTES])
{
	uint8_t k0[SHA512_BLOCK] = {0};
	uint8_t pad[SHA512_BLOCK];
	uint8_t inner[crypto_hash_sha512_BYTES];
	crypto_hash_sha512_state st;

	if (key_len > SHA512_BLOCK)
		crypto_hash_sha512(k0, key, key_len);
	else
		memcpy(k0, key, key_len);

	for (size_t i = 0; i < SHA512_BLOCK; i++)
		pad[i] = k0[i] ^ 0x36;
	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, pad, sizeof(pad));
	crypto_hash_sha512_update(&st, msg, msg_len);
	crypto_hash_sha512_final(&st, inner);

	for (size_t i = 0; i < SHA512_BLOCK; i++)
		pad[i] = k0[i] ^ 0x5c;
	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, pad, sizeof(pad));
	crypto_hash_sha512_update(&st, inner, sizeof(inner));
	crypto_hash_sha512_final(&st, out);
}

/*
 * HKDF-SHA512 with a 128-byte all-zero salt (equivalent to the empty salt,
 * because HMAC pads its key with zeros to the block size) and info
 * "fscrypt\0" 0x01, one output block.
 */
static void ref_identifier(const uint8_t *key, size_t key_len,
			   uint8_t out[FSP_KEY_IDENTIFIER_SIZE])
{
	static const uint8_t salt[SHA512_BLOCK];
	static const uint8_t info_ctr[] = {'f', 's', 'c', 'r', 'y',
					   'p', 't', 0,	  1,   1};
	uint8_t prk[crypto_hash_sha512_BYTES];
	uint8_t okm[crypto_hash_sha512_BYTES];

	ref_hmac_sha512(salt, sizeof(salt), key, key_len, prk);
	ref_hmac_sha512(prk, sizeof(prk), info_ctr, sizeof(info_ctr), okm);
	memcpy(out, okm, FSP_KEY_IDENTIFIER_SIZE);
}

static void hex_of(const uint8_t id[FSP_KEY_IDENTIFIER_SIZE],
		   char out[FSP_IDENTIFIER_HEX_LEN + 1])
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < FSP_KEY_IDENTIFIER_SIZE; i++) {
		out[2 * i] = d[id[i] >> 4];
		out[2 * i + 1] = d[id[i] & 0xf];
	}
	out[FSP_IDENTIFIER_HEX_LEN] = '\0';
}

static void test_known_answers(void)
{
	static const struct {
		const char *what;
		size_t len;
		int pattern;
		const char *want;
	} kat[] = {
	    {"64 bytes 0x01..0x40", 64, 0, "69b2f6edeee720cce0577937eb8a6751"},
	    {"16 bytes 0x01..0x10", 16, 0, "101164106c6bebc304b9826bfb9d063b"},
	    {"16 zero bytes", 16, 1, "1687713d4a9bbd2ecd3d9b28548784ad"},
	    {"32 bytes 0xff", 32, 2, "1e63db8755af00e6220c2f96c353bb5d"},
	    {"33 bytes (i*37+11)", 33, 3, "a83a5723a69762d12b9a879b4b19b15d"},
	};

	for (size_t k = 0; k < sizeof(kat) / sizeof(kat[0]); k++) {
		uint8_t key[64], id[FSP_KEY_IDENTIFIER_SIZE];
		char hex[FSP_IDENTIFIER_HEX_LEN + 1];
		int r;

		for (size_t i = 0; i < kat[k].len; i++) {
			switch (kat[k].pattern) {
			case 0:
				key[i] = (uint8_t)(i + 1);
				break;
			case 1:
				key[i] = 0;
				break;
			case 2:
				key[i] = 0xff;
				break;
			default:
				key[i] = (uint8_t)(i * 37 + 11);
				break;
			}
		}
		memset(id, 0, sizeof(id));
		r = fscrypt_key_identifier(key, kat[k].len, id);
		CHECK(r == 0, "identifier of %s returns 0 (got %d)",
		      kat[k].what, r);
		hex_of(id, hex);
		CHECK_STR(hex, kat[k].want, "identifier of %s", kat[k].what);
	}
}

/* Checks the reference HMAC against libsodium's one-shot HMAC-SHA512. */
static void test_reference_hmac(void)
{
	/* crypto_auth_hmacsha512() takes a 32-byte key; zeros pad the same. */
	static const uint8_t zero32[crypto_auth_hmacsha512_KEYBYTES];
	static const uint8_t zero128[SHA512_BLOCK];
	uint8_t msg[64], a[crypto_auth_hmacsha512_BYTES],
	    b[crypto_hash_sha512_BYTES];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(0xa5 ^ i);
	crypto_auth_hmacsha512(a, msg, sizeof(msg), zero32);
	ref_hmac_sha512(zero128, sizeof(zero128), msg, sizeof(msg), b);
	CHECK(memcmp(a, b, sizeof(a)) == 0,
	      "reference HMAC with a 128-byte zero key equals libsodium's "
	      "one-shot HMAC with a 32-byte zero key");

	{
		uint8_t key32[crypto_auth_hmacsha512_KEYBYTES];

		for (size_t i = 0; i < sizeof(key32); i++)
			key32[i] = (uint8_t)(3 * i + 1);
		crypto_auth_hmacsha512(a, msg, 10, key32);
		ref_hmac_sha512(key32, sizeof(key32), msg, 10, b);
		CHECK(memcmp(a, b, sizeof(a)) == 0,
		      "reference HMAC equals libsodium's one-shot HMAC with a "
		      "nonzero 32-byte key");
	}
}

static void fill(uint8_t *key, size_t len, unsigned seed)
{
	uint32_t x = 2463534242u ^ seed;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		key[i] = (uint8_t)(x >> 11);
	}
}

static void test_cross_check(void)
{
	static const size_t sizes[] = {16, 32, 33, 64};

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (unsigned seed = 0; seed < 4; seed++) {
			uint8_t key[64], got[FSP_KEY_IDENTIFIER_SIZE],
			    want[FSP_KEY_IDENTIFIER_SIZE];
			char g[FSP_IDENTIFIER_HEX_LEN + 1],
			    w[FSP_IDENTIFIER_HEX_LEN + 1];
			int r;

			if (seed == 0)
				memset(key, 0x00, sizeof(key));
			else if (seed == 1)
				memset(key, 0xff, sizeof(key));
			else
				fill(key, sizeof(key),
				     seed * 7919u + (unsigned)sizes[s]);
			memset(got, 0, sizeof(got));
			r = fscrypt_key_identifier(key, sizes[s], got);
			ref_identifier(key, sizes[s], want);
			CHECK(r == 0, "size %zu seed %u returns 0", sizes[s],
			      seed);
			hex_of(got, g);
			hex_of(want, w);
			CHECK_STR(g, w,
				  "size %zu seed %u matches reference HKDF",
				  sizes[s], seed);
		}
	}

	/* The identifier depends on the last byte, and on the length. */
	{
		uint8_t key[64], a[FSP_KEY_IDENTIFIER_SIZE],
		    b[FSP_KEY_IDENTIFIER_SIZE];

		fill(key, sizeof(key), 99);
		fscrypt_key_identifier(key, 64, a);
		key[63] ^= 1;
		fscrypt_key_identifier(key, 64, b);
		CHECK(memcmp(a, b, sizeof(a)) != 0,
		      "flipping the last key bit changes the identifier");
		fscrypt_key_identifier(key, 63, a);
		fscrypt_key_identifier(key, 64, b);
		CHECK(memcmp(a, b, sizeof(a)) != 0,
		      "63 and 64 bytes of the same key differ");
	}
}

static void test_invalid(void)
{
	uint8_t key[65], out[32];
	static const uint8_t untouched[32] = {
	    0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	    0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	    0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
	int r;

	fill(key, sizeof(key), 5);
	memset(out, 0xaa, sizeof(out));
	r = fscrypt_key_identifier(key, 15, out);
	CHECK(r == -EINVAL, "15-byte key: -EINVAL (got %d)", r);
	r = fscrypt_key_identifier(key, 65, out);
	CHECK(r == -EINVAL, "65-byte key: -EINVAL (got %d)", r);
	r = fscrypt_key_identifier(key, 0, out);
	CHECK(r == -EINVAL, "0-byte key: -EINVAL (got %d)", r);
	r = fscrypt_key_identifier(NULL, 64, out);
	CHECK(r == -EINVAL, "NULL key: -EINVAL (got %d)", r);
	CHECK(memcmp(out, untouched, sizeof(out)) == 0,
	      "output untouched on -EINVAL");

	r = fscrypt_key_identifier(key, 16, out);
	CHECK(r == 0 && memcmp(out, untouched, 16) != 0 &&
		  memcmp(out + 16, untouched + 16, 16) == 0,
	      "writes exactly 16 bytes of output");
}

static void test_hex_encode(void)
{
	static const uint8_t in[] = {0x00, 0x01, 0x09, 0x0a, 0x7f,
				     0x80, 0xab, 0xf0, 0xff};
	char out[2 * sizeof(in) + 2];

	memset(out, 'X', sizeof(out));
	hex_encode(in, sizeof(in), out);
	CHECK_STR(out, "0001090a7f80abf0ff", "hex_encode mixed bytes");
	CHECK(out[2 * sizeof(in) + 1] == 'X',
	      "hex_encode writes only 2n+1 bytes");

	memset(out, 'X', sizeof(out));
	hex_encode(in, 0, out);
	CHECK(out[0] == '\0' && out[1] == 'X', "hex_encode of 0 bytes is \"\"");
}

static int ref_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void test_hex_decode(void)
{
	uint8_t out[8];
	int r;

	memset(out, 0, sizeof(out));
	r = hex_decode("00abCDeF7f80", 12, out, 6);
	CHECK(r == 0 && out[0] == 0x00 && out[1] == 0xab && out[2] == 0xcd &&
		  out[3] == 0xef && out[4] == 0x7f && out[5] == 0x80,
	      "hex_decode mixed case (r=%d)", r);
	r = hex_decode("ABCDEF0123456789", 16, out, 8);
	CHECK(r == 0 && out[0] == 0xab && out[1] == 0xcd && out[2] == 0xef &&
		  out[3] == 0x01 && out[7] == 0x89,
	      "hex_decode all uppercase (r=%d)", r);
	r = hex_decode("abcdef0123456789", 16, out, 8);
	CHECK(r == 0 && out[0] == 0xab && out[1] == 0xcd && out[2] == 0xef &&
		  out[3] == 0x01 && out[7] == 0x89,
	      "hex_decode all lowercase (r=%d)", r);
	r = hex_decode("", 0, out, 0);
	CHECK(r == 0, "hex_decode of nothing into nothing (r=%d)", r);

	r = hex_decode("abc", 3, out, 1);
	CHECK(r == -EINVAL, "odd length 3 for 1 byte: -EINVAL (got %d)", r);
	r = hex_decode("abc", 3, out, 2);
	CHECK(r == -EINVAL, "odd length 3 for 2 bytes: -EINVAL (got %d)", r);
	r = hex_decode("abcd", 4, out, 1);
	CHECK(r == -EINVAL, "4 digits for 1 byte: -EINVAL (got %d)", r);
	r = hex_decode("ab", 2, out, 2);
	CHECK(r == -EINVAL, "2 digits for 2 bytes: -EINVAL (got %d)", r);
	r = hex_decode("", 0, out, 1);
	CHECK(r == -EINVAL, "0 digits for 1 byte: -EINVAL (got %d)", r);

	/* Every byte value at every position of an 8-digit string. */
	for (size_t pos = 0; pos < 8; pos++) {
		unsigned wrong = 0, rejected = 0;

		for (int c = 0; c < 256; c++) {
			char in[8];
			int d = ref_digit(c);

			memcpy(in, "0123abcd", 8);
			in[pos] = (char)c;
			memset(out, 0x5a, sizeof(out));
			r = hex_decode(in, 8, out, 4);
			if (d < 0) {
				rejected++;
				if (r != -EINVAL)
					wrong++;
			} else {
				uint8_t want[4] = {0x01, 0x23, 0xab, 0xcd};
				unsigned sh = (pos % 2) ? 0 : 4;

				want[pos / 2] =
				    (uint8_t)((want[pos / 2] & ~(0xf << sh)) |
					      (d << sh));
				if (r != 0 || memcmp(out, want, 4) != 0)
					wrong++;
			}
		}
		CHECK(wrong == 0 && rejected == 256 - 22,
		      "position %zu: 22 hex digits accepted and decoded, the "
		      "other 234 byte values give -EINVAL (%u wrong)",
		      pos, wrong);
	}
	{
		/* Specific neighbours of the digit ranges. */
		static const char bad[] = {'/',	 ':',	     '@',	'G',
					   '`',	 'g',	     ' ',	'\0',
					   '\n', (char)0xc1, (char)0xe1};

		for (size_t i = 0; i < sizeof(bad); i++) {
			char in[2] = {'a', bad[i]};

			r = hex_decode(in, 2, out, 1);
			CHECK(r == -EINVAL,
			      "non-hex byte 0x%02x after 'a': -EINVAL",
			      (unsigned char)bad[i]);
		}
	}
}

static void test_is_identifier_hex(void)
{
	CHECK(is_identifier_hex("69b2f6edeee720cce0577937eb8a6751"),
	      "32 lowercase digits are an identifier");
	CHECK(is_identifier_hex("69B2F6EDEEE720CCE0577937EB8A6751"),
	      "32 uppercase digits are an identifier");
	CHECK(is_identifier_hex("00000000000000000000000000000000"),
	      "32 zeros are an identifier");
	CHECK(!is_identifier_hex("69b2f6edeee720cce0577937eb8a675"),
	      "31 digits are not");
	CHECK(!is_identifier_hex("69b2f6edeee720cce0577937eb8a67510"),
	      "33 digits are not");
	CHECK(!is_identifier_hex("69b2f6edeee720cce0577937eb8a675g"),
	      "a 'g' is not a digit");
	CHECK(!is_identifier_hex("69b2f6edeee720cc e0577937eb8a6751"),
	      "a space is not a digit");
	CHECK(!is_identifier_hex(""), "empty string is not");
	CHECK(!is_identifier_hex(NULL), "NULL is not");
}

int main(void)
{
	test_known_answers();
	test_reference_hmac();
	test_cross_check();
	test_invalid();
	test_hex_encode();
	test_hex_decode();
	test_is_identifier_hex();
	return UNIT_DONE();
}
