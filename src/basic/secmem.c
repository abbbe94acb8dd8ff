// SPDX-License-Identifier: MIT
/* Locked, non-dumpable buffers for key material. */
#define _GNU_SOURCE
#include "basic/secmem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void secure_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

/*
 * Freed one-page buffers are kept, wiped and still locked, for the next
 * allocation: apply handles one key per fscrypttab line, and an mmap, mlock,
 * madvise, munlock and munmap per key cost more than the key's syscalls.
 */
#define POOL_MAX 4
static struct secbuf pool[POOL_MAX];
static size_t pool_n;
static int lock_error;

int secmem_lock_error(void)
{
	return lock_error;
}

static size_t page_size(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (size_t)page : 4096;
}

int secbuf_alloc(struct secbuf *b, size_t cap)
{
	size_t page = page_size();
	size_t map;
	void *p;

	memset(b, 0, sizeof(*b));
	map = (cap + page - 1) / page * page;
	if (map == 0)
		map = page;
	if (map == page && pool_n > 0) {
		*b = pool[--pool_n];
		memset(&pool[pool_n], 0, sizeof(pool[pool_n]));
		b->cap = cap;
		b->len = 0;
		return 0;
	}
	p = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/*
	 * A failed mlock() (RLIMIT_MEMLOCK for non-root) is not fatal: the key
	 * stays out of core dumps and is wiped either way, and refusing would
	 * only push callers towards worse tools. secbuf.locked records it, and
	 * secmem_lock_error() lets the command say so.
	 */
	b->locked = mlock(p, map) == 0;
	if (!b->locked && !lock_error)
		lock_error = errno;
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
	/*
	 * Only the first cap bytes can have been written: a pooled page is
	 * all zero when it is handed out, and wiping all of it on every free
	 * cost apply more than deriving the key's identifier.
	 */
	explicit_bzero(b->data, b->cap < b->map ? b->cap : b->map);
	if (b->map == page_size() && pool_n < POOL_MAX) {
		pool[pool_n++] = *b;
		memset(b, 0, sizeof(*b));
		return;
	}
	if (b->locked)
		(void)munlock(b->data, b->map);
	(void)munmap(b->data, b->map);
	memset(b, 0, sizeof(*b));
}
