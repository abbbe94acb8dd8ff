// SPDX-License-Identifier: MIT
/* Reading the raw key named on the command line. */
#define _GNU_SOURCE
#include "fscrypt-provision/key_options.h"

#include <errno.h>
#include <stdio.h>

#include "kernel/identifier.h"

int key_option(int c, struct key_args *ka, const char *cmd)
{
	unsigned long v;

	switch (c) {
	case OPT_KEY_FILE:
		ka->file = optarg;
		return -1;
	case OPT_KEY_FD:
		ka->fd = optarg;
		return -1;
	case OPT_KEY_FORMAT:
		if (key_format_parse(optarg, &ka->opts.format) < 0)
			return cli_usage_error(cmd,
					       "--key-format must be raw, hex "
					       "or auto");
		return -1;
	case OPT_KEY_SIZE:
		if (!parse_unsigned(optarg, FSP_MAX_KEY_SIZE, &v) ||
		    v < FSP_MIN_KEY_SIZE)
			return cli_usage_error(cmd,
					       "--key-size must be 16 to 64 "
					       "bytes");
		ka->opts.size = v;
		return -1;
	case OPT_ALLOW_READABLE:
		ka->opts.allow_readable = true;
		return -1;
	default:
		return handle_common_option(c, cmd);
	}
}

int read_key_arg(const struct key_args *ka, const char *cmd, struct secbuf *key,
		 uint8_t id[FSP_KEY_IDENTIFIER_SIZE])
{
	struct key_source src;
	struct fsp_problem detail = {0};
	char spec[PATH_MAX + 8], what[PATH_MAX + 8];
	int r;

	if (!!ka->file == !!ka->fd)
		return cli_usage_error(cmd,
				       "give exactly one of --key-file PATH "
				       "and --key-fd N");
	if (ka->file)
		snprintf(spec, sizeof(spec), "file:%s", ka->file);
	else
		snprintf(spec, sizeof(spec), "fd:%s", ka->fd);
	if (key_source_parse(spec, &src) < 0)
		return cli_usage_error(cmd, ka->file ? "--key-file needs a "
						       "path"
						     : "--key-fd needs a "
						       "descriptor number");
	key_source_format(&src, what, sizeof(what));
	r = key_source_read(&src, &ka->opts, key, &detail);
	if (r == -ENOTUNIQ)
		return cli_usage_error(cmd,
				       "unable to read key from %s: it %s; "
				       "give --key-format raw, or --key-format "
				       "hex --key-size %zu",
				       what, detail.text, ka->opts.size / 2);
	if (r < 0) {
		if (detail.text[0])
			return cli_error(FSP_EXIT_KEY_SOURCE,
					 "unable to read key from %s: it %s",
					 what, detail.text);
		return cli_error_errno(OP_KEY_SOURCE, r, "read key from %s",
				       what);
	}
	return key_identify(key, id);
}

int key_identify(struct secbuf *key, uint8_t id[FSP_KEY_IDENTIFIER_SIZE])
{
	int r = fscrypt_key_identifier(key->data, key->len, id);

	if (r < 0) {
		secbuf_free(key);
		return cli_error_errno(OP_KEY_SOURCE, r,
				       "derive the key identifier");
	}
	return FSP_EXIT_OK;
}
