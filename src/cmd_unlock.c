// SPDX-License-Identifier: MIT
/* unlock and check: one directory's volumes, after and before a remount. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hex.h"
#include "mountinfo.h"
#include "needed.h"
#include "provision.h"
#include "volumes.h"

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
	r = ring_keys(false, &keys, &nkeys);
	if (r < 0) {
		code = fail(OP_KEYRING, r, "list keyring %s", arg_keyring);
		goto out;
	}
	for (size_t v = 0; v < dv.vs.n; v++) {
		struct needed nd = {0};

		r = collect_needed(dv.vs.entries[v], dv.mi.mountpoint, dir,
				   false, &nd);
		if (r && !code)
			code = r;
		r = unlock_volume(dv.fd, dv.mi.mountpoint, dv.vs.names[v], keys,
				  nkeys);
		if (r && !code)
			code = r;
		r = verify_needed(dv.fd, dv.vs.names[v], &nd, keys, nkeys);
		if (r && !code)
			code = r;
		needed_free(&nd);
	}
out:
	free(keys);
	dir_volumes_close(&dv);
	return code;
}

struct check_report {
	bool json;
	bool first;
	unsigned missing;
};

static void report(struct check_report *rep, const char *volume,
		   const uint8_t *id, key_serial_t serial, const char *problem)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1] = "";

	if (id)
		hex_encode(id, FSP_KEY_IDENTIFIER_SIZE, hex);
	if (problem)
		rep->missing++;
	if (!rep->json) {
		if (problem)
			printf("missing: volume %s%s%s: %s\n", volume,
			       id ? " key " : "", hex, problem);
		else if (!arg_quiet)
			printf("ok: volume %s key %s (key %d)\n", volume, hex,
			       serial);
		return;
	}
	printf("%s\n  {\"volume\": ", rep->first ? "" : ",");
	rep->first = false;
	json_string(stdout, volume);
	printf(", \"identifier\": ");
	if (id)
		json_string(stdout, hex);
	else
		printf("null");
	if (problem) {
		printf(", \"key_id\": null, \"ok\": false, \"problem\": ");
		json_string(stdout, problem);
		printf("}");
	} else {
		printf(", \"key_id\": %d, \"ok\": true, \"problem\": null}",
		       serial);
	}
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    {"volume", required_argument, NULL, OPT_VOLUME},
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	struct check_report rep = {.first = true};
	const char *volume = NULL, *dir;
	struct provkey *keys = NULL;
	struct dir_volumes dv;
	key_serial_t ring = 0;
	size_t nkeys = 0;
	int c, r, code, ring_err;

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
	if (rep.json)
		printf("[");
	r = fs_probe_key_id(dv.fd);
	if (r == 0)
		report(&rep, dv.vs.names[0], NULL, 0,
		       "the kernel cannot add keys by key_id (Linux < 5.6 "
		       "without kernel-patches/): no key survives a remount");
	else if (r < 0)
		report(&rep, dv.vs.names[0], NULL, 0,
		       describe_error(OP_ADD_BY_ID, r).reason);
	ring_err = ring_lookup(&ring);
	if (ring_err == 0) {
		r = ring_keys(false, &keys, &nkeys);
		if (r < 0)
			ring_err = r;
	}
	for (size_t v = 0; v < dv.vs.n; v++) {
		struct needed nd = {0};
		const char *name = dv.vs.names[v];

		r = collect_needed(dv.vs.entries[v], dv.mi.mountpoint, dir,
				   false, &nd);
		if (r && !code)
			code = r;
		/* Nothing names a key: every key of the volume must be fine. */
		if (nd.n == 0) {
			const struct provkey *k;
			size_t nk = volume_keys(keys, nkeys, name, &k);

			for (size_t i = 0; i < nk; i++)
				(void)needed_add(&nd, k[i].identifier,
						 "keyring");
		}
		if (nd.n == 0)
			report(&rep, name, NULL, 0,
			       ring_err && ring_err != -ENOKEY
				   ? describe_error(OP_KEYRING, ring_err).reason
				   : "no provisioning key for this volume "
				     "and nothing names one (no fscrypttab "
				     "identifier= and no encrypted directory)");
		for (size_t i = 0; i < nd.n; i++) {
			char desc[FSP_DESC_MAX];
			key_serial_t key = 0;

			if (ring_err) {
				report(&rep, name, nd.ids[i], 0,
				       describe_error(OP_KEYRING, ring_err)
					   .reason);
				continue;
			}
			(void)description_encode(name, nd.ids[i], desc,
						 sizeof(desc));
			r = provkey_find(ring, desc, &key);
			report(&rep, name, nd.ids[i], key,
			       r ? describe_error(OP_PROVKEY_USE, r).reason
				 : NULL);
		}
		needed_free(&nd);
	}
	if (rep.json)
		printf("\n]\n");
	if (rep.missing && !code)
		code = FSP_EXIT_NOT_READY;
	if (rep.missing)
		fprintf(stderr,
			"%s: check failed: %u key%s cannot be re-provisioned "
			"after a remount of %s\n",
			PROG, rep.missing, rep.missing == 1 ? "" : "s",
			dv.mi.mountpoint);
	free(keys);
	dir_volumes_close(&dv);
	return code;
}
