// SPDX-License-Identifier: MIT
/*
 * libFuzzer: key decoding (raw, hex, auto) at every key size. The first
 * byte picks the size (16-64) and the format; the rest is the key file.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "keysource/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum key_format formats[] = {
	    KEY_FORMAT_AUTO, KEY_FORMAT_RAW, KEY_FORMAT_HEX};
	struct key_source_opts opts = KEY_SOURCE_OPTS_DEFAULT;
	struct secbuf in, out;
	struct fsp_problem detail = {0};

	if (size < 1)
		return 0;
	opts.size = 16 + data[0] % 49;
	opts.format = formats[(data[0] / 49) % 3];
	data++;
	size--;
	if (secbuf_alloc(&in, size ? size : 1) < 0)
		return 0;
	memcpy(in.data, data, size);
	in.len = size;
	if (key_decode(&in, &opts, &out, &detail) == 0) {
		if (out.len != opts.size)
			__builtin_trap();
		secbuf_free(&out);
	}
	secbuf_free(&in);
	return 0;
}
