/* SPDX-License-Identifier: MIT */
/* --key-file/--key-fd and their options, for add, identifier and enroll. */
#ifndef FSP_FSCRYPT_PROVISION_KEY_OPTIONS_H
#define FSP_FSCRYPT_PROVISION_KEY_OPTIONS_H

#include <stdint.h>

#include "fscrypt-provision/cli.h"
#include "keysource/source.h"

enum {
	OPT_KEY_FILE = OPT_FIRST_PRIVATE,
	OPT_KEY_FD,
	OPT_KEY_FORMAT,
	OPT_KEY_SIZE,
	OPT_ALLOW_READABLE,
	OPT_KEYARG_END, /* commands number their own options from here */
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

/* Returns -1 if c was consumed, or an exit code. */
int key_option(int c, struct key_args *ka, const char *cmd);
/* Reads the key named by --key-file/--key-fd. Returns an exit code. */
int read_key_arg(const struct key_args *ka, const char *cmd, struct secbuf *key,
		 uint8_t id[FSP_KEY_IDENTIFIER_SIZE]);

#endif
