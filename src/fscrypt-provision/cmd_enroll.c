// SPDX-License-Identifier: MIT
/* enroll: wrap a master key in one more protector of its slots file. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "basic/hex.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/enroll.h"
#include "fscrypt-provision/key_options.h"
#include "fscrypt-provision/slots_options.h"
#include "kernel/identifier.h"
#include "keysource/askpass.h"
#include "keysource/unwrap.h"
#include "shared/writers_lock.h"
#include "slots/crypto.h"
#include "slots/file.h"
#include "slots/pbkdf.h"
#include "slots/recovery_key.h"
#include "slots/tpm2_data.h"

enum {
	OPT_PASSPHRASE = OPT_FIRST_PRIVATE,
	OPT_RECOVERY,
	OPT_GENERATE,
	OPT_UNLOCK_FD,
	OPT_NEW_PASS_FD,
	OPT_PBKDF_TIME,
	OPT_PBKDF_MEM,
	OPT_PBKDF_ITER,
	OPT_EXEC_TIMEOUT,
	OPT_TPM2,
	OPT_TPM2_PCRS,
	OPT_TPM2_PUBKEY,
	OPT_TPM2_PUBKEY_PCRS,
	OPT_TPM2_PIN,
	OPT_TPM2_PHASE,
	OPT_EXEC, /* taken out of argv before getopt (take_exec) */
	OPT_OLD_PASS_FD,
	OPT_PKCS11_URI,
};

const struct cli_options cmd_enroll_options = {
    .common = CLI_QUIET,
    .shared =
	(const struct cli_use[]){
	    {OPT_SLOTS, "the slots file to add a slot to (made if missing)"},
	    {OPT_KEY_FILE, "the master key, for the file's first slot"},
	    {OPT_KEY_FD,
	     "the master key from descriptor N, for the first slot"},
	    {OPT_TPM2_PIN_FD, "PINs of the file's tpm2 slots, to unwrap it"},
	    {OPT_PKCS11_PIN_FD,
	     "token PINs: the file's pkcs11 slots', then the new slot's"},
	    {OPT_TPM2_DEVICE, "the TPM to seal to: auto, a device or a TCTI"},
	    {OPT_KEY_SIZE, NULL},
	    {OPT_KEY_FORMAT, NULL},
	    {OPT_ALLOW_READABLE, NULL},
	    {OPT_DRY_RUN, "unwrap or make the master key, say which slot "
			  "would be added, write nothing"},
	    {OPT_JSON, NULL},
	    {0}},
    .own =
	(const struct cli_option[]){
	    {"passphrase", NULL, OPT_PASSPHRASE, "add a passphrase slot"},
	    {"recovery-key", NULL, OPT_RECOVERY,
	     "add a recovery key slot; the key is printed once"},
	    {"tpm2", NULL, OPT_TPM2, "add a slot the TPM seals"},
	    {"pkcs11-token-uri", "URI|auto|list", OPT_PKCS11_URI,
	     "add a slot a PKCS#11 token's key pair keeps (list: show them)"},
	    {"exec", "PROGRAM [ARG...] --", OPT_EXEC,
	     "add a slot whose secret PROGRAM prints"},
	    {"generate", NULL, OPT_GENERATE,
	     "make a new random master key, for a new file"},
	    {"unlock-passphrase-fd", "N", OPT_UNLOCK_FD,
	     "unwrap the file with a passphrase from descriptor N"},
	    {"new-passphrase-fd", "N", OPT_NEW_PASS_FD,
	     "read the new passphrase or PIN from descriptor N"},
	    /* Its name before: --passphrase-fd elsewhere opens what exists.
	     * Accepted with a warning, not listed. */
	    {"passphrase-fd", "N", OPT_OLD_PASS_FD, NULL},
	    {"pbkdf-time", "MS", OPT_PBKDF_TIME,
	     "Argon2id's time in ms (default " FSP_STR(PBKDF_DEFAULT_MS) ")"},
	    {"pbkdf-memory", "KIB", OPT_PBKDF_MEM, "Argon2id's memory"},
	    {"pbkdf-iterations", "N", OPT_PBKDF_ITER,
	     "Argon2id's passes (instead of --pbkdf-time)"},
	    {"exec-timeout", "SECONDS", OPT_EXEC_TIMEOUT,
	     "how long PROGRAM may take (default " FSP_STR(
		 EXEC_TIMEOUT_DEFAULT) ")"},
	    {"tpm2-pcrs", "PCRS", OPT_TPM2_PCRS,
	     "the PCRs to seal to, such as 7+11 (default 7)"},
	    {"tpm2-pin", NULL, OPT_TPM2_PIN,
	     "a tpm2 slot that also needs a PIN"},
	    {"tpm2-phase", "initramfs|system", OPT_TPM2_PHASE,
	     "where it unseals: in the initramfs (default), or on the "
	     "running system, for a volume the initramfs does not load"},
	    {"tpm2-public-key", "PEM", OPT_TPM2_PUBKEY,
	     "a signed policy: PCR values this key signs"},
	    {"tpm2-public-key-pcrs", "PCRS", OPT_TPM2_PUBKEY_PCRS,
	     "the PCRs of the signed policy (default 11)"},
	    {0}},
};
#define ONE_TYPE                                                               \
	"give one of --passphrase, --recovery-key, --tpm2, "                   \
	"--pkcs11-token-uri "                                                  \
	"and --exec"

/*
 * Takes "--exec PROGRAM [ARG...] --" out of argv before getopt sees it,
 * since its arguments may look like our options. Returns 0, or an exit code.
 */
static int take_exec(int *argc, char **argv, struct enroll *en)
{
	int i, j, end;

	for (i = 1; i < *argc && strcmp(argv[i], "--exec") != 0; i++)
		if (strcmp(argv[i], "--") == 0)
			return 0;
	if (i == *argc)
		return 0;
	for (end = i + 1; end < *argc && strcmp(argv[end], "--") != 0; end++)
		;
	if (end == i + 1)
		return cli_usage_error("enroll", "--exec needs a PROGRAM");
	en->exec_argv = calloc((size_t)(end - i), sizeof(char *));
	if (!en->exec_argv)
		return cli_error(FSP_EXIT_SYSTEM, "out of memory");
	for (j = i + 1; j < end; j++)
		en->exec_argv[j - i - 1] = argv[j];
	if (en->type)
		return cli_usage_error("enroll", ONE_TYPE);
	en->type = SLOT_EXEC;
	end = end < *argc ? end + 1 : end; /* the "--" goes too */
	memmove(&argv[i], &argv[end],
		(size_t)(*argc - end + 1) * sizeof(char *));
	*argc -= end - i;
	return 0;
}

static int set_type(struct enroll *en, enum slot_type t)
{
	if (en->type)
		return cli_usage_error("enroll", ONE_TYPE);
	en->type = t;
	return -1;
}

static int number_opt(const char *opt, unsigned long max, unsigned long *v)
{
	if (!parse_unsigned(optarg, max, v) || *v == 0)
		return cli_usage_error("enroll",
				       "%s needs a positive number (at "
				       "most %lu)",
				       opt, max);
	return -1;
}

static int pcrs_opt(const char *opt, uint32_t *mask, bool *given)
{
	if (tpm2_pcrs_parse(optarg, mask) < 0)
		return cli_usage_error("enroll",
				       "%s needs PCR numbers 0 to 23 joined by "
				       "'+', such as 7+11",
				       opt);
	/* TPM2_PCR_Reset works on these from any locality software has. */
	if (*mask & ((1u << 16) | (1u << 23)))
		return cli_usage_error(
		    "enroll",
		    "%s: PCR %d can be reset by any program "
		    "on the machine (16 is for debugging, 23 "
		    "for applications), so a policy on it "
		    "binds nothing; leave it out",
		    opt, *mask & (1u << 16) ? 16 : 23);
	*given = true;
	return -1;
}

/* One option; -1 when consumed, or an exit code. */
static int enroll_option(int c, struct enroll *en)
{
	int r;

	switch (c) {
	case OPT_JSON:
		/* stdout is the object's: progress lines would break it. */
		en->json = arg_quiet = true;
		return -1;
	case OPT_DRY_RUN:
		en->dry_run = true;
		return -1;
	case OPT_PASSPHRASE:
		return set_type(en, SLOT_PASSPHRASE);
	case OPT_RECOVERY:
		return set_type(en, SLOT_RECOVERY);
	case OPT_GENERATE:
		en->generate = true;
		return -1;
	case OPT_OLD_PASS_FD:
		cli_warning(
		    "enroll --passphrase-fd is deprecated; spell it "
		    "--new-passphrase-fd N (the new passphrase or PIN)");
		/* fall through */
	case OPT_UNLOCK_FD:
	case OPT_NEW_PASS_FD:
		if (parse_fd_arg(optarg, c != OPT_UNLOCK_FD
					     ? &en->pass_fd
					     : &en->slots.up.passphrase_fd) < 0)
			return cli_usage_error(
			    "enroll", "--%s needs a descriptor number",
			    cli_option_name(&cmd_enroll_options, c));
		return -1;
	case OPT_PBKDF_TIME:
		return number_opt("--pbkdf-time", 600000, &en->pbkdf_ms);
	case OPT_PBKDF_MEM:
		return number_opt("--pbkdf-memory", SLOT_ARGON2_MEM_MAX >> 10,
				  &en->pbkdf_kib);
	case OPT_PBKDF_ITER:
		return number_opt("--pbkdf-iterations", SLOT_ARGON2_OPS_MAX,
				  &en->pbkdf_iter);
	case OPT_EXEC_TIMEOUT:
		return number_opt("--exec-timeout", 3600, &en->exec_timeout);
	case OPT_TPM2:
		return set_type(en, SLOT_TPM2);
	case OPT_PKCS11_URI:
		en->pkcs11_uri = optarg;
		return set_type(en, SLOT_PKCS11);
	case OPT_TPM2_PCRS:
		return pcrs_opt("--tpm2-pcrs", &en->tpm2_pcrs,
				&en->tpm2_pcrs_given);
	case OPT_TPM2_PUBKEY:
		en->tpm2_pubkey = optarg;
		return -1;
	case OPT_TPM2_PUBKEY_PCRS:
		return pcrs_opt("--tpm2-public-key-pcrs", &en->tpm2_pubkey_pcrs,
				&en->tpm2_pubkey_pcrs_given);
	case OPT_TPM2_PIN:
		en->tpm2_pin = true;
		return -1;
	case OPT_TPM2_PHASE:
		en->tpm2_phase_given = true;
		en->tpm2_system = !strcmp(optarg, "system");
		if (en->tpm2_system || !strcmp(optarg, "initramfs"))
			return -1;
		return cli_usage_error("enroll",
				       "--tpm2-phase is initramfs or system, "
				       "not '%s'",
				       optarg);
	case OPT_KEY_SIZE:
		en->key_size_given = true;
		return key_option(c, &en->ka, "enroll");
	default:
		r = slots_option(c, &en->slots, "enroll");
		return r != -2 ? r : key_option(c, &en->ka, "enroll");
	}
}

static int enroll_run(struct enroll *en)
{
	struct fsp_problem problem = {0};
	struct fsp_problem why = {0};
	struct slots_file *f;
	struct secbuf key = {0};
	int code, r;

	/* A dry run writes nothing: it needs no lock. */
	r = en->dry_run ? 0 : writer_lock(&why);
	if (r < 0)
		return cli_error_errno(OP_KEYRING, r,
				       "take the writers' lock (%s)", why.text);
	if (slots_crypto_init() < 0)
		return cli_error(FSP_EXIT_SYSTEM, "libsodium failed to start");
	f = calloc(1, sizeof(*f));
	if (!f)
		return cli_error(FSP_EXIT_SYSTEM, "out of memory");
	r = slots_file_load(en->slots.path, en->ka.opts.allow_readable, f,
			    &problem);
	if (r < 0 && r != -ENOENT)
		code = slots_arg_fail(en->slots.path, r, &problem);
	else
		code = enroll_get_master(en, f, r == 0, &key);
	if (!code && en->dry_run) {
		struct secbuf none = {0};
		int n = slots_free_number(f);

		code = n < 0 ? cli_error(FSP_EXIT_KEY_SOURCE,
					 "slots file %s has all %d slots in "
					 "use; wipe one first",
					 en->slots.path, SLOTS_MAX)
			     : enroll_report(en, f, n, &none);
	} else if (!code) {
		code = enroll_add_slot(en, f, &key);
	}
	secbuf_free(&key);
	sodium_memzero(f, sizeof(*f));
	free(f);
	return code;
}

int cmd_enroll(int argc, char **argv)
{
	struct enroll en = {.slots = SLOTS_ARG_INIT,
			    .pass_fd = -1,
			    .ka = {.opts = KEY_SOURCE_OPTS_DEFAULT}};
	int c, code;

	code = take_exec(&argc, argv, &en);
	while (!code &&
	       (c = cli_getopt(argc, argv, &cmd_enroll_options)) != -1) {
		int r = enroll_option(c, &en);

		if (r >= 0)
			code = r ? r : -1;
	}
	if (code == -1) /* --help */
		code = FSP_EXIT_OK;
	else if (!code && optind != argc)
		code = cli_usage_error("enroll", "unexpected argument '%s'",
				       argv[optind]);
	else if (!code && en.type == SLOT_PKCS11 &&
		 !strcmp(en.pkcs11_uri, "list"))
		code = enroll_pkcs11_list(&en);
	else if (!code && (code = enroll_check_args(&en)) == 0)
		code = enroll_run(&en);
	free(en.exec_argv);
	return code;
}
