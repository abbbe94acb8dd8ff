// SPDX-License-Identifier: MIT
/* shared/errors.c: every operation x errno gives a sentence and the exit code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "shared/errors.h"
#include "shared/exit_code.h"
#include "unit.h"

/* What the kernel APIs we use return, per operation (fscrypt.rst,
 * keyctl(2), the facts sheet), with the exit code and a phrase of the
 * sentence a person gets. */
static const struct {
	enum fsp_op op;
	int err;
	int exit;
	const char *phrase;
} cases[] = {
    {OP_OPEN, -EACCES, FSP_EXIT_PERMISSION, "permission denied"},
    {OP_OPEN, -ENOENT, FSP_EXIT_SYSTEM, "no such file"},
    {OP_OPEN, -ENOMEM, FSP_EXIT_SYSTEM, "out of memory"},
    {OP_KEYRING, -EACCES, FSP_EXIT_PERMISSION, "do not change the keyring"},
    {OP_KEYRING, -ENOKEY, FSP_EXIT_KEY_UNAVAILABLE, "no key was provisioned"},
    {OP_KEYRING, -EKEYREVOKED, FSP_EXIT_KEY_UNAVAILABLE, "revoked or"},
    {OP_KEYRING, -EKEYEXPIRED, FSP_EXIT_KEY_UNAVAILABLE, "expired"},
    {OP_KEYRING, -EDQUOT, FSP_EXIT_QUOTA, "root_maxkeys"},
    {OP_KEYRING, -ETIMEDOUT, FSP_EXIT_SYSTEM, "creating the keyring"},
    {OP_PROVKEY_ADD, -ENODEV, FSP_EXIT_UNSUPPORTED, "kernel-patches/"},
    {OP_PROVKEY_ADD, -EINVAL, FSP_EXIT_KEY_SOURCE, "16 to 64 bytes"},
    {OP_PROVKEY_ADD, -EACCES, FSP_EXIT_PERMISSION, "run as root"},
    {OP_PROVKEY_ADD, -EDQUOT, FSP_EXIT_QUOTA, "quota is exhausted"},
    {OP_PROVKEY_USE, -ENOKEY, FSP_EXIT_KEY_UNAVAILABLE, "provision it again"},
    {OP_PROVKEY_USE, -EKEYEXPIRED, FSP_EXIT_KEY_UNAVAILABLE, "has expired"},
    {OP_PROVKEY_USE, -EKEYREVOKED, FSP_EXIT_KEY_UNAVAILABLE, "was revoked"},
    {OP_PROVKEY_USE, -EACCES, FSP_EXIT_PERMISSION, "0x00080000"},
    {OP_ADD_BY_ID, -EACCES, FSP_EXIT_PERMISSION, "0x39090000"},
    {OP_ADD_BY_ID, -ENOKEY, FSP_EXIT_KEY_UNAVAILABLE, "no longer exists"},
    {OP_ADD_BY_ID, -EKEYEXPIRED, FSP_EXIT_KEY_UNAVAILABLE, "has expired"},
    {OP_ADD_BY_ID, -EKEYREVOKED, FSP_EXIT_KEY_UNAVAILABLE, "was revoked"},
    {OP_ADD_BY_ID, -EKEYREJECTED, FSP_EXIT_KEY_REJECTED, "payload type 2"},
    {OP_ADD_BY_ID, -EINVAL, FSP_EXIT_UNSUPPORTED, "before 5.6"},
    {OP_ADD_BY_ID, -EDQUOT, FSP_EXIT_QUOTA, "quota"},
    {OP_ADD_BY_ID, -ENOTTY, FSP_EXIT_UNSUPPORTED, "does not support fscrypt"},
    {OP_ADD_BY_ID, -EOPNOTSUPP, FSP_EXIT_UNSUPPORTED, "tune2fs -O encrypt"},
    {OP_ADD_RAW, -EINVAL, FSP_EXIT_KEY_SOURCE, "16 to 64 bytes"},
    {OP_ADD_RAW, -EACCES, FSP_EXIT_PERMISSION, "permission denied"},
    {OP_ADD_RAW, -EROFS, FSP_EXIT_SYSTEM, "read-only"},
    {OP_REMOVE, -ENOKEY, FSP_EXIT_KEY_UNAVAILABLE, "--all-users"},
    {OP_REMOVE, -EACCES, FSP_EXIT_PERMISSION, "CAP_SYS_ADMIN"},
    {OP_REMOVE, -ENOTTY, FSP_EXIT_UNSUPPORTED, "does not support fscrypt"},
    {OP_KEY_STATUS, -ENODATA, FSP_EXIT_NOT_READY, "not encrypted"},
    {OP_KEY_STATUS, -EOPNOTSUPP, FSP_EXIT_UNSUPPORTED, "encrypt"},
    {OP_GET_POLICY, -ENODATA, FSP_EXIT_NOT_READY, "not encrypted"},
    {OP_GET_POLICY, -EINVAL, FSP_EXIT_UNSUPPORTED, "version"},
    {OP_GET_POLICY, -EOVERFLOW, FSP_EXIT_UNSUPPORTED, "larger"},
    {OP_SET_POLICY, -ENOTEMPTY, FSP_EXIT_SYSTEM, "lost+found"},
    {OP_SET_POLICY, -EEXIST, FSP_EXIT_KEY_REJECTED, "different"},
    {OP_SET_POLICY, -ENOKEY, FSP_EXIT_KEY_UNAVAILABLE, "add --add-to"},
    {OP_SET_POLICY, -EINVAL, FSP_EXIT_UNSUPPORTED, "modes or flags"},
    {OP_SET_POLICY, -EACCES, FSP_EXIT_PERMISSION, "own the directory"},
    {OP_SET_POLICY, -ENOTDIR, FSP_EXIT_SYSTEM, "not a directory"},
    {OP_SET_POLICY, -ENOPKG, FSP_EXIT_UNSUPPORTED, "xts, cts, ecb"},
    {OP_KEY_SOURCE, -ENOENT, FSP_EXIT_KEY_SOURCE, "No such file"},
    {OP_KEY_SOURCE, -EMSGSIZE, FSP_EXIT_KEY_SOURCE, "long"},
    /* The exit codes that the commands once chose by hand. */
    {OP_UNWRAP, -EKEYREJECTED, FSP_EXIT_KEY_REJECTED, "rejected"},
    {OP_UNWRAP, -ENOMEM, FSP_EXIT_SYSTEM, "memory"},
    {OP_UNWRAP, -ETIME, FSP_EXIT_KEY_SOURCE, "Timer expired"},
    {OP_UNWRAP, -EBADMSG, FSP_EXIT_KEY_SOURCE, "Bad message"},
    /* keyformat=auto could not tell raw from hex: the entry must say. */
    {OP_UNWRAP, -ENOTUNIQ, FSP_EXIT_CONFIG, "not unique"},
    {OP_SLOTS_SAVE, -EROFS, FSP_EXIT_PERMISSION, "Read-only"},
    {OP_SLOTS_SAVE, -EACCES, FSP_EXIT_PERMISSION, "denied"},
    {OP_SLOTS_SAVE, -ENOSPC, FSP_EXIT_SYSTEM, "No space"},
    {OP_TPM2_SEAL, -ENODEV, FSP_EXIT_UNSUPPORTED, "No such device"},
    {OP_TPM2_SEAL, -EDOM, FSP_EXIT_KEY_SOURCE, "argument"},
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fsp_error e = describe_error(cases[i].op, cases[i].err);

		CHECK(e.exit == cases[i].exit, "op %d, %s: exit %d (%s)",
		      (int)cases[i].op, strerrorname_np(-cases[i].err),
		      cases[i].exit, exit_code_name(cases[i].exit));
		CHECK(exit_code_for(cases[i].op, cases[i].err) == e.exit,
		      "op %d, %s: exit_code_for agrees", (int)cases[i].op,
		      strerrorname_np(-cases[i].err));
		CHECK(e.reason && strstr(e.reason, cases[i].phrase),
		      "op %d, %s: the sentence says '%s'", (int)cases[i].op,
		      strerrorname_np(-cases[i].err), cases[i].phrase);
	}
	/* Whatever the errno, every operation gives a sentence and an exit
	 * code the tool documents: never success, never a usage error (1 is
	 * "not encrypted" for the policy reads). */
	for (int op = OP_OPEN; op <= OP_TAB; op++) {
		bool all = true;

		for (int err = 1; err < 134; err++) {
			struct fsp_error e = describe_error(op, -err);

			all &= e.reason && *e.reason && e.exit > FSP_EXIT_OK &&
			       e.exit <= FSP_EXIT_MAX &&
			       e.exit != FSP_EXIT_USAGE;
		}
		CHECK(all,
		      "op %d: every errno 1-133 has a sentence and an exit "
		      "code of 1 or 3-11",
		      op);
	}
	return UNIT_DONE();
}
