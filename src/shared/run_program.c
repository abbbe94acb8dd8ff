// SPDX-License-Identifier: MIT
/* fork/exec with a pipe, a deadline and no shell in between. */
#define _GNU_SOURCE
#include "shared/run_program.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "basic/libc_compat.h"

#include "basic/clock.h"
#include "shared/problem.h"

struct run_fds {
	int in;	 /* stdin's read end, or -1 */
	int out; /* stdout's write end */
	int msg; /* stderr's write end, or -1: inherited */
	int err; /* carries exec's errno back */
};

static void child(const struct run_prog *p, const char *const *argv,
		  const struct run_opts *o, const struct run_fds *f)
{
	int e;

	/*
	 * It holds a secret (an unsealed one, a passphrase, a PIN's): no
	 * core dump of it, and none it could turn back on. Our own
	 * PR_SET_DUMPABLE does not outlive the exec.
	 */
	if (setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0}) < 0)
		goto fail;
	if (!o->interactive) {
		int in = f->in >= 0 ? f->in
				    : open("/dev/null", O_RDONLY | O_CLOEXEC);

		/* Its own group, so that a timeout kills what it started. */
		setpgid(0, 0);
		if (in < 0 || dup2(in, 0) < 0)
			goto fail;
	}
	if (dup2(f->out, 1) < 0 || (f->msg >= 0 && dup2(f->msg, 2) < 0))
		goto fail;
	/*
	 * Nothing else we hold may reach the program: a --passphrase-fd or
	 * --key-fd pipe would give it a passphrase or a raw key.
	 */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 4096; fd++)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* The child's copy of the environment; ours does not change. */
	for (size_t i = 0; o->env && o->env[i]; i++)
		if (putenv((char *)o->env[i]) < 0)
			goto fail;
	run_prog_exec(p, argv);
fail:
	e = errno;
	if (write(f->err, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Appends what msg has to errbuf, dropping what does not fit. */
static int take_msg(int msg, const struct run_opts *o, size_t *len)
{
	char junk[512];
	size_t room = o->errcap - 1 - *len;
	ssize_t n = read(msg, room ? o->errbuf + *len : junk,
			 room ? room : sizeof(junk));

	if (n > 0 && room) {
		*len += (size_t)n;
		o->errbuf[*len] = '\0';
	}
	return n < 0 ? -errno : (int)(n > 0);
}

/* Reads stdout (and stderr, when kept) until EOF, the deadline or a full
 * buffer. */
static int collect(int rfd, int msg, int64_t deadline, const struct run_opts *o,
		   struct secbuf *out)
{
	size_t msg_len = 0;
	bool out_open = true;

	out->len = 0;
	if (msg >= 0)
		o->errbuf[0] = '\0';
	while (out_open || msg >= 0) {
		struct pollfd p[2] = {
		    {.fd = out_open ? rfd : -1, .events = POLLIN},
		    {.fd = msg, .events = POLLIN}};
		int64_t left = deadline ? deadline - monotonic_ms() : -1;
		ssize_t n;
		int r;

		if (deadline && left <= 0)
			return -ETIME;
		/* A password-timeout= may be longer than poll() counts. */
		if (left > INT_MAX)
			left = INT_MAX;
		r = poll(p, 2, (int)left);
		if ((r < 0 && errno == EINTR) || r == 0)
			continue; /* the deadline is checked above */
		if (r < 0)
			return -errno;
		if (p[1].revents) {
			r = take_msg(msg, o, &msg_len);
			if (r == 0)
				msg = -1; /* EOF; the caller closes it */
			else if (r < 0 && r != -EINTR)
				return r;
		}
		if (!p[0].revents)
			continue;
		n = read(rfd, out->data + out->len, out->cap - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			out_open = false;
		out->len += (size_t)(n > 0 ? n : 0);
		if (out->len == out->cap)
			return -E2BIG;
	}
	return 0;
}

/*
 * Writes the input into the child's stdin and closes it. The input fits a
 * pipe's buffer, so this never waits for the child. A program may rightly
 * exit before reading it all: its exit status tells, so EPIPE is ignored,
 * and SIGPIPE with it for the while.
 */
static void feed(int wfd, const struct run_opts *o)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	size_t off = 0;

	sigaction(SIGPIPE, &ign, &old);
	while (off < o->input_len) {
		ssize_t n = write(wfd, o->input + off, o->input_len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		off += (size_t)n;
	}
	close(wfd);
	sigaction(SIGPIPE, &old, NULL);
}

/* Waits for pid until the deadline (0: for ever); true once reaped. */
static bool reap(pid_t pid, int64_t deadline, int *st)
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

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

/* The pipes run_capture needs: out and err always, in and msg on request. */
static int make_pipes(const struct run_opts *o, int p[4][2])
{
	for (int i = 0; i < 4; i++) {
		p[i][0] = p[i][1] = -1;
		if ((i == 2 && !o->input) || (i == 3 && !o->errbuf))
			continue;
		if (pipe2(p[i], O_CLOEXEC) < 0) {
			int r = -errno;

			for (int j = 0; j <= i; j++)
				close_pair(p[j]);
			return r;
		}
	}
	return 0;
}

static int run_checked(const struct run_prog *prog, const char *const *argv,
		       const struct run_opts *o, struct secbuf *out,
		       int *status)
{
	int64_t deadline =
	    o->timeout_s ? monotonic_ms() + 1000 * (int64_t)o->timeout_s : 0;
	int p[4][2], e = 0, r, st = 0; /* out, err (exec's errno), in, msg */
	struct run_fds f;
	pid_t pid;

	if ((o->input && o->input_len > RUN_INPUT_MAX) ||
	    (o->errbuf && o->errcap == 0))
		return -E2BIG;
	if (o->errbuf)
		o->errbuf[0] = '\0';
	r = make_pipes(o, p);
	if (r < 0)
		return r;
	f = (struct run_fds){
	    .in = p[2][0], .out = p[0][1], .msg = p[3][1], .err = p[1][1]};
	pid = fork();
	if (pid == 0)
		child(prog, argv, o, &f);
	r = pid < 0 ? -errno : 0;
	/* As the child does, so that the group exists whoever runs first. */
	if (pid > 0 && !o->interactive)
		(void)setpgid(pid, pid);
	/* The child's ends: stdin's read end, the others' write ends. */
	close(p[0][1]);
	close(p[1][1]);
	if (p[2][0] >= 0)
		close(p[2][0]);
	if (p[3][1] >= 0)
		close(p[3][1]);
	if (r == 0 && read(p[1][0], &e, sizeof(e)) == sizeof(e))
		r = -e; /* exec failed: the pipe carried its errno */
	close(p[1][0]);
	if (p[2][1] >= 0) {
		if (r == 0)
			feed(p[2][1], o);
		else
			close(p[2][1]);
	}
	if (r == 0)
		r = collect(p[0][0], p[3][0], deadline, o, out);
	close(p[0][0]);
	if (p[3][0] >= 0)
		close(p[3][0]);
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

int run_capture(const char *const *argv, const struct run_opts *o,
		struct secbuf *out, int *status)
{
	struct run_prog own;
	int r;

	if (o->prog)
		return run_checked(o->prog, argv, o, out, status);
	r = run_trusted(argv[0], &own, NULL);
	if (r < 0)
		return r;
	r = run_checked(&own, argv, o, out, status);
	run_prog_close(&own);
	return r;
}
