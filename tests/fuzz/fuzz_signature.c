// SPDX-License-Identifier: MIT
/*
 * libFuzzer: update pre's reading of a PCR signature file (systemd's
 * JSON), on any bytes. The first byte picks the slot's PCRs, so that
 * entries both match and do not.
 */
#include <stddef.h>
#include <stdint.h>

#include "basic/json_read.h"
#include "slots/next_boot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The key of the seed corpus's entries. */
	static const uint8_t fp[32] = {
	    0x4b, 0x57, 0x51, 0x5b, 0x60, 0x39, 0x26, 0x5e, 0x62, 0x7f, 0xc6,
	    0x68, 0x0d, 0x9f, 0xba, 0xdb, 0x94, 0x8d, 0x00, 0x00, 0xf4, 0x45,
	    0x77, 0x41, 0x26, 0x81, 0x61, 0xb9, 0xcd, 0x52, 0x81, 0x55};
	struct json_read j;
	const char *text = (const char *)data + 1;

	if (size < 1)
		return 0;
	nextboot_signature_has(text, size - 1, "sha256", 1u << (data[0] % 24),
			       fp);
	json_read_start(&j, text, size - 1);
	json_read_skip(&j);
	return 0;
}
