/* SPDX-License-Identifier: MIT */
/* What unwrapping a slots file may use: descriptors, tries, deadline, log. */
#ifndef FSP_KEYSOURCE_UNWRAP_PARAMS_H
#define FSP_KEYSOURCE_UNWRAP_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "keysource/systemd_creds.h"

#define UNWRAP_TRIES_DEFAULT 3

struct unwrap_params {
	const char *volume; /* named in prompts and messages; may be NULL */
	int passphrase_fd;  /* >= 0: one line per try from it, no prompt */
	/* >= 0: the PINs of tpm2+pin slots, a line per try; with passphrase_fd
	 * set and this not, those slots are passed over: a passphrase must
	 * never be spent as a PIN, which costs a dictionary-attack try. */
	int pin_fd;
	int pkcs11_pin_fd; /* the same for pkcs11 slots' token PINs */
	unsigned tries;	   /* passphrases to try before giving up */
	/* Seconds, from the first prompt, for the person to answer every
	 * prompt (PIN or passphrase, all tries); 0: no limit. Not for a
	 * descriptor, which a program feeds. */
	unsigned password_timeout;
	int64_t deadline; /* set by slots_unwrap() from it: monotonic_ms() */
	bool allow_readable;
	bool no_person; /* programs only: never ask, never read a fd */
	struct tpm2_opts tpm2;
	/* Progress for the log (Argon2id costs, a protector that failed). */
	void (*log)(const char *line);
};

/* Parameters with no descriptor to read, and the fields given. */
#define UNWRAP_PARAMS(...)                                                     \
	((struct unwrap_params){.passphrase_fd = -1,                           \
				.pin_fd = -1,                                  \
				.pkcs11_pin_fd = -1,                           \
				__VA_ARGS__})

/* A line for up->log, "volume NAME: " put before "slot N" lines. */
void unwrap_logf(const struct unwrap_params *up, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
