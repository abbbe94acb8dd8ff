// SPDX-License-Identifier: MIT
/* Lowercase hex encoding and strict decoding. */
#include "basic/hex.h"

#include <errno.h>
#include <string.h>

void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* Branch-free digit value, or a negative value for a non-digit. */
static int hex_value(unsigned char c)
{
	int num = (int)c - '0';
	int lower = ((int)c | 0x20) - 'a' + 10;
	int is_num = ((num >= 0) & (num <= 9));
	int is_alpha = ((lower >= 10) & (lower <= 15));

	return (num & -is_num) | (lower & -is_alpha) |
	       (-1 & ~(-is_num | -is_alpha));
}

int hex_decode(const char *in, size_t inlen, uint8_t *out, size_t n)
{
	int bad = 0;

	if (inlen != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_value((unsigned char)in[2 * i]);
		int lo = hex_value((unsigned char)in[2 * i + 1]);

		bad |= (hi | lo) < 0;
		out[i] = (uint8_t)(((hi & 0xf) << 4) | (lo & 0xf));
	}
	return bad ? -EINVAL : 0;
}
