/* SPDX-License-Identifier: MIT */
/* exec slots: a program of the owner's that prints the slot's secret. */
#ifndef FSP_KEYSOURCE_EXEC_SLOT_H
#define FSP_KEYSOURCE_EXEC_SLOT_H

#include <stddef.h>

#include "basic/secmem.h"
#include "shared/problem.h"

struct slot;
/* Runs an exec slot's program for its secret (locked). 0 or -errno, why set. */
int slot_exec_secret(const struct slot *s, struct secbuf *out,
		     struct fsp_problem *why);

#endif
