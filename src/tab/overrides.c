// SPDX-License-Identifier: MIT
/* Command-line key sources applied to a parsed fscrypttab; prints nothing. */
#define _GNU_SOURCE
#include "tab/fields.h"
#include "tab/overrides.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int key_override_parse(const char *arg, struct key_override *ret,
		       struct fsp_problem *err)
{
	const char *colon = strchr(arg, ':'), *src;
	size_t n;

	memset(ret, 0, sizeof(*ret));
	if (!colon || colon == arg || !colon[1]) {
		problem_text(err, "'%s': expected VOLUME:SOURCE", arg);
		return -EINVAL;
	}
	n = (size_t)(colon - arg);
	src = colon + 1;
	if (n > FSP_VOLUME_MAX) {
		problem_text(
		    err, "'%s': the volume name is longer than %d characters",
		    arg, FSP_VOLUME_MAX);
		return -EINVAL;
	}
	memcpy(ret->volume, arg, n);
	ret->volume[n] = '\0';
	if (!volume_name_valid(ret->volume)) {
		problem_text(
		    err,
		    "'%s': invalid volume name '%s': use 1-64 of A-Z a-z "
		    "0-9 _ . + @ -, not starting with '.' or '-'",
		    arg, ret->volume);
		return -EINVAL;
	}
	if (strcmp(src, "none") == 0 || strcmp(src, "-") == 0)
		return 0;
	if (fscrypttab_control_char(src)) {
		problem_text(
		    err,
		    "volume %s: the key source holds a control character; "
		    "paths may not contain TABs, newlines or other control "
		    "characters",
		    ret->volume);
		return -EINVAL;
	}
	if (key_source_parse(src, &ret->source) < 0) {
		problem_text(err,
			     "'%s': invalid key source '%s': expected /PATH, "
			     "file:PATH, fd:N, slots:PATH or none",
			     arg, src);
		return -EINVAL;
	}
	ret->has_source = true;
	return 0;
}

static bool superseded(const struct key_override *ov, size_t n, size_t i)
{
	for (size_t j = i + 1; j < n; j++)
		if (strcmp(ov[j].volume, ov[i].volume) == 0)
			return true;
	return false;
}

int fscrypttab_apply_overrides(struct fscrypttab *tab,
			       const struct key_override *ov, size_t n,
			       enum override_result *ret)
{
	size_t adds = 0, k;
	struct tab_entry *grown;

	for (size_t i = 0; i < n; i++)
		if (!superseded(ov, n, i) && ov[i].has_source &&
		    !fscrypttab_find(tab, ov[i].volume))
			adds++;
	if (adds) {
		grown = realloc(tab->entries,
				(tab->n + adds) * sizeof(*tab->entries));
		if (!grown)
			return -ENOMEM;
		tab->entries = grown;
	}
	for (size_t i = 0; i < n; i++) {
		struct tab_entry *e;

		if (superseded(ov, n, i)) {
			ret[i] = OVERRIDE_SUPERSEDED;
			continue;
		}
		e = (struct tab_entry *)fscrypttab_find(tab, ov[i].volume);
		if (!e && !ov[i].has_source) {
			ret[i] = OVERRIDE_IGNORED;
			continue;
		}
		if (!e) {
			char *none = strdup("");

			if (!none)
				return -ENOMEM;
			k = tab->n++;
			e = &tab->entries[k];
			memset(e, 0, sizeof(*e));
			e->mountpoint = none;
			strcpy(e->name, ov[i].volume);
			e->key_opts = KEY_SOURCE_OPTS_DEFAULT;
			ret[i] = OVERRIDE_ADDED;
		} else {
			ret[i] = OVERRIDE_REPLACED;
		}
		e->has_source = ov[i].has_source;
		e->source = ov[i].source;
	}
	return 0;
}

void fscrypttab_set_password_timeout(struct fscrypttab *tab, unsigned seconds)
{
	for (size_t i = 0; i < tab->n; i++) {
		tab->entries[i].password_timeout = seconds;
		tab->entries[i].has_password_timeout = true;
	}
}
