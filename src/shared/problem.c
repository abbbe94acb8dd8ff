// SPDX-License-Identifier: MIT
/* A failure described for whoever reports it (see shared/problem.h). */
#define _GNU_SOURCE
#include "shared/problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int problem_errno(struct fsp_problem *p, enum fsp_op op, int err,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
	p->op = op;
	p->err = err;
	p->unable = true;
	p->exit = describe_error(op, err).exit;
	return p->exit;
}

int problem_msg(struct fsp_problem *p, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
	p->err = 0;
	p->unable = false;
	p->exit = code;
	return code;
}

int problem_set(struct fsp_problem *p, enum fsp_op op, int err, const char *fmt,
		...)
{
	va_list ap;

	if (!p)
		return err;
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
	p->op = op;
	p->err = err;
	p->unable = false;
	p->exit = exit_code_for(op, err);
	return err;
}

int problem_exit(const struct fsp_problem *p, enum fsp_op op, int err)
{
	/* Words set for another errno than the one that failed (a slot
	 * refused, then none left) do not decide the code. */
	return p->exit && p->err == err ? p->exit : exit_code_for(op, err);
}

void problem_text(struct fsp_problem *p, const char *fmt, ...)
{
	va_list ap;

	if (!p)
		return;
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
	p->unable = false;
}

void problem_prefix(struct fsp_problem *p, const char *fmt, ...)
{
	char rest[sizeof(p->text)];
	va_list ap;
	int n;

	memcpy(rest, p->text, sizeof(rest));
	va_start(ap, fmt);
	n = vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(p->text)) {
		size_t len = strnlen(rest, sizeof(p->text) - (size_t)n - 1);

		memcpy(p->text + n, rest, len);
		p->text[(size_t)n + len] = '\0';
	}
}
