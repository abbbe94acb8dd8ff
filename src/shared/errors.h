/* SPDX-License-Identifier: MIT */
/* errno to a sentence a person can act on, and to an exit code. */
#ifndef FSP_SHARED_ERRORS_H
#define FSP_SHARED_ERRORS_H

enum fsp_op {
	OP_OPEN,	/* opening a path on the filesystem */
	OP_KEYRING,	/* finding/creating the durable keyring */
	OP_PROVKEY_ADD, /* add_key("fscrypt-provisioning") and its setup */
	OP_PROVKEY_USE, /* searching/invalidating a provisioning key */
	OP_ADD_BY_ID,	/* FS_IOC_ADD_ENCRYPTION_KEY with key_id */
	OP_ADD_RAW,	/* FS_IOC_ADD_ENCRYPTION_KEY with a raw key */
	OP_REMOVE,	/* FS_IOC_REMOVE_ENCRYPTION_KEY */
	OP_KEY_STATUS,	/* FS_IOC_GET_ENCRYPTION_KEY_STATUS */
	OP_GET_POLICY,	/* FS_IOC_GET_ENCRYPTION_POLICY_EX */
	OP_SET_POLICY,	/* FS_IOC_SET_ENCRYPTION_POLICY */
	OP_KEY_SOURCE,	/* reading a key file or descriptor */
	OP_UNWRAP,	/* a volume's key from its source, a slots file's */
	OP_SLOTS_SAVE,	/* writing a slots file */
	OP_TPM2_SEAL,	/* sealing a new tpm2 slot */
	OP_TAB,		/* reading an fscrypttab, or a --key VOLUME:SOURCE */
};

struct fsp_error {
	int exit;	    /* FSP_EXIT_* */
	const char *reason; /* what happened and what to do */
};

/* err is a negative errno. Never returns NULL reasons. */
struct fsp_error describe_error(enum fsp_op op, int err);
/* Only the exit code, for a caller whose message comes from elsewhere. */
int exit_code_for(enum fsp_op op, int err);

#endif
