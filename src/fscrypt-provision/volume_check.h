/* SPDX-License-Identifier: MIT */
/* check's work, shared by the check and update commands. */
#ifndef FSP_FSCRYPT_PROVISION_VOLUME_CHECK_H
#define FSP_FSCRYPT_PROVISION_VOLUME_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "basic/json_write.h"
#include "fscrypt-provision/volume_keys.h"

struct check_report {
	FILE *out;     /* for the "missing:" lines; NULL: stdout */
	bool json;     /* an array of objects on stdout instead */
	bool ok_lines; /* also an "ok:" line per usable key */
	struct json j; /* with json; check_volumes sets it up */
	unsigned missing;
};

/*
 * Whether every key that dv's volumes need (the table's identifier=, the
 * policies of the directories it lists, the directory itself) has a usable
 * provisioning key, and whether the kernel can add keys by key_id.
 * Reports each key through rep; returns an exit code (1: not ready).
 */
int check_volumes(const struct dir_volumes *dv, struct check_report *rep);

#endif
