// SPDX-License-Identifier: MIT
/* check's work: can every key a directory's volumes need be re-provisioned? */
#define _GNU_SOURCE
#include "fscrypt-provision/volume_check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/hex.h"
#include "fscrypt-provision/cli.h"
#include "kernel/identifier.h"
#include "kernel/key_description.h"
#include "kernel/provision.h"

static void report(struct check_report *rep, const char *volume,
		   const uint8_t *id, key_serial_t serial, const char *problem)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1] = "";

	if (id)
		hex_encode(id, FSP_KEY_IDENTIFIER_SIZE, hex);
	if (problem && rep->missing++ == 0)
		problems_note(PROBLEM_REASON, "%s%s%s%s", id ? "key " : "", hex,
			      id ? ": " : "", problem);
	if (!rep->json) {
		if (problem)
			fprintf(rep->out ? rep->out : stdout,
				"missing: volume %s%s%s: %s\n", volume,
				id ? " key " : "", hex, problem);
		else if (!arg_quiet && rep->ok_lines)
			printf("ok: volume %s key %s (key %d)\n", volume, hex,
			       serial);
		return;
	}
	json_object_begin(&rep->j, NULL);
	json_str(&rep->j, "volume", volume);
	json_str(&rep->j, "identifier", id ? hex : NULL);
	if (problem)
		json_null(&rep->j, "key_id");
	else
		json_int(&rep->j, "key_id", serial);
	json_bool(&rep->j, "ok", !problem);
	json_str(&rep->j, "problem", problem);
	json_end(&rep->j);
}

int check_volumes(const struct dir_volumes *dv, struct check_report *rep)
{
	struct provkey *keys = NULL;
	key_serial_t ring = 0;
	size_t nkeys = 0;
	int r, code = FSP_EXIT_OK, ring_err;

	if (rep->json) {
		json_start(&rep->j, stdout, true);
		json_array_begin(&rep->j, NULL);
	}
	r = fs_probe_key_id(dv->fd);
	if (r == 0)
		report(rep, dv->vs.names[0], NULL, 0,
		       "the kernel cannot add keys by key_id (Linux < 5.6 "
		       "without kernel-patches/): no key survives a remount");
	else if (r < 0)
		report(rep, dv->vs.names[0], NULL, 0,
		       describe_error(OP_ADD_BY_ID, r).reason);
	ring_err = keyring_find(arg_keyring, &ring);
	if (ring_err == 0) {
		r = ring_keys(arg_keyring, false, &keys, &nkeys);
		if (r < 0)
			ring_err = r;
	}
	for (size_t v = 0; v < dv->vs.n; v++) {
		struct volume_ids nd = {0};
		const char *name = dv->vs.names[v];

		r = volume_ids_collect(dv->vs.entries[v], dv->mi.mountpoint, dv,
				       false, &nd);
		if (r && !code)
			code = r;
		/* Nothing names a key: every key of the volume must be fine. */
		if (nd.n == 0) {
			const struct provkey *k;
			size_t nk = volume_keys(keys, nkeys, name, &k);

			for (size_t i = 0; i < nk; i++)
				(void)volume_ids_add(&nd, k[i].identifier,
						     "keyring");
		}
		if (nd.n == 0)
			report(rep, name, NULL, 0,
			       ring_err && ring_err != -ENOKEY
				   ? describe_error(OP_KEYRING, ring_err).reason
				   : "no provisioning key for this volume "
				     "and nothing names one (no fscrypttab "
				     "identifier= and no encrypted directory)");
		for (size_t i = 0; i < nd.n; i++) {
			char desc[FSP_DESC_MAX];
			key_serial_t key = 0;

			if (ring_err) {
				report(rep, name, nd.ids[i], 0,
				       describe_error(OP_KEYRING, ring_err)
					   .reason);
				continue;
			}
			(void)description_encode(name, nd.ids[i], desc,
						 sizeof(desc));
			r = provkey_find(ring, desc, &key);
			report(rep, name, nd.ids[i], key,
			       r ? describe_error(OP_PROVKEY_USE, r).reason
				 : NULL);
		}
		volume_ids_free(&nd);
	}
	if (rep->json)
		json_end(&rep->j);
	if (rep->missing && !code)
		code = FSP_EXIT_NOT_READY;
	if (rep->missing)
		fprintf(stderr,
			"%s: check failed: %u key%s cannot be re-provisioned "
			"after a remount of %s\n",
			PROG, rep->missing, rep->missing == 1 ? "" : "s",
			dv->mi.mountpoint);
	free(keys);
	return code;
}
