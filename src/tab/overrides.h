/* SPDX-License-Identifier: MIT */
/* Key sources given on the command line (apply --key VOLUME:SOURCE, which
 * the initramfs passes from rd.fscrypt.key=), applied to a parsed table. */
#ifndef FSP_TAB_OVERRIDES_H
#define FSP_TAB_OVERRIDES_H

#include <stdbool.h>
#include <stddef.h>

#include "shared/problem.h"
#include "tab/fscrypttab.h"

struct key_override {
	char volume[FSP_VOLUME_MAX + 1];
	bool has_source; /* false for "none" or "-" */
	struct key_source source;
};

enum override_result {
	OVERRIDE_SUPERSEDED, /* a later one names the same volume */
	OVERRIDE_REPLACED,   /* the table's entry gets this source */
	OVERRIDE_ADDED,	     /* a provision-only entry (mountpoint none) */
	OVERRIDE_IGNORED,    /* not in the table, and source none: no-op */
};

/*
 * "VOLUME:SOURCE", SOURCE as in fscrypttab(5) (/PATH, file:PATH, fd:N,
 * none, -). Returns 0, or -EINVAL with a sentence in err.
 */
int key_override_parse(const char *arg, struct key_override *ret,
		       struct fsp_problem *err);

/*
 * Applies the overrides in order (the last for a volume wins) and sets
 * ret[i] for each. A volume the table lacks is appended as an entry with
 * mountpoint none, since a key source alone cannot say where the volume is
 * mounted. Returns 0, or -ENOMEM with the table partly changed (the
 * caller gives up on it).
 */
int fscrypttab_apply_overrides(struct fscrypttab *tab,
			       const struct key_override *ov, size_t n,
			       enum override_result *ret);

/* apply --password-timeout: seconds (0: no limit) for every entry, in
 * place of its password-timeout= or default. */
void fscrypttab_set_password_timeout(struct fscrypttab *tab, unsigned seconds);

#endif
