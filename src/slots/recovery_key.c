// SPDX-License-Identifier: MIT
/* Recovery keys in modhex, grouped for people. */
#define _GNU_SOURCE
#include "slots/recovery_key.h"

#include <string.h>

#include "basic/secmem.h"

static const char modhex[] = "cbdefghijklnrtuv";

void recovery_key_format(const uint8_t key[RECOVERY_KEY_BYTES], char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < RECOVERY_KEY_BYTES; i++) {
		if (i && i % 4 == 0)
			out[o++] = '-';
		out[o++] = modhex[key[i] >> 4];
		out[o++] = modhex[key[i] & 15];
	}
	out[o] = '\0';
}

static int digit(char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 'a');
	for (int i = 0; i < 16; i++)
		if (modhex[i] == c)
			return i;
	return -1;
}

bool recovery_key_parse(const char *text, size_t len,
			uint8_t key[RECOVERY_KEY_BYTES])
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int d;

		if (text[i] == '-' || text[i] == ' ')
			continue;
		d = digit(text[i]);
		if (d < 0 || n == 2 * RECOVERY_KEY_BYTES) {
			secure_wipe(key, RECOVERY_KEY_BYTES);
			return false;
		}
		if (n % 2 == 0)
			key[n / 2] = (uint8_t)(d << 4);
		else
			key[n / 2] |= (uint8_t)d;
		n++;
	}
	if (n != 2 * RECOVERY_KEY_BYTES) {
		secure_wipe(key, RECOVERY_KEY_BYTES);
		return false;
	}
	return true;
}
