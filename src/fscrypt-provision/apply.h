/* SPDX-License-Identifier: MIT */
/* apply, between its files. */
#ifndef FSP_FSCRYPT_PROVISION_APPLY_H
#define FSP_FSCRYPT_PROVISION_APPLY_H

#include <stddef.h>

#include "basic/json_write.h"
#include "tab/fscrypttab.h"
#include "tab/overrides.h"

/*
 * Loads arg_tab into tab and applies the command line: the --key
 * overrides, reported (with --key, a missing table is an empty one:
 * rd.fscrypt.key= can name every volume itself), then password_timeout
 * (--password-timeout; -1 for none) to every entry. Returns an exit code,
 * having printed why.
 */
int apply_load_table(struct fscrypttab *tab, const struct key_override *ov,
		     size_t n_ov, long password_timeout);

/*
 * apply --volume NAME...: 0 when every name is a volume of tab, else the
 * exit code (FSP_EXIT_CONFIG), having said which is not. apply_selected:
 * whether apply takes the volume name (every one with no --volume).
 */
int apply_check_selection(const struct fscrypttab *tab, char *const *names,
			  size_t n);
bool apply_selected(char *const *names, size_t n, const char *name);

/* apply --json: the object's start, one volume's result (r, an exit code,
 * with the first problem it printed), and the totals. */
void apply_json_begin(struct json *j);
void apply_json_volume(struct json *j, const struct tab_entry *e, int r);
void apply_json_end(struct json *j, bool dry_run, unsigned ok, unsigned failed,
		    unsigned skipped);

#endif
