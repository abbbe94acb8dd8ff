// SPDX-License-Identifier: MIT
/* enroll: asking for a new passphrase or PIN (enroll.h). */
#define _GNU_SOURCE
#include "fscrypt-provision/enroll.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "fscrypt-provision/cli.h"
#include "keysource/askpass.h"

/* The new passphrase (or PIN): one line from --new-passphrase-fd, or
 * asked twice. */
int enroll_new_passphrase(const struct enroll *en, const char *what,
			  struct secbuf *pw)
{
	struct secbuf again;
	const char *how;
	char prompt[64];
	int r;

	snprintf(prompt, sizeof(prompt), "New %s:", what);
	if (en->pass_fd >= 0)
		r = passphrase_read_fd(en->pass_fd, pw);
	else
		r = passphrase_ask(prompt, "fscrypt-provision:enroll", 0, pw,
				   &how);
	if (r < 0)
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 "unable to read the new %s: %s", what,
				 r == -ENXIO ? "there is no terminal to ask on "
					       "(give --new-passphrase-fd N)"
					     : strerror(-r));
	if (pw->len == 0) {
		secbuf_free(pw);
		return cli_error(FSP_EXIT_KEY_SOURCE, "the new %s is empty",
				 what);
	}
	if (en->pass_fd >= 0)
		return FSP_EXIT_OK;
	r = passphrase_ask("Repeat it:", "fscrypt-provision:enroll", 0, &again,
			   &how);
	if (r == 0 && (again.len != pw->len ||
		       sodium_memcmp(again.data, pw->data, pw->len) != 0))
		r = -EINVAL;
	secbuf_free(&again);
	if (r < 0) {
		secbuf_free(pw);
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 r == -EINVAL ? "the two %ss differ"
					      : "unable to read the %s again",
				 what);
	}
	return FSP_EXIT_OK;
}
