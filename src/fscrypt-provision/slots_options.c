// SPDX-License-Identifier: MIT
/* Unlocking --slots FILE for add, identifier and enroll. */
#define _GNU_SOURCE
#include "fscrypt-provision/slots_options.h"

#include <errno.h>

#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/options.h"
#include "keysource/unwrap.h"

int slots_option(int c, struct slots_arg *sa, const char *cmd)
{
	long v;

	switch (c) {
	case OPT_SLOTS:
		sa->path = optarg;
		return -1;
	case OPT_TPM2_DEVICE:
		sa->tpm2.device = optarg;
		return -1;
	case OPT_TPM2_SIGNATURE:
		sa->tpm2.signature = optarg;
		return -1;
	case OPT_PASSWORD_TIMEOUT:
		v = password_timeout_arg(optarg);
		if (v < 0)
			return usage_error(cmd, "%s", PASSWORD_TIMEOUT_USAGE);
		sa->password_timeout = (unsigned)v;
		return -1;
	case OPT_PASSPHRASE_FD:
	case OPT_TPM2_PIN_FD:
		if (parse_fd_arg(optarg, c == OPT_PASSPHRASE_FD
					     ? &sa->pass_fd
					     : &sa->pin_fd) < 0)
			return usage_error(cmd,
					   "--%s needs a descriptor number",
					   cli_option_name(NULL, c));
		return -1;
	default:
		return -2;
	}
}

int slots_arg_fail(const char *path, int err, const char *detail)
{
	return fail_msg(exit_code_for(OP_UNWRAP, err), "slots file %s %s", path,
			detail);
}

int slots_save_result(const char *path, int r, const char *detail)
{
	if (r > 0) {
		warn("slots file %s %s", path, detail);
		return FSP_EXIT_OK;
	}
	if (r == 0)
		return FSP_EXIT_OK;
	return fail_msg(exit_code_for(OP_SLOTS_SAVE, r),
			"slots file %s %s; the old file is unchanged", path,
			detail);
}

int slots_arg_unlock(const struct slots_arg *a, struct secbuf *key,
		     uint8_t id[FSP_KEY_IDENTIFIER_SIZE])
{
	struct unwrap_params up = {
	    .volume = a->volume,
	    .passphrase_fd = a->pass_fd,
	    .pin_fd = a->pin_fd,
	    .tries = UNWRAP_TRIES_DEFAULT,
	    .password_timeout = a->password_timeout,
	    .allow_readable = a->allow_readable,
	    .log = unlock_log,
	    .tpm2 = a->tpm2,
	};
	char detail[600] = "";
	int r;

	r = slots_unwrap(a->path, &up, key, id, detail, sizeof(detail));
	return r < 0 ? slots_arg_fail(a->path, r, detail) : FSP_EXIT_OK;
}
