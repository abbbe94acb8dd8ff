// SPDX-License-Identifier: MIT
/*
 * Resolving a program's path the way the kernel would, one component at a
 * time from /, so that each directory looked in, each symbolic link
 * followed and the file reached can be checked (shared/trust_walk.h).
 */
#define _GNU_SOURCE
#include "shared/trust_walk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/file_rules.h"
#include "shared/problem.h"

#define LINKS_MAX 40 /* the kernel's own limit */

int walk_refuse(const struct walk *w, int err, const char *fmt, ...)
{
	char text[2 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return problem_set(w->why, OP_OPEN, err, "%s: %s", w->head, text);
}

/* Root's (or ours), and changed by nobody else; a symbolic link's mode
 * means nothing, and a sticky directory (/tmp) keeps our entries ours. */
static const struct file_rules program_rules = {
    .root_may_own = true,
    .forbid = S_IWGRP | S_IWOTH,
    .sticky_dir_ok = true,
};

static bool others_write(const struct stat *st)
{
	return (st->st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

static const char *kind(const struct stat *st)
{
	return S_ISDIR(st->st_mode)   ? "directory"
	       : S_ISLNK(st->st_mode) ? "symbolic link"
				      : "file";
}

/*
 * Whoever owns an entry, or may write to the directory it names, decides
 * what runs. A directory others may write to is let through only when it
 * is sticky (/tmp): there, others can neither rename nor remove root's
 * entries, and an entry with one link cannot be someone's hard link to a
 * root file of their choosing.
 */
static int check(const struct walk *w, const char *path, const struct stat *st)
{
	unsigned mode = (unsigned)(st->st_mode & 07777);

	enum file_breach b = file_rules_check(st, &program_rules);

	if (b == FILE_OWNER)
		return walk_refuse(
		    w, -EPERM,
		    "%s %s is owned by uid %u (mode %04o), not by "
		    "root; refusing to run it: chown root %s",
		    kind(st), path, (unsigned)st->st_uid, mode, path);
	if (b == FILE_MODE && !S_ISLNK(st->st_mode))
		return walk_refuse(w, -EPERM,
				   "%s %s is writable by group or others (mode "
				   "%04o); refusing to run it: chmod go-w %s",
				   kind(st), path, mode, path);
	if (!S_ISDIR(st->st_mode) && others_write(&w->dst) && st->st_nlink != 1)
		return walk_refuse(
		    w, -EPERM,
		    "%s %s has %lu links and lies in %s, which "
		    "others may write to; refusing to run it: move "
		    "it to a directory only root may change",
		    kind(st), path, (unsigned long)st->st_nlink,
		    w->done[0] ? w->done : "/");
	return 0;
}

/* Makes / the directory being looked in, checked like any other. */
static int at_root(struct walk *w)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &w->dst) < 0) {
		int r = -errno;

		if (fd >= 0)
			close(fd);
		return walk_refuse(w, r, "cannot open /: %s", strerror(-r));
	}
	if (w->dir >= 0)
		close(w->dir);
	w->dir = fd;
	w->done[0] = '\0';
	return check(w, "/", &w->dst);
}

/* The next component of todo into w->name: 1, or 0 at the end. */
static int next_name(struct walk *w)
{
	size_t len;

	while (w->todo[w->pos] == '/')
		w->pos++;
	len = strcspn(w->todo + w->pos, "/");
	if (len == 0)
		return 0;
	if (len > NAME_MAX)
		return walk_refuse(w, -ENAMETOOLONG, "a component of %zu bytes",
				   len);
	memcpy(w->name, w->todo + w->pos, len);
	w->name[len] = '\0';
	w->pos += len;
	return 1;
}

/* Goes on with what the link at fd names, then what was left after it. */
static int follow(struct walk *w, int fd)
{
	char target[PATH_MAX], rest[PATH_MAX];
	ssize_t n;

	if (++w->links > LINKS_MAX)
		return walk_refuse(w, -ELOOP, "more than %d symbolic links",
				   LINKS_MAX);
	n = readlinkat(fd, "", target, sizeof(target));
	if (n < 0 || n == (ssize_t)sizeof(target))
		return walk_refuse(w, n < 0 ? -errno : -ENAMETOOLONG,
				   "cannot read symbolic link %s: %s", w->at,
				   strerror(n < 0 ? errno : ENAMETOOLONG));
	if (n == 0)
		return walk_refuse(w, -ENOENT, "symbolic link %s is empty",
				   w->at);
	target[n] = '\0';
	snprintf(rest, sizeof(rest), "%s", w->todo + w->pos);
	if (snprintf(w->todo, sizeof(w->todo), "%s%s", target, rest) >=
	    (int)sizeof(w->todo))
		return walk_refuse(w, -ENAMETOOLONG,
				   "%s leads to too long a path", w->at);
	w->pos = 0;
	return target[0] == '/' ? at_root(w) : 0;
}

/* Steps into the directory fd (already checked), whose path is w->at. */
static void enter(struct walk *w, int fd, const struct stat *st)
{
	close(w->dir);
	w->dir = fd;
	w->dst = *st;
	memcpy(w->done, w->at, sizeof(w->done));
}

/* The path at hand, for messages. */
static const char *at(const struct walk *w)
{
	return w->at[0] ? w->at : "/";
}

/*
 * Looks w->name up in the current directory: 1 when it was the last
 * component, with *fd the file; 0 to go on.
 */
static int step(struct walk *w, int *fd)
{
	struct stat st;
	int r;

	if (strcmp(w->name, "..") == 0) {
		char *slash = strrchr(w->done, '/');

		snprintf(w->at, sizeof(w->at), "%.*s",
			 (int)(slash ? slash - w->done : 0), w->done);
	} else if (snprintf(w->at, sizeof(w->at), "%s/%s", w->done, w->name) >=
		   (int)sizeof(w->at)) {
		return walk_refuse(w, -ENAMETOOLONG, "too long a path");
	}
	*fd = openat(w->dir, w->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0 || fstat(*fd, &st) < 0) {
		r = -errno;
		if (*fd >= 0)
			close(*fd);
		return walk_refuse(w, r, "cannot be run: %s: %s", at(w),
				   strerror(-r));
	}
	r = check(w, at(w), &st);
	if (r == 0 && S_ISLNK(st.st_mode))
		r = follow(w, *fd);
	if (r == 0 && S_ISDIR(st.st_mode)) {
		enter(w, *fd, &st);
		return 0;
	}
	if (r == 0 && !S_ISLNK(st.st_mode)) {
		/* What is left, if only a slash, needs a directory. */
		if (w->todo[w->pos])
			r = walk_refuse(w, -ENOTDIR, "cannot be run: %s: %s",
					at(w), strerror(ENOTDIR));
		else if (!S_ISREG(st.st_mode))
			r = walk_refuse(
			    w, -EPERM,
			    "%s is not a regular file; refusing to run "
			    "it",
			    at(w));
		else
			r = 1;
	}
	if (r <= 0)
		close(*fd);
	return r;
}

int walk_path(struct walk *w, const char *path, int *fd)
{
	int r;

	if (path[0] != '/')
		return walk_refuse(w, -EINVAL, "not an absolute path");
	if (snprintf(w->todo, sizeof(w->todo), "%s", path) >=
	    (int)sizeof(w->todo))
		return walk_refuse(w, -ENAMETOOLONG, "too long a path");
	w->pos = 0;
	w->links = 0;
	r = at_root(w);
	while (r == 0) {
		r = next_name(w);
		if (r == 0)
			return walk_refuse(
			    w, -EPERM,
			    "%s is not a regular file; refusing to "
			    "run it",
			    w->done[0] ? w->done : "/");
		if (r > 0 && strcmp(w->name, ".") == 0)
			r = 0;
		else if (r > 0)
			r = step(w, fd);
	}
	return r < 0 ? r : 0;
}

int walk_open_text(struct walk *w, int fd, char *buf, size_t cap, size_t *n)
{
	struct stat a, b;
	int rfd =
	    openat(w->dir, w->name,
		   O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	ssize_t got;

	*n = 0;
	if (rfd < 0 && errno == EACCES)
		return -EACCES;
	if (rfd < 0 || fstat(rfd, &a) < 0 || fstat(fd, &b) < 0 ||
	    (got = pread(rfd, buf, cap, 0)) < 0) {
		int r = -errno;

		if (rfd >= 0)
			close(rfd);
		return walk_refuse(w, r, "cannot read %s: %s", at(w),
				   strerror(-r));
	}
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(rfd);
		return walk_refuse(w, -EAGAIN,
				   "%s changed while it was checked", at(w));
	}
	*n = (size_t)got;
	return rfd;
}
