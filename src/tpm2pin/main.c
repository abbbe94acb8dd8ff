// SPDX-License-Identifier: MIT
/*
 * fscrypt-provision-tpm2: the TPM side of tpm2 slots with a PIN, for the
 * static helper (tpm2_pin.h has the protocol). Secrets come on stdin and
 * go out on stdout, through locked memory; never argv or the environment.
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

#define FSP_TPM2_PIN_COMPANION
#include "../readfull.h"
#include "../tpm2_pin.h"
#include "tpm.h"

struct io {
	uint8_t in[TPM2_PIN_IN_MAX];
	uint8_t out[TPM2_PIN_IN_MAX];
	size_t in_len, out_len;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: %s seal|unseal|check TCTI PCRMASK\n"
		"The TPM side of fscrypt-provision's tpm2 slots with a PIN: "
		"run by fscrypt-provision, not by people (see "
		"fscrypt-slots(5)).\n",
		TPM2_PIN_COMPANION);
	return TPM2_PIN_EXIT_USAGE;
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

static int run(const char *op, const char *tcti, uint32_t pcrs, struct io *io,
	       char *why, size_t wn)
{
	const uint8_t *auth = io->in, *rest = io->in + TPM2_PIN_AUTH_SIZE;
	size_t rest_len = io->in_len - TPM2_PIN_AUTH_SIZE;
	unsigned left = 0;
	int code;

	if (!strcmp(op, "seal")) {
		if (rest_len != TPM2_PIN_SECRET_SIZE)
			return usage();
		return tpm_seal(tcti, pcrs, auth, TPM2_PIN_AUTH_SIZE, rest,
				rest_len, io->out, sizeof(io->out),
				&io->out_len, why, wn);
	}
	if (strcmp(op, "unseal") && strcmp(op, "check"))
		return usage();
	code = tpm_unseal(tcti, pcrs, strcmp(op, "check") ? auth : NULL,
			  TPM2_PIN_AUTH_SIZE, rest, rest_len, io->out,
			  sizeof(io->out), &io->out_len, &left, why, wn);
	if (code == 0 && !strcmp(op, "check"))
		io->out_len = (size_t)snprintf((char *)io->out, sizeof(io->out),
					       "%u\n", left);
	return code;
}

int main(int argc, char **argv)
{
	static struct io io;
	char why[1024] = "", *end;
	unsigned long pcrs;
	int code;

	if (argc != 4)
		return usage();
	errno = 0;
	pcrs = strtoul(argv[3], &end, 16);
	if (errno || *end || end == argv[3] || pcrs >= (1ul << 24))
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
		fprintf(stderr, TPM2_PIN_MSG_PREFIX "cannot lock memory: %m\n");
		return TPM2_PIN_EXIT_FAILED;
	}
	code = read_full(0, io.in, sizeof(io.in), &io.in_len);
	if (code < 0 || io.in_len < TPM2_PIN_AUTH_SIZE) {
		fprintf(stderr, TPM2_PIN_MSG_PREFIX "bad input on stdin\n");
		code = TPM2_PIN_EXIT_USAGE;
	} else {
		code = run(argv[1], argv[2], (uint32_t)pcrs, &io, why,
			   sizeof(why));
	}
	if (code == 0 && write_all(io.out, io.out_len) < 0)
		code = TPM2_PIN_EXIT_FAILED;
	if (code && code != TPM2_PIN_EXIT_USAGE)
		fprintf(stderr, TPM2_PIN_MSG_PREFIX "%s\n", why);
	explicit_bzero(&io, sizeof(io));
	return code;
}
