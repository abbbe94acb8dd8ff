// SPDX-License-Identifier: MIT
/* add and identifier: the commands that read a raw key. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hex.h"
#include "identifier.h"
#include "keysource.h"
#include "provision.h"
#include "report.h"

enum {
	OPT_VOLUME = OPT_FIRST_PRIVATE,
	OPT_KEY_FILE,
	OPT_KEY_FD,
	OPT_KEY_FORMAT,
	OPT_KEY_SIZE,
	OPT_ALLOW_READABLE,
	OPT_MOUNT,
	OPT_TIMEOUT,
	OPT_RAW_FALLBACK,
	OPT_UNLINK_KEY,
};

#define KEY_LONG_OPTIONS                                                       \
	{"key-file", required_argument, NULL, OPT_KEY_FILE},                   \
	    {"key-fd", required_argument, NULL, OPT_KEY_FD},                   \
	    {"key-format", required_argument, NULL, OPT_KEY_FORMAT},           \
	    {"key-size", required_argument, NULL, OPT_KEY_SIZE},               \
	{                                                                      \
		"allow-readable", no_argument, NULL, OPT_ALLOW_READABLE        \
	}

struct key_args {
	const char *file;
	const char *fd;
	struct key_source_opts opts;
};

/* Returns -1 if consumed, or an exit code. */
static int key_option(int c, struct key_args *ka, const char *cmd)
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
			return usage_error(cmd, "--key-format must be raw, hex "
						"or auto");
		return -1;
	case OPT_KEY_SIZE:
		if (!parse_unsigned(optarg, FSP_MAX_KEY_SIZE, &v) ||
		    v < FSP_MIN_KEY_SIZE)
			return usage_error(cmd, "--key-size must be 16 to 64 "
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

/* Reads the key named by --key-file/--key-fd. Returns an exit code. */
static int read_key_arg(const struct key_args *ka, const char *cmd,
			struct secbuf *key, uint8_t id[FSP_KEY_IDENTIFIER_SIZE])
{
	struct key_source src;
	char spec[PATH_MAX + 8], detail[512] = "", what[PATH_MAX + 8];
	int r;

	if (!!ka->file == !!ka->fd)
		return usage_error(cmd, "give exactly one of --key-file PATH "
					"and --key-fd N");
	if (ka->file)
		snprintf(spec, sizeof(spec), "file:%s", ka->file);
	else
		snprintf(spec, sizeof(spec), "fd:%s", ka->fd);
	if (key_source_parse(spec, &src) < 0)
		return usage_error(cmd, ka->file ? "--key-file needs a "
						   "path"
						 : "--key-fd needs a "
						   "descriptor number");
	key_source_format(&src, what, sizeof(what));
	r = key_source_read(&src, &ka->opts, key, detail, sizeof(detail));
	if (r < 0) {
		if (detail[0])
			return fail_msg(FSP_EXIT_KEY_SOURCE,
					"unable to read key from %s: it %s",
					what, detail);
		return fail(OP_KEY_SOURCE, r, "read key from %s", what);
	}
	r = fscrypt_key_identifier(key->data, key->len, id);
	if (r < 0) {
		secbuf_free(key);
		return fail(OP_KEY_SOURCE, r, "derive the key identifier");
	}
	return FSP_EXIT_OK;
}

int cmd_add(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    KEY_LONG_OPTIONS,
	    {"volume", required_argument, NULL, OPT_VOLUME},
	    {"mount", required_argument, NULL, OPT_MOUNT},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"unlink-key", no_argument, NULL, OPT_UNLINK_KEY},
	    {"allow-raw-fallback", no_argument, NULL, OPT_RAW_FALLBACK},
	    {NULL, 0, NULL, 0},
	};
	struct key_args ka = {.opts = KEY_SOURCE_OPTS_DEFAULT};
	struct provision_req rq = {0};
	bool unlink_key = false;
	struct provision_result res;
	struct fsp_problem problem;
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	struct secbuf key;
	unsigned long v;
	int c, r;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_VOLUME:
			rq.volume = optarg;
			break;
		case OPT_MOUNT:
			rq.mount = optarg;
			break;
		case OPT_TIMEOUT:
			if (!parse_unsigned(optarg, 0x7fffffff, &v) || v == 0)
				return usage_error("add",
						   "--timeout needs a positive "
						   "number of seconds");
			rq.timeout = (unsigned)v;
			break;
		case OPT_RAW_FALLBACK:
			rq.raw_fallback = true;
			break;
		case OPT_UNLINK_KEY:
			unlink_key = true;
			break;
		default:
			r = key_option(c, &ka, "add");
			if (r >= 0)
				return r;
		}
	}
	if (optind != argc)
		return usage_error("add", "unexpected argument '%s'",
				   argv[optind]);
	if (!rq.volume)
		return usage_error("add", "--volume NAME is required");
	if (unlink_key && !ka.file)
		return usage_error("add", "--unlink-key needs --key-file");
	if (!volume_name_valid(rq.volume))
		return usage_error("add",
				   "invalid volume name '%s': use 1-64 of "
				   "A-Z a-z 0-9 _ . + @ -, not starting with "
				   "'.' or '-'",
				   rq.volume);
	r = read_key_arg(&ka, "add", &key, id);
	if (r != FSP_EXIT_OK)
		return r;
	rq.keyring = arg_keyring;
	rq.key = &key;
	rq.id = id;
	r = provision_key(&rq, &res, &problem);
	secbuf_free(&key);
	if (r)
		return report_problem(&problem);
	report_provision(&rq, &res);
	if (unlink_key) {
		struct key_source src = {.kind = KEY_SOURCE_FILE};

		snprintf(src.path, sizeof(src.path), "%s", ka.file);
		report_unlink_key(rq.volume, &src);
	}
	return FSP_EXIT_OK;
}

int cmd_identifier(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    KEY_LONG_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	struct key_args ka = {.opts = KEY_SOURCE_OPTS_DEFAULT};
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	struct secbuf key;
	int c, r;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		r = key_option(c, &ka, "identifier");
		if (r >= 0)
			return r;
	}
	if (optind != argc)
		return usage_error("identifier", "unexpected argument '%s'",
				   argv[optind]);
	r = read_key_arg(&ka, "identifier", &key, id);
	if (r != FSP_EXIT_OK)
		return r;
	secbuf_free(&key);
	hex_encode(id, sizeof(id), hex);
	printf("%s\n", hex);
	return FSP_EXIT_OK;
}
