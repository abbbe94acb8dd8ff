// SPDX-License-Identifier: MIT
/* Unlocking --slots FILE for add, identifier and enroll. */
#define _GNU_SOURCE
#include "fscrypt-provision/slots_options.h"

#include <errno.h>
#include <stdio.h>

#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/key_options.h"
#include "fscrypt-provision/options.h"
#include "keysource/source.h"
#include "keysource/unwrap.h"

int slots_option(int c, struct slots_arg *sa, const char *cmd)
{
	long v;

	switch (c) {
	case OPT_SLOTS:
		sa->path = optarg;
		return -1;
	case OPT_TPM2_DEVICE:
		sa->up.tpm2.device = optarg;
		return -1;
	case OPT_TPM2_SIGNATURE:
		sa->up.tpm2.signature = optarg;
		return -1;
	case OPT_PASSWORD_TIMEOUT:
		v = password_timeout_arg(optarg);
		if (v < 0)
			return cli_usage_error(cmd, "%s",
					       PASSWORD_TIMEOUT_USAGE);
		sa->up.password_timeout = (unsigned)v;
		return -1;
	case OPT_PASSPHRASE_FD:
	case OPT_TPM2_PIN_FD:
	case OPT_PKCS11_PIN_FD:
		if (parse_fd_arg(optarg, c == OPT_PASSPHRASE_FD
					     ? &sa->up.passphrase_fd
					 : c == OPT_TPM2_PIN_FD
					     ? &sa->up.pin_fd
					     : &sa->up.pkcs11_pin_fd) < 0)
			return cli_usage_error(cmd,
					       "--%s needs a descriptor number",
					       cli_option_name(NULL, c));
		return -1;
	default:
		return -2;
	}
}

int slots_arg_fail(const char *path, int err, const struct fsp_problem *why)
{
	return cli_error(problem_exit(why, OP_UNWRAP, err), "slots file %s %s",
			 path, why->text);
}

int slots_save_result(const char *path, int r, const struct fsp_problem *why)
{
	if (r > 0) {
		cli_warning("slots file %s %s", path, why->text);
		return FSP_EXIT_OK;
	}
	if (r == 0)
		return FSP_EXIT_OK;
	return cli_error(problem_exit(why, OP_SLOTS_SAVE, r),
			 "slots file %s %s; the old file is unchanged", path,
			 why->text);
}

int slots_arg_unlock(const struct slots_arg *a, struct secbuf *key,
		     uint8_t id[FSP_KEY_IDENTIFIER_SIZE])
{
	struct unwrap_params up = a->up;
	struct key_source src = {.kind = KEY_SOURCE_SLOTS};
	struct key_source_opts opts = KEY_SOURCE_OPTS_DEFAULT;
	struct fsp_problem detail = {0};
	int r;

	/* The same route as a slots: source in the fscrypttab. */
	up.tries = up.tries ? up.tries : UNWRAP_TRIES_DEFAULT;
	up.log = unwrap_log;
	opts.unlock = &up;
	snprintf(src.path, sizeof(src.path), "%s", a->path);
	r = key_source_read(&src, &opts, key, &detail);
	if (r < 0)
		return slots_arg_fail(a->path, r, &detail);
	return key_identify(key, id);
}
