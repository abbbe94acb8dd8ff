// SPDX-License-Identifier: MIT
/* unlock: a directory's volumes, by key id, after a remount. */
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

const struct cli_options cmd_unlock_options = {
    .common = CLI_TAB | CLI_KEYRING | CLI_QUIET,
    .shared =
	(const struct cli_use[]){{OPT_VOLUME, "only this volume's keys"}, {0}},
};

int cmd_unlock(int argc, char **argv)
{
	const char *volume = NULL, *dir;
	struct provkey *keys = NULL;
	struct dir_volumes dv;
	size_t nkeys = 0;
	int c, r, code;

	while ((c = cli_getopt(argc, argv, &cmd_unlock_options)) != -1) {
		if (c == OPT_VOLUME) {
			volume = optarg;
			continue;
		}
		r = handle_common_option(c, "unlock");
		if (r >= 0)
			return r;
	}
	if (argc - optind != 1)
		return cli_usage_error("unlock", "expected one DIR");
	dir = argv[optind];
	code = dir_volumes_open("unlock", dir, volume, NULL, &dv);
	if (code)
		return code;
	r = ring_keys(arg_keyring, false, &keys, &nkeys);
	if (r < 0) {
		code = cli_error_errno(OP_KEYRING, r, "list keyring %s",
				       arg_keyring);
		goto out;
	}
	for (size_t v = 0; v < dv.vs.n; v++) {
		struct volume_ids nd = {0};

		r = volume_ids_collect(dv.vs.entries[v], dv.mi.mountpoint, &dv,
				       false, &nd);
		if (r && !code)
			code = r;
		r = unlock_volume(dv.fd, dv.mi.mountpoint, dv.vs.names[v], keys,
				  nkeys);
		if (r && !code)
			code = r;
		r = volume_ids_verify(dv.fd, dv.vs.names[v], &nd, keys, nkeys,
				      false);
		if (r && !code)
			code = r;
		volume_ids_free(&nd);
	}
out:
	free(keys);
	dir_volumes_close(&dv);
	return code;
}
