// SPDX-License-Identifier: MIT
/* The writers' lock (see shared/writers_lock.h). */
#define _GNU_SOURCE
#include "shared/writers_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shared/file_rules.h"

/* Only this user may take the lock: another could hold it forever. */
static const struct file_rules lock_dir_rules = {
    .type = S_IFDIR,
    .forbid = 077,
};

/*
 * flock() on a directory only its owner may open: root's is FSP_LOCK_DIR
 * (the initramfs has /run, and it is one directory whatever the network
 * namespace). An abstract unix socket, used before, had no access control:
 * any user could bind its name and stall every writer. The kernel drops
 * the lock when the process dies, so a crash leaves none behind.
 */
static int lock_dir_path(char *buf, size_t len)
{
	uid_t uid = geteuid();
	int n = uid == 0 ? snprintf(buf, len, "%s", FSP_LOCK_DIR)
			 : snprintf(buf, len, "/run/user/%u/fscrypt-provision",
				    (unsigned)uid);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int take_lock(struct fsp_problem *why)
{
	char dir[64];
	struct stat st;
	int fd, r;

	r = lock_dir_path(dir, sizeof(dir));
	if (r < 0)
		return r;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		problem_text(why, "cannot create the lock directory %s: %s",
			     dir, strerror(-r));
		return r;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		problem_text(why, "cannot open the lock directory %s: %s", dir,
			     strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0 || file_rules_check(&st, &lock_dir_rules)) {
		problem_text(
		    why,
		    "the lock directory %s is owned by uid %u with mode "
		    "%04o; it must be uid %u's with mode 0700, or another "
		    "user could hold the lock (fix: chown %u %s; chmod "
		    "0700 %s)",
		    dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
		    (unsigned)geteuid(), (unsigned)geteuid(), dir, dir);
		close(fd);
		return -EPERM;
	}
	for (int i = 0; i < 1000; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK)
			break;
		nanosleep(&ts, NULL);
	}
	r = errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	problem_text(why,
		     r == -ETIMEDOUT
			 ? "another fscrypt-provision held the lock "
			   "on %s for 10 s"
			 : "cannot lock %s",
		     dir);
	close(fd);
	return r;
}

int writer_lock(struct fsp_problem *why)
{
	static int fd = -1;

	if (fd < 0)
		fd = take_lock(why);
	return fd < 0 ? fd : 0;
}
