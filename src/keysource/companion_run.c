// SPDX-License-Identifier: MIT
/* Running a companion program (keysource/companion_run.h). */
#define _GNU_SOURCE
#include "keysource/companion_run.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/run_program.h"

#define COMPANION_MSGS_MAX 4096

#ifndef FSP_LIBEXECDIR
#define FSP_LIBEXECDIR "/usr/lib/fscrypt-provision"
#endif

/* Beside ourselves (a build tree, or an initramfs that copied both), then
 * where make install puts it for our PREFIX, then for the one we were
 * built for. */
static int companion_path(const struct companion *c, char *path, size_t n,
			  struct run_prog *prog, struct fsp_problem *why)
{
	static const char *const rel[] = {"", "/../lib/fscrypt-provision"};
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (len > 0) {
		self[len] = '\0';
		slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; slash && i < sizeof(rel) / sizeof(*rel);
		     i++) {
			snprintf(path, n, "%s%s/%s", self, rel[i], c->name);
			if (access(path, X_OK) == 0)
				return run_trusted(path, prog, why);
		}
	}
	snprintf(path, n, "%s/%s", FSP_LIBEXECDIR, c->name);
	if (access(path, X_OK) < 0)
		return problem_set(why, OP_UNWRAP, -ENODEV,
				   "no %s support here: %s is not "
				   "installed",
				   c->what, path);
	return run_trusted(path, prog, why);
}

/* The companion's own line, without its libraries'. */
static void last_line(const struct companion *c, const char *msgs,
		      struct fsp_problem *why)
{
	const char *p = msgs, *hit = NULL, *nl;
	size_t plen = strlen(c->prefix);

	for (; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (!strncmp(p, c->prefix, plen))
			hit = p + plen;
	}
	if (!hit) {
		problem_text(why, "%s failed and said nothing", c->name);
		return;
	}
	nl = strchr(hit, '\n');
	problem_text(why, "%.*s", (int)(nl ? nl - hit : (ptrdiff_t)strlen(hit)),
		     hit);
}

int companion_run(const struct companion *c, const char *const *args,
		  size_t nargs, const uint8_t *in, size_t in_len,
		  struct secbuf *out, struct fsp_problem *why)
{
	char path[PATH_MAX + 64], msgs[COMPANION_MSGS_MAX] = "";
	const char *argv[9] = {path}; /* the path, 7 arguments, NULL */
	struct run_prog prog;
	struct run_opts ro = {.timeout_s = c->timeout_s,
			      .input = in,
			      .input_len = in_len,
			      .errbuf = msgs,
			      .errcap = sizeof(msgs),
			      .prog = &prog};
	int r, st = 0;

	r = nargs + 2 > sizeof(argv) / sizeof(*argv)
		? problem_set(why, OP_UNWRAP, -E2BIG, "%zu arguments for %s",
			      nargs, c->name)
		: companion_path(c, path, sizeof(path), &prog, why);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	r = run_capture(argv, &ro, out, &st);
	run_prog_close(&prog);
	if (r == -ECHILD && WIFEXITED(st)) {
		last_line(c, msgs, why);
		return c->exit_errno(WEXITSTATUS(st));
	}
	if (r == -ECHILD)
		return problem_set(why, OP_UNWRAP, -EIO,
				   "%s was killed by signal %d", c->name,
				   WTERMSIG(st));
	if (r == -ETIME)
		return problem_set(why, OP_UNWRAP, r,
				   "%s did not answer within %d s", c->what,
				   c->timeout_s);
	if (r == -E2BIG)
		return problem_set(why, OP_UNWRAP, -EPROTO,
				   "%s wrote more than expected", c->name);
	if (r < 0)
		return problem_set(why, OP_UNWRAP, r, "%s could not be run: %s",
				   path, strerror(-r));
	return 0;
}
