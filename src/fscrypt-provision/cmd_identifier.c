// SPDX-License-Identifier: MIT
/* identifier: the v2 identifier of a key, read as add reads it, offline. */
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

const struct cli_options cmd_identifier_options = {
    .shared = (const struct cli_use[]){KEY_SOURCE_USES, {0}},
};

int cmd_identifier(int argc, char **argv)
{
	struct key_args ka = {.opts = KEY_SOURCE_OPTS_DEFAULT};
	struct slots_arg sa = SLOTS_ARG_INIT;
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	struct secbuf key;
	int c, r;

	while ((c = cli_getopt(argc, argv, &cmd_identifier_options)) != -1) {
		r = slots_option(c, &sa, "identifier");
		if (r == -2)
			r = key_option(c, &ka, "identifier");
		if (r >= 0)
			return r;
	}
	if (optind != argc)
		return cli_usage_error("identifier", "unexpected argument '%s'",
				       argv[optind]);
	r = read_key_or_slots(&ka, &sa, "identifier", &key, id);
	if (r != FSP_EXIT_OK)
		return r;
	secbuf_free(&key);
	hex_encode(id, sizeof(id), hex);
	printf("%s\n", hex);
	return FSP_EXIT_OK;
}
