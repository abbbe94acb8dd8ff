// SPDX-License-Identifier: MIT
/* errno to a sentence a person can act on, and to an exit code. */
#include "shared/errors.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "shared/exit_code.h"

#define E(code, text) ((struct fsp_error){(code), (text)})
#define N(a) (sizeof(a) / sizeof((a)[0]))

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

/*
 * One table per family of operations: what each errno means there. An
 * errno a family does not list falls back to the sentences every file
 * operation (or every fscrypt ioctl) shares, then to strerror().
 */
struct errno_row {
	int err;
	int exit;
	const char *reason;
};

static const struct errno_row open_rows[] = {
    {-EACCES, FSP_EXIT_PERMISSION, "permission denied"},
};

static const struct errno_row keyring_rows[] = {
    {-EACCES, FSP_EXIT_PERMISSION,
     "permission denied on root's user keyring or the "
     "fscrypt-provision keyring; run as root, and do "
     "not change the keyring's permissions"},
    {-ENOKEY, FSP_EXIT_KEY_UNAVAILABLE,
     "no fscrypt-provision keyring exists in root's "
     "user keyring: no key was provisioned since boot "
     "(run 'fscrypt-provision add' or 'apply')"},
    {-EKEYREVOKED, FSP_EXIT_KEY_UNAVAILABLE,
     "the fscrypt-provision keyring was revoked or "
     "expired; provision the keys again"},
    {-EKEYEXPIRED, FSP_EXIT_KEY_UNAVAILABLE,
     "the fscrypt-provision keyring was revoked or "
     "expired; provision the keys again"},
};

static const struct errno_row provkey_add_rows[] = {
    {-ENODEV, FSP_EXIT_UNSUPPORTED,
     "this kernel has no 'fscrypt-provisioning' key "
     "type (it needs Linux 5.6 or later, or the "
     "backport in kernel-patches/); keys cannot "
     "survive a remount here"},
    {-EINVAL, FSP_EXIT_KEY_SOURCE,
     "the kernel refused the key payload (a raw key "
     "must be 16 to 64 bytes)"},
    {-EACCES, FSP_EXIT_PERMISSION,
     "permission denied adding to the fscrypt-provision "
     "keyring; run as root"},
};

static const struct errno_row provkey_use_rows[] = {
    {-ENOKEY, FSP_EXIT_KEY_UNAVAILABLE,
     "no such provisioning key; provision it again "
     "with 'fscrypt-provision add' or 'apply'"},
    {-EKEYEXPIRED, FSP_EXIT_KEY_UNAVAILABLE,
     "the provisioning key has expired (its --timeout "
     "ran out); provision it again from its key source"},
    {-EKEYREVOKED, FSP_EXIT_KEY_UNAVAILABLE,
     "the provisioning key was revoked; provision it "
     "again from its key source"},
    {-EACCES, FSP_EXIT_PERMISSION,
     "this process may not search the provisioning key "
     "(it lacks the user Search bit 0x00080000; was it "
     "created by another tool?)"},
};

static const struct errno_row add_by_id_rows[] = {
    {-EACCES, FSP_EXIT_PERMISSION,
     "this process may not search the provisioning key "
     "(keys made by other tools default to possessor-"
     "only rights, 0x39010000; ours carry 0x39090000)"},
    {-ENOKEY, FSP_EXIT_KEY_UNAVAILABLE,
     "the provisioning key no longer exists; provision "
     "it again from its key source"},
    {-EKEYEXPIRED, FSP_EXIT_KEY_UNAVAILABLE,
     "the provisioning key has expired; provision it "
     "again from its key source"},
    {-EKEYREVOKED, FSP_EXIT_KEY_UNAVAILABLE,
     "the provisioning key was revoked; provision it "
     "again from its key source"},
    {-EKEYREJECTED, FSP_EXIT_KEY_REJECTED,
     "the kernel rejected the key: it is not an "
     "'fscrypt-provisioning' key, or its payload type "
     "or flags do not match (v2 policies need payload "
     "type 2)"},
    {-EINVAL, FSP_EXIT_UNSUPPORTED,
     "the kernel refused key_id: Linux before 5.6 has "
     "no key_id, so keys cannot be re-added after a "
     "remount; apply kernel-patches/ or add the raw key "
     "at boot with --allow-raw-fallback"},
};

static const struct errno_row add_raw_rows[] = {
    {-EINVAL, FSP_EXIT_KEY_SOURCE,
     "the kernel refused the key (size must be 16 to "
     "64 bytes)"},
    {-EACCES, FSP_EXIT_PERMISSION, "permission denied"},
};

static const struct errno_row remove_rows[] = {
    {-ENOKEY, FSP_EXIT_KEY_UNAVAILABLE,
     "the key is not present on this filesystem (or was "
     "added by another user; try --all-users)"},
    {-EACCES, FSP_EXIT_PERMISSION,
     "permission denied; removing all users' claims "
     "needs CAP_SYS_ADMIN"},
};

static const struct errno_row policy_read_rows[] = {
    {-ENODATA, FSP_EXIT_NOT_READY, "the directory is not encrypted"},
    {-EINVAL, FSP_EXIT_UNSUPPORTED,
     "the policy is of a version this tool does not "
     "know"},
    {-EOVERFLOW, FSP_EXIT_UNSUPPORTED,
     "the policy is larger than this tool knows"},
};

static const struct errno_row set_policy_rows[] = {
    {-ENOTEMPTY, FSP_EXIT_SYSTEM,
     "the directory is not empty; policies can only be "
     "set on empty directories (on a fresh ext4, not on "
     "the root, which holds lost+found)"},
    {-EEXIST, FSP_EXIT_KEY_REJECTED,
     "the directory already has a different encryption "
     "policy"},
    {-ENOKEY, FSP_EXIT_KEY_UNAVAILABLE,
     "the key with this identifier has not been added "
     "to this filesystem by this user; run "
     "'fscrypt-provision add --add-to' or 'unlock' "
     "first"},
    {-EINVAL, FSP_EXIT_UNSUPPORTED,
     "the kernel rejected the policy (unsupported "
     "modes or flags for this kernel or filesystem)"},
    {-EACCES, FSP_EXIT_PERMISSION,
     "permission denied; you must own the directory"},
    {-ENOTDIR, FSP_EXIT_SYSTEM, "not a directory"},
    {-ENOPKG, FSP_EXIT_UNSUPPORTED,
     "the kernel lacks the crypto algorithms for these "
     "modes (load xts, cts, ecb and sha512 modules)"},
};

/* A key source's errors: the reader says what was wrong, errno only how. */
static struct fsp_error describe_key_source(int err)
{
	(void)err;
	return E(FSP_EXIT_KEY_SOURCE, NULL);
}

/* The reader or the slots code says what was wrong; errno says which
 * exit code. */
static const struct errno_row unwrap_rows[] = {
    {-EKEYREJECTED, FSP_EXIT_KEY_REJECTED, NULL},
    {-ENOMEM, FSP_EXIT_SYSTEM, NULL},
    /* keyformat=auto cannot tell raw from hex: the entry must say. */
    {-ENOTUNIQ, FSP_EXIT_CONFIG, NULL},
};
static const struct errno_row slots_save_rows[] = {
    {-EACCES, FSP_EXIT_PERMISSION, NULL},
    {-EPERM, FSP_EXIT_PERMISSION, NULL},
    {-EROFS, FSP_EXIT_PERMISSION, NULL},
};
static const struct errno_row tpm2_seal_rows[] = {
    {-ENODEV, FSP_EXIT_UNSUPPORTED, NULL},
};

/* Whatever the errno, a table that cannot be read is the table's error
 * (the message names the file and line); only memory is the system's. */
static const struct errno_row tab_rows[] = {
    {-ENOMEM, FSP_EXIT_SYSTEM, NULL},
};

static struct fsp_error describe_tab(int err)
{
	(void)err;
	return E(FSP_EXIT_CONFIG, NULL);
}

static struct fsp_error describe_system(int err)
{
	(void)err;
	return E(FSP_EXIT_SYSTEM, NULL);
}

static const struct family {
	const struct errno_row *rows;
	size_t n;
	struct fsp_error (*fallback)(int err);
} families[] = {
    [OP_OPEN] = {open_rows, N(open_rows), describe_common},
    [OP_KEYRING] = {keyring_rows, N(keyring_rows), describe_common},
    [OP_PROVKEY_ADD] = {provkey_add_rows, N(provkey_add_rows), describe_common},
    [OP_PROVKEY_USE] = {provkey_use_rows, N(provkey_use_rows), describe_common},
    [OP_ADD_BY_ID] = {add_by_id_rows, N(add_by_id_rows), describe_fs_common},
    [OP_ADD_RAW] = {add_raw_rows, N(add_raw_rows), describe_fs_common},
    [OP_REMOVE] = {remove_rows, N(remove_rows), describe_fs_common},
    [OP_GET_POLICY] = {policy_read_rows, N(policy_read_rows),
		       describe_fs_common},
    [OP_SET_POLICY] = {set_policy_rows, N(set_policy_rows), describe_fs_common},
    [OP_KEY_STATUS] = {policy_read_rows, N(policy_read_rows),
		       describe_fs_common},
    [OP_KEY_SOURCE] = {NULL, 0, describe_key_source},
    [OP_UNWRAP] = {unwrap_rows, N(unwrap_rows), describe_key_source},
    [OP_SLOTS_SAVE] = {slots_save_rows, N(slots_save_rows), describe_system},
    [OP_TPM2_SEAL] = {tpm2_seal_rows, N(tpm2_seal_rows), describe_key_source},
    [OP_TAB] = {tab_rows, N(tab_rows), describe_tab},
};

struct fsp_error describe_error(enum fsp_op op, int err)
{
	struct fsp_error e = E(FSP_EXIT_SYSTEM, NULL);
	const struct family *f = NULL;

	if ((size_t)op < N(families))
		f = &families[op];
	bool found = false;

	for (size_t i = 0; f && i < f->n; i++)
		if (f->rows[i].err == err) {
			e = E(f->rows[i].exit, f->rows[i].reason);
			found = true;
		}
	/* A row without a sentence keeps its exit code, and takes the
	 * family's sentence. */
	if (f && !e.reason) {
		struct fsp_error fb = f->fallback(err);

		e = E(found ? e.exit : fb.exit, fb.reason);
	}
	if (!e.reason)
		e.reason = strerror(-err);
	return e;
}

int exit_code_for(enum fsp_op op, int err)
{
	return describe_error(op, err).exit;
}
