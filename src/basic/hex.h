/* SPDX-License-Identifier: MIT */
/* Lowercase hex encoding and strict decoding. */
#ifndef FSP_BASIC_HEX_H
#define FSP_BASIC_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes 2*n lowercase hex digits and a NUL to out (2*n+1 bytes). */
void hex_encode(const uint8_t *in, size_t n, char *out);
/*
 * Decodes exactly 2*n hex digits (either case) from in[0..inlen) into out.
 * Returns 0 or -EINVAL. Constant-time in the digit values, because it also
 * decodes hex key files.
 */
int hex_decode(const char *in, size_t inlen, uint8_t *out, size_t n);

#endif
