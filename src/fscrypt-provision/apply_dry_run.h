/* SPDX-License-Identifier: MIT */
/* apply --dry-run: what apply would do for an entry, changing nothing. */
#ifndef FSP_FSCRYPT_PROVISION_APPLY_DRY_RUN_H
#define FSP_FSCRYPT_PROVISION_APPLY_DRY_RUN_H

#include <stddef.h>

#include "kernel/keyring.h"
#include "tab/fscrypttab.h"

/*
 * For an entry whose key has been read and checked: would provisioning
 * work? Asks the kernel the two side-effect-free questions provision_key()
 * would (the key type, and key_id on the filesystem at mount, if given,
 * open at fd). Reports and returns an exit code.
 */
int dry_run_provision(const struct tab_entry *e, const char *mount, int fd,
		      const char *src, const char *hex);
/* Source none: would unlock find a usable key? Reports; an exit code. */
int dry_run_unlock(const struct tab_entry *e, const char *mount,
		   const struct provkey *keys, size_t nkeys);

#endif
