// SPDX-License-Identifier: MIT
/*
 * Unlocking through pkcs11 slots. A token counts wrong PINs and locks
 * after a few, for every key on it: the token is asked whether it is
 * present, and how its PIN stands, before anyone is asked for the PIN;
 * a missing or locked token passes to the next protector in one line,
 * and no PIN is ever sent that a person did not give for this token.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "basic/clock.h"
#include "keysource/askpass.h"
#include "keysource/pkcs11_companion.h"
#include "keysource/unwrap_pin.h"
#include "shared/problem.h"
#include "slots/crypto.h"
#include "slots/pkcs11_data.h"

/* The PIN for the token label, or an empty one on a PIN pad. */
static int get_pin(const struct unwrap_params *up, const struct slot *s,
		   const char *label, unsigned flags, struct secbuf *pin)
{
	const char *vol = up->volume, *how = "";
	char prompt[320], id[128];
	int r;

	if (flags & PKCS11_PIN_FINAL_TRY)
		unwrap_logf(up,
			    "slot %u (pkcs11): token %s locks its PIN after "
			    "one more wrong one",
			    s->number, label);
	else if (flags & PKCS11_PIN_COUNT_LOW)
		unwrap_logf(up,
			    "slot %u (pkcs11): token %s says its user PIN "
			    "count is low (a wrong PIN was given)",
			    s->number, label);
	if (flags & PKCS11_PIN_PAD) {
		unwrap_logf(up,
			    "slot %u (pkcs11): token %s takes its PIN on "
			    "its reader's PIN pad",
			    s->number, label);
		return secbuf_alloc(pin, 1);
	}
	if (up->pkcs11_pin_fd >= 0)
		return passphrase_read_fd(up->pkcs11_pin_fd, pin);
	snprintf(prompt, sizeof(prompt), "PIN of token %s%s%s:", label,
		 vol ? " for fscrypt volume " : "", vol ? vol : "");
	snprintf(id, sizeof(id), "fscrypt-provision-pkcs11:%s",
		 vol ? vol : "slots");
	r = passphrase_ask(prompt, id, up->deadline, pin, &how);
	/* Like a passphrase's line, it names the volume: a boot asks for
	 * several. */
	if (r == 0 && vol)
		unwrap_logf(up, "asked for volume %s's PIN of token %s with %s",
			    vol, label, how);
	else if (r == 0)
		unwrap_logf(up, "asked for the PIN of token %s with %s", label,
			    how);
	return r;
}

/* One PIN, given for p's token, against s. */
static int pin_try(const struct slots_file *f, const struct slot *s,
		   const struct pkcs11_slot *p, const struct unwrap_params *up,
		   const struct secbuf *pin, struct secbuf *key,
		   struct fsp_problem *why)
{
	struct secbuf secret;
	int64_t t0 = monotonic_ms();
	int r = pkcs11_unlock(p, pin->data, pin->len, &secret, why);

	if (r < 0)
		return r;
	unwrap_logf(up, "slot %u (pkcs11): the token gave its secret in %ld ms",
		    s->number, (long)(monotonic_ms() - t0));
	r = slot_open_secret(f, s, secret.data, secret.len, key);
	secbuf_free(&secret);
	if (r < 0)
		problem_text(why, "what the token gave does not unwrap it");
	return r;
}

/* Why no PIN came: the next protector, or (-ETIME) nobody answered. */
static int no_pin(const struct unwrap_params *up, int r,
		  struct fsp_problem *why)
{
	if (r == -ETIME)
		return problem_set(why, OP_UNWRAP, r,
				   "needs a token PIN, and none was given "
				   "within %u s",
				   up->password_timeout);
	return problem_set(
	    why, OP_UNWRAP, r == -ENODATA ? -ENOKEY : r, "no PIN was given: %s",
	    r == -ENXIO	    ? "there is no terminal or agent to ask"
	    : r == -ENODATA ? "the PIN descriptor (--pkcs11-pin-fd) had "
			      "no more lines"
			    : strerror(-r));
}

static int pkcs11_slot(const struct slots_file *f, const struct slot *s,
		       const struct unwrap_params *up, struct secbuf *key,
		       struct fsp_problem *why)
{
	unsigned tries = up->tries ? up->tries : UNWRAP_TRIES_DEFAULT, flags;
	struct pkcs11_slot p;
	char label[64];
	int r = -EKEYREJECTED;

	if (slot_pkcs11_get(s, &p) < 0)
		return problem_set(why, OP_UNWRAP, -EBADMSG,
				   "its data is damaged");
	if (up->pkcs11_pin_fd < 0 && up->passphrase_fd >= 0)
		return problem_set(why, OP_UNWRAP, -ENOKEY,
				   "its PIN is not read from --passphrase-fd "
				   "(give --pkcs11-pin-fd N)");
	for (unsigned n = 1; n <= tries; n++) {
		struct secbuf pin;

		r = pkcs11_check(&p, label, sizeof(label), &flags, why);
		if (r < 0)
			return r;
		if (flags & PKCS11_PIN_LOCKED)
			return problem_set(why, OP_UNWRAP, -EPERM,
					   "the PIN of token %s is locked",
					   label);
		r = get_pin(up, s, label, flags, &pin);
		if (r < 0)
			return no_pin(up, r, why);
		/* Nothing typed: the next protector, with no try spent. */
		if (pin.len == 0 && !(flags & PKCS11_PIN_PAD)) {
			secbuf_free(&pin);
			return problem_set(why, OP_UNWRAP, -ENOKEY,
					   "no PIN was typed");
		}
		r = pin_try(f, s, &p, up, &pin, key, why);
		secbuf_free(&pin);
		if (r != -EACCES)
			return r;
		unwrap_logf(up,
			    "slot %u (pkcs11): wrong PIN for token %s (try %u "
			    "of %u)",
			    s->number, label, n, tries);
	}
	return problem_set(why, OP_UNWRAP, -EKEYREJECTED,
			   "did not accept the PIN given (%u tries)", tries);
}

int try_pkcs11_slots(const struct slots_file *f, const struct unwrap_params *up,
		     struct secbuf *key, struct fsp_problem *d)
{
	struct fsp_problem why = {0};
	int r = -ENOKEY;

	for (size_t i = 0; i < f->n; i++) {
		const struct slot *s = &f->slots[i];

		if (s->type != SLOT_PKCS11)
			continue;
		r = pkcs11_slot(f, s, up, key, &why);
		if (r == 0)
			return 0;
		/* Time is up for every prompt, the passphrase's too. */
		if (r == -ETIME)
			return problem_set(d, OP_UNWRAP, r, "%s", why.text);
		unwrap_logf(up,
			    "slot %u (pkcs11): %s; trying the next protector",
			    s->number, why.text);
	}
	return problem_set(d, OP_UNWRAP, r == -ENOKEY ? -ENOKEY : -EKEYREJECTED,
			   "was not unlocked by its pkcs11 slot: %s", why.text);
}
