// SPDX-License-Identifier: MIT
/* errno to a sentence a person can act on, and to an exit code. */
#include "errors.h"

#include <errno.h>
#include <string.h>

#include "exitcode.h"

#define E(code, text) ((struct fsp_error){(code), (text)})

static struct fsp_error describe_common(int err)
{
	switch (err) {
	case -ENOMEM:
		return E(FSP_EXIT_SYSTEM, "out of memory");
	case -EDQUOT:
		return E(
		    FSP_EXIT_QUOTA,
		    "root's key quota is exhausted; see "
		    "/proc/key-users, remove stale keys (fscrypt-provision "
		    "list) or raise /proc/sys/kernel/keys/root_maxkeys");
	case -EPERM:
		return E(
		    FSP_EXIT_PERMISSION,
		    "operation not permitted; run as root (CAP_SYS_ADMIN)");
	case -ENOENT:
		return E(FSP_EXIT_SYSTEM, "no such file or directory");
	case -ENOTDIR:
		return E(FSP_EXIT_SYSTEM,
			 "a path component is not a directory");
	case -ELOOP:
		return E(FSP_EXIT_SYSTEM, "too many levels of symbolic links");
	case -ENAMETOOLONG:
		return E(FSP_EXIT_SYSTEM, "name too long");
	case -ETIMEDOUT:
		return E(FSP_EXIT_SYSTEM,
			 "timed out waiting for another fscrypt-provision "
			 "process to finish creating the keyring");
	default:
		return E(FSP_EXIT_SYSTEM, NULL);
	}
}

static struct fsp_error describe_fs_common(int err)
{
	switch (err) {
	case -ENOTTY:
		return E(
		    FSP_EXIT_UNSUPPORTED,
		    "this filesystem does not support fscrypt (ext4, f2fs, "
		    "ubifs and ceph do; tmpfs and most others do not)");
	case -EOPNOTSUPP:
		return E(
		    FSP_EXIT_UNSUPPORTED,
		    "encryption is not enabled on this filesystem, or the "
		    "kernel lacks CONFIG_FS_ENCRYPTION; for ext4 enable it "
		    "with 'tune2fs -O encrypt DEVICE' (or mkfs.ext4 -O "
		    "encrypt)");
	case -EROFS:
		return E(FSP_EXIT_SYSTEM,
			 "the filesystem is mounted read-only");
	default:
		return describe_common(err);
	}
}

struct fsp_error describe_error(enum fsp_op op, int err)
{
	struct fsp_error e = E(FSP_EXIT_SYSTEM, NULL);

	switch (op) {
	case OP_OPEN:
		if (err == -EACCES)
			e = E(FSP_EXIT_PERMISSION, "permission denied");
		else
			e = describe_common(err);
		break;
	case OP_KEYRING:
		if (err == -EACCES)
			e = E(FSP_EXIT_PERMISSION,
			      "permission denied on root's user keyring or the "
			      "fscrypt-provision keyring; run as root, and do "
			      "not change the keyring's permissions");
		else if (err == -ENOKEY)
			e = E(FSP_EXIT_KEY_UNAVAILABLE,
			      "no fscrypt-provision keyring exists in root's "
			      "user keyring: no key was provisioned since boot "
			      "(run 'fscrypt-provision add' or 'apply')");
		else if (err == -EKEYREVOKED || err == -EKEYEXPIRED)
			e = E(FSP_EXIT_KEY_UNAVAILABLE,
			      "the fscrypt-provision keyring was revoked or "
			      "expired; provision the keys again");
		else
			e = describe_common(err);
		break;
	case OP_PROVKEY_ADD:
		if (err == -ENODEV)
			e = E(FSP_EXIT_UNSUPPORTED,
			      "this kernel has no 'fscrypt-provisioning' key "
			      "type (it needs Linux 5.6 or later, or the "
			      "backport in kernel-patches/); keys cannot "
			      "survive a remount here");
		else if (err == -EINVAL)
			e = E(FSP_EXIT_KEY_SOURCE,
			      "the kernel refused the key payload (a raw key "
			      "must be 16 to 64 bytes)");
		else if (err == -EACCES)
			e = E(
			    FSP_EXIT_PERMISSION,
			    "permission denied adding to the fscrypt-provision "
			    "keyring; run as root");
		else
			e = describe_common(err);
		break;
	case OP_PROVKEY_USE:
		if (err == -ENOKEY)
			e = E(FSP_EXIT_KEY_UNAVAILABLE,
			      "no such provisioning key; provision it again "
			      "with 'fscrypt-provision add' or 'apply'");
		else if (err == -EKEYEXPIRED)
			e = E(
			    FSP_EXIT_KEY_UNAVAILABLE,
			    "the provisioning key has expired (its --timeout "
			    "ran out); provision it again from its key source");
		else if (err == -EKEYREVOKED)
			e = E(FSP_EXIT_KEY_UNAVAILABLE,
			      "the provisioning key was revoked; provision it "
			      "again from its key source");
		else if (err == -EACCES)
			e = E(
			    FSP_EXIT_PERMISSION,
			    "this process may not search the provisioning key "
			    "(it lacks the user Search bit 0x00080000; was it "
			    "created by another tool?)");
		else
			e = describe_common(err);
		break;
	case OP_ADD_BY_ID:
		switch (err) {
		case -EACCES:
			e = E(
			    FSP_EXIT_PERMISSION,
			    "this process may not search the provisioning key "
			    "(keys made by other tools default to possessor-"
			    "only rights, 0x39010000; ours carry 0x39090000)");
			break;
		case -ENOKEY:
			e = E(
			    FSP_EXIT_KEY_UNAVAILABLE,
			    "the provisioning key no longer exists; provision "
			    "it again from its key source");
			break;
		case -EKEYEXPIRED:
			e = E(FSP_EXIT_KEY_UNAVAILABLE,
			      "the provisioning key has expired; provision it "
			      "again from its key source");
			break;
		case -EKEYREVOKED:
			e = E(FSP_EXIT_KEY_UNAVAILABLE,
			      "the provisioning key was revoked; provision it "
			      "again from its key source");
			break;
		case -EKEYREJECTED:
			e = E(FSP_EXIT_KEY_REJECTED,
			      "the kernel rejected the key: it is not an "
			      "'fscrypt-provisioning' key, or its payload type "
			      "or flags do not match (v2 policies need payload "
			      "type 2)");
			break;
		case -EINVAL:
			e = E(
			    FSP_EXIT_UNSUPPORTED,
			    "the kernel refused key_id: Linux before 5.6 has "
			    "no key_id, so keys cannot be re-added after a "
			    "remount; apply kernel-patches/ or add the raw key "
			    "at boot with --allow-raw-fallback");
			break;
		default:
			e = describe_fs_common(err);
		}
		break;
	case OP_ADD_RAW:
		if (err == -EINVAL)
			e = E(FSP_EXIT_KEY_SOURCE,
			      "the kernel refused the key (size must be 16 to "
			      "64 bytes)");
		else if (err == -EACCES)
			e = E(FSP_EXIT_PERMISSION, "permission denied");
		else
			e = describe_fs_common(err);
		break;
	case OP_REMOVE:
		if (err == -ENOKEY)
			e = E(
			    FSP_EXIT_KEY_UNAVAILABLE,
			    "the key is not present on this filesystem (or was "
			    "added by another user; try --all-users)");
		else if (err == -EACCES)
			e = E(FSP_EXIT_PERMISSION,
			      "permission denied; removing all users' claims "
			      "needs CAP_SYS_ADMIN");
		else
			e = describe_fs_common(err);
		break;
	case OP_KEY_STATUS:
	case OP_GET_POLICY:
		if (err == -ENODATA)
			e = E(FSP_EXIT_NOT_READY,
			      "the directory is not encrypted");
		else if (err == -EINVAL)
			e = E(FSP_EXIT_UNSUPPORTED,
			      "the policy is of a version this tool does not "
			      "know");
		else if (err == -EOVERFLOW)
			e = E(FSP_EXIT_UNSUPPORTED,
			      "the policy is larger than this tool knows");
		else
			e = describe_fs_common(err);
		break;
	case OP_SET_POLICY:
		switch (err) {
		case -ENOTEMPTY:
			e = E(
			    FSP_EXIT_SYSTEM,
			    "the directory is not empty; policies can only be "
			    "set on empty directories (on a fresh ext4, not on "
			    "the root, which holds lost+found)");
			break;
		case -EEXIST:
			e = E(
			    FSP_EXIT_KEY_REJECTED,
			    "the directory already has a different encryption "
			    "policy");
			break;
		case -ENOKEY:
			e = E(FSP_EXIT_KEY_UNAVAILABLE,
			      "the key with this identifier has not been added "
			      "to this filesystem by this user; run "
			      "'fscrypt-provision add --mount' or 'unlock' "
			      "first");
			break;
		case -EINVAL:
			e = E(FSP_EXIT_UNSUPPORTED,
			      "the kernel rejected the policy (unsupported "
			      "modes or flags for this kernel or filesystem)");
			break;
		case -EACCES:
			e = E(FSP_EXIT_PERMISSION,
			      "permission denied; you must own the directory");
			break;
		case -ENOTDIR:
			e = E(FSP_EXIT_SYSTEM, "not a directory");
			break;
		case -ENOPKG:
			e = E(
			    FSP_EXIT_UNSUPPORTED,
			    "the kernel lacks the crypto algorithms for these "
			    "modes (load xts, cts, ecb and sha512 modules)");
			break;
		default:
			e = describe_fs_common(err);
		}
		break;
	case OP_KEY_SOURCE:
		e = E(FSP_EXIT_KEY_SOURCE, NULL);
		break;
	}
	if (!e.reason)
		e.reason = strerror(-err);
	return e;
}
