/* SPDX-License-Identifier: MIT */
/*
 * A failure described for whoever reports it: the layers below the
 * commands never print, they fill one of these and return its exit code.
 */
#ifndef FSP_SHARED_PROBLEM_H
#define FSP_SHARED_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>

#include "shared/errors.h"

#include "shared/exit_code.h"

struct fsp_problem {
	int exit;	/* FSP_EXIT_*; FSP_EXIT_OK while nothing failed */
	enum fsp_op op; /* with err */
	int err;	/* -errno, or 0 */
	/* text is X of "unable to X: <op's reason for err>"; else it is the
	 * whole message. */
	bool unable;
	char text[768];
};

/* Records "unable to <fmt>" failing with err; returns its exit code. */
int problem_errno(struct fsp_problem *p, enum fsp_op op, int err,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Records a complete message with exit code code; returns code. */
int problem_msg(struct fsp_problem *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * What is wrong with the thing at hand, in the words its caller puts after
 * the thing's name ("is a symbolic link"): err, and the exit code that op
 * gives it (errors.c). Returns err. p may be NULL.
 */
int problem_set(struct fsp_problem *p, enum fsp_op op, int err, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
/* p's exit code when p describes err itself; else (only words were set,
 * or for another errno) the one op gives err. */
int problem_exit(const struct fsp_problem *p, enum fsp_op op, int err);
/* Only the words, for a caller that knows the errno and the exit code. */
void problem_text(struct fsp_problem *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Puts the thing's name before what problem_set() said. */
void problem_prefix(struct fsp_problem *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
