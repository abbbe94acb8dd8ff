/* SPDX-License-Identifier: MIT */
/* The writers' lock: one process at a time changes the durable keyring. */
#ifndef FSP_SHARED_WRITERS_LOCK_H
#define FSP_SHARED_WRITERS_LOCK_H

#include <stddef.h>

#include "shared/problem.h"

/* root's lock directory; another user's is /run/user/UID/fscrypt-provision. */
#define FSP_LOCK_DIR "/run/fscrypt-provision"

/*
 * Takes the writers' lock for the rest of this process's life (again: a
 * no-op). Whoever stores keys holds it from before it looks for the
 * keyring until it exits, so that no two processes create the keyring or a
 * key of one description at once, and an undo never destroys a keyring
 * that another process has stored keys in. Waits about 10 s for another
 * holder. 0, or -errno with why saying what failed.
 */
int writer_lock(struct fsp_problem *why);

#endif
