// SPDX-License-Identifier: MIT
/* The steps that add, apply, unlock and check share; they never print. */
#define _GNU_SOURCE
#include "kernel/provision.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/test_pause.h"
#include "kernel/identifier.h"
#include "kernel/key_description.h"
#include "shared/writers_lock.h"

static bool claimed_by_self(const struct key_status *st)
{
	return st->status == FSP_KEY_STATUS_PRESENT &&
	       (st->flags & FSP_KEY_STATUS_FLAG_ADDED_BY_SELF);
}

/* What provision_key() must take back if a later step fails. */
struct undo {
	int fd;
	key_serial_t ring, key;
	bool ring_created, key_created, fs_claimed;
	uint8_t got[FSP_KEY_IDENTIFIER_SIZE]; /* what the kernel added */
};

static void undo(const struct undo *u)
{
	if (u->fs_claimed) {
		uint32_t flags;

		(void)fs_remove_key(u->fd, u->got, false, &flags);
	}
	if (u->key_created)
		(void)provkey_invalidate(u->key);
	if (u->ring_created)
		(void)keyring_destroy(u->ring);
}

static int add_raw(const struct provision_req *rq, int fd,
		   struct provision_result *res, struct fsp_problem *p)
{
	uint8_t got[FSP_KEY_IDENTIFIER_SIZE];
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	int r;

	if (!rq->raw_fallback || !rq->mount)
		return problem_msg(
		    p, FSP_EXIT_UNSUPPORTED,
		    "this kernel cannot add fscrypt keys by key_id (Linux 5.6 "
		    "or the backport in kernel-patches/ is needed), so the key "
		    "for volume %s would not survive an unmount and remount; "
		    "nothing was provisioned. To unlock %s with the raw key "
		    "anyway, pass --add-to DIR with --allow-raw-fallback "
		    "(fscrypttab option raw-fallback)",
		    rq->volume, rq->mount ? rq->mount : "the filesystem");
	r = fs_add_key_raw(fd, rq->key->data, rq->key->len, got);
	if (r < 0)
		return problem_errno(p, OP_ADD_RAW, r,
				     "add the key of volume %s to %s",
				     rq->volume, rq->mount);
	if (memcmp(got, rq->id, sizeof(got)) != 0) {
		uint32_t flags;

		(void)fs_remove_key(fd, got, false, &flags);
		hex_encode(got, sizeof(got), hex);
		return problem_msg(p, FSP_EXIT_KEY_REJECTED,
				   "the kernel computed identifier %s, which "
				   "differs from ours; key removed again",
				   hex);
	}
	res->outcome = PROVISION_RAW;
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

/* Opens rq->mount (if any) and asks whether keys can go in by key_id. */
static int probe_target(const struct provision_req *rq, int *ret_fd,
			int *ret_support, struct fsp_problem *p)
{
	int fd = -1, support;

	if (rq->mount) {
		fd = rq->use_mount_fd ? rq->mount_fd : fs_open(rq->mount);
		if (fd < 0)
			return problem_errno(p, OP_OPEN, fd, "open %s",
					     rq->mount);
		support = probe_key_id_cached(fd);
		if (support < 0) {
			if (!rq->use_mount_fd)
				close(fd);
			return problem_errno(p, OP_ADD_BY_ID, support,
					     "add keys to %s", rq->mount);
		}
	} else {
		support = provkey_type_supported();
		if (support < 0)
			return problem_errno(p, OP_PROVKEY_ADD, support,
					     "probe the kernel's key types");
	}
	*ret_fd = fd;
	*ret_support = support;
	return FSP_EXIT_OK;
}

/* The keyring whose owner and permissions open_ring() last found right. */
static key_serial_t ring_checked;

/*
 * Opens (or creates) the durable keyring, and makes sure no one else can
 * change it: another owner is refused, other rights are reset to ours.
 */
static int open_ring(const struct provision_req *rq, struct undo *u,
		     struct provision_result *res, struct fsp_problem *p)
{
	struct fsp_problem why = {0};
	int r;

	r = writer_lock(&why);
	if (r < 0)
		return problem_errno(p, OP_KEYRING, r, "lock keyring %s (%s)",
				     rq->keyring, why.text);
	r = keyring_gain_possession();
	if (r == 0)
		r = keyring_find_or_create(rq->keyring, &u->ring,
					   &u->ring_created);
	if (r < 0)
		return problem_errno(p, OP_KEYRING, r, "open keyring %s",
				     rq->keyring);
	/* Checked once a run: apply provisions every key of a table into
	 * one keyring, and only its owner (us, root) may change it. */
	if (u->ring == ring_checked)
		return FSP_EXIT_OK;
	r = key_check_owner_perm(u->ring, FSP_KEYRING_PERM, &why);
	if (r == -EPERM)
		return problem_msg(p, FSP_EXIT_PERMISSION,
				   "keyring %s (key %d) %s; refusing to store "
				   "keys in it. Unlink it (keyctl unlink %d "
				   "@u) and provision again",
				   rq->keyring, u->ring, why.text, u->ring);
	if (r < 0)
		return problem_errno(p, OP_KEYRING, r, "examine keyring %s",
				     rq->keyring);
	if (r == 1) {
		if (keyctl_setperm(u->ring, FSP_KEYRING_PERM) < 0)
			return problem_errno(p, OP_KEYRING, -errno,
					     "reset the permissions of keyring "
					     "%s, which %s",
					     rq->keyring, why.text);
		snprintf(res->ring_warning, sizeof(res->ring_warning),
			 "keyring %s (key %d) %.400s; reset them to 0x%08x",
			 rq->keyring, u->ring, why.text, FSP_KEYRING_PERM);
	}
	ring_checked = u->ring;
	return FSP_EXIT_OK;
}

static int store_key(const struct provision_req *rq, const char *desc,
		     struct undo *u, struct provision_result *res,
		     struct fsp_problem *p)
{
	struct fsp_problem why = {0};
	int r;

	r = open_ring(rq, u, res, p);
	if (r)
		return r;
	r = provkey_find(u->ring, desc, &u->key);
	/*
	 * Only a key this user stored with our rights is trusted without
	 * seeing its payload; any other squats the name and is displaced.
	 */
	if (r == 0 && key_check_owner_perm(u->key, FSP_KEY_PERM, &why) != 0) {
		snprintf(res->key_warning, sizeof(res->key_warning),
			 "volume %s: key %d of that name %.400s; not trusted, "
			 "replaced by a key stored now",
			 rq->volume, u->key, why.text);
		r = -ENOKEY;
	}
	if (r == 0) {
		res->outcome = PROVISION_EXISTING;
		if (!rq->timeout)
			return FSP_EXIT_OK;
		r = provkey_set_timeout(u->key, rq->timeout);
		return r < 0 ? problem_errno(p, OP_PROVKEY_USE, r,
					     "renew the timeout of key %d",
					     u->key)
			     : FSP_EXIT_OK;
	}
	if (r != -ENOKEY && r != -EKEYEXPIRED && r != -EKEYREVOKED)
		return problem_errno(p, OP_PROVKEY_USE, r,
				     "look up the key of volume %s",
				     rq->volume);
	/* A stale key of that name is displaced by the new one. */
	r = provkey_add(u->ring, desc, rq->key->data, rq->key->len, rq->timeout,
			&u->key);
	if (r < 0)
		return problem_errno(p, OP_PROVKEY_ADD, r,
				     "store the key of volume %s", rq->volume);
	u->key_created = true;
	res->outcome = PROVISION_STORED;
	return FSP_EXIT_OK;
}

static int add_to_mount(const struct provision_req *rq, const char *hex,
			struct undo *u, struct provision_result *res,
			struct fsp_problem *p)
{
	char ghex[FSP_IDENTIFIER_HEX_LEN + 1];
	int r;

	r = fs_key_status(u->fd, rq->id, &res->before);
	if (r < 0)
		return problem_errno(p, OP_KEY_STATUS, r,
				     "read the key status on %s", rq->mount);
	r = fs_add_key_by_id(u->fd, u->key, u->got);
	if (r < 0)
		return problem_errno(p, OP_ADD_BY_ID, r, "add key %d to %s",
				     u->key, rq->mount);
	u->fs_claimed = !claimed_by_self(&res->before);
	if (memcmp(u->got, rq->id, sizeof(u->got)) != 0) {
		hex_encode(u->got, sizeof(u->got), ghex);
		/* undo removes what the kernel actually added */
		u->fs_claimed = true;
		return problem_msg(
		    p, FSP_EXIT_KEY_REJECTED,
		    "the kernel reports identifier %s for key "
		    "%d, but the key's identifier is %s; undoing",
		    ghex, u->key, hex);
	}
	r = fs_key_status(u->fd, rq->id, &res->after);
	if (r < 0)
		return problem_errno(p, OP_KEY_STATUS, r,
				     "read the key status on %s", rq->mount);
	if (res->after.status != FSP_KEY_STATUS_PRESENT)
		return problem_msg(
		    p, FSP_EXIT_SYSTEM, "key %s is %s on %s after adding it",
		    hex, fs_key_status_name(res->after.status), rq->mount);
	res->added = true;
	return FSP_EXIT_OK;
}

/* The provisioning key died (revoked, expired, invalidated) before use. */
static bool key_died(const struct fsp_problem *p)
{
	return (p->err == -EKEYREVOKED || p->err == -EKEYEXPIRED ||
		p->err == -ENOKEY) &&
	       p->op == OP_ADD_BY_ID;
}

/*
 * The key died between storing it and adding it by key_id; the raw key is
 * still in memory, so it is stored and added once more.
 */
static int store_again(const struct provision_req *rq, const char *desc,
		       const char *hex, struct undo *u,
		       struct provision_result *res, struct fsp_problem *p)
{
	key_serial_t dead = u->key;
	int r;

	r = provkey_add(u->ring, desc, rq->key->data, rq->key->len, rq->timeout,
			&u->key);
	if (r < 0)
		return problem_errno(p, OP_PROVKEY_ADD, r,
				     "store the key of volume %s again",
				     rq->volume);
	u->key_created = true;
	res->outcome = PROVISION_STORED;
	snprintf(res->key_warning, sizeof(res->key_warning),
		 "volume %s: key %d died before it was added to %s (%s); "
		 "stored it again as key %d",
		 rq->volume, dead, rq->mount, strerror(-p->err), u->key);
	test_pause("after-store");
	return add_to_mount(rq, hex, u, res, p);
}

int provision_key(const struct provision_req *rq, struct provision_result *res,
		  struct fsp_problem *p)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1], desc[FSP_DESC_MAX];
	struct undo u = {.fd = -1};
	int code, support = 0;

	memset(res, 0, sizeof(*res));
	if (description_encode(rq->volume, rq->id, desc, sizeof(desc)) < 0)
		return problem_msg(p, FSP_EXIT_USAGE,
				   "invalid volume name '%s'", rq->volume);
	code = probe_target(rq, &u.fd, &support, p);
	if (code)
		return code;
	hex_encode(rq->id, FSP_KEY_IDENTIFIER_SIZE, hex);
	if (support == 0) {
		code = add_raw(rq, u.fd, res, p);
	} else {
		code = store_key(rq, desc, &u, res, p);
		test_pause("after-store");
		if (!code && rq->mount)
			code = add_to_mount(rq, hex, &u, res, p);
		if (code && key_died(p))
			code = store_again(rq, desc, hex, &u, res, p);
		if (code)
			undo(&u);
		else
			res->serial = u.key;
	}
	if (u.fd >= 0 && !rq->use_mount_fd)
		close(u.fd);
	return code;
}

int unlock_key(int fd, const char *where, key_serial_t serial,
	       const uint8_t *id, struct unlock_result *res,
	       struct fsp_problem *p)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1], ghex[FSP_IDENTIFIER_HEX_LEN + 1];
	uint8_t got[FSP_KEY_IDENTIFIER_SIZE];
	int r;

	memset(res, 0, sizeof(*res));
	hex_encode(id, FSP_KEY_IDENTIFIER_SIZE, hex);
	r = fs_key_status(fd, id, &res->before);
	if (r < 0)
		return problem_errno(p, OP_KEY_STATUS, r,
				     "read the status of key %s on %s", hex,
				     where);
	if (claimed_by_self(&res->before)) {
		res->already = true;
		res->after = res->before;
		return FSP_EXIT_OK;
	}
	r = fs_add_key_by_id(fd, serial, got);
	if (r < 0)
		return problem_errno(p, OP_ADD_BY_ID, r,
				     "add key %s (key %d) to %s", hex, serial,
				     where);
	if (memcmp(got, id, sizeof(got)) != 0) {
		uint32_t flags;

		hex_encode(got, sizeof(got), ghex);
		(void)fs_remove_key(fd, got, false, &flags);
		return problem_msg(p, FSP_EXIT_KEY_REJECTED,
				   "key %d is named for identifier %s, but "
				   "holds a key with identifier %s; removed it "
				   "from %s again",
				   serial, hex, ghex, where);
	}
	r = fs_key_status(fd, id, &res->after);
	if (r < 0)
		return problem_errno(p, OP_KEY_STATUS, r,
				     "read the status of key %s on %s", hex,
				     where);
	if (res->after.status != FSP_KEY_STATUS_PRESENT)
		return problem_msg(p, FSP_EXIT_SYSTEM,
				   "key %s is still %s on %s after adding it",
				   hex, fs_key_status_name(res->after.status),
				   where);
	return FSP_EXIT_OK;
}
