// SPDX-License-Identifier: MIT
/* fscrypttab(5): which volumes get which keys, and what must be unlocked. */
#define _GNU_SOURCE
#include "fscrypttab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hex.h"

#define MAX_FIELDS 5
#define TAB_FILE_MAX (1024 * 1024)

static int tab_error(char *err, size_t n, const char *file, unsigned line,
		     const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int tab_error(char *err, size_t n, const char *file, unsigned line,
		     const char *fmt, ...)
{
	va_list ap;
	int len;

	if (err && n) {
		len = snprintf(err, n, "%s:%u: ", file, line);
		if (len >= 0 && (size_t)len < n) {
			va_start(ap, fmt);
			vsnprintf(err + len, n - (size_t)len, fmt, ap);
			va_end(ap);
		}
	}
	return -EINVAL;
}

/*
 * Splits one line into fields. Fields are separated by blanks; a field may
 * be "double quoted" (with \" and \\ escapes) or 'single quoted' (literal),
 * and an unquoted # starts a comment. Fields point into buf, which must
 * hold the line's length plus one byte.
 */
static int split_fields(const char *line, size_t len, char *buf, char **fields,
			int *ret_n, const char **ret_what)
{
	size_t i = 0, o = 0;
	int n = 0;

	while (i < len) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len || line[i] == '#')
			break;
		if (n == MAX_FIELDS) {
			*ret_what = "too many fields (at most 5: name, "
				    "mountpoint, key source, directories, "
				    "options)";
			return -EINVAL;
		}
		fields[n++] = buf + o;
		while (i < len && line[i] != ' ' && line[i] != '\t') {
			char c = line[i++];

			if (c == '"' || c == '\'') {
				char q = c;

				for (;;) {
					if (i >= len) {
						*ret_what = q == '"'
								? "unterminated"
								  " \" quote"
								: "unterminated"
								  " ' quote";
						return -EINVAL;
					}
					c = line[i++];
					if (c == q)
						break;
					if (c == '\\' && q == '"') {
						if (i >= len) {
							*ret_what =
							    "backslash at end "
							    "of line";
							return -EINVAL;
						}
						c = line[i++];
					}
					buf[o++] = c;
				}
			} else if (c == '\\') {
				if (i >= len) {
					*ret_what = "backslash at end of line";
					return -EINVAL;
				}
				buf[o++] = line[i++];
			} else {
				buf[o++] = c;
			}
		}
		buf[o++] = '\0';
	}
	*ret_n = n;
	return 0;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	/* Digits only: strtoul alone would take " 5", "+5" and "-5". */
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*ret = v;
	return true;
}

static int parse_options(char *opts, struct tab_entry *e, const char *file,
			 unsigned line, char *err, size_t errlen)
{
	char *save = NULL;

	if (strcmp(opts, "-") == 0 || strcmp(opts, "defaults") == 0)
		return 0;
	for (char *o = strtok_r(opts, ",", &save); o;
	     o = strtok_r(NULL, ",", &save)) {
		char *val = strchr(o, '=');
		unsigned long v;

		if (val)
			*val++ = '\0';
		if (strcmp(o, "defaults") == 0 && !val) {
			continue;
		} else if (strcmp(o, "nofail") == 0 && !val) {
			e->nofail = true;
		} else if (strcmp(o, "allow-readable") == 0 && !val) {
			e->key_opts.allow_readable = true;
		} else if (strcmp(o, "raw-fallback") == 0 && !val) {
			e->raw_fallback = true;
		} else if (strcmp(o, "initramfs") == 0 && !val) {
			e->initramfs = true;
		} else if (strcmp(o, "timeout") == 0 && val) {
			if (!parse_uint(val, 0x7fffffff, &v) || v == 0)
				return tab_error(err, errlen, file, line,
						 "timeout=%s: expected a "
						 "positive number of seconds",
						 val);
			e->timeout = (unsigned)v;
		} else if (strcmp(o, "keysize") == 0 && val) {
			if (!parse_uint(val, FSP_MAX_KEY_SIZE, &v) ||
			    v < FSP_MIN_KEY_SIZE)
				return tab_error(err, errlen, file, line,
						 "keysize=%s: expected 16 to "
						 "64 bytes",
						 val);
			e->key_opts.size = v;
		} else if (strcmp(o, "keyformat") == 0 && val) {
			if (key_format_parse(val, &e->key_opts.format) < 0)
				return tab_error(err, errlen, file, line,
						 "keyformat=%s: expected raw, "
						 "hex or auto",
						 val);
		} else if (strcmp(o, "identifier") == 0 && val) {
			if (strlen(val) != 32 ||
			    hex_decode(val, 32, e->identifier,
				       sizeof(e->identifier)) < 0)
				return tab_error(err, errlen, file, line,
						 "identifier=%s: expected 32 "
						 "hex digits",
						 val);
			e->has_identifier = true;
		} else {
			static const char *const with_value[] = {
			    "timeout", "keysize", "keyformat", "identifier"};
			bool wants = false;

			for (size_t i = 0; i < 4; i++)
				wants |= strcmp(o, with_value[i]) == 0;
			if (wants)
				return tab_error(err, errlen, file, line,
						 "option '%s' needs a value "
						 "(%s=...)",
						 o, o);
			if (val && (strcmp(o, "nofail") == 0 ||
				    strcmp(o, "allow-readable") == 0 ||
				    strcmp(o, "raw-fallback") == 0 ||
				    strcmp(o, "initramfs") == 0))
				return tab_error(err, errlen, file, line,
						 "option '%s' takes no value",
						 o);
			return tab_error(err, errlen, file, line,
					 "unknown option '%s'", o);
		}
	}
	return 0;
}

static bool path_clean(const char *p)
{
	/* No empty, "." or ".." components, and no trailing slash. */
	const char *c = p;

	while (*c) {
		const char *s = strchr(c, '/');
		size_t l = s ? (size_t)(s - c) : strlen(c);

		if (l == 0 || (l == 1 && c[0] == '.') ||
		    (l == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!s)
			break;
		c = s + 1;
		if (!*c)
			return false;
	}
	return true;
}

static int parse_dirs(char *field, struct tab_entry *e, const char *file,
		      unsigned line, char *err, size_t errlen)
{
	char *save = NULL;

	if (strcmp(field, "-") == 0)
		return 0;
	for (char *d = strtok_r(field, ",", &save); d;
	     d = strtok_r(NULL, ",", &save)) {
		char **nd;

		if (d[0] == '/' || !path_clean(d))
			return tab_error(err, errlen, file, line,
					 "directory '%s' must be a clean path "
					 "relative to the mountpoint (no "
					 "leading '/', '.', '..' or '//')",
					 d);
		nd = realloc(e->dirs, (e->n_dirs + 1) * sizeof(*nd));
		if (!nd)
			return -ENOMEM;
		e->dirs = nd;
		e->dirs[e->n_dirs] = strdup(d);
		if (!e->dirs[e->n_dirs])
			return -ENOMEM;
		e->n_dirs++;
	}
	return 0;
}

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

static int parse_line(const char *text, size_t len, const char *file,
		      unsigned line, struct fscrypttab *tab,
		      struct name_index *ix, char *err, size_t errlen)
{
	char buf[FSCRYPTTAB_LINE_MAX + 1];
	char *f[MAX_FIELDS];
	const char *what = NULL;
	struct tab_entry e;
	int n = 0, r;

	if (memchr(text, '\0', len))
		return tab_error(err, errlen, file, line,
				 "contains a NUL byte");
	if (split_fields(text, len, buf, f, &n, &what) < 0)
		return tab_error(err, errlen, file, line, "%s", what);
	if (n == 0)
		return 0;
	if (n < 3)
		return tab_error(err, errlen, file, line,
				 "missing fields: expected name, mountpoint "
				 "and key source, got %d field%s",
				 n, n == 1 ? "" : "s");

	memset(&e, 0, sizeof(e));
	e.line = line;
	e.key_opts = KEY_SOURCE_OPTS_DEFAULT;
	if (!volume_name_valid(f[0]))
		return tab_error(err, errlen, file, line,
				 "invalid volume name '%s': use 1-64 of "
				 "A-Z a-z 0-9 _ . + @ -, not starting with "
				 "'.' or '-'",
				 f[0]);
	if (name_find(ix, tab, f[0]))
		return tab_error(err, errlen, file, line,
				 "duplicate volume name '%s' (first defined "
				 "on line %u)",
				 f[0], name_find(ix, tab, f[0])->line);
	strcpy(e.name, f[0]);
	if (strcmp(f[1], "none") == 0) {
		/*
		 * Provision only: the table does not say where the volume is
		 * mounted (rd.fscrypt.key= adds such entries).
		 */
		e.has_mountpoint = false;
	} else if (f[1][0] != '/' ||
		   (strcmp(f[1], "/") != 0 && !path_clean(f[1] + 1)) ||
		   strlen(f[1]) >= PATH_MAX) {
		return tab_error(err, errlen, file, line,
				 "mountpoint '%s' must be a clean absolute "
				 "path, or none",
				 f[1]);
	} else {
		e.has_mountpoint = true;
	}
	if (strcmp(f[2], "none") == 0 || strcmp(f[2], "-") == 0) {
		e.has_source = false;
	} else if (key_source_parse(f[2], &e.source) < 0 ||
		   (e.source.kind == KEY_SOURCE_FILE &&
		    e.source.path[0] != '/')) {
		return tab_error(err, errlen, file, line,
				 "invalid key source '%s': expected an "
				 "absolute path, file:PATH, fd:N or none",
				 f[2]);
	} else {
		e.has_source = true;
	}
	if (n > 3) {
		/* Directories are relative to the mountpoint: none, no base. */
		if (!e.has_mountpoint && strcmp(f[3], "-") != 0)
			return tab_error(err, errlen, file, line,
					 "directories '%s' need a mountpoint; "
					 "with mountpoint none (provision "
					 "only) write '-'",
					 f[3]);
		r = parse_dirs(f[3], &e, file, line, err, errlen);
		if (r == 0 && n > 4)
			r = parse_options(f[4], &e, file, line, err, errlen);
		if (r < 0) {
			entry_free(&e);
			return r;
		}
	}
	if (e.raw_fallback && !e.has_source) {
		entry_free(&e);
		return tab_error(err, errlen, file, line,
				 "raw-fallback needs a key source, not none");
	}
	if (e.raw_fallback && !e.has_mountpoint) {
		entry_free(&e);
		return tab_error(err, errlen, file, line,
				 "raw-fallback needs a mountpoint, not none: "
				 "a raw key can only be added to a mounted "
				 "filesystem");
	}
	/* Last, so that the error returns above have nothing to free. */
	e.mountpoint = strdup(e.has_mountpoint ? f[1] : "");
	if (!e.mountpoint) {
		entry_free(&e);
		return -ENOMEM;
	}
	/* Doubling: entries are large (a PATH_MAX buffer for the key file). */
	if ((tab->n & (tab->n - 1)) == 0) {
		size_t cap = tab->n ? 2 * tab->n : 1;
		struct tab_entry *ne = realloc(tab->entries, cap * sizeof(*ne));

		if (!ne) {
			entry_free(&e);
			return -ENOMEM;
		}
		tab->entries = ne;
	}
	if (name_reserve(ix, tab) < 0) {
		entry_free(&e);
		return -ENOMEM;
	}
	tab->entries[tab->n++] = e;
	name_put(ix, tab, tab->n - 1);
	return 0;
}

int fscrypttab_parse(const char *text, size_t len, const char *filename,
		     struct fscrypttab *ret, char *err, size_t errlen)
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
		if (l > FSCRYPTTAB_LINE_MAX) {
			r = tab_error(err, errlen, filename, line,
				      "line is %zu bytes long; the limit is %d",
				      l, FSCRYPTTAB_LINE_MAX);
		} else {
			r = parse_line(text + pos, l, filename, line, &tab, &ix,
				       err, errlen);
		}
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

int fscrypttab_read_file(const char *path, char **ret_text, size_t *ret_len,
			 char *err, size_t errlen)
{
	struct stat st;
	char *text;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot examine: %s", path,
			 strerror(-r));
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TAB_FILE_MAX) {
		snprintf(err, errlen,
			 "%s: not a regular file of at most %d bytes", path,
			 TAB_FILE_MAX);
		close(fd);
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	/* One byte more than fstat() said, so a growing file is noticed. */
	while (len <= (size_t)st.st_size) {
		ssize_t n = read(fd, text + len, (size_t)st.st_size + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "%s: cannot read: %s", path,
				 strerror(-r));
			free(text);
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > (size_t)st.st_size)
		len = (size_t)st.st_size;
	close(fd);
	text[len] = '\0';
	*ret_text = text;
	*ret_len = len;
	return 0;
}

int fscrypttab_load(const char *path, struct fscrypttab *ret, char *err,
		    size_t errlen)
{
	char *text;
	size_t len;
	int r;

	r = fscrypttab_read_file(path, &text, &len, err, errlen);
	if (r < 0)
		return r;
	r = fscrypttab_parse(text, len, path, ret, err, errlen);
	free(text);
	return r;
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
