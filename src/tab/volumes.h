/* SPDX-License-Identifier: MIT */
/* Which fscrypttab volumes a directory belongs to; prints nothing. */
#ifndef FSP_TAB_VOLUMES_H
#define FSP_TAB_VOLUMES_H

#include <stddef.h>

#include "kernel/mountinfo.h"
#include "tab/fscrypttab.h"

struct volume_set {
	const char **names;
	const struct tab_entry **entries; /* NULL where not in the table */
	size_t n;
};

void volume_set_free(struct volume_set *vs);

/*
 * The volumes of the directory whose mount is mi: the one named volume
 * (its entry may be NULL), or else every entry whose mountpoint is that
 * mount. Provision-only entries are found by name only. Returns 0, or
 *   -ENOTCONN  an entry's mountpoint holds the directory more closely than
 *              its mount does, so that entry is not mounted yet and the
 *              directory belongs to the filesystem below (*ret_unmounted);
 *   -ENOENT    no entry has this mountpoint;
 *   -ENOMEM.
 */
int resolve_volumes(const char *volume, const struct fscrypttab *tab,
		    const struct mount_info *mi, struct volume_set *ret,
		    const struct tab_entry **ret_unmounted);

/*
 * The file e's key comes from (a key file or a slots file), or NULL (fd:N,
 * or no key source).
 */
const char *key_source_file(const struct tab_entry *e);

/*
 * The other volume of tab whose mountpoint holds that file most closely,
 * not the root (the initramfs has unlocked it): the volume whose key must
 * be in, and its directories unlocked, before e's key can be read. NULL
 * when there is none.
 */
const struct tab_entry *key_source_volume(const struct fscrypttab *tab,
					  const struct tab_entry *e);

#endif
