/* SPDX-License-Identifier: MIT */
/* Which mount a path is on, from /proc/self/mountinfo. */
#ifndef FSP_KERNEL_MOUNTINFO_H
#define FSP_KERNEL_MOUNTINFO_H

#include <limits.h>
#include <linux/limits.h> /* PATH_MAX without _GNU_SOURCE */
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <stddef.h>

struct mount_info {
	char path[PATH_MAX]; /* the path asked about, resolved */
	char mountpoint[PATH_MAX];
	char fstype[64];
	char source[PATH_MAX];
};

/* Whether path is dir or below it; both absolute and resolved. */
bool path_in_dir(const char *dir, const char *path);
/* The mount holding path (resolved). Returns 0, -ENOENT or -errno. */
int mount_of_path(const char *path, struct mount_info *ret);
/*
 * The deepest mount of device dev that holds real (a resolved path), read
 * from mountinfo lines in f; the lookup behind mount_of_path(), callable on
 * any buffer (the fuzzer's). 0 or -ENOENT; ret->path is left alone.
 */
int mountinfo_find(FILE *f, dev_t dev, const char *real,
		   struct mount_info *ret);
/* 1 if path (resolved) is itself a mountpoint, 0 if not, or -errno. */
int path_is_mountpoint(const char *path);
/* Joins root and an absolute path ("/sysroot" + "/data"); -ENAMETOOLONG. */
int path_join_root(const char *root, const char *path, char *buf, size_t bufsz);

#endif
