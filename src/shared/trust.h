/* SPDX-License-Identifier: MIT */
/*
 * Opening a program to be run as root with a key at stake, checked all the
 * way from /, and running exactly what was checked.
 */
#ifndef FSP_SHARED_TRUST_H
#define FSP_SHARED_TRUST_H

#include <stddef.h>

#include "shared/problem.h"

/* What the kernel reads of a script's #! line (BINPRM_BUF_SIZE). */
#define TRUST_LINE_MAX 256
/* Arguments run_prog_exec() passes on, argv[0] included. */
#define TRUST_ARGS_MAX 64

struct run_prog {
	int fd;	    /* O_PATH: the program, as checked */
	int script; /* a script's text, opened for reading; else -1 */
	int interp; /* O_PATH: a script's interpreter, as checked; else -1 */
	char interp_path[TRUST_LINE_MAX]; /* as its #! line names it */
	char interp_arg[TRUST_LINE_MAX];  /* its one argument, or "" */
};

/*
 * Opens path (absolute) for run_prog_exec() if no one but root (or us) can
 * change what it runs: every directory from / down, every symbolic link
 * on the way and each component of its target, the file itself and, for a
 * script, its #! interpreter the same way. 0, or -errno (-EPERM: someone
 * else could; -ENOEXEC: a #! line we do not run) with why saying what to
 * change. p is then to be closed with run_prog_close().
 */
int run_trusted(const char *path, struct run_prog *p, struct fsp_problem *why);

void run_prog_close(struct run_prog *p);

/*
 * In a forked child: runs p's descriptor with argv (a script: its checked
 * interpreter, with the script as /proc/self/fd/N). Returns only when
 * that failed, with errno set.
 */
void run_prog_exec(const struct run_prog *p, const char *const *argv);

#endif
