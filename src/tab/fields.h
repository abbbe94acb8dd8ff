/* SPDX-License-Identifier: MIT */
/* fscrypttab(5), inside: the field splitter and the per-field parsers that
 * tab/fscrypttab.c's line parser calls. Not for other users. */
#ifndef FSP_TAB_FIELDS_H
#define FSP_TAB_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "shared/problem.h"
#include "tab/fscrypttab.h"

#define FSCRYPTTAB_MAX_FIELDS 5

/* Writes "FILE:LINE: what" to err; returns -EINVAL. */
int fscrypttab_error(struct fsp_problem *err, const char *file, unsigned line,
		     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/*
 * Splits one line into fields. Fields are separated by blanks; a field may
 * be "double quoted" (with \" and \\ escapes) or 'single quoted' (literal),
 * and an unquoted # starts a comment. Fields point into buf, which must
 * hold the line's length plus one byte. -EINVAL with *ret_what set.
 */
int fscrypttab_split_fields(const char *line, size_t len, char *buf,
			    char **fields, int *ret_n, const char **ret_what);
/* The options field into e. 0 or -EINVAL with err set. */
int fscrypttab_parse_options(char *opts, struct tab_entry *e, const char *file,
			     unsigned line, struct fsp_problem *err);
/* A relative path with no "", ".", ".." or "//" component. */
/*
 * The first control character (0x01-0x1f, 0x7f: TAB and newline among
 * them) in s, or NULL. Paths with one are refused, so that no output of
 * ours, TAB-separated or not, can be split wrongly.
 */
const char *fscrypttab_control_char(const char *s);
bool fscrypttab_path_clean(const char *p);
/* The directories field into e->dirs. 0, -EINVAL or -ENOMEM. */
int fscrypttab_parse_dirs(char *field, struct tab_entry *e, const char *file,
			  unsigned line, struct fsp_problem *err);

#endif
