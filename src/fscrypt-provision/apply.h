/* SPDX-License-Identifier: MIT */
/* apply, between its files. */
#ifndef FSP_FSCRYPT_PROVISION_APPLY_H
#define FSP_FSCRYPT_PROVISION_APPLY_H

#include <stddef.h>

#include "basic/json_write.h"
#include "fscrypt-provision/volume_keys.h"
#include "kernel/keyring.h"
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

/*
 * The usable key of keys (the durable keyring's) that is e's, when e's
 * identifier is known without its secret (identifier=, or a slots file's
 * header): its source need not be read, nobody asked, no TPM used. NULL
 * when there is none, or the identifier is not known that way.
 */
const struct provkey *apply_provisioned(const struct tab_entry *e,
					const struct provkey *keys, size_t n);

/* What apply knows of a volume's mount and of the durable keyring. */
struct apply_ring {
	const char *mount; /* mounted there (below --root), or NULL */
	const char *where; /* the mountpoint below --root, for messages */
	int fd;		   /* on mount */
	bool dry_run;
	const struct volume_ids *nd; /* the keys its directories need */
	const struct provkey *keys;  /* the durable keyring's */
	size_t n;
};

/* An entry without a key source: its mount unlocked from the keyring.
 * An exit code. */
int apply_unlock(const struct tab_entry *e, const struct apply_ring *a);
/*
 * An entry whose key is in the keyring already, as its identifier tells
 * without the secret (identifier=, or a slots file's header): said so, and
 * its mount unlocked; its source is not read (nobody asked, no TPM used).
 * An exit code, or -1 when it is not so.
 */
int apply_known(const struct tab_entry *e, const struct apply_ring *a);

/* apply --json: the object's start, one volume's result (r, an exit code,
 * with the first problem it printed), and the totals. */
void apply_json_begin(struct json *j);
void apply_json_volume(struct json *j, const struct tab_entry *e, int r);
void apply_json_end(struct json *j, bool dry_run, unsigned ok, unsigned failed,
		    unsigned skipped);

#endif
