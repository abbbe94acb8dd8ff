// SPDX-License-Identifier: MIT
/* Loading and atomically replacing slots files. */
#define _GNU_SOURCE
#include "slots/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/read_full.h"
#include "basic/test_pause.h"
#include "shared/file_rules.h"
#include "shared/problem.h"

static int check_meta(const struct stat *st, const char *path,
		      bool allow_readable, struct fsp_problem *why)
{
	const struct file_rules rules = {
	    .type = S_IFREG,
	    .forbid = S_IWGRP | S_IWOTH,
	    .forbid_readable = S_IRWXG | S_IRWXO,
	    .allow_readable = allow_readable,
	};
	unsigned mode = (unsigned)(st->st_mode & 07777);

	switch (file_rules_check(st, &rules)) {
	case FILE_TYPE:
		return problem_set(why, OP_UNWRAP, -EINVAL,
				   "is not a regular file");
	case FILE_OWNER:
		return problem_set(
		    why, OP_UNWRAP, -EPERM,
		    "is owned by uid %u, not by uid %u; fix with: "
		    "chown %u '%s'",
		    (unsigned)st->st_uid, (unsigned)geteuid(),
		    (unsigned)geteuid(), path);
	case FILE_MODE:
		return problem_set(why, OP_UNWRAP, -EPERM,
				   "has mode %04o, so others may replace its "
				   "slots; fix with: chmod 0600 '%s'",
				   mode, path);
	case FILE_READABLE:
		return problem_set(why, OP_UNWRAP, -EPERM,
				   "has mode %04o, so others may read it and "
				   "guess its passphrases offline; fix with: "
				   "chmod 0600 '%s' (or pass --allow-readable)",
				   mode, path);
	case FILE_OK:
		break;
	}
	if (st->st_size > (off_t)SLOTS_FILE_MAX)
		return problem_set(
		    why, OP_UNWRAP, -EMSGSIZE,
		    "is %lld bytes, more than a slots file can be "
		    "(%u)",
		    (long long)st->st_size, (unsigned)SLOTS_FILE_MAX);
	return 0;
}

int slots_file_load(const char *path, bool allow_readable,
		    struct slots_file *ret, struct fsp_problem *why)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t len = 0;
	int fd, r;

	fd = open(path,
		  O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP)
			return problem_set(why, OP_UNWRAP, r,
					   "is a symbolic link; refusing to "
					   "follow it");
		if (r == -ENOENT)
			return problem_set(why, OP_UNWRAP, r, "does not exist");
		return problem_set(why, OP_UNWRAP, r, "cannot be opened: %s",
				   strerror(-r));
	}
	if (fstat(fd, &st) < 0) {
		r = problem_set(why, OP_UNWRAP, -errno,
				"cannot be examined: %m");
		goto out;
	}
	r = check_meta(&st, path, allow_readable, why);
	if (r < 0)
		goto out;
	/* One byte more than allowed, to see a file that grew. */
	buf = malloc(SLOTS_FILE_MAX + 1);
	if (!buf) {
		r = problem_set(why, OP_UNWRAP, -ENOMEM,
				"cannot be read: out of memory");
		goto out;
	}
	r = read_full(fd, buf, SLOTS_FILE_MAX + 1, &len);
	if (r < 0 && r != -EFBIG) {
		r = problem_set(why, OP_UNWRAP, r, "cannot be read: %s",
				strerror(-r));
		goto out;
	}
	r = slots_decode(buf, len, ret, why); /* -EFBIG: it says too big */
out:
	free(buf);
	close(fd);
	return r;
}

/* Writes the new file beside the old one; returns its open descriptor. */
static int write_new(int dfd, const char *tmp, const uint8_t *buf, size_t len,
		     struct fsp_problem *why)
{
	int fd, r;

	/* We hold the writers' lock: a leftover is from a crash, not a peer. */
	if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT)
		return problem_set(why, OP_SLOTS_SAVE, -errno,
				   "cannot remove the leftover %s: %m", tmp);
	fd = openat(dfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return problem_set(why, OP_SLOTS_SAVE, -errno,
				   "cannot create %s: %m", tmp);
	r = write_full(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		unlinkat(dfd, tmp, 0);
		return problem_set(why, OP_SLOTS_SAVE, r, "cannot write %s: %s",
				   tmp, strerror(-r));
	}
	close(fd);
	return 0;
}

int slots_file_save(const char *path, const struct slots_file *f,
		    struct fsp_problem *why)
{
	char dcopy[PATH_MAX], bcopy[PATH_MAX], tmp[NAME_MAX + 1];
	const char *dir, *base;
	uint8_t *buf;
	size_t len;
	int dfd, r;

	if (strlen(path) >= sizeof(dcopy))
		return problem_set(why, OP_SLOTS_SAVE, -ENAMETOOLONG,
				   "has too long a path");
	strcpy(dcopy, path);
	strcpy(bcopy, path);
	dir = dirname(dcopy);
	base = basename(bcopy);
	if (snprintf(tmp, sizeof(tmp), ".%s.new", base) >= (int)sizeof(tmp))
		return problem_set(why, OP_SLOTS_SAVE, -ENAMETOOLONG,
				   "has too long a name");
	buf = malloc(SLOTS_FILE_MAX);
	if (!buf)
		return problem_set(why, OP_SLOTS_SAVE, -ENOMEM,
				   "cannot be written: no memory");
	len = slots_encode(f, buf);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = problem_set(why, OP_SLOTS_SAVE, -errno,
				"is in a directory that cannot be "
				"opened: %m");
		goto out;
	}
	r = write_new(dfd, tmp, buf, len, why);
	if (r < 0)
		goto out;
	test_pause("slots-written");
	if (renameat(dfd, tmp, dfd, base) < 0) {
		r = problem_set(why, OP_SLOTS_SAVE, -errno,
				"cannot be replaced: %m");
		unlinkat(dfd, tmp, 0);
		goto out;
	}
	test_pause("slots-renamed");
	if (fsync(dfd) < 0)
		r = problem_set(why, OP_SLOTS_SAVE, 1,
				"was replaced, but its directory could not be "
				"synced (%m): a crash now may bring back the "
				"old file");
out:
	if (dfd >= 0)
		close(dfd);
	free(buf);
	return r;
}
