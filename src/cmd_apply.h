/* SPDX-License-Identifier: MIT */
/* apply, between its files. */
#ifndef FSP_CMD_APPLY_H
#define FSP_CMD_APPLY_H

#include <stddef.h>

#include "fscrypttab.h"
#include "overrides.h"

/*
 * Loads arg_tab into tab and applies the --key overrides, reported (with
 * --key, a missing table is an empty one: rd.fscrypt.key= can name every
 * volume itself). Returns an exit code, having printed why.
 */
int apply_load_table(struct fscrypttab *tab, const struct key_override *ov,
		     size_t n_ov);

#endif
