/* SPDX-License-Identifier: MIT */
/* --slots FILE for the commands: unlock it, or say why not. */
#ifndef FSP_FSCRYPT_PROVISION_SLOTS_OPTIONS_H
#define FSP_FSCRYPT_PROVISION_SLOTS_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "basic/secmem.h"
#include "kernel/fscrypt_uapi.h"
#include "keysource/unwrap_params.h"

/* A slots file named on the command line, and how to unwrap it: the
 * same parameters as a slots: key source's (keysource/unwrap_params.h). */
struct slots_arg {
	const char *path;
	struct unwrap_params up;
};

#define SLOTS_ARG_INIT ((struct slots_arg){.up = UNWRAP_PARAMS()})

/*
 * --slots, --passphrase-fd, --tpm2-pin-fd, --pkcs11-pin-fd, --tpm2-device,
 * --tpm2-signature and --password-timeout into sa: -1 when c was one of
 * them, -2 when not, or the exit code of a bad value.
 */
int slots_option(int c, struct slots_arg *sa, const char *cmd);

/*
 * Unwraps the master key of a->path into key, with id its identifier.
 * Returns an exit code, having printed why: 6 when no protector accepted
 * what was given, 4 when the file is missing, unsafe or damaged.
 */
int slots_arg_unlock(const struct slots_arg *a, struct secbuf *key,
		     uint8_t id[FSP_KEY_IDENTIFIER_SIZE]);

/* Exit code and message for slots_file_load's or unlock's -errno. */
int slots_arg_fail(const char *path, int err, const struct fsp_problem *why);
/* The same for slots_file_save's result: a warning for 1, exit 8 or 11. */
int slots_save_result(const char *path, int r, const struct fsp_problem *why);

#endif
