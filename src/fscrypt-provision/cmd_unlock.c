// SPDX-License-Identifier: MIT
/* unlock and check: one directory's volumes, after and before a remount. */
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

enum { OPT_VOLUME = OPT_FIRST_PRIVATE, OPT_JSON };

int cmd_unlock(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    {"volume", required_argument, NULL, OPT_VOLUME},
	    {NULL, 0, NULL, 0},
	};
	const char *volume = NULL, *dir;
	struct provkey *keys = NULL;
	struct dir_volumes dv;
	size_t nkeys = 0;
	int c, r, code;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == OPT_VOLUME) {
			volume = optarg;
			continue;
		}
		r = handle_common_option(c, "unlock");
		if (r >= 0)
			return r;
	}
	if (argc - optind != 1)
		return usage_error("unlock", "expected one DIR");
	dir = argv[optind];
	code = dir_volumes_open("unlock", dir, volume, NULL, &dv);
	if (code)
		return code;
	r = ring_keys(arg_keyring, false, &keys, &nkeys);
	if (r < 0) {
		code = fail(OP_KEYRING, r, "list keyring %s", arg_keyring);
		goto out;
	}
	for (size_t v = 0; v < dv.vs.n; v++) {
		struct needed nd = {0};

		r = collect_needed(dv.vs.entries[v], dv.mi.mountpoint, &dv,
				   false, &nd);
		if (r && !code)
			code = r;
		r = unlock_volume(dv.fd, dv.mi.mountpoint, dv.vs.names[v], keys,
				  nkeys);
		if (r && !code)
			code = r;
		r = verify_needed(dv.fd, dv.vs.names[v], &nd, keys, nkeys,
				  false);
		if (r && !code)
			code = r;
		needed_free(&nd);
	}
out:
	free(keys);
	dir_volumes_close(&dv);
	return code;
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    {"volume", required_argument, NULL, OPT_VOLUME},
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	struct check_report rep = {.ok_lines = true};
	const char *volume = NULL, *dir;
	struct dir_volumes dv;
	int c, r, code;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
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
		return usage_error("check", "expected one DIR");
	dir = argv[optind];
	code = dir_volumes_open("check", dir, volume, NULL, &dv);
	if (code)
		return code;
	code = check_volumes(&dv, &rep);
	dir_volumes_close(&dv);
	return code;
}
