/* SPDX-License-Identifier: MIT */
/* --key-file/--key-fd and their options, for add, identifier and enroll. */
#ifndef FSP_FSCRYPT_PROVISION_KEY_OPTIONS_H
#define FSP_FSCRYPT_PROVISION_KEY_OPTIONS_H

#include <stdint.h>

#include "fscrypt-provision/cli.h"
#include "keysource/source.h"

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

/* A key just read: its identifier into id, or (an exit code) the key
 * freed and why said. */
int key_identify(struct secbuf *key, uint8_t id[FSP_KEY_IDENTIFIER_SIZE]);

/* The master key's sources, as add and identifier take them. */
// clang-format off
#define KEY_SOURCE_USES                                                        \
	{OPT_KEY_FILE, NULL}, {OPT_KEY_FD, NULL}, {OPT_SLOTS, NULL},           \
	{OPT_PASSPHRASE_FD, NULL}, {OPT_TPM2_PIN_FD, NULL},                    \
	{OPT_PKCS11_PIN_FD, NULL},                                             \
	{OPT_TPM2_DEVICE, NULL}, {OPT_TPM2_SIGNATURE, NULL},                   \
	{OPT_KEY_FORMAT, NULL}, {OPT_KEY_SIZE, NULL},                          \
	{OPT_ALLOW_READABLE, NULL}
// clang-format on

#endif
