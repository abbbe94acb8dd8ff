// SPDX-License-Identifier: MIT
/* status: what the kernel and the keyring say of one path, for people and
 * (--json) machines. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/json_write.h"
#include "fscrypt-provision/cli.h"
#include "kernel/identifier.h"
#include "kernel/mountinfo.h"
#include "kernel/provision.h"

const struct cli_options cmd_status_options = {
    .common = CLI_KEYRING,
    .shared = (const struct cli_use[]){{OPT_JSON, NULL}, {0}},
};

static const char *status_json(uint32_t s)
{
	switch (s) {
	case FSP_KEY_STATUS_ABSENT:
		return "absent";
	case FSP_KEY_STATUS_PRESENT:
		return "present";
	case FSP_KEY_STATUS_INCOMPLETELY_REMOVED:
		return "incompletely_removed";
	default:
		return "unknown";
	}
}

/* Everything status reports about one path. */
struct path_status {
	const char *path;
	struct mount_info mi;
	struct fsp_get_policy_ex_arg pol;
	int policy_err;
	int type_ok, key_id_ok, encrypt; /* 1, 0, or -1: unknown */
	bool fscrypt_kernel;
	bool has_policy; /* a v2 policy: the fields below are set */
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	struct key_status ks;
	int status_err;
	struct provkey *keys; /* owns the volume name below */
	const struct provkey *provisioned;
};

static void gather(int fd, struct path_status *st)
{
	const uint8_t *id = st->pol.policy.v2.master_key_identifier;
	size_t nkeys = 0;

	st->type_ok = provkey_type_supported();
	st->policy_err = fs_get_policy(fd, &st->pol);
	/* ENODATA: encryption enabled, this inode unencrypted. */
	st->encrypt =
	    st->policy_err == 0 || st->policy_err == -ENODATA		 ? 1
	    : st->policy_err == -EOPNOTSUPP || st->policy_err == -ENOTTY ? 0
									 : -1;
	st->key_id_ok = st->encrypt == 1 ? fs_probe_key_id(fd) : st->type_ok;
	if (st->key_id_ok < 0)
		st->key_id_ok = -1;
	if (st->key_id_ok == 1 && st->type_ok == 0)
		st->key_id_ok = 0;
	st->fscrypt_kernel =
	    st->type_ok == 1 || st->encrypt == 1 ||
	    access("/sys/fs/ext4/features/encryption", F_OK) == 0 ||
	    access("/sys/fs/f2fs/features/encryption", F_OK) == 0;
	if (st->policy_err != 0 || st->pol.policy.version != FSP_POLICY_V2)
		return;
	st->has_policy = true;
	hex_encode(id, FSP_KEY_IDENTIFIER_SIZE, st->hex);
	st->status_err = fs_key_status(fd, id, &st->ks);
	if (ring_keys(arg_keyring, false, &st->keys, &nkeys) < 0)
		return;
	for (size_t i = 0; i < nkeys && !st->provisioned; i++)
		if (memcmp(st->keys[i].identifier, id,
			   FSP_KEY_IDENTIFIER_SIZE) == 0 &&
		    !st->keys[i].state)
			st->provisioned = &st->keys[i];
}

static const char *mode_name(uint8_t mode)
{
	const char *name = fscrypt_mode_name(mode);

	return name ? name : "unknown";
}

static void print_json(const struct path_status *st)
{
	const struct fsp_policy_v2 *v2 = &st->pol.policy.v2;
	struct json j;

	json_start(&j, stdout, true);
	json_object_begin(&j, NULL);
	json_str(&j, "path", st->path);
	json_str(&j, "mountpoint",
		 st->mi.mountpoint[0] ? st->mi.mountpoint : NULL);
	json_str(&j, "fstype", st->mi.fstype[0] ? st->mi.fstype : NULL);
	json_object_begin(&j, "kernel");
	json_bool(&j, "fscrypt", st->fscrypt_kernel);
	json_tristate(&j, "provisioning_key_type", st->type_ok);
	json_end(&j);
	json_bool(&j, "key_id_supported", st->key_id_ok == 1);
	json_bool(&j, "fscrypt_filesystem", st->policy_err != -ENOTTY);
	json_tristate(&j, "encrypt_feature", st->encrypt);
	if (st->has_policy) {
		json_object_begin(&j, "policy");
		json_int(&j, "version", 2);
		json_str(&j, "identifier", st->hex);
		json_str(&j, "contents_mode",
			 mode_name(v2->contents_encryption_mode));
		json_str(&j, "filenames_mode",
			 mode_name(v2->filenames_encryption_mode));
		json_int(&j, "flags", v2->flags);
		json_end(&j);
	} else if (st->policy_err == 0) {
		json_object_begin(&j, "policy");
		json_int(&j, "version", 1);
		json_null(&j, "identifier");
		json_null(&j, "contents_mode");
		json_null(&j, "filenames_mode");
		json_end(&j);
	} else {
		json_null(&j, "policy");
	}
	if (st->has_policy && st->status_err == 0) {
		json_str(&j, "key_status", status_json(st->ks.status));
		json_int(&j, "key_users", st->ks.user_count);
	} else {
		json_null(&j, "key_status");
		json_null(&j, "key_users");
	}
	json_bool(&j, "provisioned", st->provisioned);
	json_str(&j, "volume",
		 st->provisioned ? st->provisioned->volume : NULL);
	if (st->provisioned)
		json_int(&j, "key_id", st->provisioned->serial);
	else
		json_null(&j, "key_id");
	json_end(&j);
}

static void print_policy_text(const struct path_status *st)
{
	const struct fsp_policy_v2 *v2 = &st->pol.policy.v2;

	if (!st->has_policy) {
		if (st->policy_err == 0)
			printf("policy:             v1 (not supported by "
			       "fscrypt-provision)\n");
		else if (st->policy_err == -ENODATA)
			printf("policy:             none (not encrypted)\n");
		else
			printf("policy:             unavailable (%s)\n",
			       describe_error(OP_GET_POLICY, st->policy_err)
				   .reason);
		return;
	}
	printf("policy:             v2, key %s\n", st->hex);
	printf("                    contents %s, filenames %s, padding %d\n",
	       mode_name(v2->contents_encryption_mode),
	       mode_name(v2->filenames_encryption_mode),
	       4 << (v2->flags & FSP_POLICY_FLAGS_PAD_MASK));
	printf("key status:         %s",
	       st->status_err ? "unknown" : status_json(st->ks.status));
	if (!st->status_err && st->ks.status != FSP_KEY_STATUS_ABSENT)
		printf(" (%u user%s)", st->ks.user_count,
		       st->ks.user_count == 1 ? "" : "s");
	printf("\nprovisioned:        ");
	if (st->provisioned)
		printf("yes (volume %s, key %d)\n", st->provisioned->volume,
		       st->provisioned->serial);
	else
		printf("no\n");
}

static void print_text(const struct path_status *st)
{
	printf("path:               %s\n", st->path);
	if (st->mi.mountpoint[0])
		printf("filesystem:         %s on %s (%s)\n", st->mi.fstype,
		       st->mi.mountpoint, st->mi.source);
	printf("kernel fscrypt:     %s\n", st->fscrypt_kernel ? "yes" : "no");
	printf("key_id support:     %s\n",
	       st->key_id_ok == 1 ? "yes"
				  : "NO - keys will not survive a remount; "
				    "see kernel-patches/");
	printf("encrypt feature:    %s\n",
	       st->encrypt == 1 ? "enabled"
	       : st->policy_err == -ENOTTY
		   ? "none (this filesystem type has no fscrypt)"
	       : st->encrypt == 0 ? "disabled (ext4: tune2fs -O encrypt DEVICE)"
				  : "unknown");
	print_policy_text(st);
}

int cmd_status(int argc, char **argv)
{
	struct path_status st = {0};
	bool json = false;
	int c, r, fd;

	while ((c = cli_getopt(argc, argv, &cmd_status_options)) != -1) {
		if (c == OPT_JSON) {
			json = true;
			continue;
		}
		r = handle_common_option(c, "status");
		if (r >= 0)
			return r;
	}
	if (argc - optind != 1)
		return cli_usage_error("status", "expected one PATH");
	st.path = argv[optind];
	fd = fs_open(st.path);
	if (fd < 0)
		return cli_error_errno(OP_OPEN, fd, "open %s", st.path);
	(void)mount_of_path(st.path, &st.mi);
	gather(fd, &st);
	close(fd);
	if (json)
		print_json(&st);
	else
		print_text(&st);
	free(st.keys);
	return FSP_EXIT_OK;
}
