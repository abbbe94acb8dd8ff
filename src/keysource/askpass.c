// SPDX-License-Identifier: MIT
/*
 * Reading and asking for passphrases. The order of the ways to ask follows
 * dracut's ask_for_password and systemd-cryptsetup.
 */
#define _GNU_SOURCE
#include "keysource/askpass.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "basic/clock.h"
#include "shared/initramfs.h"
#include "shared/run_program.h"

/* Milliseconds until deadline: -1 with none (0), 0 once it has passed. */
static int64_t ms_left(int64_t deadline)
{
	int64_t left;

	if (!deadline)
		return -1;
	left = deadline - monotonic_ms();
	return left > 0 ? left : 0;
}

/* For an agent's own timeout: rounded up, so that it ends at the deadline
 * or just after it, never before; 0 with no deadline. */
static unsigned secs_left(int64_t deadline)
{
	return deadline ? (unsigned)((ms_left(deadline) + 999) / 1000) : 0;
}

/* Waits until fd has something to read: 0, -ETIME, or -errno. */
static int wait_readable(int fd, int64_t deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int64_t left = ms_left(deadline);
		int n;

		if (left == 0)
			return -ETIME;
		n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n > 0)
			return 0;
	}
}

int passphrase_read_fd(int fd, struct secbuf *out)
{
	return passphrase_read_until(fd, 0, out);
}

int passphrase_read_until(int fd, int64_t deadline, struct secbuf *out)
{
	int r = secbuf_alloc(out, PASSPHRASE_MAX + 1);
	bool any = false;

	if (r < 0)
		return r;
	for (;;) {
		unsigned char c;
		ssize_t n;

		/* A terminal in canonical mode is readable once a whole line
		 * (or Ctrl-D) is there: the wait is for the person alone. */
		if (deadline && (r = wait_readable(fd, deadline)) < 0)
			break;
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0) {
			r = any ? 0 : -ENODATA;
			break;
		}
		any = true;
		if (c == '\n')
			break;
		if (out->len == PASSPHRASE_MAX) {
			/* The rest of the line is not the next prompt's answer.
			 */
			while (read(fd, &c, 1) == 1 && c != '\n')
				;
			r = -EMSGSIZE;
			break;
		}
		out->data[out->len++] = c;
	}
	if (r == 0 && out->len && out->data[out->len - 1] == '\r')
		out->data[--out->len] = 0;
	if (r < 0)
		secbuf_free(out);
	return r;
}

static const char *find_program(const char *name)
{
	static const char *const dirs[] = {"/usr/bin", "/bin", "/usr/sbin",
					   "/sbin"};
	static char path[64];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return path;
	}
	return NULL;
}

/*
 * A program's answer is one line, like a descriptor's. With a deadline it
 * is killed grace seconds after it (plymouth has no timeout of its own;
 * systemd-ask-password has, and gets the grace to end by itself).
 */
static int ask_program(const char *const *argv, int64_t deadline,
		       unsigned grace, struct secbuf *out)
{
	struct run_opts o = {.interactive = true};
	int r = secbuf_alloc(out, PASSPHRASE_MAX + 2), st;

	if (r < 0)
		return r;
	if (deadline)
		o.timeout_s = secs_left(deadline) + grace;
	r = run_capture(argv, &o, out, &st);
	if (r == -E2BIG)
		r = -EMSGSIZE;
	if (r == -ECHILD)
		r = -ECANCELED; /* Ctrl-C, Escape or a timeout in the agent */
	if (r == -ECANCELED && deadline && ms_left(deadline) == 0)
		r = -ETIME; /* the agent's timeout: ours */
	if (r == 0 && out->len && out->data[out->len - 1] == '\n')
		out->data[--out->len] = 0;
	if (r < 0)
		secbuf_free(out);
	return r;
}

static struct termios saved_tio;
static volatile sig_atomic_t tio_fd = -1;

static void restore_tty(int sig)
{
	if (tio_fd >= 0)
		tcsetattr(tio_fd, TCSAFLUSH, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int open_tty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	/* An initramfs's init has no controlling terminal, but its stdin is
	 * the console: reopen that read-write for the prompt. */
	if (fd < 0 && isatty(0))
		fd = open("/proc/self/fd/0", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && in_initramfs())
		fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	return fd;
}

/*
 * dracut's ask_for_password holds /.console_lock while it prompts, so that
 * two askers (cryptsetup, us) never share the console; so do we, in an
 * initramfs. Sets *lock to the lock's descriptor, or -1; -ETIME when
 * another asker held it past the deadline.
 */
static int console_lock(int64_t deadline, int *lock)
{
	int fd;

	*lock = -1;
	if (!in_initramfs())
		return 0;
	fd = open("/.console_lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	while (flock(fd, deadline ? LOCK_EX | LOCK_NB : LOCK_EX) < 0) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		if (errno != EINTR && errno != EWOULDBLOCK)
			break; /* no lock to be had: ask all the same */
		if (errno == EWOULDBLOCK && ms_left(deadline) == 0) {
			close(fd);
			return -ETIME;
		}
		if (errno == EWOULDBLOCK)
			nanosleep(&ts, NULL);
	}
	*lock = fd;
	return 0;
}

static int ask_tty(const char *prompt, int64_t deadline, struct secbuf *out)
{
	struct termios tio;
	int fd = open_tty(), lock, r;

	if (fd < 0)
		return -ENXIO;
	/* First the lock: another asker may have echo off until it is done. */
	r = console_lock(deadline, &lock);
	if (r < 0) {
		close(fd);
		return r;
	}
	if (tcgetattr(fd, &saved_tio) < 0) {
		close(fd);
		if (lock >= 0)
			close(lock);
		return -ENXIO;
	}
	tio = saved_tio;
	tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	tio.c_lflag |= ICANON;
	tio_fd = fd;
	signal(SIGINT, restore_tty);
	signal(SIGTERM, restore_tty);
	signal(SIGHUP, restore_tty);
	tcsetattr(fd, TCSAFLUSH, &tio);
	r = write(fd, prompt, strlen(prompt)) < 0 ? -errno : 0;
	if (r == 0)
		r = passphrase_read_until(fd, deadline, out);
	tcsetattr(fd, TCSAFLUSH, &saved_tio);
	tio_fd = -1;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (write(fd, "\n", 1) < 0)
		r = r ? r : -errno;
	close(fd);
	if (lock >= 0)
		close(lock);
	if (r == -ENODATA)
		r = -ECANCELED; /* Ctrl-D */
	return r;
}

int passphrase_ask(const char *prompt, const char *id, int64_t deadline,
		   struct secbuf *out, const char **how)
{
	const char *prog;
	char idopt[160], topt[32];

	memset(out, 0, sizeof(*out));
	if (ms_left(deadline) == 0)
		return -ETIME;
	if (access("/run/systemd/system", F_OK) == 0 &&
	    (prog = find_program("systemd-ask-password"))) {
		const char *argv[] = {prog, idopt, topt, prompt, NULL};

		snprintf(idopt, sizeof(idopt), "--id=%s", id);
		/* 0: no timeout, for systemd-ask-password as for us. */
		snprintf(topt, sizeof(topt), "--timeout=%u",
			 secs_left(deadline));
		*how = "systemd-ask-password";
		return ask_program(argv, deadline, 2, out);
	}
	if ((prog = find_program("plymouth"))) {
		const char *ping[] = {prog, "--ping", NULL};
		struct run_opts o = {.timeout_s = 5};
		struct secbuf junk;
		int r = secbuf_alloc(&junk, 64);

		if (r == 0)
			r = run_capture(ping, &o, &junk, NULL);
		secbuf_free(&junk);
		if (r == 0) {
			char popt[PASSPHRASE_MAX];
			const char *argv[] = {prog, "ask-for-password", popt,
					      NULL};
			size_t n = strlen(prompt);

			/* plymouth puts a colon after the prompt itself. */
			if (n && prompt[n - 1] == ':')
				n--;
			snprintf(popt, sizeof(popt), "--prompt=%.*s", (int)n,
				 prompt);
			*how = "plymouth";
			return ask_program(argv, deadline, 0, out);
		}
	}
	*how = "the terminal";
	return ask_tty(prompt, deadline, out);
}
