// SPDX-License-Identifier: MIT
/* Unlocking --slots FILE for add, identifier and enroll. */
#define _GNU_SOURCE
#include "slotsarg.h"

#include <errno.h>

#include "cli.h"
#include "slots_unlock.h"

int slots_arg_fail(const char *path, int err, const char *detail)
{
	int code =
	    err == -EKEYREJECTED ? FSP_EXIT_KEY_REJECTED : FSP_EXIT_KEY_SOURCE;

	if (err == -ENOMEM)
		return fail_msg(FSP_EXIT_SYSTEM,
				"slots file %s: out of memory (%s); Argon2id "
				"needs the memory its slot names, see "
				"'fscrypt-provision slots --slots %s'",
				path, detail, path);
	return fail_msg(code, "slots file %s %s", path, detail);
}

int slots_arg_unlock(const struct slots_arg *a, struct secbuf *key,
		     uint8_t id[FSP_KEY_IDENTIFIER_SIZE])
{
	struct unlock_params up = {
	    .volume = a->volume,
	    .passphrase_fd = a->pass_fd,
	    .tries = UNLOCK_TRIES_DEFAULT,
	    .allow_readable = a->allow_readable,
	    .log = unlock_log,
	};
	char detail[600] = "";
	int r;

	r = slots_unlock(a->path, &up, key, id, detail, sizeof(detail));
	return r < 0 ? slots_arg_fail(a->path, r, detail) : FSP_EXIT_OK;
}
