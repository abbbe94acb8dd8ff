// SPDX-License-Identifier: MIT
/*
 * apply, for the volumes whose key comes from the durable keyring
 * (apply.h): those with no key source, and those whose key is provisioned
 * already. After a soft-reboot the generator's load units run again, and
 * nothing must be asked or unsealed again for a key the kernel still holds.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "basic/hex.h"
#include "fscrypt-provision/apply.h"
#include "fscrypt-provision/apply_dry_run.h"
#include "fscrypt-provision/cli.h"
#include "kernel/identifier.h"
#include "slots/file.h"

/* a's volume unlocked from the keyring, and its directories checked. */
static int unlock_listed(const struct tab_entry *e, const struct apply_ring *a)
{
	int code;

	if (a->dry_run)
		return dry_run_unlock(e, a->mount, a->keys, a->n);
	code = unlock_volume(a->fd, a->mount, e->name, a->keys, a->n);
	if (!code)
		code = volume_ids_verify(a->fd, e->name, a->nd, a->keys, a->n,
					 false);
	return code;
}

int apply_unlock(const struct tab_entry *e, const struct apply_ring *a)
{
	if (!e->has_mountpoint) {
		cli_say("volume %s: mountpoint and key source are both none; "
			"nothing to do",
			e->name);
		return FSP_EXIT_OK;
	}
	if (!a->mount) {
		cli_say(
		    "volume %s: %s is not mounted and the key source is none; "
		    "nothing to do",
		    e->name, a->where);
		return FSP_EXIT_OK;
	}
	return unlock_listed(e, a);
}

/*
 * e's identifier without its secret: its slots file's header, or for
 * another source the table's identifier=. Not known when the two differ,
 * nor for an entry whose reading does more than give the key: a key file
 * to remove after use (unlink-key), a key-lifetime= to renew. Those are
 * read the usual way, which says what is wrong or does what they ask.
 */
static bool known_identifier(const struct tab_entry *e,
			     uint8_t id[FSP_KEY_IDENTIFIER_SIZE])
{
	struct fsp_problem why = {0};
	struct slots_file *f;
	bool known = false;

	if (!e->has_source || e->unlink_key || e->key_lifetime)
		return false;
	if (e->source.kind != KEY_SOURCE_SLOTS) {
		memcpy(id, e->identifier, FSP_KEY_IDENTIFIER_SIZE);
		return e->has_identifier;
	}
	f = calloc(1, sizeof(*f));
	if (f && slots_file_load(e->source.path, e->key_opts.allow_readable, f,
				 &why) == 0) {
		memcpy(id, f->identifier, FSP_KEY_IDENTIFIER_SIZE);
		known = !e->has_identifier ||
			!memcmp(e->identifier, id, FSP_KEY_IDENTIFIER_SIZE);
	}
	free(f);
	return known;
}

int apply_known(const struct tab_entry *e, const struct apply_ring *a)
{
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	const struct provkey *first, *pk = NULL;
	size_t k;

	/* The keyring first: at boot it holds none, and the slots file is
	 * not read twice. */
	k = volume_keys(a->keys, a->n, e->name, &first);
	if (!k || !known_identifier(e, id))
		return -1;
	for (size_t i = 0; !pk && i < k; i++)
		if (first[i].state == 0 &&
		    !memcmp(first[i].identifier, id, sizeof(id)))
			pk = &first[i];
	if (!pk)
		return -1;
	hex_encode(id, sizeof(id), hex);
	cli_say("volume %s: key %s already provisioned as key %d; its key "
		"source is not read again",
		e->name, hex, pk->serial);
	return a->mount ? unlock_listed(e, a) : FSP_EXIT_OK;
}
