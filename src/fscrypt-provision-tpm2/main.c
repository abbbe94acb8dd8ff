// SPDX-License-Identifier: MIT
/*
 * fscrypt-provision-tpm2: the TPM side of tpm2 slots with a PIN, for the
 * static helper (shared/companion_protocol.h has the protocol). Secrets come on
 * stdin and go out on stdout, through locked memory; never argv or the
 * environment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/read_full.h"
#include "fscrypt-provision-tpm2/tpm.h"
#include "shared/companion_protocol.h"

struct io {
	uint8_t in[COMPANION_IN_MAX];
	uint8_t out[COMPANION_IN_MAX];
	size_t in_len, out_len;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: %s seal|unseal|check|flush TCTI PCRMASK [nopin] "
		"[boot=BEFORE,AFTER] [phase=system] [signed=PCRMASK]\n"
		"       %s extend TCTI\n"
		"The TPM side of fscrypt-provision's tpm2 slots: run by "
		"fscrypt-provision, not by people (see fscrypt-slots(5)).\n",
		COMPANION_NAME, COMPANION_NAME);
	return COMPANION_EXIT_USAGE;
}

/* The options after the operation's words. */
struct args {
	const char *op, *tcti;
	struct tpm_policy policy;
	struct boot_pcr boot;
};

/* A hex digit's value, or -1. By hand, as the mask below: glibc 2.38's
 * sscanf and strtoul are new symbols (C23), and the companion built on a
 * newer Debian must still run on an older one's C library. */
static int nibble(char c)
{
	static const char digits[] = "0123456789abcdef";
	const char *p = c ? strchr(digits, c | 0x20) : NULL;

	return p ? (int)(p - digits) : -1;
}

/* n bytes of hex at s (the helper's hex_decode), ended by NUL or ','. */
static int unhex(const char *s, uint8_t *out, size_t n)
{
	size_t len = strnlen(s, 2 * n + 1);

	if (len < 2 * n || hex_decode(s, 2 * n, out, n) < 0)
		return -1;
	return s[2 * n] == '\0' || s[2 * n] == ',' ? 0 : -1;
}

/* A PCR mask as the helper writes it ("%x"): 1 to 6 hex digits. */
static int mask_arg(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	size_t n = 0;

	for (; s[n]; n++) {
		int d = nibble(s[n]);

		if (d < 0 || n == 6)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return n ? 0 : -1;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	uint32_t mask;

	if (argc < 3)
		return -1;
	a->op = argv[1];
	a->tcti = argv[2];
	if (!strcmp(a->op, "extend"))
		return argc == 3 ? 0 : -1;
	if (argc < 4 || mask_arg(argv[3], &a->policy.pcrs) < 0)
		return -1;
	a->policy.pin = true;
	for (int i = 4; i < argc; i++) {
		const char *v = argv[i] + 5, *comma = strchr(v, ',');

		if (!strcmp(argv[i], "nopin"))
			a->policy.pin = false;
		else if (!strcmp(argv[i], "phase=system"))
			a->policy.system = true;
		else if (!strncmp(argv[i], "signed=", 7) &&
			 mask_arg(argv[i] + 7, &mask) == 0 && mask)
			a->policy.signed_pcrs = mask;
		else if (!strncmp(argv[i], "boot=", 5) && comma &&
			 unhex(v, a->boot.before, PCR_SIZE) == 0 &&
			 unhex(comma + 1, a->boot.after, PCR_SIZE) == 0)
			a->policy.boot = &a->boot;
		else
			return -1;
	}
	return 0;
}

static void hex_line(const uint8_t *a, const uint8_t *b, uint8_t *out,
		     size_t *len)
{
	char *p = (char *)out;

	for (size_t i = 0; i < PCR_SIZE; i++)
		p += sprintf(p, "%02x", a[i]);
	*p++ = ' ';
	for (size_t i = 0; i < PCR_SIZE; i++)
		p += sprintf(p, "%02x", b[i]);
	*p++ = '\n';
	*len = (size_t)(p - (char *)out);
}

static int write_all(const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(1, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The secret, then for a signed policy the signing key's DER. */
static int seal(const struct args *a, struct io *io, char *why, size_t wn)
{
	const uint8_t *rest = io->in + COMPANION_AUTH_SIZE;
	size_t rest_len = io->in_len - COMPANION_AUTH_SIZE;
	struct tpm_policy p = a->policy;

	if (rest_len < COMPANION_SECRET_SIZE ||
	    (rest_len > COMPANION_SECRET_SIZE) != !!p.signed_pcrs)
		return usage();
	p.signer = rest + COMPANION_SECRET_SIZE;
	p.signer_len = rest_len - COMPANION_SECRET_SIZE;
	return tpm_seal(a->tcti, &p, io->in, COMPANION_AUTH_SIZE, rest,
			COMPANION_SECRET_SIZE, io->out, sizeof(io->out),
			&io->out_len, why, wn);
}

static int run(const struct args *a, struct io *io, char *why, size_t wn)
{
	const uint8_t *auth = io->in, *rest = io->in + COMPANION_AUTH_SIZE;
	size_t rest_len = io->in_len - COMPANION_AUTH_SIZE;
	struct tpm_policy p = a->policy;
	uint8_t before[PCR_SIZE], after[PCR_SIZE];
	unsigned left = 0;
	int code;

	if (!strcmp(a->op, "extend")) {
		code = tpm_extend_boot(a->tcti, before, after, why, wn);
		if (code == 0)
			hex_line(before, after, io->out, &io->out_len);
		return code;
	}
	if (!strcmp(a->op, "flush")) {
		unsigned n = 0;

		code = tpm_flush(a->tcti, &n, why, wn);
		io->out_len = (size_t)snprintf((char *)io->out, sizeof(io->out),
					       "%u\n", n);
		return code;
	}
	if (!strcmp(a->op, "seal"))
		return seal(a, io, why, wn);
	if (strcmp(a->op, "unseal") && strcmp(a->op, "check"))
		return usage();
	/* A signed policy's blob comes with its length, then the
	 * signatures. */
	if (a->policy.signed_pcrs) {
		size_t blen =
		    rest_len < 2 ? 0 : (size_t)(rest[0] | rest[1] << 8);

		if (rest_len < 2 || rest_len - 2 < blen)
			return usage();
		p.sigs = rest + 2 + blen;
		p.sigs_len = rest_len - 2 - blen;
		rest += 2;
		rest_len = blen;
	}
	code = tpm_unseal(a->tcti, &p, strcmp(a->op, "check") ? auth : NULL,
			  COMPANION_AUTH_SIZE, rest, rest_len, io->out,
			  sizeof(io->out), &io->out_len, &left, why, wn);
	if (code == 0 && !strcmp(a->op, "check"))
		io->out_len = (size_t)snprintf((char *)io->out, sizeof(io->out),
					       "%u\n", left);
	return code;
}

int main(int argc, char **argv)
{
	static struct io io;
	static struct args a;
	char why[1024] = "";
	int code;

	if (parse_args(argc, argv, &a) < 0)
		return usage();
	/* The TSS logs to stderr, where the helper reads our one line; its
	 * debug output could hold what the TPM sent. */
	setenv("TSS2_LOG", "all+none", 1);
	/* The TSS keeps the PIN's authValue and the unsealed secret on its
	 * own heap: lock all of it, and dump none of it. */
	prctl(PR_SET_DUMPABLE, 0);
	setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0 &&
	    mlock(&io, sizeof(io)) < 0) {
		fprintf(stderr,
			COMPANION_MSG_PREFIX "cannot lock memory: %m\n");
		return COMPANION_EXIT_FAILED;
	}
	/* extend takes nothing on stdin: as if an empty PIN came. */
	io.in_len = COMPANION_AUTH_SIZE;
	code = strcmp(a.op, "extend")
		   ? read_full(0, io.in, sizeof(io.in), &io.in_len)
		   : 0;
	if (code < 0 || io.in_len < COMPANION_AUTH_SIZE) {
		fprintf(stderr, COMPANION_MSG_PREFIX "bad input on stdin\n");
		code = COMPANION_EXIT_USAGE;
	} else {
		code = run(&a, &io, why, sizeof(why));
	}
	if (code == 0 && write_all(io.out, io.out_len) < 0)
		code = COMPANION_EXIT_FAILED;
	if (code && code != COMPANION_EXIT_USAGE)
		fprintf(stderr, COMPANION_MSG_PREFIX "%s\n", why);
	explicit_bzero(&io, sizeof(io));
	return code;
}
