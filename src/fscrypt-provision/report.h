/* SPDX-License-Identifier: MIT */
/* Words for what the silent layers did: the commands print through these. */
#ifndef FSP_FSCRYPT_PROVISION_REPORT_H
#define FSP_FSCRYPT_PROVISION_REPORT_H

#include "kernel/provision.h"
#include "shared/problem.h"

/* Prints *p as an error; returns its exit code. */
int report_problem(const struct fsp_problem *p);

/* The lines a successful provision_key() earns. */
void report_provision(const struct provision_req *rq,
		      const struct provision_result *res);

/* The line a successful unlock_key() earns. */
void report_unlock(const char *volume, const char *where, const uint8_t *id,
		   const struct unlock_result *res);

/*
 * unlink-key, after volume's key was provisioned: removes src's file and
 * says so, or warns that it is still there.
 */
struct key_source;
void remove_key_file(const char *volume, const struct key_source *src);

#endif
