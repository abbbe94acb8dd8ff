/* SPDX-License-Identifier: MIT */
/* Running a program, with no shell, for what it writes on stdout. */
#ifndef FSP_RUNPROG_H
#define FSP_RUNPROG_H

#include <stdbool.h>

#include "secmem.h"

struct run_opts {
	unsigned timeout_s; /* 0: wait for ever */
	bool interactive;   /* keeps stdin and the process group (askpass) */
};

/*
 * Runs argv (argv[0] an absolute path, executed as it is) and reads its
 * standard output into out, which the caller allocated (locked); stderr
 * is inherited, stdin is /dev/null unless interactive. Returns 0 when it
 * exited 0; -ETIME when it ran past the timeout (it and its process group
 * are killed); -E2BIG when it wrote more than out->cap - 1 bytes;
 * -ECHILD when it failed, with *status its wait status; or -errno when it
 * could not be started (-ENOENT, -EACCES).
 */
int run_capture(const char *const *argv, const struct run_opts *o,
		struct secbuf *out, int *status);

#endif
