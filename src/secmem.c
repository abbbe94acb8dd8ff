// SPDX-License-Identifier: MIT
/* Locked, non-dumpable buffers for key material. */
#define _GNU_SOURCE
#include "secmem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void secure_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

int secbuf_alloc(struct secbuf *b, size_t cap)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t map;
	void *p;

	memset(b, 0, sizeof(*b));
	if (page <= 0)
		page = 4096;
	map = (cap + (size_t)page - 1) / (size_t)page * (size_t)page;
	if (map == 0)
		map = (size_t)page;
	p = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/*
	 * A failed mlock() (RLIMIT_MEMLOCK for non-root) is not fatal: the key
	 * stays out of core dumps and is wiped either way, and refusing would
	 * only push callers towards worse tools. secbuf.locked records it.
	 */
	b->locked = mlock(p, map) == 0;
	(void)madvise(p, map, MADV_DONTDUMP);
	b->data = p;
	b->cap = cap;
	b->map = map;
	return 0;
}

void secbuf_free(struct secbuf *b)
{
	if (!b->data)
		return;
	explicit_bzero(b->data, b->map);
	if (b->locked)
		(void)munlock(b->data, b->map);
	(void)munmap(b->data, b->map);
	memset(b, 0, sizeof(*b));
}
