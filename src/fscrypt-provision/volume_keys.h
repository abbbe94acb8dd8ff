/* SPDX-License-Identifier: MIT */
/*
 * What a volume needs on a mounted filesystem (the keys its listed
 * directories and identifier= name), unlocking it and verifying the result:
 * shared by unlock, check, apply and update. These report through
 * fscrypt-provision/cli.h, as the commands do.
 */
#ifndef FSP_FSCRYPT_PROVISION_VOLUME_KEYS_H
#define FSP_FSCRYPT_PROVISION_VOLUME_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/keyring.h"
#include "kernel/mountinfo.h"
#include "tab/fscrypttab.h"
#include "tab/volumes.h"

/* Identifiers a volume needs on a mounted filesystem. */
struct volume_ids {
	uint8_t (*ids)[FSP_KEY_IDENTIFIER_SIZE];
	char **why; /* which path needs it */
	size_t n;
};

void volume_ids_free(struct volume_ids *nd);
/* Adds id (once); why says which path needs it. 0 or -ENOMEM. */
int volume_ids_add(struct volume_ids *nd, const uint8_t *id, const char *why);
/*
 * Collects what a volume needs: the table's identifier= and the policies
 * of the directories it lists (under mount), plus dv's directory if it is
 * encrypted (dv may be NULL). Missing or unencrypted directories are
 * reported and fail only when strict. Returns an exit code.
 */
struct dir_volumes;
int volume_ids_collect(const struct tab_entry *e, const char *mount,
		       const struct dir_volumes *dv, bool strict,
		       struct volume_ids *nd);
/*
 * After unlocking: every needed key present? Returns an exit code, and
 * says why for each missing key unless quiet (then 1 at the first).
 */
int volume_ids_verify(int fd, const char *volume, const struct volume_ids *nd,
		      const struct provkey *keys, size_t nkeys, bool quiet);
/* Unlocks every usable key of one volume on fd. Returns an exit code. */
int unlock_volume(int fd, const char *where, const char *volume,
		  const struct provkey *keys, size_t nkeys);

/* A directory and its volumes, open for unlock, check and update. */
struct dir_volumes {
	struct fscrypttab tab;
	struct mount_info mi;
	struct volume_set vs;
	int fd;
	const char *dir;
	bool dir_encrypted; /* dir has a v2 policy, of key dir_id */
	uint8_t dir_id[FSP_KEY_IDENTIFIER_SIZE];
};

/*
 * Finds dir's mount and volumes (volume, or the entries of that mount) in
 * table, or in arg_tab loaded now when table is NULL (required unless
 * volume is given), and opens dir. On failure prints why, as cmd, and
 * returns an exit code; ret then needs no closing.
 */
int dir_volumes_open(const char *cmd, const char *dir, const char *volume,
		     const struct fscrypttab *table, struct dir_volumes *ret);
void dir_volumes_close(struct dir_volumes *dv);

#endif
