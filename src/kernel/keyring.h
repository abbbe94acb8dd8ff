/* SPDX-License-Identifier: MIT */
/* The durable keyring and the fscrypt-provisioning keys in it. */
#ifndef FSP_KERNEL_KEYRING_H
#define FSP_KERNEL_KEYRING_H

#include <keyutils.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fscrypt_uapi.h"
#include "kernel/key_description.h"
#include "shared/problem.h"

#define FSP_DEFAULT_KEYRING "fscrypt-provision"

/*
 * Provisioning keys: the possessor may view, search (use), link and set
 * attributes (timeout); root processes that do not possess the key, such as
 * systemd services with KeyringMode=private, may view and search, which is
 * all FS_IOC_ADD_ENCRYPTION_KEY needs. Nobody may read or write: the type
 * has no read or update operation anyway, and leaving the bits out makes
 * the intent visible in /proc/keys.
 */
#define FSP_KEY_PERM                                                           \
	(KEY_POS_VIEW | KEY_POS_SEARCH | KEY_POS_LINK | KEY_POS_SETATTR |      \
	 KEY_USR_VIEW | KEY_USR_SEARCH) /* 0x39090000 */

/*
 * The durable keyring: the possessor has every right; other root processes
 * may view, list (READ) and search it, so they can find and use the keys,
 * but cannot add or link keys into it, nor unlink them.
 */
#define FSP_KEYRING_PERM                                                       \
	(KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ |                           \
	 KEY_USR_SEARCH) /* 0x3f0b0000 */

struct provkey {
	key_serial_t serial;
	char volume[FSP_VOLUME_MAX + 1];
	uint8_t identifier[FSP_KEY_IDENTIFIER_SIZE];
	uid_t uid;
	uint32_t perm;
	long expiry; /* seconds left, -1 for none, 0 when expired */
	int state;   /* 0, -EKEYEXPIRED or -EKEYREVOKED */
};

/*
 * Links root's user keyring into this thread's own keyring, so that this
 * process possesses the durable keyring (needed to add keys to it) for its
 * lifetime and nobody else's. Returns 0 or -errno.
 */
int keyring_gain_possession(void);

/* Looks up the named keyring among @u's direct links. 0, -ENOKEY or -errno. */
int keyring_find(const char *name, key_serial_t *ret);
/*
 * Finds or creates the named keyring with FSP_KEYRING_PERM and links it into
 * @u. The caller holds writer_lock() (shared/writers_lock.h): two keyrings of
 * one name in
 * @u would displace each other.
 */
int keyring_find_or_create(const char *name, key_serial_t *ret,
			   bool *ret_created);
/* Unlinks a keyring that this call created from @u again. */
int keyring_destroy(key_serial_t ring);

/*
 * Searches ring for a provisioning key of that description, with the
 * caller's own rights (so it also proves the caller may use it).
 * Returns 0, -ENOKEY, -EKEYEXPIRED, -EKEYREVOKED, -EACCES or -errno.
 */
int provkey_find(key_serial_t ring, const char *desc, key_serial_t *ret);

/*
 * Adds a provisioning key for a v2 identifier with FSP_KEY_PERM and the
 * given timeout (0 for none). The key becomes visible in ring only with its
 * final permissions and timeout. Returns 0 or -errno; on error nothing new
 * remains.
 */
int provkey_add(key_serial_t ring, const char *desc, const uint8_t *raw,
		size_t raw_len, unsigned timeout, key_serial_t *ret);
int provkey_set_timeout(key_serial_t key, unsigned timeout);
/* Makes the key unusable at once and lets the kernel garbage-collect it. */
int provkey_invalidate(key_serial_t key);

/*
 * Lists the provisioning keys in ring that carry our description format,
 * in keyring order. Expiry comes from /proc/keys, which is only read when
 * asked for or when a key cannot be described (expired, revoked). Caller
 * frees *ret. Returns 0 or -errno.
 */
int provkey_list(key_serial_t ring, bool want_expiry, struct provkey **ret,
		 size_t *ret_n);

/*
 * Whether the running kernel knows the "fscrypt-provisioning" key type:
 * 1 yes, 0 no (before 5.6), -errno when it cannot tell. No key is created.
 */
int provkey_type_supported(void);

/*
 * Parses "type;uid;gid;perm;description" from keyctl_describe(): the type
 * (malloc'ed), the owner, the permissions and a pointer into d at the
 * description. Shared with kernel/keyring_list.c. 0, -EINVAL or -ENOMEM.
 */
int keyring_parse_description(const char *d, char **ret_type, uid_t *ret_uid,
			      uint32_t *ret_perm, const char **ret_desc);

/*
 * Whether key or keyring id is this user's, with exactly the rights want:
 * 0 if so; 1 if it is ours with other rights; -EPERM if another uid owns
 * it; or -errno. On 1 and -EPERM why says what is wrong, naming the bits.
 */
int key_check_owner_perm(key_serial_t id, uint32_t want,
			 struct fsp_problem *why);

/*
 * Lists the keys of the durable keyring, sorted by volume then serial;
 * none (not an error) if it does not exist.
 */
int ring_keys(const char *keyring, bool want_expiry, struct provkey **ret,
	      size_t *ret_n);

/* The keys of one volume in a sorted list: [*ret_first, *ret_first+n). */
size_t volume_keys(const struct provkey *keys, size_t n, const char *volume,
		   const struct provkey **ret_first);

/*
 * The lines of /proc/keys read from f, sorted by serial (*ret malloc'ed,
 * NULL when none); lines it cannot use are skipped. Exported for the fuzzer.
 */
struct proc_key;
size_t proc_keys_read(FILE *f, struct proc_key **ret);

#endif
