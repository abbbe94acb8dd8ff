// SPDX-License-Identifier: MIT
/* Unlocking a slots file: the order of protectors and the retries. */
#define _GNU_SOURCE
#include "keysource/unwrap.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/clock.h"
#include "basic/test_pause.h"
#include "keysource/askpass.h"
#include "keysource/exec_slot.h"
#include "keysource/unwrap_pin.h"
#include "shared/problem.h"
#include "shared/run_program.h"
#include "slots/crypto.h"
#include "slots/file.h"
#include "slots/recovery_key.h"
#include "slots/tpm2_data.h"

static int slot_tpm2_secret(const struct slot *s,
			    const struct unwrap_params *up, struct secbuf *out,
			    struct fsp_problem *why)
{
	struct tpm2_slot t;
	int64_t t0 = monotonic_ms();
	int r;

	if (slot_tpm2_get(s, &t) < 0)
		return problem_set(why, OP_UNWRAP, -EBADMSG,
				   "its data is damaged");
	r = tpm2_unseal(&up->tpm2, &t, out, why);
	if (r == 0)
		unwrap_logf(up, "slot %u (tpm2): the TPM unsealed it in %ld ms",
			    s->number, (long)(monotonic_ms() - t0));
	return r;
}

/* Every slot of type, in order; 0 when one gave the key. */
static int try_programs(const struct slots_file *f,
			const struct unwrap_params *up, unsigned type,
			struct secbuf *key)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct slot *s = &f->slots[i];
		struct secbuf secret;
		struct fsp_problem why = {0};
		int r;

		if (s->type != type || (type == SLOT_TPM2 && slot_tpm2_pin(s)))
			continue;
		if (type == SLOT_TPM2)
			r = slot_tpm2_secret(s, up, &secret, &why);
		else
			r = slot_exec_secret(s, &secret, &why);
		if (r == 0) {
			r = slot_open_secret(f, s, secret.data, secret.len,
					     key);
			secbuf_free(&secret);
			if (r == 0)
				return 0;
			problem_text(&why, "%s does not unwrap it",
				     type == SLOT_TPM2
					 ? "what the TPM unsealed"
					 : "its program's output");
		}
		unwrap_logf(up, "slot %u (%s): %s; trying the next protector",
			    s->number, slot_type_name(type), why.text);
	}
	return -EKEYREJECTED;
}

/*
 * One secret against every slot a person can open; 0 when one did. A
 * recovery key is tried on the recovery slots first: they cost nothing,
 * and each passphrase slot costs an Argon2id run.
 */
static int try_secret(const struct slots_file *f,
		      const struct unwrap_params *up,
		      const struct secbuf *secret, struct secbuf *key)
{
	uint8_t rk[RECOVERY_KEY_BYTES];
	bool is_rk =
	    recovery_key_parse((const char *)secret->data, secret->len, rk);
	int r = -EKEYREJECTED;

	for (size_t i = 0; is_rk && i < f->n && r == -EKEYREJECTED; i++)
		if (f->slots[i].type == SLOT_RECOVERY)
			r = slot_open_secret(f, &f->slots[i], rk, sizeof(rk),
					     key);
	secure_wipe(rk, sizeof(rk));
	for (size_t i = 0; i < f->n && r == -EKEYREJECTED; i++) {
		const struct slot *s = &f->slots[i];
		char mem[32];
		int64_t t0;
		int q;

		if (s->type != SLOT_PASSPHRASE)
			continue;
		t0 = monotonic_ms();
		q = slot_open_secret(f, s, secret->data, secret->len, key);
		slot_mem_text(s->memlimit, mem, sizeof(mem));
		if (q == -ENOMEM)
			unwrap_logf(
			    up,
			    "slot %u (passphrase): Argon2id could not get "
			    "the %s it names; trying the next slot",
			    s->number, mem);
		else
			unwrap_logf(
			    up,
			    "slot %u (passphrase): Argon2id with %s and %llu "
			    "pass%s took %ld ms",
			    s->number, mem, (unsigned long long)s->opslimit,
			    s->opslimit == 1 ? "" : "es",
			    (long)(monotonic_ms() - t0));
		/*
		 * A slot too big for this machine does not hide the others,
		 * and counts as one that did not take this passphrase.
		 */
		if (q != -ENOMEM)
			r = q;
	}
	return r;
}

static int get_secret(const struct unwrap_params *up, bool recovery,
		      unsigned attempt, struct secbuf *secret)
{
	const char *what =
	    recovery ? "Passphrase or recovery key" : "Passphrase";
	const char *vol = up->volume, *how = "";
	char prompt[256], id[128];
	int r;

	if (up->passphrase_fd >= 0)
		return passphrase_read_fd(up->passphrase_fd, secret);
	if (vol)
		snprintf(prompt, sizeof(prompt),
			 "%s for fscrypt volume %s:", what, vol);
	else
		snprintf(prompt, sizeof(prompt), "%s:", what);
	snprintf(id, sizeof(id), "fscrypt-provision:%s", vol ? vol : "slots");
	r = passphrase_ask(prompt, id, up->deadline, secret, &how);
	if (attempt == 1 && r == 0)
		unwrap_logf(up, "asked for %s%s's passphrase with %s",
			    vol ? "volume " : "the slots file", vol ? vol : "",
			    how);
	return r;
}

static int ask_person(const struct slots_file *f,
		      const struct unwrap_params *up, struct secbuf *key,
		      struct fsp_problem *d)
{
	unsigned tries = up->tries ? up->tries : UNWRAP_TRIES_DEFAULT, t,
		 made = 0;
	bool recovery = false;
	int r = -EKEYREJECTED;

	for (size_t i = 0; i < f->n; i++)
		recovery |= f->slots[i].type == SLOT_RECOVERY;
	for (t = 1; t <= tries; t++) {
		struct secbuf secret;

		r = get_secret(up, recovery, t, &secret);
		if (r == -ENODATA && t > 1)
			r = -EKEYREJECTED; /* the descriptor had no more */
		if (r < 0)
			break;
		made++;
		r = try_secret(f, up, &secret, key);
		secbuf_free(&secret);
		if (r == 0)
			return 0;
		if (r != -EKEYREJECTED)
			break;
		unwrap_logf(up,
			    "wrong passphrase or recovery key for %s%s (try %u "
			    "of %u)",
			    up->volume ? "volume " : "this slots file",
			    up->volume ? up->volume : "", t, tries);
	}
	if (r == -EKEYREJECTED)
		problem_text(d,
			     "did not accept the passphrase or recovery key "
			     "given (%u %s)",
			     made, made == 1 ? "try" : "tries");
	else if (r == -ENOMEM)
		problem_text(d, "could not be unlocked: out of memory");
	else if (r == -EBADMSG)
		problem_text(d, "is damaged: a slot unwrapped to a key whose "
				"identifier is not the file's");
	else if (r == -ENXIO)
		problem_text(d, "needs a passphrase, and there is no terminal "
				"or agent to ask (give --passphrase-fd N)");
	else if (r == -ENODATA)
		problem_text(d, "needs a passphrase, and the passphrase "
				"descriptor gave none");
	else if (r == -ECANCELED)
		problem_text(d, "needs a passphrase, and none was typed");
	else if (r == -ETIME)
		problem_text(
		    d, "needs a passphrase, and none was given within %u s",
		    up->password_timeout);
	else
		problem_text(d, "needs a passphrase, and reading it failed: %s",
			     strerror(-r));
	if (r == -EKEYREJECTED || r == -ENOMEM || r == -EBADMSG || r == -ETIME)
		return r;
	return -ENOKEY;
}

/* tpm2, then exec, then tpm2 with a PIN, then a PKCS#11 token, then a
 * passphrase or recovery key: what needs nobody first, and a PIN before
 * what it stands in for. */
static int unlock_order(const struct slots_file *f,
			const struct unwrap_params *upp, struct secbuf *key,
			struct fsp_problem *d)
{
	bool person = false, program = false, pin = false, token = false;
	struct unwrap_params ask = *upp;
	const struct unwrap_params *up = &ask;
	int r;

	for (size_t i = 0; i < f->n; i++) {
		person |= f->slots[i].type == SLOT_PASSPHRASE ||
			  f->slots[i].type == SLOT_RECOVERY;
		program |= f->slots[i].type == SLOT_EXEC ||
			   f->slots[i].type == SLOT_TPM2;
		pin |= slot_tpm2_pin(&f->slots[i]);
		token |= f->slots[i].type == SLOT_PKCS11;
	}
	if (program && (try_programs(f, up, SLOT_TPM2, key) == 0 ||
			try_programs(f, up, SLOT_EXEC, key) == 0))
		return 0;
	/* The person's time starts with the first prompt: a slow TPM does
	 * not shorten it. */
	ask.deadline =
	    ask.password_timeout
		? monotonic_ms() + 1000 * (int64_t)ask.password_timeout
		: 0;
	if (pin && !up->no_person) {
		r = try_pin_slots(f, up, key, d);
		if (r == 0 || r == -ETIME || (!person && !token))
			return r;
	}
	if (token && !up->no_person) {
		r = try_pkcs11_slots(f, up, key, d);
		if (r == 0 || r == -ETIME || !person)
			return r;
	}
	if (person && up->no_person)
		return problem_set(d, OP_UNWRAP, -ENOKEY,
				   "needs a passphrase, and none may be asked "
				   "for here");
	if (person)
		return ask_person(f, up, key, d);
	if (pin || token)
		return problem_set(d, OP_UNWRAP, -ENOKEY,
				   "needs a %s PIN, and none may be asked for "
				   "here",
				   pin ? "TPM2" : "token");
	if (program)
		return problem_set(d, OP_UNWRAP, -EKEYREJECTED,
				   "has no protector left to try: every TPM2 "
				   "or program protector refused");
	return problem_set(d, OP_UNWRAP, -ENOKEY,
			   "has no slot this version can use (%zu slots)",
			   f->n);
}

int slots_unwrap(const char *path, const struct unwrap_params *up,
		 struct secbuf *key, uint8_t id[FSP_KEY_IDENTIFIER_SIZE],
		 struct fsp_problem *d)
{
	struct slots_file f;
	int r;

	memset(key, 0, sizeof(*key));
	r = slots_file_load(path, up->allow_readable, &f, d);
	if (r < 0)
		return r;
	r = slots_crypto_init();
	if (r < 0)
		return problem_set(d, OP_UNWRAP, r,
				   "cannot be used: libsodium failed to start");
	r = unlock_order(&f, up, key, d);
	if (r == 0)
		memcpy(id, f.identifier, FSP_KEY_IDENTIFIER_SIZE);
	return r;
}
