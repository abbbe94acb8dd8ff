// SPDX-License-Identifier: MIT
/* status and list: read-only reports, for people and (--json) machines. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "hex.h"
#include "mountinfo.h"
#include "provision.h"

enum { OPT_JSON = OPT_FIRST_PRIVATE };

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

static const char *tri(int v)
{
	return v > 0 ? "true" : v == 0 ? "false" : "null";
}

int cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	struct fsp_get_policy_ex_arg pol;
	struct key_status ks = {0};
	struct mount_info mi = {0};
	struct provkey *keys = NULL;
	char hex[FSP_IDENTIFIER_HEX_LEN + 1] = "";
	const char *path, *provisioned_volume = NULL;
	size_t nkeys = 0;
	bool json = false, has_policy = false, fscrypt_kernel;
	int c, r, fd, type_ok, key_id_ok, encrypt, policy_err, status_err = 0;
	int provisioned = 0;
	key_serial_t provisioned_serial = 0;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == OPT_JSON) {
			json = true;
			continue;
		}
		r = handle_common_option(c, "status");
		if (r >= 0)
			return r;
	}
	if (argc - optind != 1)
		return usage_error("status", "expected one PATH");
	path = argv[optind];
	fd = fs_open(path);
	if (fd < 0)
		return fail(OP_OPEN, fd, "open %s", path);
	(void)mount_of_path(path, &mi);

	type_ok = provkey_type_supported();
	policy_err = fs_get_policy(fd, &pol);
	/* ENODATA: encryption enabled, this inode unencrypted. */
	encrypt = policy_err == 0 || policy_err == -ENODATA	       ? 1
		  : policy_err == -EOPNOTSUPP || policy_err == -ENOTTY ? 0
								       : -1;
	key_id_ok = encrypt == 1 ? fs_probe_key_id(fd) : type_ok;
	if (key_id_ok < 0)
		key_id_ok = -1;
	if (key_id_ok == 1 && type_ok == 0)
		key_id_ok = 0;
	fscrypt_kernel =
	    type_ok == 1 || encrypt == 1 ||
	    access("/sys/fs/ext4/features/encryption", F_OK) == 0 ||
	    access("/sys/fs/f2fs/features/encryption", F_OK) == 0;
	if (policy_err == 0 && pol.policy.version == FSP_POLICY_V2) {
		has_policy = true;
		hex_encode(pol.policy.v2.master_key_identifier,
			   FSP_KEY_IDENTIFIER_SIZE, hex);
		status_err =
		    fs_key_status(fd, pol.policy.v2.master_key_identifier, &ks);
		if (ring_keys(arg_keyring, false, &keys, &nkeys) == 0)
			for (size_t i = 0; i < nkeys; i++)
				if (memcmp(keys[i].identifier,
					   pol.policy.v2.master_key_identifier,
					   FSP_KEY_IDENTIFIER_SIZE) == 0 &&
				    !keys[i].state) {
					provisioned = 1;
					provisioned_volume = keys[i].volume;
					provisioned_serial = keys[i].serial;
					break;
				}
	}
	close(fd);

	if (json) {
		printf("{\n  \"path\": ");
		json_string(stdout, path);
		printf(",\n  \"mountpoint\": ");
		if (mi.mountpoint[0])
			json_string(stdout, mi.mountpoint);
		else
			printf("null");
		printf(",\n  \"fstype\": ");
		if (mi.fstype[0])
			json_string(stdout, mi.fstype);
		else
			printf("null");
		printf(",\n  \"kernel\": {\"fscrypt\": %s, "
		       "\"provisioning_key_type\": %s},\n",
		       fscrypt_kernel ? "true" : "false", tri(type_ok));
		printf("  \"key_id_supported\": %s,\n",
		       key_id_ok == 1 ? "true" : "false");
		printf("  \"fscrypt_filesystem\": %s,\n",
		       policy_err == -ENOTTY ? "false" : "true");
		printf("  \"encrypt_feature\": %s,\n", tri(encrypt));
		if (policy_err == 0 && pol.policy.version == FSP_POLICY_V2) {
			const char *cm = fscrypt_mode_name(
			    pol.policy.v2.contents_encryption_mode);
			const char *fm = fscrypt_mode_name(
			    pol.policy.v2.filenames_encryption_mode);

			printf("  \"policy\": {\"version\": 2, \"identifier\": "
			       "\"%s\", \"contents_mode\": ",
			       hex);
			json_string(stdout, cm ? cm : "unknown");
			printf(", \"filenames_mode\": ");
			json_string(stdout, fm ? fm : "unknown");
			printf(", \"flags\": %u},\n", pol.policy.v2.flags);
		} else if (policy_err == 0) {
			printf("  \"policy\": {\"version\": 1, \"identifier\": "
			       "null, \"contents_mode\": null, "
			       "\"filenames_mode\": null},\n");
		} else {
			printf("  \"policy\": null,\n");
		}
		printf("  \"key_status\": ");
		if (has_policy && status_err == 0)
			printf("\"%s\",\n  \"key_users\": %u,\n",
			       status_json(ks.status), ks.user_count);
		else
			printf("null,\n  \"key_users\": null,\n");
		printf("  \"provisioned\": %s,\n  \"volume\": ",
		       provisioned ? "true" : "false");
		if (provisioned_volume)
			json_string(stdout, provisioned_volume);
		else
			printf("null");
		printf(",\n  \"key_id\": ");
		if (provisioned)
			printf("%d\n}\n", provisioned_serial);
		else
			printf("null\n}\n");
	} else {
		printf("path:               %s\n", path);
		if (mi.mountpoint[0])
			printf("filesystem:         %s on %s (%s)\n", mi.fstype,
			       mi.mountpoint, mi.source);
		printf("kernel fscrypt:     %s\n",
		       fscrypt_kernel ? "yes" : "no");
		printf("key_id support:     %s\n",
		       key_id_ok == 1
			   ? "yes"
			   : "NO - keys will not survive a remount; see "
			     "kernel-patches/");
		printf("encrypt feature:    %s\n",
		       encrypt == 1 ? "enabled"
		       : policy_err == -ENOTTY
			   ? "none (this filesystem type has no fscrypt)"
		       : encrypt == 0
			   ? "disabled (ext4: tune2fs -O encrypt DEVICE)"
			   : "unknown");
		if (policy_err == 0 && pol.policy.version == FSP_POLICY_V2) {
			const char *cm = fscrypt_mode_name(
			    pol.policy.v2.contents_encryption_mode);
			const char *fm = fscrypt_mode_name(
			    pol.policy.v2.filenames_encryption_mode);

			printf("policy:             v2, key %s\n", hex);
			printf("                    contents %s, filenames %s, "
			       "padding %d\n",
			       cm ? cm : "unknown", fm ? fm : "unknown",
			       4 << (pol.policy.v2.flags &
				     FSP_POLICY_FLAGS_PAD_MASK));
			printf("key status:         %s",
			       status_err ? "unknown" : status_json(ks.status));
			if (!status_err && ks.status != FSP_KEY_STATUS_ABSENT)
				printf(" (%u user%s)", ks.user_count,
				       ks.user_count == 1 ? "" : "s");
			printf("\nprovisioned:        ");
			if (provisioned)
				printf("yes (volume %s, key %d)\n",
				       provisioned_volume, provisioned_serial);
			else
				printf("no\n");
		} else if (policy_err == 0) {
			printf("policy:             v1 (not supported by "
			       "fscrypt-provision)\n");
		} else if (policy_err == -ENODATA) {
			printf("policy:             none (not encrypted)\n");
		} else {
			printf(
			    "policy:             unavailable (%s)\n",
			    describe_error(OP_GET_POLICY, policy_err).reason);
		}
	}
	free(keys);
	return FSP_EXIT_OK;
}

int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	struct provkey *keys = NULL;
	size_t n = 0;
	bool json = false;
	int c, r;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == OPT_JSON) {
			json = true;
			continue;
		}
		r = handle_common_option(c, "list");
		if (r >= 0)
			return r;
	}
	if (optind != argc)
		return usage_error("list", "unexpected argument '%s'",
				   argv[optind]);
	r = ring_keys(arg_keyring, true, &keys, &n);
	if (r < 0)
		return fail(OP_KEYRING, r, "list keyring %s", arg_keyring);
	if (json)
		printf("[");
	else if (n && !arg_quiet)
		printf("%-10s  %-20s  %-32s  %-10s  %s\n", "KEY_ID", "VOLUME",
		       "IDENTIFIER", "PERM", "EXPIRY");
	for (size_t i = 0; i < n; i++) {
		const struct provkey *k = &keys[i];
		char hex[FSP_IDENTIFIER_HEX_LEN + 1], exp[32];

		hex_encode(k->identifier, FSP_KEY_IDENTIFIER_SIZE, hex);
		if (json) {
			printf("%s\n  {\"key_id\": %d, \"volume\": ",
			       i ? "," : "", k->serial);
			json_string(stdout, k->volume);
			printf(", \"identifier\": \"%s\", \"permissions\": "
			       "\"0x%08x\", \"expiry\": ",
			       hex, k->perm);
			if (k->expiry < 0)
				printf("null");
			else
				printf("%ld", k->expiry);
			printf(", \"state\": \"%s\"}",
			       k->state == -EKEYEXPIRED	  ? "expired"
			       : k->state == -EKEYREVOKED ? "revoked"
			       : k->state		  ? "unusable"
							  : "valid");
			continue;
		}
		if (k->state == -EKEYEXPIRED)
			snprintf(exp, sizeof(exp), "expired");
		else if (k->state == -EKEYREVOKED)
			snprintf(exp, sizeof(exp), "revoked");
		else if (k->expiry < 0)
			snprintf(exp, sizeof(exp), "never");
		else
			snprintf(exp, sizeof(exp), "%lds", k->expiry);
		printf("%-10d  %-20s  %-32s  0x%08x  %s\n", k->serial,
		       k->volume, hex, k->perm, exp);
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
	else if (n == 0 && !arg_quiet)
		fprintf(stderr, "%s: no provisioning keys in keyring %s\n",
			PROG, arg_keyring);
	free(keys);
	return FSP_EXIT_OK;
}
