/* SPDX-License-Identifier: MIT */
/*
 * Running a companion: a program of ours linked with shared libraries that
 * the static helper cannot hold (the TSS, p11-kit). Found beside the
 * helper, then where make install puts it; run as a trusted program, its
 * secrets through stdin and stdout, its last line on stderr the reason,
 * its exit status an outcome of its protocol.
 */
#ifndef FSP_KEYSOURCE_COMPANION_RUN_H
#define FSP_KEYSOURCE_COMPANION_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "basic/secmem.h"
#include "shared/problem.h"

struct companion {
	const char *name;   /* its file name */
	const char *prefix; /* how its own lines on stderr start */
	const char *what;   /* what it speaks to, for people: "TPM" */
	int timeout_s;
	int (*exit_errno)(int code); /* its exit status to -errno */
};

/*
 * Runs c with args (at most 7), in on its stdin; its stdout into out. 0, or
 * the -errno of its exit status with its reason in why, or -ETIME, -EIO,
 * -EPROTO, -ENODEV (not installed).
 */
int companion_run(const struct companion *c, const char *const *args,
		  size_t nargs, const uint8_t *in, size_t in_len,
		  struct secbuf *out, struct fsp_problem *why);

#endif
