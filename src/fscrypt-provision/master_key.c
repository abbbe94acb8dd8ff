// SPDX-License-Identifier: MIT
/* The master key named on the command line (master_key.h): a key file, a
 * descriptor, or a slots file, one of them. */
#define _GNU_SOURCE
#include "fscrypt-provision/master_key.h"

#include "fscrypt-provision/cli.h"

int read_key_or_slots(const struct key_args *ka, struct slots_arg *sa,
		      const char *cmd, struct secbuf *key,
		      uint8_t id[FSP_KEY_IDENTIFIER_SIZE])
{
	if (!sa->path) {
		if (sa->up.passphrase_fd >= 0 || sa->up.pin_fd >= 0 ||
		    sa->up.pkcs11_pin_fd >= 0 || sa->up.tpm2.device ||
		    sa->up.tpm2.signature)
			return cli_usage_error(
			    cmd, "--passphrase-fd, --pkcs11-pin-fd "
				 "and --tpm2-* need --slots FILE");
		return read_key_arg(ka, cmd, key, id);
	}
	if (ka->file || ka->fd)
		return cli_usage_error(cmd, "give --slots FILE or a raw key "
					    "(--key-file/--key-fd), not both");
	sa->up.allow_readable = ka->opts.allow_readable;
	return slots_arg_unlock(sa, key, id);
}
