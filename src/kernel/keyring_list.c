// SPDX-License-Identifier: MIT
/* Listing the provisioning keys of the durable keyring, with /proc/keys. */
#define _GNU_SOURCE
#include "kernel/keyring.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/split.h"

/* "perm", "expd" or a count with unit, as proc_keys_show() prints it.
 * Capped at LONG_MAX: a timeout of years in seconds overflows a 32-bit
 * long (armhf). */
static long parse_proc_timeout(const char *s)
{
	static const struct {
		char unit;
		unsigned long secs;
	} units[] = {
	    {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	char *end;
	unsigned long v;

	if (strcmp(s, "perm") == 0)
		return -1;
	if (strcmp(s, "expd") == 0)
		return 0;
	v = strtoul(s, &end, 10);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (*end == units[i].unit)
			return v > (unsigned long)LONG_MAX / units[i].secs
				   ? LONG_MAX
				   : (long)(v * units[i].secs);
	return -1;
}

struct proc_key {
	key_serial_t serial;
	char revoked;
	long expiry;
	char desc[FSP_DESC_MAX]; /* empty unless an fscrypt-provisioning key */
};

static int proc_key_cmp(const void *a, const void *b)
{
	const struct proc_key *x = a, *y = b;

	return (x->serial > y->serial) - (x->serial < y->serial);
}

/*
 * /proc/keys is the only interface that reports a key's remaining lifetime
 * (rounded down to the unit it prints) and that still names expired and
 * revoked keys, which keyctl_describe() refuses. It may be absent (a kernel
 * without CONFIG_PROC_FS), so callers treat missing data as unknown.
 * Loaded once and sorted, so that a list of N keys costs O(N log N).
 */
size_t proc_keys_read(FILE *f, struct proc_key **ret)
{
	struct proc_key *v = NULL;
	size_t n = 0, cap = 0;
	char line[4096];

	*ret = NULL;
	while (fgets(line, sizeof(line), f)) {
		/* SERIAL FLAGS USAGE TIMEOUT PERM UID GID TYPE DESCRIPTION */
		char *w[9], *end;
		size_t m = split_words(line, w, 9);
		unsigned long s;

		if (m < 4)
			continue;
		errno = 0;
		s = strtoul(w[0], &end, 16);
		if (errno || *end || s > UINT32_MAX || strlen(w[1]) < 2)
			continue;
		if (n == cap) {
			struct proc_key *nv;

			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[n].serial = (key_serial_t)s;
		v[n].revoked = w[1][1] == 'R';
		v[n].expiry = parse_proc_timeout(w[3]);
		v[n].desc[0] = '\0';
		/* The type is cut to 9 characters; a positive key's
		 * description is followed by ": <size> [<type>]". */
		if (m >= 9 && strcmp(w[7], "fscrypt-p") == 0) {
			size_t l = strlen(w[8]);

			if (l > 0 && w[8][l - 1] == ':')
				w[8][--l] = '\0';
			if (l < sizeof(v[n].desc))
				strcpy(v[n].desc, w[8]);
		}
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), proc_key_cmp);
	*ret = v;
	return n;
}

static size_t proc_keys_load(struct proc_key **ret)
{
	FILE *f = fopen("/proc/keys", "re");
	size_t n;

	*ret = NULL;
	if (!f)
		return 0;
	n = proc_keys_read(f, ret);
	fclose(f);
	return n;
}

int provkey_list(key_serial_t ring, bool want_expiry, struct provkey **ret,
		 size_t *ret_n)
{
	key_serial_t *ids = NULL;
	struct provkey *keys;
	struct proc_key *proc = NULL;
	size_t n = 0, nproc = 0, count;
	bool proc_loaded = false;
	long len;

	len = keyctl_read_alloc(ring, (void **)&ids);
	if (len < 0)
		return -errno;
	count = (size_t)len / sizeof(key_serial_t);
	keys = calloc(count + 1, sizeof(*keys));
	if (!keys) {
		free(ids);
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		struct provkey *k = &keys[n];
		struct proc_key probe = {.serial = ids[i]}, *p = NULL;
		char d[FSP_DESC_MAX + 128], *type = NULL;
		const char *desc;
		long dl;
		bool ours;
		int err = 0;

		memset(k, 0, sizeof(*k));
		k->serial = ids[i];
		k->expiry = -1;
		/* One syscall with a buffer that fits any of our keys; a
		 * longer description is not ours. */
		dl = keyctl_describe(ids[i], d, sizeof(d));
		if (dl < 0)
			err = -errno;
		/* Invalidated or dead: gone for every purpose, only not yet
		 * garbage-collected. */
		if (err == -ENOKEY)
			continue;
		if (err || want_expiry) {
			/* Expired or revoked: only /proc/keys can name it. */
			if (!proc_loaded) {
				nproc = proc_keys_load(&proc);
				proc_loaded = true;
			}
			p = nproc ? bsearch(&probe, proc, nproc, sizeof(*proc),
					    proc_key_cmp)
				  : NULL;
		}
		if (err)
			ours = p && description_decode(p->desc, k->volume,
						       k->identifier) == 0;
		else
			ours = (size_t)dl <= sizeof(d) &&
			       keyring_parse_description(
				   d, &type, &k->uid, &k->perm, &desc) == 0 &&
			       strcmp(type, FSP_PROVISIONING_KEY_TYPE) == 0 &&
			       description_decode(desc, k->volume,
						  k->identifier) == 0;
		if (ours) {
			if (p) {
				k->expiry = p->expiry;
				if (p->revoked)
					k->state = -EKEYREVOKED;
				else if (p->expiry == 0)
					k->state = -EKEYEXPIRED;
			}
			if (!k->state)
				k->state = err;
			n++;
		}
		free(type);
	}
	free(proc);
	free(ids);
	*ret = keys;
	*ret_n = n;
	return 0;
}

static int provkey_cmp(const void *a, const void *b)
{
	const struct provkey *x = a, *y = b;
	int c = strcmp(x->volume, y->volume);

	return c ? c : (x->serial > y->serial) - (x->serial < y->serial);
}

int ring_keys(const char *keyring, bool want_expiry, struct provkey **ret,
	      size_t *ret_n)
{
	key_serial_t ring;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = keyring_find(keyring, &ring);
	if (r == -ENOKEY)
		return 0;
	if (r < 0)
		return r;
	r = provkey_list(ring, want_expiry, ret, ret_n);
	if (r == 0)
		qsort(*ret, *ret_n, sizeof(**ret), provkey_cmp);
	return r;
}

size_t volume_keys(const struct provkey *keys, size_t n, const char *volume,
		   const struct provkey **ret_first)
{
	size_t lo = 0, hi = n, end;

	/* Lower bound of volume in the sorted list. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(keys[mid].volume, volume) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < n && strcmp(keys[end].volume, volume) == 0; end++)
		;
	*ret_first = keys + lo;
	return end - lo;
}
