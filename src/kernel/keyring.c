// SPDX-License-Identifier: MIT
/* The durable keyring and the fscrypt-provisioning keys in it. */
#define _GNU_SOURCE
#include "kernel/keyring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basic/secmem.h"

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

int keyring_parse_description(const char *d, char **ret_type, uid_t *ret_uid,
			      uint32_t *ret_perm, const char **ret_desc)
{
	unsigned long uid;
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
	uid = strtoul(f[1], &end, 10);
	if (*end != ';')
		return -EINVAL;
	perm = strtoul(f[3], &end, 16);
	if (*end != ';')
		return -EINVAL;
	*ret_type = strndup(f[0], (size_t)(f[1] - f[0] - 1));
	if (!*ret_type)
		return -ENOMEM;
	*ret_uid = (uid_t)uid;
	*ret_perm = (uint32_t)perm;
	*ret_desc = f[4];
	return 0;
}

/* Names the rights in perm that go to anyone but the possessor. */
static void others_rights(uint32_t perm, char *buf, size_t len)
{
	static const char *const who[] = {"user", "group", "others"};
	static const char *const what[] = {"view",   "read", "write",
					   "search", "link", "setattr"};
	size_t n = 0;

	buf[0] = '\0';
	for (int w = 0; w < 3; w++) {
		uint32_t bits = (perm >> (16 - 8 * w)) & 0x3f;

		if (!bits)
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
				      "%s%s:", n ? " " : "", who[w]);
		for (int b = 0; b < 6; b++)
			if (bits & (1u << b))
				n += (size_t)snprintf(
				    buf + n, n < len ? len - n : 0, "%s%s",
				    buf[n - 1] == ':' ? "" : ",", what[b]);
	}
	if (n == 0)
		snprintf(buf, len, "nothing");
}

int key_check_owner_perm(key_serial_t id, uint32_t want,
			 struct fsp_problem *why)
{
	char *d = NULL, *type = NULL, has[160], ok[160];
	const char *desc;
	uint32_t perm;
	uid_t uid;
	int r;

	if (keyctl_describe_alloc(id, &d) < 0)
		return -errno;
	r = keyring_parse_description(d, &type, &uid, &perm, &desc);
	if (r == 0 && uid != geteuid()) {
		problem_text(why,
			     "is owned by uid %u, not by uid %u, so uid %u may "
			     "change or replace it",
			     (unsigned)uid, (unsigned)geteuid(), (unsigned)uid);
		r = -EPERM;
	} else if (r == 0 && perm != want) {
		others_rights(perm, has, sizeof(has));
		others_rights(want, ok, sizeof(ok));
		problem_text(why,
			     "has permissions 0x%08x (%s) where 0x%08x (%s) is "
			     "expected",
			     perm, has, want, ok);
		r = 1;
	}
	free(type);
	free(d);
	return r;
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
		uid_t uid;

		if (keyctl_describe_alloc(ids[i], &d) < 0)
			continue; /* expired, revoked or not viewable */
		if (keyring_parse_description(d, &type, &uid, &perm, &desc) ==
			0 &&
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
	int r;

	r = keyring_find(name, ret);
	if (r != -ENOKEY) {
		if (r == 0)
			*ret_created = false;
		return r;
	}
	/* Born in our thread keyring, so @u never sees the default rights. */
	ring = add_key("keyring", name, NULL, 0, KEY_SPEC_THREAD_KEYRING);
	if (ring < 0)
		return -errno;
	if (keyctl_setperm(ring, FSP_KEYRING_PERM) < 0 ||
	    keyctl_link(ring, KEY_SPEC_USER_KEYRING) < 0) {
		r = -errno;
		(void)keyctl_invalidate(ring);
		return r;
	}
	(void)keyctl_unlink(ring, KEY_SPEC_THREAD_KEYRING);
	*ret = ring;
	*ret_created = true;
	return 0;
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
