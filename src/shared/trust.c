// SPDX-License-Identifier: MIT
/*
 * Whether a program may run as root with a key at stake (shared/trust.h): its
 * path and, for a script, its interpreter's, checked all the way
 * (shared/trust_walk.c); the descriptors reached are what runs, so that nothing
 * can be swapped in between.
 */
#define _GNU_SOURCE
#include "shared/trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basic/libc_compat.h"
#include "shared/trust_walk.h"

/*
 * Splits a #! line as the kernel does: the interpreter up to a blank,
 * then the rest of the line, trimmed of blanks, as its one argument.
 */
static int split_line(const struct walk *w, const char *buf, size_t n,
		      struct run_prog *p)
{
	const char *end = buf + 2, *s, *e;

	while (end < buf + n && *end != '\n' && *end != '\0')
		end++;
	if (end == buf + n && n == TRUST_LINE_MAX)
		return walk_refuse(
		    w, -ENOEXEC,
		    "its #! line is longer than the %d bytes the "
		    "kernel reads",
		    TRUST_LINE_MAX - 1);
	while (end > buf + 2 && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (s = buf + 2; s < end && (*s == ' ' || *s == '\t'); s++)
		;
	for (e = s; e < end && *e != ' ' && *e != '\t'; e++)
		;
	if (e == s || *s != '/')
		return walk_refuse(
		    w, -ENOEXEC,
		    "its #! line names %s%.*s, not an interpreter by "
		    "its absolute path; refusing to run it",
		    e == s ? "nothing" : "", (int)(e - s), s);
	snprintf(p->interp_path, sizeof(p->interp_path), "%.*s", (int)(e - s),
		 s);
	while (e < end && (*e == ' ' || *e == '\t'))
		e++;
	snprintf(p->interp_arg, sizeof(p->interp_arg), "%.*s", (int)(end - e),
		 e);
	return 0;
}

/* A script's interpreter: checked as the program was, and no script. */
static int check_interp(struct walk *w, const char *path, struct run_prog *p)
{
	char head[PATH_MAX + 64], magic[2];
	size_t n = 0;
	int r, rfd;

	snprintf(head, sizeof(head), "%s: its interpreter %s", path,
		 p->interp_path);
	w->head = head;
	r = walk_path(w, p->interp_path, &p->interp);
	if (r < 0)
		return r;
	rfd = walk_open_text(w, p->interp, magic, sizeof(magic), &n);
	if (rfd < 0 && rfd != -EACCES)
		return rfd;
	if (rfd >= 0)
		close(rfd);
	if (n == 2 && memcmp(magic, "#!", 2) == 0)
		return walk_refuse(
		    w, -ENOEXEC,
		    "a script itself; refusing to run it: name a "
		    "binary in the #! line of %s",
		    path);
	return 0;
}

int run_trusted(const char *path, struct run_prog *p, struct fsp_problem *why)
{
	struct walk w = {.head = path, .why = why, .dir = -1};
	char line[TRUST_LINE_MAX];
	size_t n = 0;
	int r;

	*p = (struct run_prog){.fd = -1, .script = -1, .interp = -1};
	r = walk_path(&w, path, &p->fd);
	if (r == 0) {
		r = walk_open_text(&w, p->fd, line, sizeof(line), &n);
		if (r >= 0 && n >= 2 && memcmp(line, "#!", 2) == 0)
			p->script = r;
		else if (r >= 0)
			close(r);
		r = r == -EACCES ? 0 : r;
	}
	if (r >= 0 && p->script >= 0) {
		r = split_line(&w, line, n, p);
		if (r == 0 && access("/proc/self/fd", F_OK) < 0)
			r = walk_refuse(&w, -ENOENT,
					"a script is read from /proc/self/fd, "
					"and /proc is not mounted");
		if (r == 0)
			r = check_interp(&w, path, p);
	}
	if (w.dir >= 0)
		close(w.dir);
	if (r < 0)
		run_prog_close(p);
	return r < 0 ? r : 0;
}

void run_prog_close(struct run_prog *p)
{
	int *fds[] = {&p->fd, &p->script, &p->interp};

	for (size_t i = 0; i < sizeof(fds) / sizeof(*fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/*
 * A script is not run through its own descriptor: the kernel would hand
 * the interpreter /dev/fd/N, which a close-on-exec descriptor no longer
 * is (ENOENT), and it would find the interpreter by its path again. Its
 * interpreter's checked descriptor runs instead, given the script's text
 * as /proc/self/fd/N, N a descriptor that stays open for it.
 */
void run_prog_exec(const struct run_prog *p, const char *const *argv)
{
	const char *args[TRUST_ARGS_MAX + 3];
	char self[32];
	size_t n = 0;

	if (p->script < 0) {
		execveat(p->fd, "", (char *const *)argv, environ,
			 AT_EMPTY_PATH);
		return;
	}
	if (fcntl(p->script, F_SETFD, 0) < 0)
		return;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", p->script);
	args[n++] = p->interp_path;
	if (p->interp_arg[0])
		args[n++] = p->interp_arg;
	args[n++] = self;
	for (size_t i = 1; argv[i]; i++) {
		if (n == sizeof(args) / sizeof(*args) - 1) {
			errno = E2BIG;
			return;
		}
		args[n++] = argv[i];
	}
	args[n] = NULL;
	execveat(p->interp, "", (char *const *)args, environ, AT_EMPTY_PATH);
}
