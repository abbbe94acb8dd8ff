// SPDX-License-Identifier: MIT
/* apply --dry-run: what apply would do for an entry, changing nothing. */
#define _GNU_SOURCE
#include "fscrypt-provision/apply_dry_run.h"

#include "fscrypt-provision/cli.h"
#include "kernel/provision.h"

int dry_run_provision(const struct tab_entry *e, const char *mount, int fd,
		      const char *src, const char *hex)
{
	int r;

	r = provkey_type_supported();
	if (r < 0)
		return cli_error_errno(OP_KEYRING, r,
				       "probe the fscrypt-provisioning key "
				       "type");
	if (mount) {
		r = probe_key_id_cached(fd);
		if (r < 0)
			return cli_error_errno(OP_ADD_BY_ID, r,
					       "add keys to %s", mount);
	}
	if (r == 1) {
		cli_say(
		    "volume %s: dry run: key %s from %s is valid; apply would "
		    "provision it%s%s%s",
		    e->name, hex, src, mount ? " and add it to " : "",
		    mount ? mount : "", mount ? " by key_id" : "");
		return FSP_EXIT_OK;
	}
	if (mount && e->raw_fallback) {
		cli_say(
		    "volume %s: dry run: key %s from %s is valid; this kernel "
		    "has no key_id, so apply would add the raw key to %s "
		    "(raw-fallback), which does not survive an unmount",
		    e->name, hex, src, mount);
		return FSP_EXIT_OK;
	}
	return cli_error(FSP_EXIT_UNSUPPORTED,
			 "volume %s: dry run: the key from %s is valid, but "
			 "this kernel cannot keep it for key_id (Linux 5.6 or "
			 "the backport in kernel-patches/ is needed), so apply "
			 "would fail%s",
			 e->name, src,
			 mount && !e->raw_fallback
			     ? "; the fscrypttab option raw-fallback would add "
			       "the raw key instead"
			     : "");
}

int dry_run_unlock(const struct tab_entry *e, const char *mount,
		   const struct provkey *keys, size_t nkeys)
{
	const struct provkey *first;
	size_t usable = 0;

	nkeys = volume_keys(keys, nkeys, e->name, &first);
	for (size_t i = 0; i < nkeys; i++)
		if (!first[i].state)
			usable++;
	if (usable == 0)
		return cli_error(FSP_EXIT_KEY_UNAVAILABLE,
				 "volume %s: dry run: no usable provisioning "
				 "key in keyring %s, so apply could not "
				 "unlock %s",
				 e->name, arg_keyring, mount);
	cli_say("volume %s: dry run: apply would add %zu provisioning key%s "
		"to %s by key_id",
		e->name, usable, usable == 1 ? "" : "s", mount);
	return FSP_EXIT_OK;
}
