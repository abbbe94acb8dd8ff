// SPDX-License-Identifier: MIT
/* An fscrypttab entry's key, read and checked; prints nothing. */
#define _GNU_SOURCE
#include "tab/entry_key.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "basic/hex.h"
#include "kernel/identifier.h"
#include "kernel/mountinfo.h"

int entry_key_read(const struct tab_entry *e, const char *tab,
		   const char *sysroot, const struct unwrap_params *up,
		   struct secbuf *key, uint8_t ret_id[FSP_KEY_IDENTIFIER_SIZE],
		   struct fsp_problem *detail)
{
	struct key_source src = e->source;
	struct key_source_opts opts = e->key_opts;
	struct fsp_problem why = {0};
	char what[PATH_MAX + 8];
	char hex[FSP_IDENTIFIER_HEX_LEN + 1], want[FSP_IDENTIFIER_HEX_LEN + 1];
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	int r;

	key_source_format(&e->source, what, sizeof(what));
	if (sysroot && src.kind != KEY_SOURCE_FD) {
		if (path_join_root(sysroot, e->source.path, src.path,
				   sizeof(src.path)) < 0) {
			problem_text(
			    detail,
			    "unable to read key from %s: the path below "
			    "%s is too long",
			    what, sysroot);
			return -ENAMETOOLONG;
		}
		/* Messages name the file that was read. */
		key_source_format(&src, what, sizeof(what));
	}
	opts.unlock = up;
	r = key_source_read(&src, &opts, key, &why);
	if (r == -ENOTUNIQ) {
		problem_text(detail,
			     "unable to read key from %s: it %s; say which in "
			     "the options of volume %s in %s: keyformat=raw, "
			     "or keyformat=hex,keysize=%zu",
			     what, why.text, e->name, tab, opts.size / 2);
		return r;
	}
	if (r < 0) {
		problem_text(detail, "unable to read key from %s: %s%s", what,
			     why.text[0] ? "it " : "",
			     why.text[0] ? why.text : strerror(-r));
		return r;
	}
	r = fscrypt_key_identifier(key->data, key->len, id);
	if (r < 0) {
		secbuf_free(key);
		problem_text(
		    detail,
		    "unable to derive the identifier of the key from %s: "
		    "%s",
		    what, strerror(-r));
		return r;
	}
	hex_encode(id, sizeof(id), hex);
	if (e->has_identifier && memcmp(id, e->identifier, sizeof(id)) != 0) {
		secbuf_free(key);
		hex_encode(e->identifier, sizeof(id), want);
		problem_text(
		    detail,
		    "the key from %s has identifier %s, but %s:%u expects "
		    "%s; nothing was provisioned",
		    what, hex, tab, e->line, want);
		return -EKEYREJECTED;
	}
	memcpy(ret_id, id, sizeof(id));
	return 0;
}
