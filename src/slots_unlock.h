/* SPDX-License-Identifier: MIT */
/* Getting the master key out of a slots file: programs first, then people. */
#ifndef FSP_SLOTS_UNLOCK_H
#define FSP_SLOTS_UNLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fscrypt_uapi.h"
#include "secmem.h"
#include "tpm2.h"

#define UNLOCK_TRIES_DEFAULT 3

struct unlock_params {
	const char *volume; /* named in prompts and messages; may be NULL */
	int passphrase_fd;  /* >= 0: one line per try from it, no prompt */
	/* >= 0: the PINs of tpm2+pin slots, a line per try; with passphrase_fd
	 * set and this not, those slots are passed over: a passphrase must
	 * never be spent as a PIN, which costs a dictionary-attack try. */
	int pin_fd;
	unsigned tries; /* passphrases to try before giving up */
	/* Seconds, from the first prompt, for the person to answer every
	 * prompt (PIN or passphrase, all tries); 0: no limit. Not for a
	 * descriptor, which a program feeds. */
	unsigned password_timeout;
	long deadline; /* set by slots_unlock() from it: monotonic_ms() */
	bool allow_readable;
	bool no_person; /* programs only: never ask, never read a fd */
	struct tpm2_opts tpm2;
	/* Progress for the log (Argon2id costs, a protector that failed). */
	void (*log)(const char *line);
};

/*
 * Unwraps the master key of slots file path into key (locked) and sets id
 * to its identifier. Tries every tpm2 slot, then every exec slot, silently
 * (a refusal is one line in the log), then asks for
 * a passphrase or recovery key up to up->tries times. Returns 0, or
 * -EKEYREJECTED (no protector accepted what it was given), -ENOKEY (the
 * file has no slot that could be tried), -ETIME (nobody answered within
 * up->password_timeout), or another -errno for a file that is missing,
 * unsafe or damaged; detail says which.
 */
int slots_unlock(const char *path, const struct unlock_params *up,
		 struct secbuf *key, uint8_t id[FSP_KEY_IDENTIFIER_SIZE],
		 char *detail, size_t dn);

/* Runs an exec slot's program for its secret (locked). 0 or -errno, why set. */
struct slot;
struct slots_file;
int slot_exec_secret(const struct slot *s, struct secbuf *out, char *why,
		     size_t wn);

/* Between the unlock files: a line for up->log, "volume NAME: " put
 * before "slot N" lines. */
void unlock_logf(const struct unlock_params *up, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Each tpm2 slot with a PIN whose PCRs hold, asking for its PIN up to
 * up->tries times (slots_unlock_pin.c). 0 with the key, or -errno with
 * detail set.
 */
int try_pin_slots(const struct slots_file *f, const struct unlock_params *up,
		  struct secbuf *key, char *detail, size_t dn);

#endif
