// SPDX-License-Identifier: MIT
/*
 * exit-codes: the exit codes and their names, so that scripts (the
 * initramfs hook, the update hook) say what a code means without a table
 * of their own.
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "basic/json_write.h"
#include "fscrypt-provision/cli.h"

const struct cli_options cmd_exit_codes_options = {
    .shared = (const struct cli_use[]){{OPT_JSON, NULL}, {0}},
};

int cmd_exit_codes(int argc, char **argv)
{
	unsigned long code;
	bool json = false;
	struct json j;
	int c, r;

	while ((c = cli_getopt(argc, argv, &cmd_exit_codes_options)) != -1) {
		if (c == OPT_JSON) {
			json = true;
			continue;
		}
		r = handle_common_option(c, "exit-codes");
		if (r >= 0)
			return r;
	}
	if (argc - optind > 1)
		return cli_usage_error("exit-codes", "unexpected argument '%s'",
				       argv[optind + 1]);
	if (optind < argc) {
		/* Codes the shell makes up (126, 127, signals) have no name. */
		if (!parse_unsigned(argv[optind], 255, &code))
			return cli_usage_error(
			    "exit-codes", "'%s' is not an exit code (0-255)",
			    argv[optind]);
		if (json) {
			json_start(&j, stdout, false);
			json_object_begin(&j, NULL);
			json_int(&j, "code", (long long)code);
			json_str(&j, "name", exit_code_name((int)code));
			json_end(&j);
		} else {
			printf("%s\n",
			       exit_code_name((int)code)
				   ? exit_code_name((int)code)
				   : "not an exit code of fscrypt-provision");
		}
		return exit_code_name((int)code) ? FSP_EXIT_OK : FSP_EXIT_USAGE;
	}
	if (json) {
		json_start(&j, stdout, true);
		json_array_begin(&j, NULL);
	}
	for (int i = 0; i <= FSP_EXIT_MAX; i++) {
		if (json) {
			json_object_begin(&j, NULL);
			json_int(&j, "code", i);
			json_str(&j, "name", exit_code_name(i));
			json_end(&j);
		} else {
			printf("%d\t%s\n", i, exit_code_name(i));
		}
	}
	if (json)
		json_end(&j);
	return FSP_EXIT_OK;
}
