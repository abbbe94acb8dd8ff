/* SPDX-License-Identifier: MIT */
/* The steps that add, apply, unlock and check share; they print. */
#ifndef FSP_PROVISION_H
#define FSP_PROVISION_H

#include <stdbool.h>
#include <stdint.h>

#include "fscrypt.h"
#include "keyring.h"
#include "secmem.h"

struct provision_req {
	const char *volume;
	const struct secbuf *key;
	const uint8_t *id; /* identifier computed from key */
	unsigned timeout;  /* 0: never expires */
	const char *mount; /* also add to this filesystem; NULL: keyring only */
	int mount_fd;	   /* mount, open already (use_mount_fd); not closed */
	bool use_mount_fd;
	bool raw_fallback; /* kernel without key_id: add the raw key instead */
};

/*
 * Stores the key as a provisioning key (idempotent) and, with a mount, adds
 * it there by key_id and checks the identifier the kernel returns. On
 * failure everything this call created is removed again. Returns an exit
 * code; *ret_serial is 0 when only the raw key was added (fallback).
 */
int provision_key(const struct provision_req *rq, key_serial_t *ret_serial);

/*
 * fs_probe_key_id() for the filesystem open at fd, remembered for the last
 * filesystem asked about: apply adds many keys to one filesystem, and
 * probes each filesystem once. 1, 0 or -errno.
 */
int probe_key_id_cached(int fd);

/*
 * Adds provisioning key serial (identifier id, for volume) to the
 * filesystem open at fd by key_id, reading the key status before and after.
 * Returns an exit code.
 */
int unlock_key(int fd, const char *where, const char *volume,
	       key_serial_t serial, const uint8_t *id);

/*
 * The v2 identifier that protects path. 0, -ENODATA (not encrypted),
 * -EPROTONOSUPPORT (v1 policy) or -errno.
 */
int path_identifier(const char *path, uint8_t ret[FSP_KEY_IDENTIFIER_SIZE]);
/* The same for the directory open at fd. */
int fd_identifier(int fd, uint8_t ret[FSP_KEY_IDENTIFIER_SIZE]);

/* Opens the durable keyring; -ENOKEY when nothing was provisioned yet. */
int ring_lookup(key_serial_t *ret);

/*
 * Lists the keys of the durable keyring, sorted by volume then serial;
 * none (not an error) if it does not exist.
 */
int ring_keys(bool want_expiry, struct provkey **ret, size_t *ret_n);

/* The keys of one volume in a sorted list: [*ret_first, *ret_first+n). */
size_t volume_keys(const struct provkey *keys, size_t n, const char *volume,
		   const struct provkey **ret_first);

#endif
