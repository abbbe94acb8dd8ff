// SPDX-License-Identifier: MIT
/* fork/exec with a pipe, a deadline and no shell in between. */
#define _GNU_SOURCE
#include "runprog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

static void child(const char *const *argv, const struct run_opts *o, int wfd,
		  int errfd)
{
	int e;

	if (!o->interactive) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		/* Its own group, so that a timeout kills what it started. */
		setpgid(0, 0);
		if (null < 0 || dup2(null, 0) < 0)
			goto fail;
	}
	if (dup2(wfd, 1) < 0)
		goto fail;
	/*
	 * Nothing else we hold may reach the program: a --passphrase-fd or
	 * --key-fd pipe would give it a passphrase or a raw key.
	 */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 4096; fd++)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	execv(argv[0], (char *const *)argv);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Reads until EOF, the deadline or a full buffer. */
static int collect(int rfd, long deadline, struct secbuf *out)
{
	out->len = 0;
	for (;;) {
		struct pollfd p = {.fd = rfd, .events = POLLIN};
		long left = deadline ? deadline - monotonic_ms() : -1;
		ssize_t n;
		int r;

		if (deadline && left <= 0)
			return -ETIME;
		r = poll(&p, 1, deadline ? (int)left : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIME;
		n = read(rfd, out->data + out->len, out->cap - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		out->len += (size_t)n;
		if (out->len == out->cap)
			return -E2BIG;
	}
}

/* Waits for pid until the deadline (0: for ever); true once reaped. */
static bool reap(pid_t pid, long deadline, int *st)
{
	for (;;) {
		pid_t w = waitpid(pid, st, deadline ? WNOHANG : 0);

		if (w == pid)
			return true;
		if (w < 0 && errno != EINTR)
			return true; /* not ours to wait for: nothing to kill */
		if (deadline && monotonic_ms() >= deadline)
			return false;
		if (w == 0) {
			struct timespec ts = {0, 10 * 1000 * 1000};

			nanosleep(&ts, NULL);
		}
	}
}

int run_capture(const char *const *argv, const struct run_opts *o,
		struct secbuf *out, int *status)
{
	long deadline =
	    o->timeout_s ? monotonic_ms() + 1000L * o->timeout_s : 0;
	int out_pipe[2], err_pipe[2], e = 0, r, st = 0;
	pid_t pid;

	if (pipe2(out_pipe, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		r = -errno;
		close(out_pipe[0]);
		close(out_pipe[1]);
		return r;
	}
	pid = fork();
	if (pid == 0)
		child(argv, o, out_pipe[1], err_pipe[1]);
	r = pid < 0 ? -errno : 0;
	/* As the child does, so that the group exists whoever runs first. */
	if (pid > 0 && !o->interactive)
		(void)setpgid(pid, pid);
	close(out_pipe[1]);
	close(err_pipe[1]);
	if (r == 0 && read(err_pipe[0], &e, sizeof(e)) == sizeof(e))
		r = -e; /* exec failed: the pipe carried its errno */
	close(err_pipe[0]);
	if (r == 0)
		r = collect(out_pipe[0], deadline, out);
	close(out_pipe[0]);
	if (pid < 0)
		return r;
	if (r == 0 && !reap(pid, deadline, &st))
		r = -ETIME; /* it closed its stdout, then hung */
	if (r < 0 && !e) {  /* a failed exec has exited already */
		kill(o->interactive ? pid : -pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	if (r != 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	if (status)
		*status = st;
	if (r == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		r = -ECHILD;
	return r;
}
