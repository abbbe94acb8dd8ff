// SPDX-License-Identifier: MIT
/* enroll's arguments: which go together, and the defaults that depend on
 * the others (enroll.h). */
#define _GNU_SOURCE
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/enroll.h"
#include "slots/pbkdf.h"

static int check_types(const struct enroll *en)
{
	int sources = en->generate + !!en->ka.file + !!en->ka.fd +
		      (en->slots.up.passphrase_fd >= 0);

	if (!en->slots.path)
		return cli_usage_error("enroll", "--slots FILE is required");
	if (!en->type)
		return cli_usage_error("enroll",
				       "give one of --passphrase, "
				       "--recovery-key, --tpm2, "
				       "--pkcs11-token-uri and --exec "
				       "PROGRAM [ARG...] --");
	if (sources > 1)
		return cli_usage_error("enroll",
				       "give at most one of --generate, "
				       "--key-file, --key-fd and "
				       "--unlock-passphrase-fd");
	if (en->pass_fd >= 0 && en->type != SLOT_PASSPHRASE && !en->tpm2_pin)
		return cli_usage_error("enroll", "--new-passphrase-fd is for "
						 "--passphrase and --tpm2-pin");
	if ((en->pbkdf_ms || en->pbkdf_kib || en->pbkdf_iter) &&
	    en->type != SLOT_PASSPHRASE)
		return cli_usage_error("enroll", "--pbkdf-* options are for "
						 "--passphrase");
	if (en->pbkdf_kib && en->pbkdf_kib < SLOT_ARGON2_MEM_MIN >> 10)
		return cli_usage_error("enroll",
				       "--pbkdf-memory must be at least "
				       "%llu KiB",
				       SLOT_ARGON2_MEM_MIN >> 10);
	if (en->exec_timeout && en->type != SLOT_EXEC)
		return cli_usage_error("enroll",
				       "--exec-timeout is for --exec");
	if ((en->tpm2_pcrs_given || en->tpm2_pubkey ||
	     en->tpm2_pubkey_pcrs_given || en->tpm2_pin ||
	     en->tpm2_phase_given) &&
	    en->type != SLOT_TPM2)
		return cli_usage_error("enroll",
				       "--tpm2-pcrs, --tpm2-pin, --tpm2-phase "
				       "and --tpm2-public-key* are for --tpm2");
	if (en->tpm2_pin && en->tpm2_pubkey)
		return cli_usage_error(
		    "enroll", "--tpm2-pin goes with fixed PCRs "
			      "(--tpm2-pcrs) only: this version cannot "
			      "join a PIN to a signed policy");
	if (en->tpm2_pubkey_pcrs_given && !en->tpm2_pubkey)
		return cli_usage_error("enroll", "--tpm2-public-key-pcrs needs "
						 "--tpm2-public-key PEM");
	/* With a PIN, no PCRs is the TPM and the PIN alone, as cryptenroll
	 * allows: the TPM still limits the guesses. */
	if (en->type == SLOT_TPM2 && !en->tpm2_pubkey && !en->tpm2_pcrs &&
	    !en->tpm2_pin)
		return cli_usage_error(
		    "enroll", "--tpm2 with no PCRs would unseal on any "
			      "boot of this machine; give --tpm2-pcrs");
	if (en->tpm2_pubkey && !en->tpm2_pubkey_pcrs)
		return cli_usage_error("enroll",
				       "--tpm2-public-key-pcrs needs at "
				       "least one PCR");
	return FSP_EXIT_OK;
}

/* PCR 7 by default; a signed policy instead covers PCR 11 by default. */
static void tpm2_defaults(struct enroll *en)
{
	if (!en->tpm2_pcrs_given && !en->tpm2_pubkey)
		en->tpm2_pcrs = 1u << 7;
	if (!en->tpm2_pubkey_pcrs_given && en->tpm2_pubkey)
		en->tpm2_pubkey_pcrs = 1u << 11;
}

int enroll_check_args(struct enroll *en)
{
	tpm2_defaults(en);
	return check_types(en);
}
