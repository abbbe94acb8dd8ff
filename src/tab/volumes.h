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

#endif
