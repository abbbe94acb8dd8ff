// SPDX-License-Identifier: MIT
/* fscrypttab(5), inside: splitting a line into fields, and each field. */
#define _GNU_SOURCE
#include "tab/fields.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/hex.h"
#include "basic/number.h"

#define MAX_FIELDS FSCRYPTTAB_MAX_FIELDS

int fscrypttab_error(struct fsp_problem *err, const char *file, unsigned line,
		     const char *fmt, ...)
{
	char what[sizeof(err->text)];
	va_list ap;

	if (!err)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return problem_set(err, OP_TAB, -EINVAL, "%s:%u: %s", file, line, what);
}

int fscrypttab_split_fields(const char *line, size_t len, char *buf,
			    char **fields, int *ret_n, const char **ret_what)
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

/* The entry's field for a yes/no option, or NULL for another option. */
static bool *option_flag(struct tab_entry *e, const char *o)
{
	if (strcmp(o, "nofail") == 0)
		return &e->nofail;
	if (strcmp(o, "allow-readable") == 0)
		return &e->key_opts.allow_readable;
	if (strcmp(o, "raw-fallback") == 0)
		return &e->raw_fallback;
	if (strcmp(o, "initramfs") == 0)
		return &e->initramfs;
	if (strcmp(o, "unlink-key") == 0)
		return &e->unlink_key;
	if (strcmp(o, "embed-raw-key") == 0)
		return &e->embed_raw_key;
	return NULL;
}

/* An option that is not one, or one without its value: which it is. */
static int option_unknown(const char *o, const char *file, unsigned line,
			  struct fsp_problem *err)
{
	static const char *const with_value[] = {
	    "key-lifetime", "timeout",	 "password-timeout",
	    "keysize",	    "keyformat", "identifier",
	};

	for (size_t i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++)
		if (strcmp(o, with_value[i]) == 0)
			return fscrypttab_error(err, file, line,
						"option '%s' needs a value "
						"(%s=...)",
						o, o);
	return fscrypttab_error(err, file, line, "unknown option '%s'", o);
}

int fscrypttab_parse_options(char *opts, struct tab_entry *e, const char *file,
			     unsigned line, struct fsp_problem *err)
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
		bool *flag = option_flag(e, o);

		if (flag && val)
			return fscrypttab_error(
			    err, file, line, "option '%s' takes no value", o);
		if (flag) {
			*flag = true;
		} else if (strcmp(o, "defaults") == 0 && !val) {
			continue;
		} else if ((strcmp(o, "key-lifetime") == 0 ||
			    strcmp(o, "timeout") == 0) &&
			   val) {
			if (!parse_unsigned(val, 0x7fffffff, &v) || v == 0)
				return fscrypttab_error(
				    err, file, line,
				    "%s=%s: expected a positive number of "
				    "seconds",
				    o, val);
			e->key_lifetime = (unsigned)v;
			/* The old name: crypttab's timeout= is a prompt's. */
			e->lifetime_as_timeout = o[0] == 't';
		} else if (strcmp(o, "password-timeout") == 0 && val) {
			if (!parse_unsigned(val, 0x7fffffff, &v))
				return fscrypttab_error(
				    err, file, line,
				    "password-timeout=%s: expected a number "
				    "of seconds (0 for no limit)",
				    val);
			e->password_timeout = (unsigned)v;
			e->has_password_timeout = true;
		} else if (strcmp(o, "keysize") == 0 && val) {
			if (!parse_unsigned(val, FSP_MAX_KEY_SIZE, &v) ||
			    v < FSP_MIN_KEY_SIZE)
				return fscrypttab_error(
				    err, file, line,
				    "keysize=%s: expected 16 to "
				    "64 bytes",
				    val);
			e->key_opts.size = v;
		} else if (strcmp(o, "keyformat") == 0 && val) {
			if (key_format_parse(val, &e->key_opts.format) < 0)
				return fscrypttab_error(
				    err, file, line,
				    "keyformat=%s: expected raw, "
				    "hex or auto",
				    val);
		} else if (strcmp(o, "identifier") == 0 && val) {
			if (strlen(val) != 32 ||
			    hex_decode(val, 32, e->identifier,
				       sizeof(e->identifier)) < 0)
				return fscrypttab_error(
				    err, file, line,
				    "identifier=%s: expected 32 "
				    "hex digits",
				    val);
			e->has_identifier = true;
		} else {
			return option_unknown(o, file, line, err);
		}
	}
	return 0;
}

const char *fscrypttab_control_char(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return s;
	return NULL;
}

bool fscrypttab_path_clean(const char *p)
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

int fscrypttab_parse_dirs(char *field, struct tab_entry *e, const char *file,
			  unsigned line, struct fsp_problem *err)
{
	char *save = NULL;

	if (strcmp(field, "-") == 0)
		return 0;
	for (char *d = strtok_r(field, ",", &save); d;
	     d = strtok_r(NULL, ",", &save)) {
		char **nd;

		if (d[0] == '/' || !fscrypttab_path_clean(d))
			return fscrypttab_error(
			    err, file, line,
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
