/* SPDX-License-Identifier: MIT */
/* fscrypttab(5): which volumes get which keys, and what must be unlocked. */
#ifndef FSP_TAB_FSCRYPTTAB_H
#define FSP_TAB_FSCRYPTTAB_H

#include <limits.h>
#include <linux/limits.h> /* PATH_MAX without _GNU_SOURCE */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fscrypt_uapi.h"
#include "kernel/key_description.h"
#include "keysource/source.h"
#include "shared/problem.h"

#define FSCRYPTTAB_DEFAULT "/etc/fscrypttab"
#define FSCRYPTTAB_LINE_MAX 4095
/*
 * Entries per table. Each costs about 4.3 KB (a key file path of PATH_MAX),
 * so this bounds a table's memory to about 18 MB; real tables list a few.
 */
#define FSCRYPTTAB_ENTRIES_MAX 4096
/*
 * password-timeout= of a nofail entry that does not give one: a nofail
 * volume must never hold up a boot that has nobody to type. systemd's
 * default job timeout for a device (DefaultDeviceTimeoutSec=) is as long.
 */
#define FSCRYPTTAB_NOFAIL_PASSWORD_TIMEOUT 90

struct tab_entry {
	char name[FSP_VOLUME_MAX + 1];
	/* false for "none": provision only; mountpoint is then "" */
	bool has_mountpoint;
	char *mountpoint; /* malloc'ed; "" for none */
	bool has_source;  /* false for "none": keys come from elsewhere */
	struct key_source source;
	struct key_source_opts key_opts;
	char **dirs; /* relative to mountpoint */
	size_t n_dirs;
	bool nofail;
	bool raw_fallback;
	bool initramfs;
	bool unlink_key; /* remove the key file once its key is provisioned */
	bool embed_raw_key; /* initramfs: a raw key file may be embedded */
	/* key-lifetime=: seconds until the provisioning key expires, 0 for
	 * never; lifetime_as_timeout when spelled timeout= (deprecated) */
	unsigned key_lifetime;
	bool lifetime_as_timeout;
	/* Seconds a person has to answer a slots file's prompts, 0 for no
	 * limit: password-timeout=, else FSCRYPTTAB_NOFAIL_PASSWORD_TIMEOUT
	 * for nofail and 0 for the others. */
	unsigned password_timeout;
	bool has_password_timeout; /* given by password-timeout= */
	bool has_identifier;
	uint8_t identifier[FSP_KEY_IDENTIFIER_SIZE];
	unsigned line;
};

struct fscrypttab {
	struct tab_entry *entries;
	size_t n;
};

/*
 * Parses a whole table. On error returns -EINVAL (or -ENOMEM) and writes
 * "FILE:LINE: what" to err.
 */
int fscrypttab_parse(const char *text, size_t len, const char *filename,
		     struct fscrypttab *ret, struct fsp_problem *err);
/*
 * Reads a table file whole (NUL-terminated, at most 1 MiB) into malloc'ed
 * memory; -ENOENT etc. with err set to "FILE: what".
 */
int fscrypttab_read_file(const char *path, char **ret_text, size_t *ret_len,
			 struct fsp_problem *err);
/* Reads and parses a file; -ENOENT etc. with err set likewise. */
int fscrypttab_load(const char *path, struct fscrypttab *ret,
		    struct fsp_problem *err);
void fscrypttab_free(struct fscrypttab *tab);
const struct tab_entry *fscrypttab_find(const struct fscrypttab *tab,
					const char *name);

#endif
