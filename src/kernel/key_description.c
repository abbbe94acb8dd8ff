// SPDX-License-Identifier: MIT
/* Volume names and the description of provisioning keys. */
#include "kernel/key_description.h"

#include <errno.h>
#include <string.h>

#include "basic/hex.h"

bool volume_name_valid(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strlen(name);
	if (n == 0 || n > FSP_VOLUME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("_.+@-", c)))
			return false;
	}
	return true;
}

int description_encode(const char *volume,
		       const uint8_t id[FSP_KEY_IDENTIFIER_SIZE], char *buf,
		       size_t bufsz)
{
	char hex[2 * FSP_KEY_IDENTIFIER_SIZE + 1];
	size_t need;

	if (!volume_name_valid(volume))
		return -EINVAL;
	need = strlen(FSP_DESC_PREFIX) + strlen(volume) + 1 + sizeof(hex);
	if (bufsz < need)
		return -ENAMETOOLONG;
	hex_encode(id, FSP_KEY_IDENTIFIER_SIZE, hex);
	strcpy(buf, FSP_DESC_PREFIX);
	strcat(buf, volume);
	strcat(buf, ":");
	strcat(buf, hex);
	return 0;
}

int description_decode(const char *desc, char ret_volume[FSP_VOLUME_MAX + 1],
		       uint8_t ret_id[FSP_KEY_IDENTIFIER_SIZE])
{
	const size_t plen = strlen(FSP_DESC_PREFIX);
	char volume[FSP_VOLUME_MAX + 1];
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	const char *colon;
	size_t vlen;

	if (!desc || strncmp(desc, FSP_DESC_PREFIX, plen) != 0)
		return -EINVAL;
	desc += plen;
	colon = strrchr(desc, ':');
	if (!colon)
		return -EINVAL;
	vlen = (size_t)(colon - desc);
	if (vlen == 0 || vlen > FSP_VOLUME_MAX)
		return -EINVAL;
	memcpy(volume, desc, vlen);
	volume[vlen] = '\0';
	if (!volume_name_valid(volume))
		return -EINVAL;
	/* Only lowercase: the encoding is canonical, so compare as strings. */
	for (const char *p = colon + 1; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			return -EINVAL;
	if (hex_decode(colon + 1, strlen(colon + 1), id, sizeof(id)) < 0)
		return -EINVAL;
	memcpy(ret_volume, volume, vlen + 1);
	memcpy(ret_id, id, sizeof(id));
	return 0;
}
