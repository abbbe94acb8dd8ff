/* SPDX-License-Identifier: MIT */
/* Locked, non-dumpable buffers for key material. */
#ifndef FSP_BASIC_SECMEM_H
#define FSP_BASIC_SECMEM_H

#include <stddef.h>

struct secbuf {
	unsigned char *data;
	size_t cap; /* bytes usable at data */
	size_t len; /* bytes holding key material */
	size_t map; /* mapping size, a multiple of the page size */
	int locked; /* mlock() succeeded */
};

/* Maps cap bytes, locked and excluded from core dumps. Returns 0 or -errno. */
int secbuf_alloc(struct secbuf *b, size_t cap);
/* Wipes and unmaps; safe on a zeroed or already freed buffer. */
void secbuf_free(struct secbuf *b);
/*
 * The errno of the first mlock() that failed in this process, or 0: the
 * commands say so, as a key that may be swapped out is worth knowing.
 */
int secmem_lock_error(void);
/* Wipes a stack or heap area holding secrets. */
void secure_wipe(void *p, size_t n);

#endif
