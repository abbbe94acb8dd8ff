// SPDX-License-Identifier: MIT
/* The steps of enroll: the master key, the new secret, the new slot. */
#define _GNU_SOURCE
#include "fscrypt-provision/enroll.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "basic/hex.h"
#include "basic/read_full.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/slots_options.h"
#include "kernel/identifier.h"
#include "keysource/askpass.h"
#include "keysource/systemd_creds.h"
#include "keysource/exec_slot.h"
#include "keysource/unwrap.h"
#include "shared/problem.h"
#include "slots/crypto.h"
#include "slots/file.h"
#include "slots/pbkdf.h"
#include "slots/recovery_key.h"

/* A new key for a new file. */
static int generate_key(const struct enroll *en, struct slots_file *f,
			struct secbuf *key)
{
	int r = secbuf_alloc(key, en->ka.opts.size);

	if (r < 0)
		return cli_error_errno(OP_KEY_SOURCE, r,
				       "allocate locked memory");
	randombytes_buf(key->data, en->ka.opts.size);
	key->len = en->ka.opts.size;
	f->key_size = (uint16_t)key->len;
	r = fscrypt_key_identifier(key->data, key->len, f->identifier);
	return r < 0 ? cli_error_errno(OP_KEY_SOURCE, r,
				       "derive the key identifier")
		     : FSP_EXIT_OK;
}

/* The master key the new slot wraps, and the file it goes into. */
int enroll_get_master(const struct enroll *en, struct slots_file *f,
		      bool exists, struct secbuf *key)
{
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	int code;

	if (en->generate) {
		if (exists)
			return cli_error(FSP_EXIT_USAGE,
					 "slots file %s already exists; to add "
					 "a slot to it, leave out --generate",
					 en->slots.path);
		return generate_key(en, f, key);
	}
	if (en->ka.file || en->ka.fd) {
		struct key_args ka = en->ka;

		/* The file knows its key's size; --key-size may say so too. */
		if (exists && !en->key_size_given)
			ka.opts.size = f->key_size;
		code = read_key_arg(&ka, "enroll", key, id);
		if (code)
			return code;
		if (exists && memcmp(id, f->identifier, sizeof(id)) != 0) {
			hex_encode(id, sizeof(id), hex);
			secbuf_free(key);
			return cli_error(FSP_EXIT_KEY_REJECTED,
					 "the key given has identifier %s, but "
					 "slots file %s holds another key",
					 hex, en->slots.path);
		}
		f->key_size = (uint16_t)key->len;
		memcpy(f->identifier, id, sizeof(id));
		return FSP_EXIT_OK;
	}
	if (!exists)
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 "slots file %s does not exist; create it with "
				 "--generate (a new key) or --key-file PATH "
				 "(an existing raw key)",
				 en->slots.path);
	struct slots_arg sa = en->slots;

	sa.up.allow_readable = en->ka.opts.allow_readable;
	return slots_arg_unlock(&sa, key, id);
}

static int seal_passphrase(const struct enroll *en, const struct slots_file *f,
			   struct slot *s, const struct secbuf *key)
{
	unsigned ms = en->pbkdf_ms ? (unsigned)en->pbkdf_ms : PBKDF_DEFAULT_MS;
	struct pbkdf_costs c;
	struct secbuf pw;
	int code, r;

	code = enroll_new_passphrase(en, "passphrase", &pw);
	if (code)
		return code;
	r = pbkdf_tune(ms, en->pbkdf_kib, en->pbkdf_iter, &c);
	if (r == 0) {
		s->opslimit = c.ops;
		s->memlimit = c.mem_kib << 10;
		r = slot_seal_secret(f, s, pw.data, pw.len, key);
	}
	secbuf_free(&pw);
	if (r < 0)
		return cli_error(FSP_EXIT_SYSTEM,
				 "Argon2id could not get %llu KiB of memory; "
				 "give a smaller --pbkdf-memory",
				 (unsigned long long)c.mem_kib);
	if (c.ms) {
		char mem[32];

		slot_mem_text(s->memlimit, mem, sizeof(mem));
		cli_say(
		    "slot %u: Argon2id with %s and %llu pass%s, about %u ms "
		    "on this machine",
		    s->number, mem, (unsigned long long)c.ops,
		    c.ops == 1 ? "" : "es", c.ms);
	}
	return FSP_EXIT_OK;
}

/* The recovery key's text goes to locked memory, as the key itself would. */
static int seal_recovery(const struct slots_file *f, struct slot *s,
			 const struct secbuf *key, struct secbuf *text)
{
	uint8_t rk[RECOVERY_KEY_BYTES];
	int r = secbuf_alloc(text, RECOVERY_KEY_TEXT_SIZE);

	if (r < 0)
		return cli_error_errno(OP_KEY_SOURCE, r,
				       "allocate locked memory");
	randombytes_buf(rk, sizeof(rk));
	recovery_key_format(rk, (char *)text->data);
	text->len = strlen((const char *)text->data);
	r = slot_seal_secret(f, s, rk, sizeof(rk), key);
	sodium_memzero(rk, sizeof(rk));
	return r < 0 ? cli_error_errno(OP_KEY_SOURCE, r, "wrap the key")
		     : FSP_EXIT_OK;
}

static int seal_exec(const struct enroll *en, const struct slots_file *f,
		     struct slot *s, const struct secbuf *key)
{
	struct fsp_problem why = {0};
	struct secbuf secret;
	int r;

	s->timeout = (uint16_t)(en->exec_timeout ? en->exec_timeout
						 : EXEC_TIMEOUT_DEFAULT);
	r = slot_set_exec_argv(s, en->exec_argv);
	if (r < 0)
		return cli_usage_error(
		    "enroll",
		    r == -EINVAL ? "--exec needs an absolute program "
				   "path (it runs with no shell and no "
				   "PATH search)"
				 : "--exec: at most %d arguments of %d "
				   "bytes in all",
		    SLOT_EXEC_ARGS_MAX, SLOT_DATA_MAX);
	r = slot_exec_secret(s, &secret, &why);
	if (r < 0)
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 "the program gave no key: %s; nothing was "
				 "enrolled",
				 why.text);
	r = slot_seal_secret(f, s, secret.data, secret.len, key);
	secbuf_free(&secret);
	return r < 0 ? cli_error_errno(OP_KEY_SOURCE, r, "wrap the key")
		     : FSP_EXIT_OK;
}

/* Makes, seals and saves the new slot; the recovery key is printed last. */
int enroll_add_slot(const struct enroll *en, struct slots_file *f,
		    const struct secbuf *key)
{
	struct fsp_problem problem = {0};
	int n = slots_free_number(f), code, r;
	struct slot *s = &f->slots[f->n];
	struct secbuf text = {0};

	if (n < 0)
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 "slots file %s has all %d slots in use; wipe "
				 "one first",
				 en->slots.path, SLOTS_MAX);
	slot_init(s, (unsigned)n, en->type);
	if (en->type == SLOT_PASSPHRASE)
		code = seal_passphrase(en, f, s, key);
	else if (en->type == SLOT_RECOVERY)
		code = seal_recovery(f, s, key, &text);
	else if (en->type == SLOT_TPM2)
		code = enroll_seal_tpm2(en, f, s, key);
	else if (en->type == SLOT_PKCS11)
		code = enroll_seal_pkcs11(en, f, s, key);
	else
		code = seal_exec(en, f, s, key);
	if (code) {
		secbuf_free(&text);
		return code;
	}
	f->n++;
	r = slots_file_save(en->slots.path, f, &problem);
	code =
	    slots_save_result(en->slots.path, r, &problem); /* 1 only warns */
	if (r < 0) {
		secbuf_free(&text);
		return code;
	}
	code = enroll_report(en, f, n, &text);
	secbuf_free(&text);
	return code;
}
