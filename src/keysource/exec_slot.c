// SPDX-License-Identifier: MIT
/* exec slots: a program of the owner's that prints the slot's secret. */
#define _GNU_SOURCE
#include "keysource/exec_slot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "basic/test_pause.h"
#include "shared/problem.h"
#include "shared/run_program.h"
#include "slots/format.h"

#define EXEC_OUTPUT_MIN 16
#define EXEC_OUTPUT_MAX 4096

int slot_exec_secret(const struct slot *s, struct secbuf *out,
		     struct fsp_problem *why)
{
	const char *argv[SLOT_EXEC_ARGS_MAX + 1];
	struct run_prog prog;
	struct run_opts o = {.timeout_s = s->timeout, .prog = &prog};
	int r, st = 0;

	if (slot_exec_argv(s, argv) < 0)
		return problem_set(why, OP_UNWRAP, -EINVAL, "has no program");
	r = run_trusted(argv[0], &prog, why);
	if (r < 0)
		return r;
	test_pause("exec-checked");
	r = secbuf_alloc(out, EXEC_OUTPUT_MAX + 1);
	if (r < 0) {
		run_prog_close(&prog);
		return problem_set(why, OP_UNWRAP, r,
				   "no locked memory for its output");
	}
	r = run_capture(argv, &o, out, &st);
	run_prog_close(&prog);
	if (r == -ECHILD && WIFEXITED(st))
		problem_text(why, "%s exited with status %d", argv[0],
			     WEXITSTATUS(st));
	else if (r == -ECHILD)
		problem_text(why, "%s was killed by signal %d", argv[0],
			     WTERMSIG(st));
	else if (r == -ETIME)
		problem_text(why, "%s took more than %u s and was killed",
			     argv[0], s->timeout);
	else if (r == -E2BIG)
		problem_text(why, "%s wrote more than %d bytes", argv[0],
			     EXEC_OUTPUT_MAX);
	else if (r < 0)
		problem_text(why, "%s could not be run: %s", argv[0],
			     strerror(-r));
	else if (out->len < EXEC_OUTPUT_MIN) {
		problem_text(why, "%s wrote %zu bytes, fewer than %d", argv[0],
			     out->len, EXEC_OUTPUT_MIN);
		r = -ENODATA;
	}
	if (r < 0)
		secbuf_free(out);
	return r;
}
