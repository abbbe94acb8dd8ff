// SPDX-License-Identifier: MIT
/* The steps that add, apply, unlock and check share; they print. */
#define _GNU_SOURCE
#include "provision.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "hex.h"

static const char *status_name(uint32_t s)
{
	switch (s) {
	case FSP_KEY_STATUS_ABSENT:
		return "absent";
	case FSP_KEY_STATUS_PRESENT:
		return "present";
	case FSP_KEY_STATUS_INCOMPLETELY_REMOVED:
		return "incompletely removed";
	default:
		return "unknown";
	}
}

static bool claimed_by_self(const struct key_status *st)
{
	return st->status == FSP_KEY_STATUS_PRESENT &&
	       (st->flags & FSP_KEY_STATUS_FLAG_ADDED_BY_SELF);
}

static int no_key_id(const struct provision_req *rq, int fd)
{
	uint8_t got[FSP_KEY_IDENTIFIER_SIZE];
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	int r;

	if (!rq->raw_fallback || !rq->mount)
		return fail_msg(
		    FSP_EXIT_UNSUPPORTED,
		    "this kernel cannot add fscrypt keys by key_id (Linux 5.6 "
		    "or the backport in kernel-patches/ is needed), so the key "
		    "for volume %s would not survive an unmount and remount; "
		    "nothing was provisioned. To unlock %s with the raw key "
		    "anyway, pass --mount with --allow-raw-fallback "
		    "(fscrypttab option raw-fallback)",
		    rq->volume, rq->mount ? rq->mount : "the filesystem");
	warn("this kernel cannot add keys by key_id: adding the raw key of "
	     "volume %s to %s directly. It will NOT survive an unmount; see "
	     "kernel-patches/ to fix the kernel",
	     rq->volume, rq->mount);
	r = fs_add_key_raw(fd, rq->key->data, rq->key->len, got);
	if (r < 0)
		return fail(OP_ADD_RAW, r, "add the key of volume %s to %s",
			    rq->volume, rq->mount);
	hex_encode(got, sizeof(got), hex);
	if (memcmp(got, rq->id, sizeof(got)) != 0) {
		uint32_t flags;

		(void)fs_remove_key(fd, got, false, &flags);
		return fail_msg(FSP_EXIT_KEY_REJECTED,
				"the kernel computed identifier %s, which "
				"differs from ours; key removed again",
				hex);
	}
	say("volume %s: raw key %s added to %s (will not survive unmount)",
	    rq->volume, hex, rq->mount);
	return FSP_EXIT_OK;
}

int probe_key_id_cached(int fd)
{
	static dev_t dev;
	static int answer;
	static bool have;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!have || st.st_dev != dev) {
		answer = fs_probe_key_id(fd);
		if (answer < 0)
			return answer;
		dev = st.st_dev;
		have = true;
	}
	return answer;
}

int provision_key(const struct provision_req *rq, key_serial_t *ret_serial)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1], desc[FSP_DESC_MAX];
	bool ring_created = false, key_created = false, fs_claimed = false;
	struct key_status before, after;
	uint8_t got[FSP_KEY_IDENTIFIER_SIZE];
	key_serial_t ring = 0, key = 0;
	int fd = -1, r, code = FSP_EXIT_OK, support;

	hex_encode(rq->id, FSP_KEY_IDENTIFIER_SIZE, hex);
	r = description_encode(rq->volume, rq->id, desc, sizeof(desc));
	if (r < 0)
		return fail_msg(FSP_EXIT_USAGE, "invalid volume name '%s'",
				rq->volume);
	if (rq->mount) {
		fd = rq->use_mount_fd ? rq->mount_fd : fs_open(rq->mount);
		if (fd < 0)
			return fail(OP_OPEN, fd, "open %s", rq->mount);
		support = probe_key_id_cached(fd);
		if (support < 0) {
			code = fail(OP_ADD_BY_ID, support, "add keys to %s",
				    rq->mount);
			goto out;
		}
	} else {
		support = provkey_type_supported();
		if (support < 0) {
			code = fail(OP_PROVKEY_ADD, support,
				    "probe the kernel's key types");
			goto out;
		}
	}
	if (support == 0) {
		code = no_key_id(rq, fd);
		*ret_serial = 0;
		goto out;
	}

	r = keyring_gain_possession();
	if (r == 0)
		r = keyring_find_or_create(arg_keyring, &ring, &ring_created);
	if (r < 0) {
		code = fail(OP_KEYRING, r, "open keyring %s", arg_keyring);
		goto out;
	}
	r = provkey_find(ring, desc, &key);
	if (r == 0) {
		if (rq->timeout) {
			r = provkey_set_timeout(key, rq->timeout);
			if (r < 0) {
				code = fail(OP_PROVKEY_USE, r,
					    "renew the timeout of key %d", key);
				goto undo;
			}
		}
		say("volume %s: key %s already provisioned as key %d",
		    rq->volume, hex, key);
	} else if (r == -ENOKEY || r == -EKEYEXPIRED || r == -EKEYREVOKED) {
		/* A stale key of that name is displaced by the new one. */
		r = provkey_add(ring, desc, rq->key->data, rq->key->len,
				rq->timeout, &key);
		if (r < 0) {
			code = fail(OP_PROVKEY_ADD, r,
				    "store the key of volume %s", rq->volume);
			goto undo;
		}
		key_created = true;
		say("volume %s: key %s provisioned as key %d%s", rq->volume,
		    hex, key, rq->timeout ? " (with expiry)" : "");
	} else {
		code = fail(OP_PROVKEY_USE, r, "look up the key of volume %s",
			    rq->volume);
		goto undo;
	}

	if (rq->mount) {
		r = fs_key_status(fd, rq->id, &before);
		if (r < 0) {
			code = fail(OP_KEY_STATUS, r,
				    "read the key status on %s", rq->mount);
			goto undo;
		}
		r = fs_add_key_by_id(fd, key, got);
		if (r < 0) {
			code = fail(OP_ADD_BY_ID, r, "add key %d to %s", key,
				    rq->mount);
			goto undo;
		}
		fs_claimed = !claimed_by_self(&before);
		if (memcmp(got, rq->id, sizeof(got)) != 0) {
			char ghex[FSP_IDENTIFIER_HEX_LEN + 1];

			hex_encode(got, sizeof(got), ghex);
			code = fail_msg(FSP_EXIT_KEY_REJECTED,
					"the kernel reports identifier %s for "
					"key %d, but the key's identifier is "
					"%s; undoing",
					ghex, key, hex);
			/* undo removes what the kernel actually added */
			fs_claimed = true;
			goto undo;
		}
		r = fs_key_status(fd, rq->id, &after);
		if (r < 0 || after.status != FSP_KEY_STATUS_PRESENT) {
			code =
			    r < 0 ? fail(OP_KEY_STATUS, r,
					 "read the key status on %s", rq->mount)
				  : fail_msg(FSP_EXIT_SYSTEM,
					     "key %s is %s on %s after adding "
					     "it",
					     hex, status_name(after.status),
					     rq->mount);
			goto undo;
		}
		say("volume %s: key %s added to %s by key_id (was %s, now "
		    "%s, %u user%s)",
		    rq->volume, hex, rq->mount, status_name(before.status),
		    status_name(after.status), after.user_count,
		    after.user_count == 1 ? "" : "s");
	}
	*ret_serial = key;
	goto out;

undo:
	if (fs_claimed) {
		uint32_t flags;

		(void)fs_remove_key(fd, got, false, &flags);
	}
	if (key_created)
		(void)provkey_invalidate(key);
	if (ring_created)
		(void)keyring_destroy(ring);
out:
	if (fd >= 0 && !rq->use_mount_fd)
		close(fd);
	return code;
}

int unlock_key(int fd, const char *where, const char *volume,
	       key_serial_t serial, const uint8_t *id)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1], ghex[FSP_IDENTIFIER_HEX_LEN + 1];
	uint8_t got[FSP_KEY_IDENTIFIER_SIZE];
	struct key_status before, after;
	int r;

	hex_encode(id, FSP_KEY_IDENTIFIER_SIZE, hex);
	r = fs_key_status(fd, id, &before);
	if (r < 0)
		return fail(OP_KEY_STATUS, r, "read the status of key %s on %s",
			    hex, where);
	if (claimed_by_self(&before)) {
		say("volume %s: key %s already unlocked on %s (%u user%s)",
		    volume, hex, where, before.user_count,
		    before.user_count == 1 ? "" : "s");
		return FSP_EXIT_OK;
	}
	r = fs_add_key_by_id(fd, serial, got);
	if (r < 0)
		return fail(OP_ADD_BY_ID, r, "add key %s (key %d) to %s", hex,
			    serial, where);
	if (memcmp(got, id, sizeof(got)) != 0) {
		uint32_t flags;

		hex_encode(got, sizeof(got), ghex);
		(void)fs_remove_key(fd, got, false, &flags);
		return fail_msg(FSP_EXIT_KEY_REJECTED,
				"key %d is named for identifier %s, but holds "
				"a key with identifier %s; removed it from %s "
				"again",
				serial, hex, ghex, where);
	}
	r = fs_key_status(fd, id, &after);
	if (r < 0)
		return fail(OP_KEY_STATUS, r, "read the status of key %s on %s",
			    hex, where);
	if (after.status != FSP_KEY_STATUS_PRESENT)
		return fail_msg(FSP_EXIT_SYSTEM,
				"key %s is still %s on %s after adding it", hex,
				status_name(after.status), where);
	say("volume %s: key %s unlocked on %s by key_id (was %s, now %s)",
	    volume, hex, where, status_name(before.status),
	    status_name(after.status));
	return FSP_EXIT_OK;
}

int path_identifier(const char *path, uint8_t ret[FSP_KEY_IDENTIFIER_SIZE])
{
	int fd, r;

	fd = fs_open(path);
	if (fd < 0)
		return fd;
	r = fd_identifier(fd, ret);
	close(fd);
	return r;
}

int fd_identifier(int fd, uint8_t ret[FSP_KEY_IDENTIFIER_SIZE])
{
	struct fsp_get_policy_ex_arg pol;
	int r;

	r = fs_get_policy(fd, &pol);
	if (r < 0)
		return r;
	if (pol.policy.version != FSP_POLICY_V2)
		return -EPROTONOSUPPORT;
	memcpy(ret, pol.policy.v2.master_key_identifier,
	       FSP_KEY_IDENTIFIER_SIZE);
	return 0;
}

int ring_lookup(key_serial_t *ret)
{
	return keyring_find(arg_keyring, ret);
}

static int provkey_cmp(const void *a, const void *b)
{
	const struct provkey *x = a, *y = b;
	int c = strcmp(x->volume, y->volume);

	return c ? c : (x->serial > y->serial) - (x->serial < y->serial);
}

int ring_keys(bool want_expiry, struct provkey **ret, size_t *ret_n)
{
	key_serial_t ring;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = ring_lookup(&ring);
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
