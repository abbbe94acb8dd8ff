// SPDX-License-Identifier: MIT
/* libFuzzer: the /proc/keys parser, on any bytes. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/keyring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_key *keys;
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	(void)proc_keys_read(f, &keys);
	free(keys);
	fclose(f);
	return 0;
}
