// SPDX-License-Identifier: MIT
/*
 * Unlocking through tpm2 slots with a PIN. Each wrong PIN costs one of the
 * TPM's dictionary-attack tries, for every key on the machine: the PCRs
 * and the lockout are checked before anyone is asked, and the log says
 * how many tries the TPM has left when they run low.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "basic/clock.h"
#include "keysource/askpass.h"
#include "keysource/tpm2_companion.h"
#include "keysource/unwrap_pin.h"
#include "shared/problem.h"
#include "slots/crypto.h"
#include "slots/tpm2_data.h"

static int get_pin(const struct unwrap_params *up, const struct slot *s,
		   unsigned left, struct secbuf *pin)
{
	const char *vol = up->volume, *how = "";
	char prompt[256], id[128];
	int r;

	/* The prompt stays the same each time, for agents and the typist;
	 * the log says when the TPM is close to locking. */
	if (left <= 3)
		unwrap_logf(up,
			    "slot %u (tpm2+pin): the TPM allows %u more wrong "
			    "PIN%s before it locks",
			    s->number, left, left == 1 ? "" : "s");
	if (up->pin_fd >= 0)
		return passphrase_read_fd(up->pin_fd, pin);
	snprintf(prompt, sizeof(prompt),
		 "TPM2 PIN%s%s:", vol ? " for fscrypt volume " : "",
		 vol ? vol : "");
	snprintf(id, sizeof(id), "fscrypt-provision-pin:%s",
		 vol ? vol : "slots");
	r = passphrase_ask(prompt, id, up->deadline, pin, &how);
	if (r == 0)
		unwrap_logf(up, "asked for %s%s's TPM2 PIN with %s",
			    vol ? "volume " : "the slots file", vol ? vol : "",
			    how);
	return r;
}

/* One PIN against one slot. */
static int pin_try(const struct slots_file *f, const struct slot *s,
		   const struct tpm2_slot *t, const struct unwrap_params *up,
		   const struct secbuf *pin, struct secbuf *key,
		   struct fsp_problem *why)
{
	uint8_t auth[COMPANION_AUTH_SIZE];
	struct secbuf secret;
	int64_t t0 = monotonic_ms();
	int r;

	companion_pin_auth(s, pin->data, pin->len, auth);
	r = companion_unseal(up->tpm2.device, t, auth, NULL, 0, &secret, why);
	secure_wipe(auth, sizeof(auth));
	if (r < 0)
		return r;
	unwrap_logf(up, "slot %u (tpm2+pin): the TPM took the PIN in %ld ms",
		    s->number, (long)(monotonic_ms() - t0));
	r = slot_open_secret(f, s, secret.data, secret.len, key);
	secbuf_free(&secret);
	if (r < 0)
		problem_text(why, "what the TPM unsealed does not unwrap it");
	return r;
}

static int pin_slot(const struct slots_file *f, const struct slot *s,
		    const struct unwrap_params *up, struct secbuf *key,
		    struct fsp_problem *why)
{
	unsigned tries = up->tries ? up->tries : UNWRAP_TRIES_DEFAULT, left;
	struct tpm2_slot t;
	int r;

	if (slot_tpm2_get(s, &t) < 0)
		return problem_set(why, OP_UNWRAP, -EBADMSG,
				   "its data is damaged");
	if (up->pin_fd < 0 && up->passphrase_fd >= 0)
		return problem_set(why, OP_UNWRAP, -ENOKEY,
				   "its PIN is not read from --passphrase-fd "
				   "(give --tpm2-pin-fd N)");
	for (unsigned n = 1; n <= tries; n++) {
		struct secbuf pin;

		r = companion_check(up->tpm2.device, &t, &left, why);
		if (r < 0)
			return r;
		r = get_pin(up, s, left, &pin);
		if (r == -ETIME)
			return problem_set(why, OP_UNWRAP, r,
					   "needs a TPM2 PIN, and none was "
					   "given within %u s",
					   up->password_timeout);
		if (r < 0)
			return problem_set(
			    why, OP_UNWRAP, r == -ENODATA ? -ENOKEY : r,
			    "no PIN was given: %s",
			    r == -ENXIO	    ? "there is no terminal "
					      "or agent to ask"
			    : r == -ENODATA ? "the PIN descriptor "
					      "(--tpm2-pin-fd) had no more "
					      "lines"
					    : strerror(-r));
		/* Nothing typed: the next protector, with no try spent. */
		if (pin.len == 0) {
			secbuf_free(&pin);
			return problem_set(why, OP_UNWRAP, -ENOKEY,
					   "no PIN was typed");
		}
		r = pin_try(f, s, &t, up, &pin, key, why);
		secbuf_free(&pin);
		if (r != -EACCES)
			return r;
		unwrap_logf(up, "slot %u (tpm2+pin): wrong PIN (try %u of %u)",
			    s->number, n, tries);
	}
	return problem_set(why, OP_UNWRAP, -EKEYREJECTED,
			   "did not accept the PIN given (%u tries)", tries);
}

int try_pin_slots(const struct slots_file *f, const struct unwrap_params *up,
		  struct secbuf *key, struct fsp_problem *d)
{
	struct fsp_problem why = {0};
	int r = -ENOKEY;

	for (size_t i = 0; i < f->n; i++) {
		const struct slot *s = &f->slots[i];

		if (!slot_tpm2_pin(s))
			continue;
		r = pin_slot(f, s, up, key, &why);
		if (r == 0)
			return 0;
		/* Time is up for every prompt, the passphrase's too. */
		if (r == -ETIME)
			return problem_set(d, OP_UNWRAP, r, "%s", why.text);
		unwrap_logf(up,
			    "slot %u (tpm2+pin): %s; trying the next "
			    "protector",
			    s->number, why.text);
	}
	/* Whatever the TPM said, the file refused: the log has the why. */
	return problem_set(d, OP_UNWRAP, r == -ENOKEY ? -ENOKEY : -EKEYREJECTED,
			   "was not unlocked by its TPM2 PIN slot: %s",
			   why.text);
}
