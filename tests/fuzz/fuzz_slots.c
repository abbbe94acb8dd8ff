// SPDX-License-Identifier: MIT
/*
 * libFuzzer: the slots file decoder. Whatever decodes must encode back to
 * the same bytes (one meaning per file), and its BLAKE2b slots go through
 * the AEAD with a fixed secret; Argon2id is left out as too slow here.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slots/crypto.h"
#include "slots/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct slots_file f;
	static uint8_t out[SLOTS_FILE_MAX];
	const char *argv[SLOT_EXEC_ARGS_MAX + 1];
	struct fsp_problem what = {0};

	if (slots_decode(data, size, &f, &what) < 0)
		return 0;
	if (slots_encode(&f, out) != size || memcmp(out, data, size) != 0)
		abort();
	for (size_t i = 0; i < f.n; i++) {
		struct secbuf key;

		if (f.slots[i].type == SLOT_EXEC &&
		    slot_exec_argv(&f.slots[i], argv) < 1)
			abort();
		if (f.slots[i].kdf == SLOT_KDF_BLAKE2B &&
		    slot_open_secret(&f, &f.slots[i], (const uint8_t *)"fuzz",
				     4, &key) == 0)
			secbuf_free(&key);
	}
	return 0;
}
