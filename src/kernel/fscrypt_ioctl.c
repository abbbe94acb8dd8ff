// SPDX-License-Identifier: MIT
/* Thin wrappers around the fscrypt ioctls; each returns 0 or -errno. */
#define _GNU_SOURCE
#include "kernel/fscrypt_ioctl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <keyutils.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "basic/libc_compat.h"
#include "basic/secmem.h"

int fs_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

int fs_open_beneath(int dirfd, const char *rel)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		       RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		fd = openat(dirfd, rel,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC |
				O_NOCTTY | O_NONBLOCK);
	return fd < 0 ? -errno : (int)fd;
}

int fs_open_in_root(int rootfd, const char *path)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
	    .resolve =
		RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

int fs_is_mount_root(int fd)
{
	struct statx stx, up;

	/* Linux 5.8+ says so; before, a mount root has another device, or
	 * is its own parent (the root). */
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0)
		return -errno;
	if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		return !!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	if (statx(fd, "..", 0, STATX_BASIC_STATS, &up) < 0)
		return -errno;
	return stx.stx_dev_major != up.stx_dev_major ||
	       stx.stx_dev_minor != up.stx_dev_minor ||
	       stx.stx_ino == up.stx_ino;
}

static void spec_identifier(struct fsp_key_specifier *spec, const uint8_t *id)
{
	memset(spec, 0, sizeof(*spec));
	spec->type = FSP_KEY_SPEC_TYPE_IDENTIFIER;
	if (id)
		memcpy(spec->u.identifier, id, FSP_KEY_IDENTIFIER_SIZE);
}

int fs_add_key_by_id(int fd, int32_t key_id,
		     uint8_t ret_id[FSP_KEY_IDENTIFIER_SIZE])
{
	struct fsp_add_key_arg arg;

	memset(&arg, 0, sizeof(arg));
	spec_identifier(&arg.key_spec, NULL);
	arg.key_id = (uint32_t)key_id;
	if (ioctl(fd, FSP_IOC_ADD_ENCRYPTION_KEY, &arg) < 0)
		return -errno;
	memcpy(ret_id, arg.key_spec.u.identifier, FSP_KEY_IDENTIFIER_SIZE);
	return 0;
}

int fs_add_key_raw(int fd, const uint8_t *raw, size_t len,
		   uint8_t ret_id[FSP_KEY_IDENTIFIER_SIZE])
{
	struct fsp_add_key_arg *arg;
	struct secbuf buf;
	int r;

	if (len < FSP_MIN_KEY_SIZE || len > FSP_MAX_KEY_SIZE)
		return -EINVAL;
	r = secbuf_alloc(&buf, sizeof(*arg) + len);
	if (r < 0)
		return r;
	arg = (struct fsp_add_key_arg *)buf.data;
	spec_identifier(&arg->key_spec, NULL);
	arg->raw_size = (uint32_t)len;
	memcpy(arg->raw, raw, len);
	r = ioctl(fd, FSP_IOC_ADD_ENCRYPTION_KEY, arg) < 0 ? -errno : 0;
	if (r == 0)
		memcpy(ret_id, arg->key_spec.u.identifier,
		       FSP_KEY_IDENTIFIER_SIZE);
	secbuf_free(&buf);
	return r;
}

int fs_key_status(int fd, const uint8_t id[FSP_KEY_IDENTIFIER_SIZE],
		  struct key_status *ret)
{
	struct fsp_get_key_status_arg arg;

	memset(&arg, 0, sizeof(arg));
	spec_identifier(&arg.key_spec, id);
	if (ioctl(fd, FSP_IOC_GET_ENCRYPTION_KEY_STATUS, &arg) < 0)
		return -errno;
	ret->status = arg.status;
	ret->flags = arg.status_flags;
	ret->user_count = arg.user_count;
	return 0;
}

int fs_remove_key(int fd, const uint8_t id[FSP_KEY_IDENTIFIER_SIZE],
		  bool all_users, uint32_t *ret_flags)
{
	struct fsp_remove_key_arg arg;

	memset(&arg, 0, sizeof(arg));
	spec_identifier(&arg.key_spec, id);
	if (ioctl(fd,
		  all_users ? FSP_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS
			    : FSP_IOC_REMOVE_ENCRYPTION_KEY,
		  &arg) < 0)
		return -errno;
	*ret_flags = arg.removal_status_flags;
	return 0;
}

int fs_get_policy(int fd, struct fsp_get_policy_ex_arg *ret)
{
	struct fsp_get_policy_ex_arg arg;

	memset(&arg, 0, sizeof(arg));
	arg.policy_size = sizeof(arg.policy);
	if (ioctl(fd, FSP_IOC_GET_ENCRYPTION_POLICY_EX, &arg) < 0)
		return -errno;
	*ret = arg;
	return 0;
}

int fs_set_policy(int fd, const struct fsp_policy_v2 *policy)
{
	return ioctl(fd, FSP_IOC_SET_ENCRYPTION_POLICY, policy) < 0 ? -errno
								    : 0;
}

int fs_probe_key_id(int fd)
{
	struct fsp_add_key_arg arg;
	key_serial_t user;

	user = keyctl_get_keyring_ID(KEY_SPEC_USER_KEYRING, 1);
	if (user < 0)
		return -errno;
	memset(&arg, 0, sizeof(arg));
	spec_identifier(&arg.key_spec, NULL);
	arg.key_id = (uint32_t)user;
	if (ioctl(fd, FSP_IOC_ADD_ENCRYPTION_KEY, &arg) == 0)
		return -EPROTO; /* a keyring accepted as key material?! */
	switch (errno) {
	case EKEYREJECTED:
		return 1;
	case EINVAL:
		return 0;
	default:
		return -errno;
	}
}

static const struct {
	uint8_t mode;
	const char *name;
} modes[] = {
    {FSP_MODE_AES_256_XTS, "AES-256-XTS"},
    {FSP_MODE_AES_256_CTS, "AES-256-CTS"},
    {FSP_MODE_AES_128_CBC, "AES-128-CBC"},
    {FSP_MODE_AES_128_CTS, "AES-128-CTS"},
    {FSP_MODE_SM4_XTS, "SM4-XTS"},
    {FSP_MODE_SM4_CTS, "SM4-CTS"},
    {FSP_MODE_ADIANTUM, "Adiantum"},
    {FSP_MODE_AES_256_HCTR2, "AES-256-HCTR2"},
};

const char *fscrypt_mode_name(uint8_t mode)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (modes[i].mode == mode)
			return modes[i].name;
	return NULL;
}

int fscrypt_mode_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcasecmp(modes[i].name, name) == 0)
			return modes[i].mode;
	return -EINVAL;
}

const char *fs_key_status_name(uint32_t status)
{
	switch (status) {
	case FSP_KEY_STATUS_ABSENT:
		return "absent";
	case FSP_KEY_STATUS_PRESENT:
		return "present";
	case FSP_KEY_STATUS_INCOMPLETELY_REMOVED:
		return "incompletely removed";
	default:
		return "unknown";
	}
}

int path_identifier(const char *path, uint8_t ret[FSP_KEY_IDENTIFIER_SIZE])
{
	int fd, r;

	fd = fs_open(path);
	if (fd < 0)
		return fd;
	r = fd_identifier(fd, ret);
	close(fd);
	return r;
}

int fd_identifier(int fd, uint8_t ret[FSP_KEY_IDENTIFIER_SIZE])
{
	struct fsp_get_policy_ex_arg pol;
	int r;

	r = fs_get_policy(fd, &pol);
	if (r < 0)
		return r;
	if (pol.policy.version != FSP_POLICY_V2)
		return -EPROTONOSUPPORT;
	memcpy(ret, pol.policy.v2.master_key_identifier,
	       FSP_KEY_IDENTIFIER_SIZE);
	return 0;
}
