// SPDX-License-Identifier: MIT
/* fscrypttab(5): which volumes get which keys, and what must be unlocked. */
#define _GNU_SOURCE
#include "tab/fscrypttab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/hex.h"
#include "tab/fields.h"

#define MAX_FIELDS FSCRYPTTAB_MAX_FIELDS

/*
 * The names seen so far, for the duplicate check: a linear search per line
 * made parsing quadratic (half a million comparisons for 1000 lines).
 * Open addressing over entry indices; 0 marks a free slot.
 */
struct name_index {
	size_t *slots; /* entry index + 1 */
	size_t cap;    /* a power of two, over twice the entries */
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The entry named name, or NULL. */
static const struct tab_entry *name_find(const struct name_index *ix,
					 const struct fscrypttab *tab,
					 const char *name)
{
	if (!ix->cap)
		return NULL;
	for (size_t i = name_hash(name) & (ix->cap - 1); ix->slots[i];
	     i = (i + 1) & (ix->cap - 1))
		if (strcmp(tab->entries[ix->slots[i] - 1].name, name) == 0)
			return &tab->entries[ix->slots[i] - 1];
	return NULL;
}

static void name_put(struct name_index *ix, const struct fscrypttab *tab,
		     size_t k)
{
	size_t i = name_hash(tab->entries[k].name) & (ix->cap - 1);

	while (ix->slots[i])
		i = (i + 1) & (ix->cap - 1);
	ix->slots[i] = k + 1;
}

/* Room for one more entry than tab has. 0 or -ENOMEM. */
static int name_reserve(struct name_index *ix, const struct fscrypttab *tab)
{
	struct name_index grown;

	if (2 * (tab->n + 1) < ix->cap)
		return 0;
	grown.cap = ix->cap ? 2 * ix->cap : 16;
	grown.slots = calloc(grown.cap, sizeof(*grown.slots));
	if (!grown.slots)
		return -ENOMEM;
	free(ix->slots);
	*ix = grown;
	for (size_t k = 0; k < tab->n; k++)
		name_put(ix, tab, k);
	return 0;
}

static void entry_free(struct tab_entry *e)
{
	free(e->mountpoint);
	e->mountpoint = NULL;
	for (size_t i = 0; i < e->n_dirs; i++)
		free(e->dirs[i]);
	free(e->dirs);
	e->dirs = NULL;
	e->n_dirs = 0;
}

/* Fields 2 and 3: where the volume is mounted and where its key is. */
static int parse_place(char **f, struct tab_entry *e, const char *file,
		       unsigned line, struct fsp_problem *err)
{
	if (strcmp(f[1], "none") == 0) {
		/*
		 * Provision only: the table does not say where the volume is
		 * mounted (rd.fscrypt.key= adds such entries).
		 */
		e->has_mountpoint = false;
	} else if (f[1][0] != '/' ||
		   (strcmp(f[1], "/") != 0 &&
		    !fscrypttab_path_clean(f[1] + 1)) ||
		   strlen(f[1]) >= PATH_MAX) {
		return fscrypttab_error(err, file, line,
					"mountpoint '%s' must be a clean "
					"absolute path, or none",
					f[1]);
	} else {
		e->has_mountpoint = true;
	}
	if (strcmp(f[2], "none") == 0 || strcmp(f[2], "-") == 0) {
		e->has_source = false;
	} else if (key_source_parse(f[2], &e->source) < 0 ||
		   (e->source.kind == KEY_SOURCE_FILE &&
		    e->source.path[0] != '/')) {
		return fscrypttab_error(err, file, line,
					"invalid key source '%s': expected an "
					"absolute path, file:PATH, fd:N, "
					"slots:PATH or none",
					f[2]);
	} else {
		e->has_source = true;
	}
	return 0;
}

/* Fields 4 and 5, and the rules that tie options to fields 2 and 3. */
static int parse_extras(char **f, int n, struct tab_entry *e, const char *file,
			unsigned line, struct fsp_problem *err)
{
	int r = 0;

	if (n > 3) {
		/* Directories are relative to the mountpoint: none, no base. */
		if (!e->has_mountpoint && strcmp(f[3], "-") != 0)
			return fscrypttab_error(
			    err, file, line,
			    "directories '%s' need a mountpoint; with "
			    "mountpoint none (provision only) write '-'",
			    f[3]);
		r = fscrypttab_parse_dirs(f[3], e, file, line, err);
		if (r == 0 && n > 4)
			r = fscrypttab_parse_options(f[4], e, file, line, err);
		if (r < 0)
			return r;
	}
	if (!e->has_password_timeout)
		e->password_timeout =
		    e->nofail ? FSCRYPTTAB_NOFAIL_PASSWORD_TIMEOUT : 0;
	if (e->unlink_key &&
	    (!e->has_source || e->source.kind != KEY_SOURCE_FILE))
		return fscrypttab_error(
		    err, file, line,
		    "unlink-key needs a key file, not none or fd:N");
	if (e->raw_fallback && !e->has_source)
		return fscrypttab_error(
		    err, file, line,
		    "raw-fallback needs a key source, not none");
	if (e->raw_fallback && !e->has_mountpoint)
		return fscrypttab_error(
		    err, file, line,
		    "raw-fallback needs a mountpoint, not none: a raw key can "
		    "only be added to a mounted filesystem");
	return 0;
}

/* Moves e, complete but for its mountpoint, into tab and the index. */
static int append_entry(struct fscrypttab *tab, struct name_index *ix,
			struct tab_entry *e, const char *mountpoint)
{
	e->mountpoint = strdup(e->has_mountpoint ? mountpoint : "");
	if (!e->mountpoint)
		return -ENOMEM;
	/* Doubling: entries are large (a PATH_MAX buffer for the key file). */
	if ((tab->n & (tab->n - 1)) == 0) {
		size_t cap = tab->n ? 2 * tab->n : 1;
		struct tab_entry *ne = realloc(tab->entries, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		tab->entries = ne;
	}
	if (name_reserve(ix, tab) < 0)
		return -ENOMEM;
	tab->entries[tab->n++] = *e;
	name_put(ix, tab, tab->n - 1);
	return 0;
}

static int parse_line(const char *text, size_t len, const char *file,
		      unsigned line, struct fscrypttab *tab,
		      struct name_index *ix, struct fsp_problem *err)
{
	char buf[FSCRYPTTAB_LINE_MAX + 1];
	char *f[MAX_FIELDS];
	const char *what = NULL;
	const struct tab_entry *dup;
	struct tab_entry e;
	int n = 0, r;

	if (memchr(text, '\0', len))
		return fscrypttab_error(err, file, line, "contains a NUL byte");
	if (fscrypttab_split_fields(text, len, buf, f, &n, &what) < 0)
		return fscrypttab_error(err, file, line, "%s", what);
	if (n == 0)
		return 0;
	if (n < 3)
		return fscrypttab_error(
		    err, file, line,
		    "missing fields: expected name, mountpoint "
		    "and key source, got %d field%s",
		    n, n == 1 ? "" : "s");
	if (!volume_name_valid(f[0]))
		return fscrypttab_error(
		    err, file, line,
		    "invalid volume name '%s': use 1-64 of "
		    "A-Z a-z 0-9 _ . + @ -, not starting with "
		    "'.' or '-'",
		    f[0]);
	for (int i = 1; i < n && i < 4; i++) {
		static const char *const field[] = {
		    NULL, "mountpoint", "key source", "directories"};
		const char *c = fscrypttab_control_char(f[i]);

		if (c)
			return fscrypttab_error(
			    err, file, line,
			    "the %s field holds control character 0x%02x at "
			    "byte %zu; paths may not contain TABs, newlines "
			    "or other control characters",
			    field[i], (unsigned)(unsigned char)*c,
			    (size_t)(c - f[i]) + 1);
	}
	dup = name_find(ix, tab, f[0]);
	if (dup)
		return fscrypttab_error(err, file, line,
					"duplicate volume name '%s' (first "
					"defined on line %u)",
					f[0], dup->line);
	memset(&e, 0, sizeof(e));
	e.line = line;
	e.key_opts = KEY_SOURCE_OPTS_DEFAULT;
	strcpy(e.name, f[0]);
	r = parse_place(f, &e, file, line, err);
	if (r == 0)
		r = parse_extras(f, n, &e, file, line, err);
	if (r == 0)
		r = append_entry(tab, ix, &e, f[1]);
	if (r < 0)
		entry_free(&e);
	return r;
}

int fscrypttab_parse(const char *text, size_t len, const char *filename,
		     struct fscrypttab *ret, struct fsp_problem *err)
{
	struct fscrypttab tab = {0};
	struct name_index ix = {0};
	unsigned line = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		int r;

		line++;
		if (l > 0 && text[pos + l - 1] == '\r')
			l--;
		if (l > FSCRYPTTAB_LINE_MAX)
			r = fscrypttab_error(
			    err, filename, line,
			    "line is %zu bytes long; the limit is %d", l,
			    FSCRYPTTAB_LINE_MAX);
		else
			r = parse_line(text + pos, l, filename, line, &tab, &ix,
				       err);
		if (r == 0 && tab.n > FSCRYPTTAB_ENTRIES_MAX)
			r = fscrypttab_error(err, filename, line,
					     "more than %d entries; split the "
					     "table",
					     FSCRYPTTAB_ENTRIES_MAX);
		/* The parser's own errors say where; memory is all that is
		 * left, and a message must never be an unset buffer. */
		if (r == -ENOMEM)
			fscrypttab_error(err, filename, line, "out of memory");
		if (r < 0) {
			free(ix.slots);
			fscrypttab_free(&tab);
			return r;
		}
		pos += (nl ? (size_t)(nl - (text + pos)) + 1 : len - pos);
	}
	free(ix.slots);
	*ret = tab;
	return 0;
}

void fscrypttab_free(struct fscrypttab *tab)
{
	for (size_t i = 0; i < tab->n; i++)
		entry_free(&tab->entries[i]);
	free(tab->entries);
	tab->entries = NULL;
	tab->n = 0;
}

const struct tab_entry *fscrypttab_find(const struct fscrypttab *tab,
					const char *name)
{
	for (size_t i = 0; i < tab->n; i++)
		if (strcmp(tab->entries[i].name, name) == 0)
			return &tab->entries[i];
	return NULL;
}
