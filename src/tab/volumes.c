// SPDX-License-Identifier: MIT
/* Which fscrypttab volumes a directory belongs to; prints nothing. */
#define _GNU_SOURCE
#include "tab/volumes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void volume_set_free(struct volume_set *vs)
{
	free(vs->names);
	free(vs->entries);
	memset(vs, 0, sizeof(*vs));
}

/*
 * The table entry whose mountpoint holds resolved path `real` most closely,
 * or NULL.
 */
static const struct tab_entry *deepest_entry(const struct fscrypttab *tab,
					     const char *real)
{
	const struct tab_entry *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < tab->n; i++) {
		const struct tab_entry *e = &tab->entries[i];
		size_t len = strlen(e->mountpoint);

		if (e->has_mountpoint && len > best_len &&
		    path_in_dir(e->mountpoint, real)) {
			best = e;
			best_len = len;
		}
	}
	return best;
}

int resolve_volumes(const char *volume, const struct fscrypttab *tab,
		    const struct mount_info *mi, struct volume_set *ret,
		    const struct tab_entry **ret_unmounted)
{
	const struct tab_entry *deep;

	memset(ret, 0, sizeof(*ret));
	ret->names = calloc(tab->n + 1, sizeof(*ret->names));
	ret->entries = calloc(tab->n + 1, sizeof(*ret->entries));
	if (!ret->names || !ret->entries) {
		volume_set_free(ret);
		return -ENOMEM;
	}
	if (volume) {
		ret->names[0] = volume;
		ret->entries[0] = fscrypttab_find(tab, volume);
		ret->n = 1;
		return 0;
	}
	/*
	 * "unlock /data" before /data is mounted would otherwise unlock the
	 * filesystem below it (often /) and report success to a script that
	 * ran too early.
	 */
	deep = deepest_entry(tab, mi->path);
	if (deep && strlen(deep->mountpoint) > strlen(mi->mountpoint)) {
		volume_set_free(ret);
		*ret_unmounted = deep;
		return -ENOTCONN;
	}
	for (size_t i = 0; i < tab->n; i++) {
		if (!tab->entries[i].has_mountpoint ||
		    strcmp(tab->entries[i].mountpoint, mi->mountpoint) != 0)
			continue;
		ret->names[ret->n] = tab->entries[i].name;
		ret->entries[ret->n++] = &tab->entries[i];
	}
	if (ret->n == 0) {
		volume_set_free(ret);
		return -ENOENT;
	}
	return 0;
}

const char *key_source_file(const struct tab_entry *e)
{
	if (!e->has_source || (e->source.kind != KEY_SOURCE_FILE &&
			       e->source.kind != KEY_SOURCE_SLOTS))
		return NULL;
	return e->source.path;
}

const struct tab_entry *key_source_volume(const struct fscrypttab *tab,
					  const struct tab_entry *e)
{
	const char *file = key_source_file(e);
	const struct tab_entry *d = file ? deepest_entry(tab, file) : NULL;

	if (!d || d == e || strcmp(d->mountpoint, "/") == 0)
		return NULL;
	return d;
}
