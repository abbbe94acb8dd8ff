/* SPDX-License-Identifier: MIT */
/* Running a program, with no shell, for what it writes on stdout. */
#ifndef FSP_SHARED_RUN_PROGRAM_H
#define FSP_SHARED_RUN_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/secmem.h"
#include "shared/trust.h"

#define RUN_INPUT_MAX 4096

struct run_opts {
	unsigned timeout_s; /* 0: wait for ever */
	bool interactive;   /* keeps stdin and the process group (askpass) */
	/* When set, stdin is a pipe carrying these bytes, written before any
	 * output is read: at most RUN_INPUT_MAX, what a pipe holds even when
	 * the user's pipe-pages limit shrinks it to one page. */
	const uint8_t *input;
	size_t input_len;
	/* When set, stderr is kept here (NUL-ended, cut at errcap - 1)
	 * instead of inherited: for messages we translate. */
	char *errbuf;
	size_t errcap;
	/* The program as run_trusted() opened it, for callers that want its
	 * refusal in words; when NULL, run_capture() checks argv[0] itself. */
	const struct run_prog *prog;
	/* NAME=VALUE strings set in the program's environment only, or NULL. */
	const char *const *env;
};

/*
 * Runs argv (argv[0] an absolute path, checked as run_trusted() does and
 * run through the descriptor checked, never looked up again) and reads its
 * standard output into out, which the caller allocated (locked); stderr is
 * inherited unless errbuf is set, stdin is /dev/null unless interactive or
 * input is set; its RLIMIT_CORE is 0. Returns 0 when it exited 0; -ETIME
 * when it ran past the timeout (it and its process group are killed);
 * -E2BIG when it wrote more than out->cap - 1 bytes (or input is over
 * RUN_INPUT_MAX); -ECHILD when it failed, with *status its wait status; or
 * -errno when it could not be started (-ENOENT, -EACCES; -EPERM or
 * -ENOEXEC: refused by the check).
 */
int run_capture(const char *const *argv, const struct run_opts *o,
		struct secbuf *out, int *status);

#endif
