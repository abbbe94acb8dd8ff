// SPDX-License-Identifier: MIT
/* enroll: what it did, or with --dry-run would do, for people and
 * (--json) machines. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/json_write.h"
#include "basic/read_full.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/enroll.h"
#include "kernel/identifier.h"
#include "slots/format.h"

/*
 * write(2) straight from the locked buffer: printf() would leave the key
 * in stdout's buffer, which nothing wipes. What stdio queued goes first.
 */
static int write_secret(const struct secbuf *text)
{
	if (fflush(stdout) != 0)
		return -errno;
	return write_full(STDOUT_FILENO, text->data, text->len);
}

static int recovery_key_failed(const struct enroll *en, int n, int r)
{
	return cli_error(FSP_EXIT_SYSTEM,
			 "unable to write the recovery key to standard "
			 "output: %s; slot %d of %s holds a key nobody has "
			 "seen: wipe it (fscrypt-provision wipe-slot --slots "
			 "%s %d)",
			 strerror(-r), n, en->slots.path, en->slots.path, n);
}

/* One object; a recovery key goes in it by write(2), as above. Its
 * modhex needs no escaping. */
static int report_json(const struct enroll *en, const struct slots_file *f,
		       int n, const struct secbuf *text)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	struct json j;
	int r = 0;

	hex_encode(f->identifier, sizeof(f->identifier), hex);
	json_start(&j, stdout, false);
	json_object_begin(&j, NULL);
	json_str(&j, "file", en->slots.path);
	json_int(&j, "slot", n);
	json_str(&j, "type", slot_type_name(en->type));
	json_str(&j, "identifier", hex);
	json_bool(&j, "dry_run", en->dry_run);
	if (text->len) {
		fputs(",\"recovery_key\":\"", stdout);
		r = write_secret(text);
		fputc('"', stdout);
	}
	fputs("}\n", stdout);
	if (r < 0)
		return recovery_key_failed(en, n, r);
	return fflush(stdout) ? cli_error(FSP_EXIT_SYSTEM, "stdout: %m")
			      : FSP_EXIT_OK;
}

int enroll_report(const struct enroll *en, const struct slots_file *f, int n,
		  struct secbuf *text)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	int r;

	if (en->json)
		return report_json(en, f, n, text);
	hex_encode(f->identifier, sizeof(f->identifier), hex);
	if (en->dry_run)
		cli_say("dry run: slot %d (%s) would be added to %s, key "
			"identifier %s; nothing was written",
			n, slot_type_name(en->type), en->slots.path, hex);
	else
		cli_say("slot %d (%s) added to %s, key identifier %s", n,
			slot_type_name(en->type), en->slots.path, hex);
	if (en->ka.file && !en->dry_run)
		cli_say("%s is still a raw copy of the key: remove it once "
			"this file is in use (see fscrypt-slots(5), "
			"\"Migrating\")",
			en->ka.file);
	if (!text->len)
		return FSP_EXIT_OK;
	cli_say("The recovery key follows. It is shown only this once: keep "
		"it away from this machine.");
	text->data[text->len++] = '\n'; /* over the NUL: the size has room */
	r = write_secret(text);
	return r < 0 ? recovery_key_failed(en, n, r) : FSP_EXIT_OK;
}
