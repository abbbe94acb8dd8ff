// SPDX-License-Identifier: MIT
/* apply: the table as apply reads it, with the command line's changes. */
#define _GNU_SOURCE
#include "fscrypt-provision/apply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fscrypt-provision/cli.h"

/* apply --key: the overrides, applied to tab and reported. */
static int apply_key_overrides(struct fscrypttab *tab,
			       const struct key_override *ov, size_t n,
			       bool tab_missing)
{
	enum override_result *res;
	char src[PATH_MAX + 8], why[PATH_MAX + 64];
	int r;

	if (n == 0)
		return FSP_EXIT_OK;
	res = calloc(n, sizeof(*res));
	if (!res)
		return cli_error_errno(OP_OPEN, -ENOMEM, "apply --key");
	r = fscrypttab_apply_overrides(tab, ov, n, res);
	if (r < 0) {
		free(res);
		return cli_error_errno(OP_OPEN, r, "apply --key");
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "none");
		if (ov[i].has_source)
			key_source_format(&ov[i].source, src, sizeof(src));
		if (tab_missing)
			snprintf(why, sizeof(why), "no table %s", arg_tab);
		else
			snprintf(why, sizeof(why), "no volume %s in %s",
				 ov[i].volume, arg_tab);
		switch (res[i]) {
		case OVERRIDE_REPLACED:
			cli_say("volume %s: key source %s (from --key)",
				ov[i].volume, src);
			break;
		case OVERRIDE_ADDED:
			cli_say(
			    "volume %s: added from --key (%s) with key source "
			    "%s, provision only (mountpoint none)",
			    ov[i].volume, why, src);
			break;
		case OVERRIDE_IGNORED:
			cli_warning(
			    "--key %s:%s: %s, and an entry with neither a "
			    "mountpoint nor a key source would do nothing; "
			    "ignored",
			    ov[i].volume, src, why);
			break;
		default:
			break;
		}
	}
	free(res);
	return FSP_EXIT_OK;
}

int apply_load_table(struct fscrypttab *tab, const struct key_override *ov,
		     size_t n_ov, long password_timeout)
{
	struct fsp_problem err = {0};
	bool missing = false;
	int r;

	memset(tab, 0, sizeof(*tab));
	r = fscrypttab_load(arg_tab, tab, &err);
	if (r == -ENOENT && n_ov)
		missing = true;
	else if (r < 0)
		return cli_error(problem_exit(&err, OP_TAB, r), "%s", err.text);
	r = apply_key_overrides(tab, ov, n_ov, missing);
	/* After --key, so that the volumes it adds get it too. */
	if (r == FSP_EXIT_OK && password_timeout >= 0)
		fscrypttab_set_password_timeout(tab,
						(unsigned)password_timeout);
	return r;
}

bool apply_selected(char *const *names, size_t n, const char *name)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

int apply_check_selection(const struct fscrypttab *tab, char *const *names,
			  size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!fscrypttab_find(tab, names[i]))
			return cli_error(FSP_EXIT_CONFIG,
					 "apply --volume %s: no volume %s in "
					 "%s",
					 names[i], names[i], arg_tab);
	return FSP_EXIT_OK;
}
