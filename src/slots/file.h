/* SPDX-License-Identifier: MIT */
/* Slots files on disk: checked like key files, replaced atomically. */
#ifndef FSP_SLOTS_FILE_H
#define FSP_SLOTS_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "shared/problem.h"
#include "slots/format.h"

/*
 * Opens path (O_NOFOLLOW), checks it like a key file (a regular file of
 * ours, never writable by others, readable by others only with
 * allow_readable, at most SLOTS_FILE_MAX bytes) and decodes it. 0, or
 * -errno with detail completing "the slots file PATH ...".
 */
int slots_file_load(const char *path, bool allow_readable,
		    struct slots_file *ret, struct fsp_problem *why);

/*
 * Replaces path with f, crash-safely: a new file beside it (mode 0600),
 * fsync, rename over path, fsync of the directory. A crash leaves the old
 * file or the new one, never a mix. 0; 1 when the new file is in place
 * but its directory could not be synced (detail says so); or -errno with
 * detail set, the old file untouched.
 */
int slots_file_save(const char *path, const struct slots_file *f,
		    struct fsp_problem *why);

#endif
