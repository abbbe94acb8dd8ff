/* SPDX-License-Identifier: MIT */
/*
 * A failure described for whoever reports it: the layers below the
 * commands never print, they fill one of these and return its exit code.
 */
#ifndef FSP_SHARED_PROBLEM_H
#define FSP_SHARED_PROBLEM_H

#include "shared/errors.h"
#include <stddef.h>

#include "shared/exit_code.h"

struct fsp_problem {
	int exit;	/* FSP_EXIT_*; FSP_EXIT_OK while nothing failed */
	enum fsp_op op; /* with err */
	int err;	/* -errno: "unable to <text>: <reason of op, err>" */
	char text[768]; /* err == 0: the whole message */
};

/* Records "unable to <fmt>" failing with err; returns its exit code. */
int problem_errno(struct fsp_problem *p, enum fsp_op op, int err,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Records a complete message with exit code code; returns code. */
int problem_msg(struct fsp_problem *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Writes a sentence into detail (detail_len bytes; nothing when NULL) for
 * the layers that explain a -errno to their caller; returns err.
 */
int detail_set(char *detail, size_t detail_len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
