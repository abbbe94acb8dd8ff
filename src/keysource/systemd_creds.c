// SPDX-License-Identifier: MIT
/*
 * systemd-creds as the TPM engine. Its credential is the tpm2 slot's
 * sealed data; what it prints on failure becomes one line (slots/tpm2_data.c).
 */
#define _GNU_SOURCE
#include "keysource/systemd_creds.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keysource/tpm2_companion.h"
#include "shared/problem.h"
#include "shared/run_program.h"
#include "slots/pcr_signature.h"

#define TPM2_TIMEOUT_S 60
/* Its messages at debug level: about 1.4 kB for a refusal here. */
#define TPM2_MSGS_MAX 16384
#define TPM2_B64_MAX                                                           \
	(sodium_base64_ENCODED_LEN(TPM2_BLOB_MAX,                              \
				   sodium_base64_VARIANT_ORIGINAL))

static const char *const creds_paths[] = {"/usr/bin/systemd-creds",
					  "/bin/systemd-creds"};

/* Where systemd and its stub put the signature of the running image. */
static const char *const signature_paths[] = {
    "/run/systemd/tpm2-pcr-signature.json",
    "/.extra/tpm2-pcr-signature.json",
    "/etc/systemd/tpm2-pcr-signature.json",
    "/usr/lib/systemd/tpm2-pcr-signature.json",
};

static const char *creds_binary(void)
{
	for (size_t i = 0; i < sizeof(creds_paths) / sizeof(*creds_paths); i++)
		if (access(creds_paths[i], X_OK) == 0)
			return creds_paths[i];
	return NULL;
}

const char *tpm2_signature_path(const struct tpm2_opts *o)
{
	if (o && o->signature)
		return o->signature;
	for (size_t i = 0;
	     i < sizeof(signature_paths) / sizeof(*signature_paths); i++)
		if (access(signature_paths[i], R_OK) == 0)
			return signature_paths[i];
	return NULL;
}

/* "auto" or a path must exist: saying "no TPM" beats systemd's words. */
static int device_arg(const char *dev, char *arg, size_t n,
		      struct fsp_problem *why)
{
	struct stat st;

	if (!dev || !strcmp(dev, "auto"))
		dev = TPM2_DEVICE_AUTO;
	if (dev[0] == '/' && stat(dev, &st) < 0)
		return problem_set(why, OP_UNWRAP, -ENODEV, "no TPM: %s: %m",
				   dev);
	snprintf(arg, n, "--tpm2-device=%s", dev);
	return 0;
}

/*
 * systemd-creds once, and on a TPM with no resource manager in front, a
 * flush of what it left loaded: systemd-creds 252 leaves two objects and
 * two sessions after a failure, and the next call would find the TPM full
 * and fail for that. When it found the TPM full already (filled by
 * others), it runs once more if the flush made room.
 */
static int creds_once(const char *device, const char **argv,
		      const struct run_opts *ro, struct secbuf *out)
{
	struct fsp_problem why = {0};
	unsigned n = 0;
	int r, st = 0;

	r = run_capture(argv, ro, out, &st);
	if (tpm2_flush_leftovers(device, &n, &why) == 0 && n && r == -ECHILD &&
	    tpm2_classify(ro->errbuf, &why) == TPM2_REFUSED_FULL) {
		r = run_capture(argv, ro, out, &st);
		tpm2_flush_leftovers(device, &n, &why);
	}
	return r;
}

/* Runs systemd-creds with argv[1..] on device; its messages end in msgs. */
static int run_creds(const char *device, const char **argv, const uint8_t *in,
		     size_t in_len, struct secbuf *out, char *msgs,
		     struct fsp_problem *why)
{
	/*
	 * At debug level: from systemd 254 on, its one error line says only
	 * "Operation not permitted" for a PCR mismatch and "State not
	 * recoverable" for a full TPM; the reason is in a debug line before
	 * it ("Current policy digest does not match ...", "... out of memory
	 * for object contexts"), as it was in 252's error line.
	 */
	static const char *const env[] = {"SYSTEMD_LOG_LEVEL=debug", NULL};
	struct run_prog prog;
	struct run_opts ro = {.timeout_s = TPM2_TIMEOUT_S,
			      .input = in,
			      .input_len = in_len,
			      .errbuf = msgs,
			      .errcap = TPM2_MSGS_MAX,
			      .prog = &prog,
			      .env = env};
	int r;

	argv[0] = creds_binary();
	if (!argv[0])
		return problem_set(why, OP_UNWRAP, -ENODEV,
				   "no TPM support here: systemd-creds is not "
				   "installed (%s)",
				   creds_paths[0]);
	r = run_trusted(argv[0], &prog, why);
	if (r < 0)
		return r;
	r = creds_once(device, argv, &ro, out);
	run_prog_close(&prog);
	if (r == -E2BIG)
		return problem_set(
		    why, OP_UNWRAP, -EPROTO,
		    "systemd-creds wrote more than the %zu bytes "
		    "expected",
		    out->cap - 1);
	if (r == -ETIME)
		return problem_set(why, OP_UNWRAP, r,
				   "the TPM did not answer within %d s",
				   TPM2_TIMEOUT_S);
	if (r < 0 && r != -ECHILD)
		return problem_set(why, OP_UNWRAP, r, "%s could not be run: %s",
				   argv[0], strerror(-r));
	return r;
}

static int refusal_errno(enum tpm2_refusal k)
{
	switch (k) {
	case TPM2_REFUSED_NO_TPM:
		return -ENODEV;
	case TPM2_REFUSED_DAMAGED:
		return -EBADMSG;
	case TPM2_REFUSED_FULL:
		return -EAGAIN;
	case TPM2_REFUSED_OTHER:
		return -EIO;
	default:
		return -EKEYREJECTED;
	}
}

/* A slot the companion sealed; a signed one with the entries of sp (the
 * signature file) for its PCRs and key, which its TPM checks. */
static int unseal_companion_slot(const char *device, const struct tpm2_slot *t,
				 const char *sp, struct secbuf *out,
				 struct fsp_problem *why)
{
	static uint8_t recs[COMPANION_IN_MAX];
	char bank[16];
	size_t len = 0;
	int r = 0;

	if (sp)
		r = tpm2_sig_load(
		    sp, tpm2_bank_name(t->bank, bank, sizeof(bank)),
		    t->pubkey_pcrs, t->pkfp, recs, sizeof(recs), &len);
	if (r == 0 && sp)
		return problem_set(why, OP_UNWRAP, -EKEYREJECTED,
				   "no signature for this boot: %s has none by "
				   "the slot's key for its PCRs",
				   sp);
	if (r < 0)
		return problem_set(why, OP_UNWRAP, -EKEYREJECTED,
				   "no signature for this boot: %s cannot be "
				   "read as one: %s",
				   sp, strerror(-r));
	return companion_unseal(device, t, NULL, recs, len, out, why);
}

int tpm2_unseal(const struct tpm2_opts *o, const struct tpm2_slot *t,
		struct secbuf *out, struct fsp_problem *why)
{
	char dev[4200], sig[4200], msgs[TPM2_MSGS_MAX], *b64;
	const char *argv[8] = {NULL, "decrypt"}, *sp;
	size_t n = 2, b64cap = TPM2_B64_MAX;
	int r;

	r = device_arg(o->device, dev, sizeof(dev), why);
	if (r < 0)
		return r;
	sp = t->flags & TPM2_FLAG_SIGNED ? tpm2_signature_path(o) : NULL;
	if ((t->flags & TPM2_FLAG_SIGNED) && !sp)
		return problem_set(why, OP_UNWRAP, -EKEYREJECTED,
				   "no PCR signature for this boot: none of %s "
				   "and the other usual places exists",
				   signature_paths[0]);
	if (tpm2_by_companion(t))
		return unseal_companion_slot(o->device, t, sp, out, why);
	argv[n++] = dev;
	if (t->flags & TPM2_FLAG_SIGNED) {
		snprintf(sig, sizeof(sig), "--tpm2-signature=%s", sp);
		argv[n++] = sig;
	}
	argv[n++] = "--name=";
	argv[n++] = "-";
	argv[n++] = "-";
	b64 = malloc(b64cap);
	if (!b64)
		return problem_set(why, OP_UNWRAP, -ENOMEM, "out of memory");
	sodium_bin2base64(b64, b64cap, t->blob, t->blob_len,
			  sodium_base64_VARIANT_ORIGINAL);
	r = secbuf_alloc(out, 4096);
	if (r < 0)
		problem_set(why, OP_UNWRAP, r,
			    "no locked memory for the secret");
	if (r == 0) {
		r = run_creds(o->device, argv, (const uint8_t *)b64,
			      strlen(b64), out, msgs, why);
		if (r == -ECHILD)
			r = refusal_errno(tpm2_classify(msgs, why));
		else if (r == 0 && out->len != TPM2_SECRET_SIZE)
			r = problem_set(why, OP_UNWRAP, -EBADMSG,
					"the TPM gave %zu bytes, not the %d "
					"sealed",
					out->len, TPM2_SECRET_SIZE);
		if (r < 0)
			secbuf_free(out);
	}
	free(b64);
	return r;
}
