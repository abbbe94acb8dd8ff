// SPDX-License-Identifier: MIT
/* slots: a slots file's table, for people and (--json) machines. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/hex.h"
#include "basic/json_write.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/slots_options.h"
#include "kernel/identifier.h"
#include "shared/writers_lock.h"
#include "slots/file.h"
#include "slots/pkcs11_data.h"
#include "slots/tpm2_data.h"

const struct cli_options cmd_slots_options = {
    .shared = (const struct cli_use[]){{OPT_SLOTS, NULL},
				       {OPT_JSON, NULL},
				       {OPT_ALLOW_READABLE, NULL},
				       {0}},
};

static void iso_time(uint64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int r = -1;

	/* Not strftime(): in a static musl build it brings the time zone
	 * code (8 KB), and UTC needs none. */
	if (gmtime_r(&tt, &tm))
		r = snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (r < 0 || (size_t)r >= n)
		snprintf(buf, n, "?");
}

/* A tpm2 slot's policy: never its sealed data. */
static void tpm2_json(struct json *j, const struct slot *s)
{
	char bank[16], fp[65];
	struct tpm2_slot t;

	if (slot_tpm2_get(s, &t) < 0)
		return;
	json_str(j, "bank", tpm2_bank_name(t.bank, bank, sizeof(bank)));
	json_array_begin(j, "pcrs");
	for (unsigned i = 0; i < TPM2_PCR_COUNT; i++)
		if (t.pcrs & 1u << i)
			json_int(j, NULL, i);
	json_end(j);
	json_bool(j, "signed", t.flags & TPM2_FLAG_SIGNED);
	json_bool(j, "pin", t.flags & TPM2_FLAG_PIN);
	/* Where it unseals: before PCR 15's first extension on a boot, or
	 * between the first and the second (TPM2_FLAG_SYSTEM). */
	if (tpm2_by_companion(&t))
		json_str(j, "phase",
			 t.flags & TPM2_FLAG_SYSTEM ? "system" : "initramfs");
	/* What an image needs to unseal it (the dracut module, the
	 * initramfs-tools hook). */
	json_str(j, "sealed_by",
		 tpm2_by_companion(&t) ? "fscrypt-provision-tpm2"
				       : "systemd-creds");
	if (t.flags & TPM2_FLAG_SIGNED) {
		json_array_begin(j, "public_key_pcrs");
		for (unsigned i = 0; i < TPM2_PCR_COUNT; i++)
			if (t.pubkey_pcrs & 1u << i)
				json_int(j, NULL, i);
		json_end(j);
		hex_encode(t.pkfp, sizeof(t.pkfp), fp);
		json_str(j, "public_key_fingerprint", fp);
	}
	json_int(j, "sealed_bytes", (long long)t.blob_len);
}

static void tpm2_line(const struct slot *s)
{
	char pcrs[80], pk[80], bank[16], fp[65];
	struct tpm2_slot t;

	if (slot_tpm2_get(s, &t) < 0)
		return;
	tpm2_pcrs_text(t.pcrs, pcrs, sizeof(pcrs));
	printf(", %s bank, PCRs %s", tpm2_bank_name(t.bank, bank, sizeof(bank)),
	       pcrs[0] ? pcrs : "none");
	if (t.flags & TPM2_FLAG_SIGNED) {
		tpm2_pcrs_text(t.pubkey_pcrs, pk, sizeof(pk));
		hex_encode(t.pkfp, sizeof(t.pkfp), fp);
		printf(", signed policy on PCRs %s (key %.16s...)", pk, fp);
	}
	if (t.flags & TPM2_FLAG_PIN)
		printf(", and a PIN");
	if (t.flags & TPM2_FLAG_SYSTEM)
		printf(", unseals on the running system (--tpm2-phase system)");
	if (!tpm2_by_companion(&t))
		printf(", sealed by systemd-creds (an earlier version): not "
		       "bound to PCR 15, so it unseals after the initramfs "
		       "too; enroll --tpm2 again, then wipe-slot %u",
		       s->number);
}

static void slot_json(struct json *j, const struct slot *s)
{
	const char *argv[SLOT_EXEC_ARGS_MAX + 1];
	struct pkcs11_slot p;
	char when[32];

	iso_time(s->created, when, sizeof(when));
	json_object_begin(j, NULL);
	json_int(j, "slot", s->number);
	json_str(j, "type", slot_type_name(s->type));
	if (!slot_type_known(s->type))
		json_int(j, "type_number", s->type);
	json_str(j, "kdf",
		 !slot_type_known(s->type)    ? NULL
		 : s->type == SLOT_PASSPHRASE ? "argon2id"
					      : "blake2b");
	if (s->type == SLOT_PASSPHRASE) {
		json_int(j, "memory_kib", (long long)(s->memlimit >> 10));
		json_int(j, "passes", (long long)s->opslimit);
	}
	if (s->type == SLOT_EXEC && slot_exec_argv(s, argv) > 0) {
		json_str(j, "program", argv[0]);
		json_array_begin(j, "arguments");
		for (int i = 1; argv[i]; i++)
			json_str(j, NULL, argv[i]);
		json_end(j);
		json_int(j, "timeout_seconds", s->timeout);
	}
	if (s->type == SLOT_TPM2)
		tpm2_json(j, s);
	if (s->type == SLOT_PKCS11 && slot_pkcs11_get(s, &p) == 0) {
		json_str(j, "token_uri", p.uri);
		json_str(j, "module", p.module);
		json_str(j, "mechanism", pkcs11_mech_name(p.mech));
	}
	json_str(j, "created", when);
	json_end(j);
}

static void slot_line(const struct slot *s)
{
	const char *argv[SLOT_EXEC_ARGS_MAX + 1];
	struct pkcs11_slot p;
	char when[32];

	iso_time(s->created, when, sizeof(when));
	printf("slot %u: %s", s->number, slot_type_name(s->type));
	if (s->type == SLOT_PASSPHRASE) {
		char mem[32];

		slot_mem_text(s->memlimit, mem, sizeof(mem));
		printf(", Argon2id %s x %llu pass%s", mem,
		       (unsigned long long)s->opslimit,
		       s->opslimit == 1 ? "" : "es");
	}
	if (s->type == SLOT_EXEC && slot_exec_argv(s, argv) > 0) {
		printf(",");
		for (int i = 0; argv[i]; i++)
			printf(" %s", argv[i]);
		printf(" (timeout %u s)", s->timeout);
	}
	if (s->type == SLOT_TPM2)
		tpm2_line(s);
	if (s->type == SLOT_PKCS11 && slot_pkcs11_get(s, &p) == 0)
		printf(", %s, %s", pkcs11_mech_name(p.mech), p.uri);
	if (!slot_type_known(s->type))
		printf(" (type %u, from a newer version: skipped)", s->type);
	printf(", created %s\n", when);
}

static void print_slots(const char *path, const struct slots_file *f,
			bool as_json)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	struct json j;

	hex_encode(f->identifier, sizeof(f->identifier), hex);
	if (!as_json) {
		printf("%s: format version %d, %u-byte key, identifier %s, "
		       "%zu slot%s\n",
		       path, SLOTS_VERSION, f->key_size, hex, f->n,
		       f->n == 1 ? "" : "s");
		for (size_t i = 0; i < f->n; i++)
			slot_line(&f->slots[i]);
		return;
	}
	json_start(&j, stdout, true);
	json_object_begin(&j, NULL);
	json_str(&j, "file", path);
	json_int(&j, "version", SLOTS_VERSION);
	json_int(&j, "key_size", f->key_size);
	json_str(&j, "identifier", hex);
	json_array_begin(&j, "slots");
	for (size_t i = 0; i < f->n; i++)
		slot_json(&j, &f->slots[i]);
	json_end(&j);
	json_end(&j);
}

/* The option loop; returns -1 to go on, or an exit code. */
static int parse(int argc, char **argv, const char **path, bool *json,
		 bool *readable)
{
	int c, r;

	while ((c = cli_getopt(argc, argv, &cmd_slots_options)) != -1) {
		if (c == OPT_SLOTS)
			*path = optarg;
		else if (c == OPT_ALLOW_READABLE)
			*readable = true;
		else if (c == OPT_JSON)
			*json = true;
		else if ((r = handle_common_option(c, "slots")) >= 0)
			return r;
	}
	if (!*path)
		return cli_usage_error("slots", "--slots FILE is required");
	return -1;
}

int cmd_slots(int argc, char **argv)
{
	struct fsp_problem problem = {0};
	const char *path = NULL;
	bool as_json = false, readable = false;
	struct slots_file *f;
	int r = parse(argc, argv, &path, &as_json, &readable);

	if (r >= 0)
		return r;
	if (optind != argc)
		return cli_usage_error("slots", "unexpected argument '%s'",
				       argv[optind]);
	f = calloc(1, sizeof(*f));
	if (!f)
		return cli_error(FSP_EXIT_SYSTEM, "out of memory");
	/* Listing reads no secret: a readable file may be listed. */
	r = slots_file_load(path, true, f, &problem);
	if (r == 0)
		print_slots(path, f, as_json);
	free(f);
	return r < 0 ? slots_arg_fail(path, r, &problem) : FSP_EXIT_OK;
}
