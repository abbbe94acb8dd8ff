// SPDX-License-Identifier: MIT
/* get-policy: a directory's key identifier and v2 policy. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/json_write.h"
#include "fscrypt-provision/cli.h"
#include "kernel/fscrypt_ioctl.h"
#include "kernel/identifier.h"

const struct cli_options cmd_get_policy_options = {
    .shared = (const struct cli_use[]){{OPT_JSON, NULL}, {0}},
};

int cmd_get_policy(int argc, char **argv)
{
	struct fsp_get_policy_ex_arg pol;
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	const char *dir, *cm, *fm;
	bool json = false;
	int c, r, fd, pad;

	while ((c = cli_getopt(argc, argv, &cmd_get_policy_options)) != -1) {
		if (c == OPT_JSON) {
			json = true;
			continue;
		}
		r = handle_common_option(c, "get-policy");
		if (r >= 0)
			return r;
	}
	if (argc - optind != 1)
		return cli_usage_error("get-policy", "expected one DIR");
	dir = argv[optind];
	fd = fs_open(dir);
	if (fd < 0)
		return cli_error_errno(OP_OPEN, fd, "open %s", dir);
	r = fs_get_policy(fd, &pol);
	close(fd);
	if (r < 0)
		return cli_error_errno(OP_GET_POLICY, r, "get the policy of %s",
				       dir);
	if (pol.policy.version != FSP_POLICY_V2)
		return cli_error(FSP_EXIT_UNSUPPORTED,
				 "%s has a v1 policy (descriptor-based); "
				 "fscrypt-provision handles v2 policies only",
				 dir);
	hex_encode(pol.policy.v2.master_key_identifier, FSP_KEY_IDENTIFIER_SIZE,
		   hex);
	cm = fscrypt_mode_name(pol.policy.v2.contents_encryption_mode);
	fm = fscrypt_mode_name(pol.policy.v2.filenames_encryption_mode);
	pad = 4 << (pol.policy.v2.flags & FSP_POLICY_FLAGS_PAD_MASK);
	if (json) {
		struct json j;

		json_start(&j, stdout, false);
		json_object_begin(&j, NULL);
		json_int(&j, "version", 2);
		json_str(&j, "identifier", hex);
		json_str(&j, "contents_mode", cm ? cm : "unknown");
		json_str(&j, "filenames_mode", fm ? fm : "unknown");
		json_int(&j, "padding", pad);
		json_int(&j, "flags", pol.policy.v2.flags);
		json_end(&j);
		return FSP_EXIT_OK;
	}
	/* The identifier comes first, so that scripts can take line 1. */
	printf("%s\n", hex);
	printf("version: 2\ncontents: %s\nfilenames: %s\npadding: %d\n",
	       cm ? cm : "unknown", fm ? fm : "unknown", pad);
	printf("flags: 0x%02x\n", pol.policy.v2.flags);
	return FSP_EXIT_OK;
}
