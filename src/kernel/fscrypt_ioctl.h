/* SPDX-License-Identifier: MIT */
/* Thin wrappers around the fscrypt ioctls; each returns 0 or -errno. */
#ifndef FSP_KERNEL_FSCRYPT_IOCTL_H
#define FSP_KERNEL_FSCRYPT_IOCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fscrypt_uapi.h"

struct key_status {
	uint32_t status; /* FSP_KEY_STATUS_* */
	uint32_t flags;
	uint32_t user_count;
};

/* Opens any path on the filesystem for the ioctls. Returns fd or -errno. */
int fs_open(const char *path);
/*
 * Opens the directory rel below the directory open at dirfd, following no
 * symbolic link, never leaving dirfd's tree ("..", absolute paths) and
 * never crossing into another mount: openat2() with RESOLVE_BENEATH,
 * RESOLVE_NO_SYMLINKS and RESOLVE_NO_XDEV (Linux 5.6+; before it, an
 * O_NOFOLLOW open of the last component only). fd or -errno: -ELOOP for a
 * link, -EXDEV for another mount, -ENOTDIR.
 */
int fs_open_beneath(int dirfd, const char *rel);
/*
 * Opens the directory path (absolute or not) inside the root open at
 * rootfd, as a chroot there would see it, following no symbolic link:
 * openat2() with RESOLVE_IN_ROOT and RESOLVE_NO_SYMLINKS. fd or -errno
 * (-ELOOP for a link); -ENOSYS before Linux 5.6.
 */
int fs_open_in_root(int rootfd, const char *path);
/* 1 if the directory open at fd is the root of a mount, 0, or -errno. */
int fs_is_mount_root(int fd);

/* Adds the raw key held by provisioning key key_id (raw_size 0). */
int fs_add_key_by_id(int fd, int32_t key_id,
		     uint8_t ret_id[FSP_KEY_IDENTIFIER_SIZE]);
/* Adds a raw key; only for kernels without key_id, and explicitly asked. */
int fs_add_key_raw(int fd, const uint8_t *raw, size_t len,
		   uint8_t ret_id[FSP_KEY_IDENTIFIER_SIZE]);
int fs_key_status(int fd, const uint8_t id[FSP_KEY_IDENTIFIER_SIZE],
		  struct key_status *ret);
int fs_remove_key(int fd, const uint8_t id[FSP_KEY_IDENTIFIER_SIZE],
		  bool all_users, uint32_t *ret_flags);
/* -ENODATA for an unencrypted directory; -EOPNOTSUPP without "encrypt". */
int fs_get_policy(int fd, struct fsp_get_policy_ex_arg *ret);
int fs_set_policy(int fd, const struct fsp_policy_v2 *policy);

/*
 * Whether this filesystem accepts key_id, without side effects: it passes
 * the id of a key the caller can search but that is not a provisioning key
 * (root's user keyring). 5.6+ refuses it with EKEYREJECTED, while 5.4/5.5
 * (and the test-only patch) refuse any nonzero key_id with EINVAL.
 * Returns 1, 0, or -errno (e.g. -EOPNOTSUPP, -ENOTTY).
 */
int fs_probe_key_id(int fd);

/* "absent", "present", "incompletely removed" or "unknown". */
const char *fs_key_status_name(uint32_t status);

const char *fscrypt_mode_name(uint8_t mode);
/* Mode by name ("AES-256-XTS", case-insensitive); -EINVAL if unknown. */
int fscrypt_mode_parse(const char *name);

/*
 * The v2 identifier that protects path. 0, -ENODATA (not encrypted),
 * -EPROTONOSUPPORT (v1 policy) or -errno.
 */
int path_identifier(const char *path, uint8_t ret[FSP_KEY_IDENTIFIER_SIZE]);
/* The same for the directory open at fd. */
int fd_identifier(int fd, uint8_t ret[FSP_KEY_IDENTIFIER_SIZE]);

#endif
