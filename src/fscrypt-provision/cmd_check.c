// SPDX-License-Identifier: MIT
/* check: can a directory's volumes be unlocked again after a remount? */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/hex.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/volume_check.h"
#include "fscrypt-provision/volume_keys.h"
#include "kernel/mountinfo.h"
#include "kernel/provision.h"
#include "tab/volumes.h"

const struct cli_options cmd_check_options = {
    .common = CLI_TAB | CLI_KEYRING | CLI_QUIET,
    .shared = (const struct cli_use[]){{OPT_VOLUME, "only this volume's keys"},
				       {OPT_JSON, NULL},
				       {0}},
};

/*
 * Spellings of the table that a later release will refuse. Said by the
 * pre-flight check, which a person or an update runs, and not at boot
 * (apply, or the generator's volumes), where it would come every boot.
 */
static void warn_deprecated(const struct volume_set *vs)
{
	for (size_t v = 0; v < vs->n; v++)
		if (vs->entries[v] && vs->entries[v]->lifetime_as_timeout)
			cli_warning("%s:%u: timeout= is deprecated; spell it "
				    "key-lifetime= (the provisioning key's "
				    "lifetime, not a prompt's timeout as in "
				    "crypttab)",
				    arg_tab, vs->entries[v]->line);
}

int cmd_check(int argc, char **argv)
{
	struct check_report rep = {.ok_lines = true};
	const char *volume = NULL, *dir;
	struct dir_volumes dv;
	int c, r, code;

	while ((c = cli_getopt(argc, argv, &cmd_check_options)) != -1) {
		if (c == OPT_VOLUME) {
			volume = optarg;
			continue;
		}
		if (c == OPT_JSON) {
			rep.json = true;
			continue;
		}
		r = handle_common_option(c, "check");
		if (r >= 0)
			return r;
	}
	if (argc - optind != 1)
		return cli_usage_error("check", "expected one DIR");
	dir = argv[optind];
	code = dir_volumes_open("check", dir, volume, NULL, &dv);
	if (code)
		return code;
	warn_deprecated(&dv.vs);
	code = check_volumes(&dv, &rep);
	dir_volumes_close(&dv);
	return code;
}
