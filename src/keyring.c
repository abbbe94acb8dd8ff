// SPDX-License-Identifier: MIT
/* The durable keyring and the fscrypt-provisioning keys in it. */
#define _GNU_SOURCE
#include "keyring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "secmem.h"

#define RET_NERRNO(expr) ((expr) < 0 ? -errno : 0)

int keyring_gain_possession(void)
{
	static bool done;
	key_serial_t thread;

	if (done)
		return 0;
	thread = keyctl_get_keyring_ID(KEY_SPEC_THREAD_KEYRING, 1);
	if (thread < 0)
		return -errno;
	if (keyctl_link(KEY_SPEC_USER_KEYRING, thread) < 0)
		return -errno;
	done = true;
	return 0;
}

/* Parses "type;uid;gid;perm;description" from keyctl_describe(). */
static int parse_description(const char *d, char **ret_type, uint32_t *ret_perm,
			     const char **ret_desc)
{
	const char *f[5];
	char *end;
	unsigned long perm;

	f[0] = d;
	for (int i = 1; i < 5; i++) {
		f[i] = strchr(f[i - 1], ';');
		if (!f[i])
			return -EINVAL;
		f[i]++;
	}
	perm = strtoul(f[3], &end, 16);
	if (*end != ';')
		return -EINVAL;
	*ret_type = strndup(f[0], (size_t)(f[1] - f[0] - 1));
	if (!*ret_type)
		return -ENOMEM;
	*ret_perm = (uint32_t)perm;
	*ret_desc = f[4];
	return 0;
}

int keyring_find(const char *name, key_serial_t *ret)
{
	key_serial_t *ids = NULL;
	long n;
	int r = -ENOKEY;

	n = keyctl_read_alloc(KEY_SPEC_USER_KEYRING, (void **)&ids);
	if (n < 0)
		return -errno;
	for (long i = 0; i < n / (long)sizeof(key_serial_t); i++) {
		char *d = NULL, *type = NULL;
		const char *desc;
		uint32_t perm;

		if (keyctl_describe_alloc(ids[i], &d) < 0)
			continue; /* expired, revoked or not viewable */
		if (parse_description(d, &type, &perm, &desc) == 0 &&
		    strcmp(type, "keyring") == 0 && strcmp(desc, name) == 0) {
			*ret = ids[i];
			r = 0;
		}
		free(type);
		free(d);
		if (r == 0)
			break;
	}
	free(ids);
	return r;
}

/*
 * Serialises keyring creation with an abstract unix socket: it needs no
 * writable file system (the initramfs may have none) and the kernel drops
 * it when the process dies, so a crash never leaves a stale lock behind.
 */
static int creation_lock(const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len;
	int fd, n;

	n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,
		     "fscrypt-provision/%s", name);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path) - 1)
		return -ENAMETOOLONG;
	len =
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (int i = 0; i < 1000; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		if (bind(fd, (struct sockaddr *)&sa, len) == 0)
			return fd;
		if (errno != EADDRINUSE)
			break;
		nanosleep(&ts, NULL);
	}
	n = errno == EADDRINUSE ? -ETIMEDOUT : -errno;
	close(fd);
	return n;
}

static int keyring_find_or_create_uncached(const char *name, key_serial_t *ret,
					   bool *ret_created);

int keyring_find_or_create(const char *name, key_serial_t *ret,
			   bool *ret_created)
{
	/* One process handles one keyring; apply asks once per volume. */
	static char cached_name[256];
	static key_serial_t cached;
	int r;

	if (cached && strcmp(cached_name, name) == 0 &&
	    keyctl_describe(cached, NULL, 0) >= 0) {
		*ret = cached;
		*ret_created = false;
		return 0;
	}
	r = keyring_find_or_create_uncached(name, ret, ret_created);
	if (r == 0 && strlen(name) < sizeof(cached_name)) {
		strcpy(cached_name, name);
		cached = *ret;
	}
	return r;
}

static int keyring_find_or_create_uncached(const char *name, key_serial_t *ret,
					   bool *ret_created)
{
	key_serial_t ring;
	int lock, r;

	r = keyring_find(name, ret);
	if (r != -ENOKEY) {
		if (r == 0)
			*ret_created = false;
		return r;
	}
	lock = creation_lock(name);
	if (lock < 0)
		return lock;
	r = keyring_find(name, ret);
	if (r != -ENOKEY) {
		if (r == 0)
			*ret_created = false;
		goto out_unlock;
	}
	/* Born in our thread keyring, so @u never sees the default rights. */
	ring = add_key("keyring", name, NULL, 0, KEY_SPEC_THREAD_KEYRING);
	if (ring < 0) {
		r = -errno;
		goto out_unlock;
	}
	if (keyctl_setperm(ring, FSP_KEYRING_PERM) < 0 ||
	    keyctl_link(ring, KEY_SPEC_USER_KEYRING) < 0) {
		r = -errno;
		(void)keyctl_invalidate(ring);
		goto out_unlock;
	}
	(void)keyctl_unlink(ring, KEY_SPEC_THREAD_KEYRING);
	*ret = ring;
	*ret_created = true;
	r = 0;
out_unlock:
	close(lock);
	return r;
}

int keyring_destroy(key_serial_t ring)
{
	if (keyctl_unlink(ring, KEY_SPEC_USER_KEYRING) < 0)
		return -errno;
	(void)keyctl_invalidate(ring);
	return 0;
}

int provkey_find(key_serial_t ring, const char *desc, key_serial_t *ret)
{
	long id = keyctl_search(ring, FSP_PROVISIONING_KEY_TYPE, desc, 0);

	if (id < 0)
		return -errno;
	*ret = (key_serial_t)id;
	return 0;
}

int provkey_add(key_serial_t ring, const char *desc, const uint8_t *raw,
		size_t raw_len, unsigned timeout, key_serial_t *ret)
{
	struct fsp_provisioning_key_payload *pl;
	struct secbuf buf;
	key_serial_t key;
	int r;

	if (raw_len < FSP_MIN_KEY_SIZE || raw_len > FSP_MAX_KEY_SIZE)
		return -EINVAL;
	r = secbuf_alloc(&buf, sizeof(*pl) + raw_len);
	if (r < 0)
		return r;
	pl = (struct fsp_provisioning_key_payload *)buf.data;
	pl->type = FSP_KEY_SPEC_TYPE_IDENTIFIER;
	pl->flags = 0;
	memcpy(pl->raw, raw, raw_len);
	buf.len = sizeof(*pl) + raw_len;

	/*
	 * Created in the thread keyring first: the durable keyring only ever
	 * holds the key with its final rights and timeout.
	 */
	key = add_key(FSP_PROVISIONING_KEY_TYPE, desc, buf.data, buf.len,
		      KEY_SPEC_THREAD_KEYRING);
	r = key < 0 ? -errno : 0;
	secbuf_free(&buf);
	if (r < 0)
		return r;
	if (keyctl_setperm(key, FSP_KEY_PERM) < 0 ||
	    (timeout && keyctl_set_timeout(key, timeout) < 0) ||
	    keyctl_link(key, ring) < 0) {
		r = -errno;
		(void)keyctl_invalidate(key);
		return r;
	}
	(void)keyctl_unlink(key, KEY_SPEC_THREAD_KEYRING);
	*ret = key;
	return 0;
}

int provkey_set_timeout(key_serial_t key, unsigned timeout)
{
	return RET_NERRNO(keyctl_set_timeout(key, timeout));
}

int provkey_invalidate(key_serial_t key)
{
	return RET_NERRNO(keyctl_invalidate(key));
}

/* "perm", "expd" or a count with unit, as proc_keys_show() prints it. */
static long parse_proc_timeout(const char *s)
{
	char *end;
	unsigned long v;

	if (strcmp(s, "perm") == 0)
		return -1;
	if (strcmp(s, "expd") == 0)
		return 0;
	v = strtoul(s, &end, 10);
	switch (*end) {
	case 's':
		return (long)v;
	case 'm':
		return (long)v * 60;
	case 'h':
		return (long)v * 3600;
	case 'd':
		return (long)v * 86400;
	case 'w':
		return (long)v * 604800;
	default:
		return -1;
	}
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
static size_t proc_keys_load(struct proc_key **ret)
{
	struct proc_key *v = NULL;
	size_t n = 0, cap = 0;
	char line[4096];
	FILE *f = fopen("/proc/keys", "re");

	*ret = NULL;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned s;
		char flags[8], timeout[8], type[16], desc[512];
		int m;

		m = sscanf(line, "%x %7s %*d %7s %*x %*d %*d %15s %511s", &s,
			   flags, timeout, type, desc);
		if (m < 3)
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
		v[n].revoked = flags[1] == 'R';
		v[n].expiry = parse_proc_timeout(timeout);
		v[n].desc[0] = '\0';
		/* The type is cut to 9 characters; a positive key's
		 * description is followed by ": <size> [<type>]". */
		if (m == 5 && strcmp(type, "fscrypt-p") == 0 &&
		    strlen(desc) < sizeof(v[n].desc)) {
			size_t l = strlen(desc);

			if (l > 0 && desc[l - 1] == ':')
				desc[l - 1] = '\0';
			strcpy(v[n].desc, desc);
		}
		n++;
	}
	fclose(f);
	qsort(v, n, sizeof(*v), proc_key_cmp);
	*ret = v;
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
			ours =
			    (size_t)dl <= sizeof(d) &&
			    parse_description(d, &type, &k->perm, &desc) == 0 &&
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

int provkey_type_supported(void)
{
	/*
	 * The type's preparse rejects a payload this short with EINVAL before
	 * anything is allocated or linked; a kernel without the type answers
	 * ENODEV. @u as destination, because it always exists (a thread
	 * keyring would be created first).
	 */
	static const uint8_t tiny[8] = {FSP_KEY_SPEC_TYPE_IDENTIFIER};
	key_serial_t k;

	k = add_key(FSP_PROVISIONING_KEY_TYPE, "fscrypt-provision:probe", tiny,
		    sizeof(tiny), KEY_SPEC_USER_KEYRING);
	if (k >= 0) {
		(void)keyctl_invalidate(k);
		return -EPROTO;
	}
	if (errno == EINVAL)
		return 1;
	if (errno == ENODEV)
		return 0;
	return -errno;
}
