// SPDX-License-Identifier: MIT
/* set-policy: a v2 encryption policy on an empty directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/json_write.h"
#include "fscrypt-provision/cli.h"
#include "kernel/fscrypt_ioctl.h"
#include "kernel/identifier.h"

enum {
	OPT_CONTENTS = OPT_FIRST_PRIVATE,
	OPT_FILENAMES,
	OPT_PADDING,
	OPT_IV_INO_LBLK_64,
	OPT_IV_INO_LBLK_32,
	OPT_DIRECT_KEY,
	OPT_FORCE,
};

const struct cli_options cmd_set_policy_options = {
    .common = CLI_QUIET,
    .own =
	(const struct cli_option[]){
	    {"contents", "MODE", OPT_CONTENTS,
	     "file contents' mode (default AES-256-XTS)"},
	    {"filenames", "MODE", OPT_FILENAMES,
	     "file names' mode (default AES-256-CTS)"},
	    {"padding", "4|8|16|32", OPT_PADDING,
	     "file name padding in bytes (default 32)"},
	    {"iv-ino-lblk-64", NULL, OPT_IV_INO_LBLK_64,
	     "the IV_INO_LBLK_64 policy flag (inline encryption)"},
	    {"iv-ino-lblk-32", NULL, OPT_IV_INO_LBLK_32,
	     "the IV_INO_LBLK_32 policy flag (eMMC inline encryption)"},
	    {"direct-key", NULL, OPT_DIRECT_KEY, "the DIRECT_KEY policy flag"},
	    {"force", NULL, OPT_FORCE,
	     "set the policy even if the key is not on the filesystem"},
	    {0}},
};

/* One set-policy option into pol; -1 when consumed, else an exit code. */
static int policy_option(int c, struct fsp_policy_v2 *pol, bool *force)
{
	int mode;

	switch (c) {
	case OPT_CONTENTS:
	case OPT_FILENAMES:
		mode = fscrypt_mode_parse(optarg);
		if (mode < 0)
			return cli_usage_error(
			    "set-policy",
			    "unknown mode '%s' (AES-256-XTS, "
			    "AES-256-CTS, AES-128-CBC, AES-128-CTS, "
			    "Adiantum, AES-256-HCTR2, SM4-XTS, "
			    "SM4-CTS)",
			    optarg);
		if (c == OPT_CONTENTS)
			pol->contents_encryption_mode = (uint8_t)mode;
		else
			pol->filenames_encryption_mode = (uint8_t)mode;
		return -1;
	case OPT_PADDING:
		pol->flags &= (uint8_t)~FSP_POLICY_FLAGS_PAD_MASK;
		if (strcmp(optarg, "4") == 0)
			pol->flags |= FSP_POLICY_FLAGS_PAD_4;
		else if (strcmp(optarg, "8") == 0)
			pol->flags |= FSP_POLICY_FLAGS_PAD_8;
		else if (strcmp(optarg, "16") == 0)
			pol->flags |= FSP_POLICY_FLAGS_PAD_16;
		else if (strcmp(optarg, "32") == 0)
			pol->flags |= FSP_POLICY_FLAGS_PAD_32;
		else
			return cli_usage_error("set-policy",
					       "--padding must be 4, 8, 16 "
					       "or 32");
		return -1;
	case OPT_IV_INO_LBLK_64:
		pol->flags |= FSP_POLICY_FLAG_IV_INO_LBLK_64;
		return -1;
	case OPT_IV_INO_LBLK_32:
		pol->flags |= FSP_POLICY_FLAG_IV_INO_LBLK_32;
		return -1;
	case OPT_DIRECT_KEY:
		pol->flags |= FSP_POLICY_FLAG_DIRECT_KEY;
		return -1;
	case OPT_FORCE:
		*force = true;
		return -1;
	default:
		return handle_common_option(c, "set-policy");
	}
}

int cmd_set_policy(int argc, char **argv)
{
	struct fsp_policy_v2 pol = {
	    .version = FSP_POLICY_V2,
	    .contents_encryption_mode = FSP_MODE_AES_256_XTS,
	    .filenames_encryption_mode = FSP_MODE_AES_256_CTS,
	    .flags = FSP_POLICY_FLAGS_PAD_32,
	};
	const char *dir, *idarg;
	struct key_status ks;
	bool force = false;
	int c, r, fd;

	while ((c = cli_getopt(argc, argv, &cmd_set_policy_options)) != -1) {
		r = policy_option(c, &pol, &force);
		if (r >= 0)
			return r;
	}
	if (argc - optind != 2)
		return cli_usage_error("set-policy",
				       "expected DIR and IDENTIFIER");
	dir = argv[optind];
	idarg = argv[optind + 1];
	if (strlen(idarg) != FSP_IDENTIFIER_HEX_LEN ||
	    hex_decode(idarg, FSP_IDENTIFIER_HEX_LEN, pol.master_key_identifier,
		       FSP_KEY_IDENTIFIER_SIZE) < 0)
		return cli_usage_error(
		    "set-policy", "IDENTIFIER must be 32 hex digits, as "
				  "printed by 'fscrypt-provision identifier'");
	fd = fs_open(dir);
	if (fd < 0)
		return cli_error_errno(OP_OPEN, fd, "open %s", dir);
	/*
	 * The kernel lets root (CAP_FOWNER) set a policy whose key was never
	 * added; a typo in IDENTIFIER would then lock the directory for good.
	 */
	r = fs_key_status(fd, pol.master_key_identifier, &ks);
	if (r < 0) {
		close(fd);
		return cli_error_errno(OP_KEY_STATUS, r,
				       "read the key status on %s", dir);
	}
	if (ks.status != FSP_KEY_STATUS_PRESENT && !force) {
		close(fd);
		return cli_error(FSP_EXIT_KEY_UNAVAILABLE,
				 "refusing to set the policy of %s: key %s is "
				 "not present on this filesystem, so nothing "
				 "could read what is written there. Add it "
				 "first ('fscrypt-provision add --add-to' or "
				 "'unlock'), or pass --force",
				 dir, idarg);
	}
	r = fs_set_policy(fd, &pol);
	close(fd);
	if (r < 0)
		return cli_error_errno(OP_SET_POLICY, r, "set the policy of %s",
				       dir);
	cli_say("%s: v2 policy set (key %s)", dir, idarg);
	return FSP_EXIT_OK;
}
