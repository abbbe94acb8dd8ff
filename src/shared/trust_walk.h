/* SPDX-License-Identifier: MIT */
/* The path walk behind run_trusted() (shared/trust.h); for shared/trust.c only.
 */
#ifndef FSP_SHARED_TRUST_WALK_H
#define FSP_SHARED_TRUST_WALK_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

#include "shared/problem.h"

struct walk {
	const char *head; /* what messages start with */
	struct fsp_problem *why;
	int links;		 /* symbolic links followed */
	int dir;		 /* the directory being looked in (O_PATH) */
	struct stat dst;	 /* its status */
	char done[PATH_MAX];	 /* its path, resolved ("" is /) */
	char todo[PATH_MAX];	 /* what is left to resolve */
	size_t pos;		 /* into todo */
	char at[PATH_MAX];	 /* the component at hand, done before it */
	char name[NAME_MAX + 1]; /* the component at hand */
};

/* Sets why to "<head>: <fmt...>"; returns err. */
int walk_refuse(const struct walk *w, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Resolves path (absolute) from / as the kernel would, following symbolic
 * links, and checks every step: each directory looked in and each link
 * owned by root (or us), no directory writable by group or others unless
 * sticky, and there only entries of root's with one link; the file
 * reached regular, root's, writable by no one else. 0 with the file in
 * *fd (O_PATH), its directory in w->dir (to be closed by the caller, -1
 * at first) and its name in w->name; or -errno with why set.
 */
int walk_path(struct walk *w, const char *path, int *fd);

/*
 * The file walk_path() reached (fd), opened for reading through its
 * directory and checked to be the same: its descriptor, with its first *n
 * bytes (at most cap) in buf. -EACCES when we may not read it (an
 * execute-only binary, when we are not root), with why untouched.
 */
int walk_open_text(struct walk *w, int fd, char *buf, size_t cap, size_t *n);

#endif
