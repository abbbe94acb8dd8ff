// SPDX-License-Identifier: MIT
/* A failure described for whoever reports it (see shared/problem.h). */
#include "shared/problem.h"

#include <stdarg.h>
#include <stdio.h>

int problem_errno(struct fsp_problem *p, enum fsp_op op, int err,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
	p->op = op;
	p->err = err;
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
	p->exit = code;
	return code;
}

int detail_set(char *detail, size_t detail_len, int err, const char *fmt, ...)
{
	va_list ap;

	if (!detail || detail_len == 0)
		return err;
	va_start(ap, fmt);
	vsnprintf(detail, detail_len, fmt, ap);
	va_end(ap);
	return err;
}
