/* SPDX-License-Identifier: MIT */
/* The steps that add, apply, unlock and check share; they never print. */
#ifndef FSP_KERNEL_PROVISION_H
#define FSP_KERNEL_PROVISION_H

#include <stdbool.h>
#include <stdint.h>

#include "basic/secmem.h"
#include "kernel/fscrypt_ioctl.h"
#include "kernel/keyring.h"
#include "shared/problem.h"

struct provision_req {
	const char *keyring; /* name of the durable keyring */
	const char *volume;
	const struct secbuf *key;
	const uint8_t *id; /* identifier computed from key */
	unsigned timeout;  /* 0: never expires */
	const char *mount; /* also add to this filesystem; NULL: keyring only */
	int mount_fd;	   /* mount, open already (use_mount_fd); not closed */
	bool use_mount_fd;
	bool raw_fallback; /* kernel without key_id: add the raw key instead */
};

enum provision_outcome {
	PROVISION_RAW,	    /* no key_id: the raw key was added to mount */
	PROVISION_EXISTING, /* the keyring already held this key */
	PROVISION_STORED,   /* a new provisioning key was stored */
};

struct provision_result {
	enum provision_outcome outcome;
	key_serial_t serial;		 /* 0 with PROVISION_RAW */
	bool added;			 /* added to rq->mount by key_id */
	struct key_status before, after; /* on rq->mount, when added */
	char ring_warning[768]; /* "": the keyring was as it should be */
	char key_warning[768];	/* "": no untrusted key was displaced */
};

/*
 * Stores the key as a provisioning key (idempotent) and, with a mount, adds
 * it there by key_id and checks the identifier the kernel returns. On
 * failure everything this call created is removed again and *p says why.
 * Returns an exit code.
 */
int provision_key(const struct provision_req *rq, struct provision_result *res,
		  struct fsp_problem *p);

/*
 * fs_probe_key_id() for the filesystem open at fd, remembered for the last
 * filesystem asked about: apply adds many keys to one filesystem, and
 * probes each filesystem once. 1, 0 or -errno.
 */
int probe_key_id_cached(int fd);

struct unlock_result {
	bool already; /* this user had the key on the filesystem already */
	struct key_status before, after;
};

/*
 * Adds provisioning key serial (identifier id) to the filesystem open at fd
 * (named where in messages) by key_id, reading the key status before and
 * after. Returns an exit code; *p says why on failure.
 */
int unlock_key(int fd, const char *where, key_serial_t serial,
	       const uint8_t *id, struct unlock_result *res,
	       struct fsp_problem *p);

#endif
