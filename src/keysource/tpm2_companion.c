// SPDX-License-Identifier: MIT
/* The helper's side of tpm2 slots with a PIN (keysource/tpm2_companion.h). */
#define _GNU_SOURCE
#include "keysource/tpm2_companion.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keysource/companion_run.h"
#include "shared/problem.h"
#include "shared/run_program.h"

#define PIN_TIMEOUT_S 60

void companion_pin_auth(const struct slot *s, const uint8_t *pin, size_t len,
			uint8_t auth[COMPANION_AUTH_SIZE])
{
	static const uint8_t
	    personal[crypto_generichash_blake2b_PERSONALBYTES] = "fsp-tpm2-pin";

	crypto_generichash_blake2b_salt_personal(
	    auth, COMPANION_AUTH_SIZE, pin, len, NULL, 0, s->salt, personal);
}

static int exit_errno(int code)
{
	switch (code) {
	case COMPANION_EXIT_NO_TPM:
		return -ENODEV;
	case COMPANION_EXIT_BAD_PIN:
		return -EACCES;
	case COMPANION_EXIT_LOCKOUT:
	case COMPANION_EXIT_PCR:
		return -EKEYREJECTED;
	case COMPANION_EXIT_DAMAGED:
		return -EBADMSG;
	case COMPANION_EXIT_UNENFORCED:
		return -EDOM;
	case COMPANION_EXIT_BOOT_PCR:
		return -ESTALE;
	case COMPANION_EXIT_FULL:
		return -EAGAIN;
	case COMPANION_EXIT_SIGNATURE:
	case COMPANION_EXIT_BAD_SIGNATURE:
		return -EKEYREJECTED;
	default:
		return -EIO;
	}
}

static const struct companion tpm2_companion = {
    .name = COMPANION_NAME,
    .prefix = COMPANION_MSG_PREFIX,
    .what = "TPM",
    .timeout_s = PIN_TIMEOUT_S,
    .exit_errno = exit_errno,
};

static int run_companion(const char *const *args, size_t nargs,
			 const uint8_t *in, size_t in_len, struct secbuf *out,
			 struct fsp_problem *why)
{
	return companion_run(&tpm2_companion, args, nargs, in, in_len, out,
			     why);
}

bool tpm2_device_managed(const char *device)
{
	char real[PATH_MAX];
	const char *base;

	if (!device || !strcmp(device, "auto") || !strncmp(device, "tabrmd", 6))
		return true;
	if (!strncmp(device, "device:", 7))
		device += 7;
	if (device[0] != '/')
		return false; /* swtpm:, mssim:, and the others: the TPM itself
			       */
	/* A link to the kernel's resource manager is the manager. */
	if (realpath(device, real))
		device = real;
	base = strrchr(device, '/') + 1;
	return !strncmp(base, "tpmrm", 5);
}

static bool flushed_some(const char *device)
{
	struct fsp_problem why = {0};
	unsigned n = 0;

	return tpm2_flush_leftovers(device, &n, &why) == 0 && n;
}

/* What one seal, unseal, check or flush is about. */
struct object_req {
	const char *op, *device;
	uint32_t pcrs;
	bool pin, system;     /* system: seal for the running system */
	const char *boot;     /* seal: the boot PCR's record, or NULL */
	uint32_t signed_pcrs; /* a signed policy's PCRs, or 0 */
};

/* One piece of the companion's stdin, after the authValue. */
struct part {
	const uint8_t *p;
	size_t n;
};

/* The companion's arguments for q, in args (7), formatted in mask and
 * boot, sig; how many. */
static size_t object_args(const struct object_req *q, const char **args,
			  char mask[16], char *boot, size_t bn, char sig[24])
{
	size_t n = 3;

	args[0] = q->op;
	args[1] = q->device ? q->device : "auto";
	args[2] = mask;
	snprintf(mask, 16, "%x", (unsigned)q->pcrs);
	if (!q->pin)
		args[n++] = "nopin";
	if (q->boot) {
		snprintf(boot, bn, "boot=%s", q->boot);
		args[n++] = boot;
	}
	if (q->system)
		args[n++] = "phase=system";
	if (q->signed_pcrs) {
		snprintf(sig, 24, "signed=%x", (unsigned)q->signed_pcrs);
		args[n++] = sig;
	}
	return n;
}

/*
 * One call of the companion: auth (zeros when NULL) then the parts on its
 * stdin, through locked memory; its answer in out (cap bytes, locked),
 * freed again on failure.
 */
static int companion_call(const struct object_req *q, const uint8_t *auth,
			  const struct part *parts, size_t np,
			  struct secbuf *out, size_t cap,
			  struct fsp_problem *why)
{
	static const uint8_t none[COMPANION_AUTH_SIZE];
	char mask[16], boot[sizeof("boot=") + 2 * 64 + 1], sig[24];
	const char *args[7];
	size_t n = object_args(q, args, mask, boot, sizeof(boot), sig);
	size_t len = COMPANION_AUTH_SIZE;
	struct secbuf in;
	int r;

	for (size_t i = 0; i < np; i++)
		len += parts[i].n;
	if (len > COMPANION_IN_MAX)
		return problem_set(why, OP_UNWRAP, -E2BIG,
				   "more for the TPM than %s takes (%zu bytes)",
				   COMPANION_NAME, len);
	r = secbuf_alloc(&in, len);
	if (r < 0)
		return problem_set(why, OP_UNWRAP, r,
				   "no locked memory for the PIN");
	memcpy(in.data, auth ? auth : none, COMPANION_AUTH_SIZE);
	in.len = COMPANION_AUTH_SIZE;
	for (size_t i = 0; i < np; i++) {
		/* An empty part may have no buffer at all. */
		if (parts[i].n)
			memcpy(in.data + in.len, parts[i].p, parts[i].n);
		in.len += parts[i].n;
	}
	r = secbuf_alloc(out, cap);
	if (r < 0)
		problem_set(why, OP_UNWRAP, r,
			    "no locked memory for the TPM's answer");
	else
		r = run_companion(args, n, in.data, in.len, out, why);
	/* A TPM filled by others: once more if flushing made room. Nothing
	 * was authorized yet, so no PIN try was spent. */
	if (r == -EAGAIN && strcmp(q->op, "flush") && flushed_some(q->device))
		r = run_companion(args, n, in.data, in.len, out, why);
	secbuf_free(&in);
	if (r < 0)
		secbuf_free(out);
	return r;
}

int companion_seal(const struct tpm2_object_spec *o, const uint8_t *secret,
		   uint8_t *blob, size_t cap, size_t *len,
		   struct fsp_problem *why)
{
	struct object_req q = {"seal",		o->device, o->pcrs,
			       o->auth != NULL, o->system, o->boot,
			       o->signed_pcrs};
	struct part parts[] = {{secret, COMPANION_SECRET_SIZE},
			       {o->signer, o->signed_pcrs ? o->signer_len : 0}};
	struct secbuf out;
	int r = companion_call(&q, o->auth, parts, 2, &out,
			       COMPANION_IN_MAX + 1, why);

	if (r < 0)
		return r;
	if (out.len == 0 || out.len > cap)
		r = problem_set(why, OP_UNWRAP, -EPROTO,
				"%s gave %zu bytes of sealed data",
				COMPANION_NAME, out.len);
	else
		memcpy(blob, out.data, *len = out.len);
	secbuf_free(&out);
	return r;
}

/* The request for slot t, and its stdin after the authValue: the blob,
 * or for a signed policy its length (le16) and then the signatures. */
static size_t slot_req(const char *op, const char *device,
		       const struct tpm2_slot *t, const uint8_t *sigs,
		       size_t sigs_len, uint8_t le[2], struct object_req *q,
		       struct part parts[3])
{
	bool sig = t->flags & TPM2_FLAG_SIGNED;

	*q = (struct object_req){.op = op, .device = device, .pcrs = t->pcrs};
	q->pin = t->flags & TPM2_FLAG_PIN;
	q->signed_pcrs = sig ? t->pubkey_pcrs : 0;
	le[0] = (uint8_t)t->blob_len;
	le[1] = (uint8_t)(t->blob_len >> 8);
	parts[0] = (struct part){le, sig ? 2 : 0};
	parts[1] = (struct part){t->blob, t->blob_len};
	parts[2] = (struct part){sigs, sig ? sigs_len : 0};
	return 3;
}

int companion_check(const char *device, const struct tpm2_slot *t,
		    unsigned *left, struct fsp_problem *why)
{
	struct object_req q;
	struct part parts[3];
	struct secbuf out;
	uint8_t le[2];
	size_t np = slot_req("check", device, t, NULL, 0, le, &q, parts);
	int r = companion_call(&q, NULL, parts, np, &out, 64, why);

	if (r < 0)
		return r;
	out.data[out.len] = '\0';
	*left = (unsigned)strtoul((const char *)out.data, NULL, 10);
	secbuf_free(&out);
	return 0;
}

int companion_unseal(const char *device, const struct tpm2_slot *t,
		     const uint8_t *auth, const uint8_t *sigs, size_t sigs_len,
		     struct secbuf *out, struct fsp_problem *why)
{
	struct object_req q;
	struct part parts[3];
	uint8_t le[2];
	size_t np =
	    slot_req("unseal", device, t, sigs, sigs_len, le, &q, parts);
	int r =
	    companion_call(&q, auth, parts, np, out, COMPANION_IN_MAX + 1, why);

	if (r == 0 && out->len != COMPANION_SECRET_SIZE) {
		r = problem_set(why, OP_UNWRAP, -EBADMSG,
				"the TPM gave %zu bytes, not the %d sealed",
				out->len, COMPANION_SECRET_SIZE);
		secbuf_free(out);
	}
	return r;
}

int companion_extend(const char *device, char *line, size_t n,
		     struct fsp_problem *why)
{
	const char *args[] = {"extend", device ? device : "auto"};
	struct secbuf out;
	int r = secbuf_alloc(&out, 256);

	if (r < 0)
		return problem_set(why, OP_UNWRAP, r, "out of locked memory");
	r = run_companion(args, 2, NULL, 0, &out, why);
	if (r == 0)
		snprintf(line, n, "%.*s", (int)out.len, (const char *)out.data);
	secbuf_free(&out);
	return r;
}

int tpm2_flush_leftovers(const char *device, unsigned *n,
			 struct fsp_problem *why)
{
	struct object_req q = {.op = "flush", .device = device, .pin = true};
	struct secbuf out;
	int r;

	*n = 0;
	if (tpm2_device_managed(device))
		return 0;
	r = companion_call(&q, NULL, NULL, 0, &out, 64, why);
	if (r < 0)
		return r;
	out.data[out.len] = '\0';
	*n = (unsigned)strtoul((const char *)out.data, NULL, 10);
	secbuf_free(&out);
	return 0;
}
