// SPDX-License-Identifier: MIT
/*
 * systemd-creds as the TPM engine. Its credential is the tpm2 slot's
 * sealed data; what it prints on failure becomes one line (slots_tpm2.c).
 */
#define _GNU_SOURCE
#include "tpm2.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "problem.h"
#include "runprog.h"
#include "tpm2_pin.h"

#define TPM2_TIMEOUT_S 60
#define TPM2_MSGS_MAX 4096
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
static int device_arg(const char *dev, char *arg, size_t n, char *why,
		      size_t wn)
{
	struct stat st;

	if (!dev || !strcmp(dev, "auto"))
		dev = TPM2_DEVICE_AUTO;
	if (dev[0] == '/' && stat(dev, &st) < 0)
		return detail_set(why, wn, -ENODEV, "no TPM: %s: %m", dev);
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
	char why[256];
	unsigned n = 0;
	int r, st = 0;

	r = run_capture(argv, ro, out, &st);
	if (tpm2_flush_leftovers(device, &n, why, sizeof(why)) == 0 && n &&
	    r == -ECHILD &&
	    tpm2_classify(ro->errbuf, why, sizeof(why)) == TPM2_REFUSED_FULL) {
		r = run_capture(argv, ro, out, &st);
		tpm2_flush_leftovers(device, &n, why, sizeof(why));
	}
	return r;
}

/* Runs systemd-creds with argv[1..] on device; its messages end in msgs. */
static int run_creds(const char *device, const char **argv, const uint8_t *in,
		     size_t in_len, struct secbuf *out, char *msgs, char *why,
		     size_t wn)
{
	struct run_prog prog;
	struct run_opts ro = {.timeout_s = TPM2_TIMEOUT_S,
			      .input = in,
			      .input_len = in_len,
			      .errbuf = msgs,
			      .errcap = TPM2_MSGS_MAX,
			      .prog = &prog};
	int r;

	argv[0] = creds_binary();
	if (!argv[0])
		return detail_set(why, wn, -ENODEV,
				  "no TPM support here: systemd-creds is not "
				  "installed (%s)",
				  creds_paths[0]);
	r = run_trusted(argv[0], &prog, why, wn);
	if (r < 0)
		return r;
	r = creds_once(device, argv, &ro, out);
	run_prog_close(&prog);
	if (r == -E2BIG)
		return detail_set(why, wn, -EPROTO,
				  "systemd-creds wrote more than the %zu bytes "
				  "expected",
				  out->cap - 1);
	if (r == -ETIME)
		return detail_set(why, wn, r,
				  "the TPM did not answer within %d s",
				  TPM2_TIMEOUT_S);
	if (r < 0 && r != -ECHILD)
		return detail_set(why, wn, r, "%s could not be run: %s",
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
	case TPM2_REFUSED_UNENFORCED:
		return -EDOM;
	case TPM2_REFUSED_FULL:
		return -EAGAIN;
	case TPM2_REFUSED_OTHER:
		return -EIO;
	default:
		return -EKEYREJECTED;
	}
}

/* Reads the policy back from the credential: what we show is what the TPM
 * will enforce, not what we asked for. */
static int check_sealed(const struct tpm2_seal_req *q, struct tpm2_slot *t,
			char *why, size_t wn)
{
	bool pk;
	int r = tpm2_credential_policy(t->blob, t->blob_len, &t->bank, &t->pcrs,
				       &t->pubkey_pcrs, &pk);

	if (r < 0)
		return detail_set(why, wn, -EPROTO,
				  "systemd-creds made a credential this "
				  "version cannot read");
	if (t->pcrs != q->pcrs || pk != !!q->pubkey ||
	    (pk && t->pubkey_pcrs != q->pubkey_pcrs))
		return detail_set(why, wn, -EPROTO,
				  "systemd-creds sealed to another policy than "
				  "the one asked for");
	return 0;
}

static int read_pubkey(const char *path, uint8_t fp[32], char *why, size_t wn)
{
	char pem[8192];
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return detail_set(why, wn, -errno, "cannot read %s: %m", path);
	n = fread(pem, 1, sizeof(pem), f);
	fclose(f);
	if (tpm2_pubkey_fingerprint(pem, n, fp) < 0)
		return detail_set(why, wn, -EINVAL,
				  "%s is not a PEM public key (\"-----BEGIN "
				  "PUBLIC KEY-----\")",
				  path);
	return 0;
}

int tpm2_seal(const struct tpm2_seal_req *q, const uint8_t *secret, size_t len,
	      struct tpm2_slot *t, uint8_t *blob, size_t cap, char *why,
	      size_t wn)
{
	char dev[4200], pcrs[96], pkpcrs[96], pk[4200], msgs[TPM2_MSGS_MAX];
	const char *argv[12] = {NULL, "encrypt"};
	struct secbuf out;
	size_t n = 2, blen;
	int r;

	memset(t, 0, sizeof(*t));
	r = device_arg(q->device, dev, sizeof(dev), why, wn);
	if (r < 0)
		return r;
	if (q->pubkey) {
		r = read_pubkey(q->pubkey, t->pkfp, why, wn);
		if (r < 0)
			return r;
	}
	argv[n++] =
	    q->pubkey ? "--with-key=tpm2-with-public-key" : "--with-key=tpm2";
	argv[n++] = dev;
	tpm2_pcrs_text(q->pcrs, pcrs + 12, sizeof(pcrs) - 12);
	memcpy(pcrs, "--tpm2-pcrs=", 12);
	argv[n++] = pcrs;
	if (q->pubkey) {
		snprintf(pk, sizeof(pk), "--tpm2-public-key=%s", q->pubkey);
		memcpy(pkpcrs, "--tpm2-public-key-pcrs=", 23);
		tpm2_pcrs_text(q->pubkey_pcrs, pkpcrs + 23,
			       sizeof(pkpcrs) - 23);
		argv[n++] = pk;
		argv[n++] = pkpcrs;
	}
	argv[n++] = "--name=";
	argv[n++] = "-";
	argv[n++] = "-";
	r = secbuf_alloc(&out, TPM2_B64_MAX + 64);
	if (r < 0)
		return detail_set(why, wn, r,
				  "no locked memory for the TPM's "
				  "answer");
	r = run_creds(q->device, argv, secret, len, &out, msgs, why, wn);
	/*
	 * systemd-creds seals to PCRs still all zero with a warning. For
	 * fixed values that binds nothing, so we refuse; a signed policy
	 * holds whatever the PCRs are now, and it warns for those too.
	 */
	if (r == -ECHILD && q->pubkey) {
		r = refusal_errno(tpm2_classify_signed(msgs, why, wn));
	} else if (r == -ECHILD ||
		   (r == 0 && !q->pubkey &&
		    tpm2_classify(msgs, why, wn) == TPM2_REFUSED_UNENFORCED)) {
		r = refusal_errno(tpm2_classify(msgs, why, wn));
	} else if (r == 0 &&
		   sodium_base642bin(blob, cap, (const char *)out.data, out.len,
				     "\r\n", &blen, NULL,
				     sodium_base64_VARIANT_ORIGINAL) < 0) {
		r = detail_set(why, wn, -EPROTO,
			       "systemd-creds wrote no credential");
	} else if (r == 0) {
		t->blob = blob;
		t->blob_len = blen;
		t->flags = q->pubkey ? TPM2_FLAG_SIGNED : 0;
		r = check_sealed(q, t, why, wn);
	}
	secbuf_free(&out);
	return r;
}

int tpm2_unseal(const struct tpm2_opts *o, const struct tpm2_slot *t,
		struct secbuf *out, char *why, size_t wn)
{
	char dev[4200], sig[4200], msgs[TPM2_MSGS_MAX], *b64;
	const char *argv[8] = {NULL, "decrypt"}, *sp;
	size_t n = 2, b64cap = TPM2_B64_MAX;
	int r;

	r = device_arg(o->device, dev, sizeof(dev), why, wn);
	if (r < 0)
		return r;
	if (tpm2_by_companion(t))
		return tpm2_pin_unseal(o->device, t, NULL, out, why, wn);
	argv[n++] = dev;
	if (t->flags & TPM2_FLAG_SIGNED) {
		sp = tpm2_signature_path(o);
		if (!sp)
			return detail_set(why, wn, -EKEYREJECTED,
					  "no PCR signature for this boot: "
					  "none of %s and the other usual "
					  "places exists",
					  signature_paths[0]);
		snprintf(sig, sizeof(sig), "--tpm2-signature=%s", sp);
		argv[n++] = sig;
	}
	argv[n++] = "--name=";
	argv[n++] = "-";
	argv[n++] = "-";
	b64 = malloc(b64cap);
	if (!b64)
		return detail_set(why, wn, -ENOMEM, "out of memory");
	sodium_bin2base64(b64, b64cap, t->blob, t->blob_len,
			  sodium_base64_VARIANT_ORIGINAL);
	r = secbuf_alloc(out, 4096);
	if (r < 0)
		detail_set(why, wn, r, "no locked memory for the secret");
	if (r == 0) {
		r = run_creds(o->device, argv, (const uint8_t *)b64,
			      strlen(b64), out, msgs, why, wn);
		if (r == -ECHILD)
			r = refusal_errno(tpm2_classify(msgs, why, wn));
		else if (r == 0 && out->len != TPM2_SECRET_SIZE)
			r = detail_set(why, wn, -EBADMSG,
				       "the TPM gave %zu bytes, not the %d "
				       "sealed",
				       out->len, TPM2_SECRET_SIZE);
		if (r < 0)
			secbuf_free(out);
	}
	free(b64);
	return r;
}
