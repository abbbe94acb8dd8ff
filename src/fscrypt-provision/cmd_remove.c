// SPDX-License-Identifier: MIT
/* remove: lock a volume, then retire its provisioning keys. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basic/hex.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/volume_keys.h"
#include "kernel/identifier.h"
#include "kernel/mountinfo.h"
#include "kernel/provision.h"

enum {
	OPT_KEEP = OPT_FIRST_PRIVATE,
	OPT_ALL_USERS,
	OPT_RETRY,
};

const struct cli_options cmd_remove_options = {
    .common = CLI_TAB | CLI_KEYRING | CLI_QUIET,
    .shared = (const struct cli_use[]){{OPT_VOLUME, "only this volume's keys"},
				       {OPT_DRY_RUN, NULL},
				       {0}},
    .own =
	(const struct cli_option[]){
	    {"keep-provisioned", NULL, OPT_KEEP,
	     "keep the provisioning keys, so that unlock can add them again"},
	    {"all-users", NULL, OPT_ALL_USERS,
	     "remove every user's claim on the keys (needs root)"},
	    {"retry", "N", OPT_RETRY,
	     "retry up to N times while files keep a key busy (default 0)"},
	    {0}},
};
/*
 * Removes one key from the filesystem. A busy removal (files still open)
 * is retried with exponential backoff, 100 ms doubling up to 3.2 s, the
 * way Android's vold does: the kernel evicts the inodes that were closed in
 * the meantime on each try. Returns an exit code.
 */
static int remove_one(int fd, const char *where, const char *volume,
		      const uint8_t *id, bool all_users, unsigned retries)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	unsigned delay_ms = 100;
	uint32_t flags = 0;
	int r;

	hex_encode(id, FSP_KEY_IDENTIFIER_SIZE, hex);
	for (unsigned attempt = 0;; attempt++) {
		r = fs_remove_key(fd, id, all_users, &flags);
		if (r == -ENOKEY) {
			struct key_status st;

			/*
			 * ENOKEY also means "present, but this user holds no
			 * claim": then others keep it unlocked, and the
			 * provisioning key must stay.
			 */
			if (fs_key_status(fd, id, &st) == 0 &&
			    st.status != FSP_KEY_STATUS_ABSENT)
				return cli_error(
				    FSP_EXIT_BUSY,
				    "volume %s: key %s is still %s on %s, "
				    "held by %u other user%s; pass --all-users "
				    "to remove every claim",
				    volume, hex,
				    st.status == FSP_KEY_STATUS_PRESENT
					? "present"
					: "incompletely removed",
				    where, st.user_count,
				    st.user_count == 1 ? "" : "s");
			cli_say("volume %s: key %s was not present on %s",
				volume, hex, where);
			return FSP_EXIT_OK;
		}
		if (r < 0)
			return cli_error_errno(
			    OP_REMOVE, r, "remove key %s from %s", hex, where);
		if (!(flags & FSP_KEY_REMOVAL_STATUS_FLAG_FILES_BUSY) ||
		    attempt >= retries)
			break;
		cli_warning(
		    "volume %s: key %s: files still in use on %s; retrying "
		    "in %u ms (%u of %u)",
		    volume, hex, where, delay_ms, attempt + 1, retries);
		{
			struct timespec ts = {
			    delay_ms / 1000, (long)(delay_ms % 1000) * 1000000};

			nanosleep(&ts, NULL);
		}
		if (delay_ms < 3200)
			delay_ms *= 2;
	}
	if (flags & FSP_KEY_REMOVAL_STATUS_FLAG_FILES_BUSY)
		return cli_error(
		    FSP_EXIT_BUSY,
		    "volume %s: key %s was removed, but files on "
		    "%s are still in use, so it is only "
		    "incompletely removed; close them (see "
		    "'fuser -vm %s') and run remove again, or pass "
		    "--retry N",
		    volume, hex, where, where);
	if (flags & FSP_KEY_REMOVAL_STATUS_FLAG_OTHER_USERS)
		return cli_error(
		    FSP_EXIT_BUSY,
		    "volume %s: this user's claim to key %s was "
		    "removed, but other users still hold it, so %s "
		    "stays unlocked; pass --all-users to remove "
		    "every claim",
		    volume, hex, where);
	cli_say("volume %s: key %s removed from %s", volume, hex, where);
	return FSP_EXIT_OK;
}

struct remove_opts {
	bool keep, all_users, dry_run;
	unsigned retries;
};

/* --dry-run: what remove would do with key k, from its status now. */
static int dry_run_one(int fd, const char *where, const struct provkey *k,
		       const struct remove_opts *o)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	struct key_status st;
	unsigned others;
	int r = fs_key_status(fd, k->identifier, &st);

	hex_encode(k->identifier, FSP_KEY_IDENTIFIER_SIZE, hex);
	if (r < 0)
		return cli_error_errno(OP_KEY_STATUS, r,
				       "read the status of key %s on %s", hex,
				       where);
	others = st.user_count -
		 (st.flags & FSP_KEY_STATUS_FLAG_ADDED_BY_SELF ? 1 : 0);
	if (st.status != FSP_KEY_STATUS_ABSENT && others && !o->all_users) {
		cli_say("volume %s: dry run: key %s is %s on %s, held by %u "
			"other user%s; remove would fail without --all-users",
			k->volume, hex, fs_key_status_name(st.status), where,
			others, others == 1 ? "" : "s");
		return FSP_EXIT_OK;
	}
	cli_say("volume %s: dry run: key %s is %s on %s; remove would %s it "
		"and %s provisioning key %d",
		k->volume, hex, fs_key_status_name(st.status), where,
		st.status == FSP_KEY_STATUS_ABSENT ? "leave" : "remove",
		o->keep ? "keep" : "invalidate", k->serial);
	return FSP_EXIT_OK;
}

static bool in_set(const struct volume_set *vs, const char *volume)
{
	for (size_t i = 0; i < vs->n; i++)
		if (strcmp(vs->names[i], volume) == 0)
			return true;
	return false;
}

/*
 * Locks every key of dv's volumes on the filesystem open at fd, then
 * invalidates its provisioning key unless kept. Returns an exit code.
 */
static int remove_keys(const struct dir_volumes *dv, int fd,
		       const struct remove_opts *o)
{
	const char *where = dv->mi.mountpoint;
	struct provkey *keys = NULL;
	size_t nkeys = 0, matched = 0;
	int code = FSP_EXIT_OK, r;

	r = ring_keys(arg_keyring, false, &keys, &nkeys);
	if (r < 0)
		return cli_error_errno(OP_KEYRING, r, "list keyring %s",
				       arg_keyring);
	for (size_t i = 0; i < nkeys; i++) {
		const struct provkey *k = &keys[i];

		if (!in_set(&dv->vs, k->volume))
			continue;
		matched++;
		if (o->dry_run) {
			r = dry_run_one(fd, where, k, o);
			code = code ? code : r;
			continue;
		}
		r = remove_one(fd, where, k->volume, k->identifier,
			       o->all_users, o->retries);
		if (r) {
			/* Still (partly) unlocked: keep the way back in. */
			if (!code)
				code = r;
			continue;
		}
		if (o->keep)
			continue;
		r = provkey_invalidate(k->serial);
		if (r < 0 && r != -EKEYEXPIRED && r != -EKEYREVOKED &&
		    r != -ENOKEY) {
			r = cli_error_errno(OP_PROVKEY_USE, r,
					    "invalidate provisioning key %d",
					    k->serial);
			if (!code)
				code = r;
		} else {
			cli_say("volume %s: provisioning key %d invalidated",
				k->volume, k->serial);
		}
	}
	if (matched == 0 && !code)
		code = cli_error(FSP_EXIT_KEY_UNAVAILABLE,
				 "no provisioning key in keyring %s belongs to "
				 "%s; nothing to remove",
				 arg_keyring,
				 dv->vs.n == 1 ? dv->vs.names[0] : where);
	free(keys);
	return code;
}

int cmd_remove(int argc, char **argv)
{
	struct remove_opts o = {0};
	const char *volume = NULL;
	struct dir_volumes dv;
	unsigned long retries = 0;
	int c, r, fd;

	while ((c = cli_getopt(argc, argv, &cmd_remove_options)) != -1) {
		switch (c) {
		case OPT_VOLUME:
			volume = optarg;
			break;
		case OPT_KEEP:
			o.keep = true;
			break;
		case OPT_ALL_USERS:
			o.all_users = true;
			break;
		case OPT_DRY_RUN:
			o.dry_run = true;
			break;
		case OPT_RETRY:
			if (!parse_unsigned(optarg, 100, &retries))
				return cli_usage_error("remove",
						       "--retry needs a "
						       "count of 0-100");
			o.retries = (unsigned)retries;
			break;
		default:
			r = handle_common_option(c, "remove");
			if (r >= 0)
				return r;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("remove", "expected one DIR");
	r = dir_volumes_open("remove", argv[optind], volume, NULL, &dv);
	if (r)
		return r;
	/*
	 * The ioctl goes to the mount's root, not to DIR: an open fd on an
	 * encrypted DIR would itself keep the key busy.
	 */
	close(dv.fd);
	dv.fd = -1;
	fd = fs_open(dv.mi.mountpoint);
	if (fd < 0) {
		r = cli_error_errno(OP_OPEN, fd, "open %s", dv.mi.mountpoint);
	} else {
		r = remove_keys(&dv, fd, &o);
		close(fd);
	}
	dir_volumes_close(&dv);
	return r;
}
