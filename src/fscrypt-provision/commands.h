/* SPDX-License-Identifier: MIT */
/* The command table: names, entry points and usage texts. */
#ifndef FSP_FSCRYPT_PROVISION_COMMANDS_H
#define FSP_FSCRYPT_PROVISION_COMMANDS_H

#include <stddef.h>
#include <stdio.h>

#include "fscrypt-provision/cli.h"

extern const struct command commands[];
extern const size_t n_commands;

/* The overview printed by --help and after an unknown command. */
void print_usage(FILE *f);

#endif
