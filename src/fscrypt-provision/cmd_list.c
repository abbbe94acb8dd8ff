// SPDX-License-Identifier: MIT
/* list: the provisioning keys held, for people and (--json) machines. */
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

const struct cli_options cmd_list_options = {
    .common = CLI_KEYRING | CLI_QUIET,
    .shared = (const struct cli_use[]){{OPT_JSON, NULL}, {0}},
};

static const char *key_state(int state)
{
	return state == -EKEYEXPIRED   ? "expired"
	       : state == -EKEYREVOKED ? "revoked"
	       : state		       ? "unusable"
				       : "valid";
}

int cmd_list(int argc, char **argv)
{
	struct provkey *keys = NULL;
	struct json j;
	size_t n = 0;
	bool json = false;
	int c, r;

	while ((c = cli_getopt(argc, argv, &cmd_list_options)) != -1) {
		if (c == OPT_JSON) {
			json = true;
			continue;
		}
		r = handle_common_option(c, "list");
		if (r >= 0)
			return r;
	}
	if (optind != argc)
		return cli_usage_error("list", "unexpected argument '%s'",
				       argv[optind]);
	r = ring_keys(arg_keyring, true, &keys, &n);
	if (r < 0)
		return cli_error_errno(OP_KEYRING, r, "list keyring %s",
				       arg_keyring);
	if (json) {
		json_start(&j, stdout, true);
		json_array_begin(&j, NULL);
	} else if (n && !arg_quiet) {
		printf("%-10s  %-20s  %-32s  %-10s  %s\n", "KEY_ID", "VOLUME",
		       "IDENTIFIER", "PERM", "EXPIRY");
	}
	for (size_t i = 0; i < n; i++) {
		const struct provkey *k = &keys[i];
		char hex[FSP_IDENTIFIER_HEX_LEN + 1], perm[16], exp[32];

		hex_encode(k->identifier, FSP_KEY_IDENTIFIER_SIZE, hex);
		snprintf(perm, sizeof(perm), "0x%08x", k->perm);
		if (json) {
			json_object_begin(&j, NULL);
			json_int(&j, "key_id", k->serial);
			json_str(&j, "volume", k->volume);
			json_str(&j, "identifier", hex);
			json_str(&j, "permissions", perm);
			if (k->expiry < 0)
				json_null(&j, "expiry");
			else
				json_int(&j, "expiry", k->expiry);
			json_str(&j, "state", key_state(k->state));
			json_end(&j);
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
		printf("%-10d  %-20s  %-32s  %s  %s\n", k->serial, k->volume,
		       hex, perm, exp);
	}
	if (json)
		json_end(&j);
	else if (n == 0 && !arg_quiet)
		fprintf(stderr, "%s: no provisioning keys in keyring %s\n",
			PROG, arg_keyring);
	free(keys);
	return FSP_EXIT_OK;
}
