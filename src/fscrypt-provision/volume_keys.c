// SPDX-License-Identifier: MIT
/* What a volume needs on a mounted filesystem; unlocking and verifying. */
#define _GNU_SOURCE
#include "fscrypt-provision/volume_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/hex.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/report.h"
#include "kernel/fscrypt_ioctl.h"
#include "kernel/identifier.h"
#include "kernel/provision.h"
#include "shared/file_rules.h"

void volume_ids_free(struct volume_ids *nd)
{
	for (size_t i = 0; i < nd->n; i++)
		free(nd->why[i]);
	free(nd->ids);
	free(nd->why);
	memset(nd, 0, sizeof(*nd));
}

int volume_ids_add(struct volume_ids *nd, const uint8_t *id, const char *why)
{
	void *a, *b;

	for (size_t i = 0; i < nd->n; i++)
		if (memcmp(nd->ids[i], id, FSP_KEY_IDENTIFIER_SIZE) == 0)
			return 0;
	a = realloc(nd->ids, (nd->n + 1) * sizeof(*nd->ids));
	if (!a)
		return -ENOMEM;
	nd->ids = a;
	b = realloc(nd->why, (nd->n + 1) * sizeof(*nd->why));
	if (!b)
		return -ENOMEM;
	nd->why = b;
	nd->why[nd->n] = strdup(why);
	if (!nd->why[nd->n])
		return -ENOMEM;
	memcpy(nd->ids[nd->n++], id, FSP_KEY_IDENTIFIER_SIZE);
	return 0;
}

/*
 * Whether what the directory open at fd holds is beyond other users: a
 * user who may write it can swap a listed directory for one of their own,
 * with their own policy, and so steer the identifier check (and fail the
 * boot on it).
 */
static bool trusted_parent(int fd, uid_t *ret_uid)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;
	static const struct file_rules rules = {
	    .root_may_own = true,
	    .forbid = S_IWGRP | S_IWOTH,
	};

	*ret_uid = st.st_uid;
	return file_rules_check(&st, &rules) == FILE_OK;
}

/*
 * The identifier of the listed directory rel below the mount open at mfd,
 * opened one component at a time (see fs_open_beneath()), each below a
 * directory no other user may change; -EPERM (with *ret_uid, the owner of
 * the first one that fails) if one is not.
 */
static int dir_identifier(int mfd, const char *rel,
			  uint8_t ret[FSP_KEY_IDENTIFIER_SIZE], uid_t *ret_uid)
{
	char buf[PATH_MAX], *save = NULL;
	int cur = mfd, r = 0;

	snprintf(buf, sizeof(buf), "%s", rel);
	for (char *c = strtok_r(buf, "/", &save); c && r == 0;
	     c = strtok_r(NULL, "/", &save)) {
		int next;

		if (!trusted_parent(cur, ret_uid)) {
			r = -EPERM;
			break;
		}
		next = fs_open_beneath(cur, c);
		if (cur != mfd)
			close(cur);
		cur = next;
		if (cur < 0)
			r = cur;
	}
	if (r == 0)
		r = fd_identifier(cur, ret);
	if (cur >= 0 && cur != mfd)
		close(cur);
	return r;
}

/* What dir_identifier() said of one listed directory (path): its key
 * added to nd, or an exit code with what is wrong said. */
static int judge_dir(struct volume_ids *nd, const struct tab_entry *e,
		     const char *path, int r, const uint8_t *id, uid_t uid,
		     bool strict)
{
	int code = FSP_EXIT_OK;

	if (r == -EPERM) {
		cli_warning("%s (volume %s) is below a directory that "
			    "another user may change (owner uid %u, or "
			    "writable by group or others), so its policy does "
			    "not show which key the volume needs: not checked",
			    path, e->name, (unsigned)uid);
	} else if (r == -ELOOP || r == -EXDEV || r == -ENOTDIR) {
		code = cli_error(FSP_EXIT_CONFIG,
				 "%s (volume %s) %s; a listed directory "
				 "is resolved below the mountpoint, on "
				 "its filesystem, through no symbolic "
				 "link",
				 path, e->name,
				 r == -ELOOP   ? "is reached through a "
						 "symbolic link"
				 : r == -EXDEV ? "is on another mount"
					       : "is not a directory");
	} else if (r == 0) {
		if (volume_ids_add(nd, id, path) < 0)
			code = cli_error_errno(OP_OPEN, -ENOMEM,
					       "collect identifiers");
	} else if (r == -ENODATA) {
		if (strict)
			code = cli_error(FSP_EXIT_CONFIG,
					 "%s (volume %s) is not "
					 "encrypted; set a policy with "
					 "'fscrypt-provision "
					 "set-policy' or remove it from "
					 "%s",
					 path, e->name, arg_tab);
		else
			cli_warning("%s (volume %s) is not encrypted", path,
				    e->name);
	} else if (r == -EPROTONOSUPPORT) {
		code = cli_error(FSP_EXIT_UNSUPPORTED,
				 "%s has a v1 encryption policy; only "
				 "v2 policies can be provisioned",
				 path);
	} else {
		code =
		    cli_error_errno(OP_GET_POLICY, r,
				    "read the policy of %s (listed for volume "
				    "%s)",
				    path, e->name);
	}
	return code;
}

int volume_ids_collect(const struct tab_entry *e, const char *mount,
		       const struct dir_volumes *dv, bool strict,
		       struct volume_ids *nd)
{
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	char path[PATH_MAX];
	int code = FSP_EXIT_OK, r, mfd = -1;
	uid_t uid = 0;

	if (e && e->has_identifier &&
	    volume_ids_add(nd, e->identifier, "fscrypttab identifier=") < 0)
		return cli_error_errno(OP_OPEN, -ENOMEM, "collect identifiers");
	if (e && e->n_dirs) {
		mfd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (mfd < 0)
			return cli_error_errno(OP_OPEN, -errno, "open %s",
					       mount);
	}
	for (size_t i = 0; e && i < e->n_dirs; i++) {
		if (snprintf(path, sizeof(path), "%s/%s",
			     strcmp(mount, "/") == 0 ? "" : mount,
			     e->dirs[i]) >= (int)sizeof(path)) {
			code = cli_error_errno(OP_OPEN, -ENAMETOOLONG, "use %s",
					       e->dirs[i]);
			break;
		}
		r = dir_identifier(mfd, e->dirs[i], id, &uid);
		code = judge_dir(nd, e, path, r, id, uid, strict);
		if (code && strict)
			break;
	}
	if (mfd >= 0)
		close(mfd);
	if (code && strict)
		return code;
	if (dv && dv->dir_encrypted &&
	    volume_ids_add(nd, dv->dir_id, dv->dir) < 0)
		return cli_error_errno(OP_OPEN, -ENOMEM, "collect identifiers");
	return code;
}

static bool volume_has_id(const struct provkey *keys, size_t n,
			  const char *volume, const uint8_t *id)
{
	const struct provkey *k;

	n = volume_keys(keys, n, volume, &k);
	for (size_t i = 0; i < n; i++)
		if (memcmp(k[i].identifier, id, FSP_KEY_IDENTIFIER_SIZE) == 0)
			return true;
	return false;
}

int volume_ids_verify(int fd, const char *volume, const struct volume_ids *nd,
		      const struct provkey *keys, size_t nkeys, bool quiet)
{
	int code = FSP_EXIT_OK;

	for (size_t i = 0; i < nd->n; i++) {
		char hex[FSP_IDENTIFIER_HEX_LEN + 1];
		struct key_status st;
		int r = fs_key_status(fd, nd->ids[i], &st);

		if (quiet && (r < 0 || st.status != FSP_KEY_STATUS_PRESENT))
			return FSP_EXIT_NOT_READY;
		hex_encode(nd->ids[i], FSP_KEY_IDENTIFIER_SIZE, hex);
		if (r < 0) {
			code = cli_error_errno(OP_KEY_STATUS, r,
					       "read the status of %s", hex);
			continue;
		}
		if (st.status == FSP_KEY_STATUS_PRESENT)
			continue;
		if (volume_has_id(keys, nkeys, volume, nd->ids[i]))
			code =
			    cli_error(FSP_EXIT_KEY_UNAVAILABLE,
				      "%s needs key %s of volume %s, which "
				      "is still locked (its provisioning key "
				      "could not be used)",
				      nd->why[i], hex, volume);
		else
			code = cli_error(FSP_EXIT_KEY_REJECTED,
					 "%s is encrypted with key %s, but "
					 "volume %s has no provisioning key "
					 "with that identifier: wrong key, or "
					 "wrong volume",
					 nd->why[i], hex, volume);
	}
	return code;
}

int unlock_volume(int fd, const char *where, const char *volume,
		  const struct provkey *keys, size_t nkeys)
{
	int code = FSP_EXIT_OK, r;
	const struct provkey *first;
	size_t usable = 0;

	nkeys = volume_keys(keys, nkeys, volume, &first);
	for (size_t i = 0; i < nkeys; i++) {
		const struct provkey *k = &first[i];
		char hex[FSP_IDENTIFIER_HEX_LEN + 1];
		struct unlock_result res;
		struct fsp_problem problem;

		hex_encode(k->identifier, FSP_KEY_IDENTIFIER_SIZE, hex);
		if (k->state) {
			cli_warning(
			    "volume %s: provisioning key %d (%s) is unusable: "
			    "%s",
			    volume, k->serial, hex,
			    describe_error(OP_PROVKEY_USE, k->state).reason);
			continue;
		}
		usable++;
		r = unlock_key(fd, where, k->serial, k->identifier, &res,
			       &problem);
		if (r)
			r = report_problem(&problem);
		else
			report_unlock(volume, where, k->identifier, &res);
		if (r && !code)
			code = r;
	}
	if (usable == 0 && !code)
		code = cli_error(FSP_EXIT_KEY_UNAVAILABLE,
				 "volume %s has no usable provisioning key in "
				 "keyring %s; provision it with "
				 "'fscrypt-provision add' or 'apply'",
				 volume, arg_keyring);
	return code;
}

int dir_volumes_open(const char *cmd, const char *dir, const char *volume,
		     const struct fscrypttab *table, struct dir_volumes *ret)
{
	const struct tab_entry *deep = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->fd = -1;
	if (volume && !volume_name_valid(volume))
		return cli_usage_error(cmd, "invalid volume name '%s'", volume);
	if (!table) {
		r = load_tab(&ret->tab, !volume);
		if (r)
			return r;
		table = &ret->tab;
	}
	r = mount_of_path(dir, &ret->mi);
	if (r < 0) {
		fscrypttab_free(&ret->tab);
		return cli_error_errno(OP_OPEN, r, "find the mount of %s", dir);
	}
	r = resolve_volumes(volume, table, &ret->mi, &ret->vs, &deep);
	if (r == -ENOTCONN)
		r = cli_error(
		    FSP_EXIT_NOT_READY,
		    "%s: %s is on the filesystem mounted at %s, but "
		    "volume %s in %s has mountpoint %s, which is not "
		    "mounted; mount it first, or name the volume with "
		    "--volume NAME",
		    cmd, dir, ret->mi.mountpoint, deep->name, arg_tab,
		    deep->mountpoint);
	else if (r == -ENOENT)
		/* Usage, not config: the table is fine, DIR is not in it. */
		r = cli_error(FSP_EXIT_USAGE,
			      "%s: no entry in %s has mountpoint %s; name the "
			      "volume with --volume NAME",
			      cmd, arg_tab, ret->mi.mountpoint);
	else if (r < 0)
		r = cli_error_errno(OP_OPEN, r, "resolve the volumes of %s",
				    dir);
	if (r) {
		fscrypttab_free(&ret->tab);
		return r;
	}
	ret->fd = fs_open(dir);
	if (ret->fd < 0) {
		r = cli_error_errno(OP_OPEN, ret->fd, "open %s", dir);
		dir_volumes_close(ret);
		return r;
	}
	/* Once, not once per volume: a mount may hold many volumes. */
	ret->dir = dir;
	ret->dir_encrypted = fd_identifier(ret->fd, ret->dir_id) == 0;
	return FSP_EXIT_OK;
}

void dir_volumes_close(struct dir_volumes *dv)
{
	if (dv->fd >= 0)
		close(dv->fd);
	dv->fd = -1;
	volume_set_free(&dv->vs);
	fscrypttab_free(&dv->tab);
}
