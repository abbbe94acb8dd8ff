// SPDX-License-Identifier: MIT
/* add: store a master key as a provisioning key, and add it to a filesystem. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/hex.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/key_options.h"
#include "fscrypt-provision/master_key.h"
#include "fscrypt-provision/report.h"
#include "fscrypt-provision/slots_options.h"
#include "kernel/identifier.h"
#include "kernel/provision.h"
#include "keysource/source.h"

enum {
	OPT_MOUNT = OPT_FIRST_PRIVATE,
	OPT_TIMEOUT,
	OPT_RAW_FALLBACK,
	OPT_UNLINK_KEY,
	OPT_ADD_TO,
	OPT_KEY_LIFETIME,
};

const struct cli_options cmd_add_options = {
    .common = CLI_KEYRING | CLI_QUIET,
    .shared = (const struct cli_use[]){{OPT_VOLUME,
					"the volume the key is for (required)"},
				       KEY_SOURCE_USES,
				       {OPT_PASSWORD_TIMEOUT, NULL},
				       {0}},
    .own =
	(const struct cli_option[]){
	    {"add-to", "DIR", OPT_ADD_TO,
	     "also add the key to DIR's filesystem, by key_id"},
	    /* Its name before: it never mounted anything. Accepted with a
	     * warning, not listed. */
	    {"mount", "DIR", OPT_MOUNT, NULL},
	    {"key-lifetime", "SECONDS", OPT_KEY_LIFETIME,
	     "let the provisioning key expire after SECONDS"},
	    /* As fscrypttab's timeout=, which became key-lifetime=. */
	    {"timeout", "SECONDS", OPT_TIMEOUT, NULL},
	    {"unlink-key", NULL, OPT_UNLINK_KEY,
	     "remove the key file once provisioned (needs --key-file)"},
	    {"allow-raw-fallback", NULL, OPT_RAW_FALLBACK,
	     "before Linux 5.6: add the raw key to --add-to's filesystem"},
	    {0}},
};

static int check_add(const char *volume, bool unlink_key,
		     const struct key_args *ka)
{
	if (!volume)
		return cli_usage_error("add", "--volume NAME is required");
	if (unlink_key && !ka->file)
		return cli_usage_error("add", "--unlink-key needs --key-file");
	if (!volume_name_valid(volume))
		return cli_usage_error(
		    "add",
		    "invalid volume name '%s': use 1-64 of "
		    "A-Z a-z 0-9 _ . + @ -, not starting with "
		    "'.' or '-'",
		    volume);
	return FSP_EXIT_OK;
}

int cmd_add(int argc, char **argv)
{
	struct key_args ka = {.opts = KEY_SOURCE_OPTS_DEFAULT};
	struct slots_arg sa = SLOTS_ARG_INIT;
	struct provision_req rq = {0};
	bool unlink_key = false;
	struct provision_result res;
	struct fsp_problem problem;
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	struct secbuf key;
	unsigned long v;
	int c, r;

	while ((c = cli_getopt(argc, argv, &cmd_add_options)) != -1) {
		switch (c) {
		case OPT_VOLUME:
			rq.volume = optarg;
			break;
		case OPT_MOUNT:
			cli_warning("add --mount is deprecated; spell it "
				    "--add-to DIR (it adds the key to DIR's "
				    "filesystem)");
			/* fall through */
		case OPT_ADD_TO:
			rq.mount = optarg;
			break;
		case OPT_TIMEOUT:
			cli_warning("add --timeout is deprecated; spell it "
				    "--key-lifetime SECONDS (the provisioning "
				    "key's expiry, not a prompt's deadline)");
			/* fall through */
		case OPT_KEY_LIFETIME:
			if (!parse_unsigned(optarg, 0x7fffffff, &v) || v == 0)
				return cli_usage_error("add",
						       "--key-lifetime needs "
						       "a positive number");
			rq.timeout = (unsigned)v;
			break;
		case OPT_RAW_FALLBACK:
			rq.raw_fallback = true;
			break;
		case OPT_UNLINK_KEY:
			unlink_key = true;
			break;
		default:
			r = slots_option(c, &sa, "add");
			if (r == -2)
				r = key_option(c, &ka, "add");
			if (r >= 0)
				return r;
		}
	}
	if (optind != argc)
		return cli_usage_error("add", "unexpected argument '%s'",
				       argv[optind]);
	r = check_add(rq.volume, unlink_key, &ka);
	if (r != FSP_EXIT_OK)
		return r;
	sa.up.volume = rq.volume;
	r = read_key_or_slots(&ka, &sa, "add", &key, id);
	if (r != FSP_EXIT_OK)
		return r;
	rq.keyring = arg_keyring;
	rq.key = &key;
	rq.id = id;
	r = provision_key(&rq, &res, &problem);
	secbuf_free(&key);
	if (r)
		return report_problem(&problem);
	report_provision(&rq, &res);
	if (unlink_key) {
		struct key_source src = {.kind = KEY_SOURCE_FILE};

		snprintf(src.path, sizeof(src.path), "%s", ka.file);
		remove_key_file(rq.volume, &src);
	}
	return FSP_EXIT_OK;
}
